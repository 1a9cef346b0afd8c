#include <catch2/catch.hpp>

#include "models/common/parameters.h"
#include "models/pcie/pcie_link.h"

using namespace sc_core;
using vp::pcie::LinkDirection;
using vp::pcie::PcieLink;
using vp::pcie::PcieLinkParams;

namespace {
PcieLinkParams cfg(unsigned gen, unsigned width, unsigned mps, unsigned mrrs = 512) {
  PcieLinkParams p;
  p.generation = gen;
  p.width = width;
  p.max_payload_size = mps;
  p.max_read_request_size = mrrs;
  p.port_latency_ns = 0;
  return p;
}
}  // namespace

TEST_CASE("pcie link: bandwidth figures equal the hand-computed pcie-bench values") {
  // Gen3 x8, MPS 256: raw = 8 GT/s * 128/130 * 8 lanes; ACK and FC limits
  // 203 B; TLP bw = raw * (1 - 16/203 - 4/1538).
  PcieLink g3(cfg(3, 8, 256));
  CHECK(g3.raw_gbps() == Approx(63.0154).epsilon(1e-5));
  CHECK(g3.tlp_gbps() == Approx(57.8847).epsilon(1e-5));
  // 64 B write: 64 + 8 + 4 + 12 = 88 wire bytes.
  CHECK(g3.write_wire_bytes(64) == 88);
  CHECK(g3.effective_write_gbps(64) == Approx(57.8847 * 64 / 88).epsilon(1e-5));
  // Gen4 x16, MPS 512: limit 182 B; a 4 KiB read returns in 8 CplD of 20 B
  // overhead each.
  PcieLink g4(cfg(4, 16, 512, 4096));
  CHECK(g4.tlp_gbps() == Approx(252.0615 * (1 - 16.0 / 182 - 4.0 / 1538)).epsilon(1e-5));
  CHECK(g4.completion_wire_bytes(4096) == 4096 + 8 * 20);
  CHECK(g4.read_request_wire_bytes(4096) == 24);
  CHECK(g4.read_request_wire_bytes(8192) == 48);
  // Gen1 uses 8b/10b.
  CHECK(PcieLink(cfg(1, 1, 128)).raw_gbps() == Approx(2.0));
}

TEST_CASE("pcie link: back-to-back transfers achieve the closed-form bandwidth within 2%") {
  for (unsigned gen : {3u, 4u}) {
    for (unsigned width : {8u, 16u}) {
      for (unsigned mps : {128u, 256u, 512u}) {
        for (unsigned mrrs : {512u, 4096u}) {
          for (uint64_t size = 64; size <= 65536; size *= 2) {
            PcieLink link(cfg(gen, width, mps, mrrs));
            const unsigned n = 200;
            sc_time t_write, t_read;
            for (unsigned i = 0; i < n; ++i) {
              t_write = link.transmit(LinkDirection::kUpstream, SC_ZERO_TIME,
                                      link.write_wire_bytes(size));
              // A read: its requests go up, its completions come down.
              link.transmit(LinkDirection::kUpstream, SC_ZERO_TIME,
                            link.read_request_wire_bytes(size));
              t_read = link.transmit(LinkDirection::kDownstream, SC_ZERO_TIME,
                                     link.completion_wire_bytes(size));
            }
            const double write_gbps = n * size * 8 / (t_write.to_seconds() * 1e9);
            const double read_gbps = n * size * 8 / (t_read.to_seconds() * 1e9);
            INFO("gen" << gen << " x" << width << " mps " << mps << " mrrs " << mrrs << " size "
                       << size);
            // Upstream carries writes and read requests; the write share
            // is its wire bytes over both.
            const double share = double(link.write_wire_bytes(size)) /
                                 double(link.write_wire_bytes(size) + link.read_request_wire_bytes(size));
            CHECK(write_gbps == Approx(link.effective_write_gbps(size) * share).epsilon(0.02));
            CHECK(read_gbps == Approx(link.effective_read_gbps(size)).epsilon(0.02));
          }
        }
      }
    }
  }
}

TEST_CASE("pcie link: a direction queues its own transfers, the other is independent") {
  PcieLinkParams p = cfg(3, 8, 256);
  p.port_latency_ns = 20;
  PcieLink link(p);
  const sc_time one = link.wire_time(link.write_wire_bytes(256));
  CHECK(link.transmit(LinkDirection::kUpstream, SC_ZERO_TIME, link.write_wire_bytes(256)) ==
        one + sc_time(20, SC_NS));
  CHECK(link.transmit(LinkDirection::kUpstream, SC_ZERO_TIME, link.write_wire_bytes(256)) ==
        one + one + sc_time(20, SC_NS));
  CHECK(link.transmit(LinkDirection::kDownstream, SC_ZERO_TIME, link.write_wire_bytes(256)) ==
        one + sc_time(20, SC_NS));
}

TEST_CASE("pcie link: unsupported parameters are rejected naming the key") {
  PcieLinkParams p = cfg(3, 8, 256);
  p.width = 3;
  CHECK_THROWS_WITH(PcieLink(p, "pcie.rp0.link"), Catch::Contains("'pcie.rp0.link.width'"));
  p = cfg(3, 8, 384);
  CHECK_THROWS_WITH(PcieLink(p, "l"), Catch::Contains("'l.max_payload_size'"));
  p = cfg(7, 8, 256);
  CHECK_THROWS_AS(PcieLink(p, "l"), vp::common::ParameterError);
}
