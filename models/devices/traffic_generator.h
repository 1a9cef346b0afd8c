// Traffic generator: a PCIe endpoint that issues configurable DMA streams.
//
// Models: a bus master whose stream is programmed through BAR0 registers
// (32-bit, non-prefetchable, 4 KiB; layout below): transfer size, direction
// (read or write), address pattern (sequential or uniform random over
// [BASE, BASE + RANGE), in SIZE-aligned steps), rate (minimum interval
// between transfer issues), outstanding transfers and a transfer count
// (0 = until stopped). CTRL.EN starts the stream; clearing it stops the
// stream after the transfer in progress. Transfers go up the link through
// the endpoint base (TLP splitting at MPS/MRRS, requester ID, Bus Master
// Enable, tags). Transfer k issues at
//   max(issue[k-1] + INTERVAL, completion[k - OUTSTANDING])
// so a stream with enough outstanding transfers saturates its link and one
// with OUTSTANDING = 1 runs at one transfer per round trip.
//
// Statistics: transfers, bytes, errors, latency (issue to completion) min,
// max, sum and a log2 histogram in ns, readable through BAR0 and reported
// with report_stats. A failed transfer stops the stream with STATUS.ERROR.
//
// Not modeled: data checking, mixed read/write streams, multiple streams.
#pragma once

#include <cstdint>
#include <string>
#include <systemc>
#include <vector>

#include "models/common/register_bank.h"
#include "models/common/statistics.h"
#include "models/common/timing_resource.h"
#include "models/pcie/pcie_endpoint.h"

namespace vp::devices {

namespace tgen_regs {
constexpr uint64_t kId = 0x00;            // RO "TGEN"
constexpr uint64_t kCtrl = 0x04;          // RW: EN, READ, RANDOM
constexpr uint64_t kStatus = 0x08;        // RUNNING (RO), ERROR (W1C)
constexpr uint64_t kBase = 0x10;          // 64-bit bus address
constexpr uint64_t kRange = 0x18;         // 64-bit bytes (>= SIZE)
constexpr uint64_t kSize = 0x20;          // WARL: bytes per transfer, 1..kMaxSize
constexpr uint64_t kOutstanding = 0x24;   // WARL: 1..kMaxOutstanding
constexpr uint64_t kIntervalNs = 0x28;    // min ns between transfer issues (0 = back to back)
constexpr uint64_t kCount = 0x2c;         // transfers to run, 0 = until stopped
constexpr uint64_t kSeed = 0x30;          // random pattern seed
constexpr uint64_t kTransfers = 0x40;     // RO 64-bit: completed transfers
constexpr uint64_t kBytes = 0x48;         // RO 64-bit
constexpr uint64_t kErrors = 0x50;        // RO
constexpr uint64_t kLatencyMinNs = 0x58;  // RO 64-bit
constexpr uint64_t kLatencyMaxNs = 0x60;  // RO 64-bit
constexpr uint64_t kLatencySumNs = 0x68;  // RO 64-bit
constexpr uint64_t kHistogram = 0x100;    // RO 64-bit x kHistogramBuckets: log2 ns buckets
constexpr unsigned kHistogramBuckets = 32;
constexpr uint64_t kRegsSize = 0x1000;

constexpr uint32_t kIdValue = 0x5447454e;  // "TGEN"
constexpr uint32_t kCtrlEn = 1u << 0;
constexpr uint32_t kCtrlRead = 1u << 1;
constexpr uint32_t kCtrlRandom = 1u << 2;
constexpr uint32_t kStatusRunning = 1u << 0;
constexpr uint32_t kStatusError = 1u << 1;
constexpr uint32_t kMaxSize = 65536;
constexpr uint32_t kMaxOutstanding = 1024;
}  // namespace tgen_regs

struct TrafficGeneratorParams {
  vp::pcie::PcieEndpointParams endpoint{0x1b36, 0x0030, 0xff0000, 1, 512, 256, true};
  double register_latency_ns = 2.0;  // BAR0 register access

  void declare(vp::common::ParameterSet& p, const std::string& prefix);
};

class TrafficGenerator : public vp::pcie::PcieEndpoint {
 public:
  static constexpr unsigned kRegisterBar = 0;

  SC_HAS_PROCESS(TrafficGenerator);
  TrafficGenerator(sc_core::sc_module_name name, const TrafficGeneratorParams& params = {});

  uint64_t transfers() const { return transfers_; }
  uint64_t bytes() const { return bytes_; }
  const vp::common::Histogram& latency_ns() const { return latency_; }
  bool running() const { return running_; }

 protected:
  void bar_transport(unsigned bar, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) override;
  void report_device_stats(vp::common::StatsVisitor& v) const override;

 private:
  void stream_thread();
  uint64_t next_address(uint64_t k);
  void record(uint64_t bytes, const sc_core::sc_time& latency);

  TrafficGeneratorParams params_;
  sc_core::sc_time reg_latency_;
  vp::common::RegisterBank bank_;
  // Registers the stream reads per transfer (no name lookups on the hot path).
  vp::common::Register *ctrl_ = nullptr, *size_ = nullptr, *range_ = nullptr, *base_ = nullptr;
  sc_core::sc_event start_;
  sc_core::sc_time reg_delay_;
  std::vector<uint8_t> buffer_;
  uint64_t rng_ = 0;
  bool running_ = false;
  uint64_t transfers_ = 0, bytes_ = 0, errors_ = 0, streams_ = 0;
  vp::common::Histogram latency_;
};

}  // namespace vp::devices
