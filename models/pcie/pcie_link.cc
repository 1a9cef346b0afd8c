#include "models/pcie/pcie_link.h"

#include <cmath>

#include "models/common/parameters.h"

namespace vp::pcie {

namespace {

constexpr double kGts[] = {2.5, 5.0, 8.0, 16.0, 32.0, 64.0};

// ACK latency limits and FC update intervals in bytes, per generation,
// width (x1, x2, x4, x8, x16) and MPS (128..4096): the PCIe Base Spec's
// recommended values as tabulated by pcie-bench; for these widths the two
// tables coincide. Gen3 and later share one table; Gen6 is pcie-bench's
// extrapolation.
constexpr unsigned kDllpLimit[3][5][6] = {
    {{237, 416, 559, 1071, 2095, 4143}, {128, 217, 289, 545, 1057, 2081},
     {73, 118, 154, 282, 538, 1050}, {67, 107, 86, 150, 278, 534}, {48, 72, 86, 150, 278, 534}},
    {{288, 467, 610, 1122, 2146, 4194}, {179, 268, 340, 596, 1108, 2132},
     {124, 169, 205, 333, 589, 1101}, {118, 158, 137, 201, 329, 585},
     {99, 123, 137, 201, 329, 585}},
    {{333, 512, 655, 1167, 2191, 4239}, {224, 313, 385, 641, 1153, 2177},
     {169, 214, 250, 378, 634, 1146}, {163, 203, 182, 246, 374, 630},
     {144, 168, 182, 246, 374, 630}},
};
constexpr unsigned kDllpBytes = 8;     // ACK or UpdateFC DLLP with framing
constexpr double kSkipInterval = 1538, kSkipLength = 4;
constexpr unsigned kPhyDll = 8;        // framing + sequence number + LCRC
constexpr unsigned kTlpDw0 = 4;        // common header DW

unsigned log2u(uint32_t v) { return 31 - __builtin_clz(v); }
bool pow2(uint32_t v) { return v && !(v & (v - 1)); }
uint64_t ceil_div(uint64_t a, uint64_t b) { return (a + b - 1) / b; }

}  // namespace

void PcieLinkParams::declare(vp::common::ParameterSet& p, const std::string& prefix) {
  p.add(prefix + "generation", generation, "", "PCIe generation (1..6 = 2.5..64 GT/s)", 1, 6);
  p.add(prefix + "width", width, "lanes", "link width (1, 2, 4, 8, 16)", 1, 16);
  p.add(prefix + "max_payload_size", max_payload_size, "bytes", "MPS: largest TLP payload", 128,
        4096);
  p.add(prefix + "max_read_request_size", max_read_request_size, "bytes",
        "MRRS: largest read request", 128, 4096);
  p.add(prefix + "read_completion_boundary", read_completion_boundary, "bytes",
        "RCB (64 or 128)", 64, 128);
  p.add(prefix + "completions_at_rcb", completions_at_rcb,
        "split read completions at the RCB instead of at MPS");
  p.add(prefix + "addr64", addr64, "64-bit addressing (16-byte request headers)");
  p.add(prefix + "ecrc", ecrc, "append a 4-byte ECRC digest to every TLP");
  p.add(prefix + "port_latency_ns", port_latency_ns, "ns",
        "PHY and data-link latency per traversal of the link");
}

void PcieLinkParams::validate(const std::string& prefix) const {
  auto bad = [&](const std::string& key, const std::string& why) {
    throw vp::common::ParameterError("parameter '" + prefix + key + "': " + why);
  };
  if (generation < 1 || generation > 6) bad("generation", "must be 1..6");
  if (!pow2(width) || width > 16) bad("width", "must be 1, 2, 4, 8 or 16");
  if (!pow2(max_payload_size) || max_payload_size < 128 || max_payload_size > 4096)
    bad("max_payload_size", "must be a power of two in 128..4096");
  if (!pow2(max_read_request_size) || max_read_request_size < 128 || max_read_request_size > 4096)
    bad("max_read_request_size", "must be a power of two in 128..4096");
  if (read_completion_boundary != 64 && read_completion_boundary != 128)
    bad("read_completion_boundary", "must be 64 or 128");
}

PcieLink::PcieLink(const PcieLinkParams& params, std::string name)
    : params_(params), name_(std::move(name)) {
  params_.validate(name_ + ".");
  const unsigned g = params_.generation;
  const double encoding = g <= 2 ? 8.0 / 10.0 : g <= 5 ? 128.0 / 130.0 : 242.0 / 256.0;
  raw_gbps_ = kGts[g - 1] * encoding * params_.width;
  const unsigned limit =
      kDllpLimit[std::min(g, 3u) - 1][log2u(params_.width)][log2u(params_.max_payload_size) - 7];
  const double overhead = 2.0 * kDllpBytes / limit + kSkipLength / kSkipInterval;
  tlp_gbps_ = raw_gbps_ * (1.0 - overhead);
  const unsigned digest = params_.ecrc ? 4 : 0;
  mwr_overhead_ = kPhyDll + kTlpDw0 + (params_.addr64 ? 12 : 8) + digest;
  mrd_bytes_ = mwr_overhead_;
  cpl_overhead_ = kPhyDll + kTlpDw0 + 8 + digest;
  rate_ = vp::common::ByteRate(tlp_gbps_ / 8.0);
  port_latency_ = vp::common::ns_to_time(params_.port_latency_ns);
}

unsigned PcieLink::write_tlps(uint64_t payload) const {
  return static_cast<unsigned>(ceil_div(payload, params_.max_payload_size));
}
unsigned PcieLink::read_request_tlps(uint64_t requested) const {
  return static_cast<unsigned>(ceil_div(requested, params_.max_read_request_size));
}
unsigned PcieLink::completion_tlps(uint64_t payload) const {
  const uint32_t chunk =
      params_.completions_at_rcb ? params_.read_completion_boundary : params_.max_payload_size;
  return static_cast<unsigned>(ceil_div(payload, chunk));
}
uint64_t PcieLink::write_wire_bytes(uint64_t payload) const {
  return payload + uint64_t(write_tlps(payload)) * mwr_overhead_;
}
uint64_t PcieLink::read_request_wire_bytes(uint64_t requested) const {
  return uint64_t(read_request_tlps(requested)) * mrd_bytes_;
}
uint64_t PcieLink::completion_wire_bytes(uint64_t payload) const {
  return payload + uint64_t(completion_tlps(payload)) * cpl_overhead_;
}

sc_core::sc_time PcieLink::transmit(LinkDirection d, const sc_core::sc_time& arrival,
                                    uint64_t wire_bytes) {
  const unsigned i = static_cast<unsigned>(d);
  ++tlps_[i];
  bytes_[i] += wire_bytes;
  return dir_[i].reserve(arrival, wire_time(wire_bytes)) + port_latency_;
}

double PcieLink::effective_write_gbps(uint64_t size) const {
  return tlp_gbps_ * double(size) / double(write_wire_bytes(size));
}

double PcieLink::effective_read_gbps(uint64_t size) const {
  return tlp_gbps_ * double(size) / double(completion_wire_bytes(size));
}

void PcieLink::report_stats(vp::common::StatsVisitor& v) const {
  v.begin_group(name_);
  v.value("upstream_transfers", double(tlps_[0]));
  v.value("upstream_wire_bytes", double(bytes_[0]), "bytes");
  v.value("upstream_busy_ns", dir_[0].busy_time().to_seconds() * 1e9, "ns");
  v.value("downstream_transfers", double(tlps_[1]));
  v.value("downstream_wire_bytes", double(bytes_[1]), "bytes");
  v.value("downstream_busy_ns", dir_[1].busy_time().to_seconds() * 1e9, "ns");
  v.end_group();
}

}  // namespace vp::pcie
