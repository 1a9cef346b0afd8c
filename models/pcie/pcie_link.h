// PCIe link timing: one link, two directions, each a busy-until resource.
//
// Models the bandwidth accounting of the pcie-bench model (Neugebauer et
// al., "Understanding PCIe performance for end host networking", SIGCOMM
// 2018), all sizes in bytes on the wire:
//
//   lane rate    = GT/s x encoding (8b/10b Gen1-2, 128b/130b Gen3-5,
//                  242/256 for Gen6 FLIT mode, pcie-bench's approximation)
//   raw          = lane rate x width                                   [Gb/s]
//   TLP bw       = raw x (1 - 8/AckLimit - 8/FcLimit - 4/1538)
//                  ACK and flow-control DLLPs (8 B each) at the rates the
//                  PCIe Base Spec recommends for the width and MPS (its ACK
//                  latency-limit and FC update tables), and SKIP ordered sets
//   MWr          = payload + 8 (framing, sequence, LCRC) + 4 + 12|8 (64|32-bit
//                  address) [+ 4 ECRC], one TLP per MPS of payload
//   MRd          = 8 + 4 + 12|8 [+ 4], one per MRRS of requested data
//   CplD         = payload + 8 + 4 + 8 [+ 4], one per MPS (or per RCB when
//                  completions are split at the read completion boundary)
//
// A transfer occupies its direction for wire_bytes / TLP bw and arrives a
// fixed port latency later. Effective bandwidths in closed form are offered
// so tests and users can compare the model with the formula.
//
// Not modeled: link training, replays, credit starvation, lane errors.
#pragma once

#include <cstdint>
#include <string>
#include <systemc>

#include "models/common/sim_time.h"
#include "models/common/statistics.h"
#include "models/common/timing_resource.h"

namespace vp::common {
class ParameterSet;
}

namespace vp::pcie {

struct PcieLinkParams {
  uint32_t generation = 3;  // 1..6: 2.5, 5, 8, 16, 32, 64 GT/s
  uint32_t width = 8;       // lanes: 1, 2, 4, 8, 16
  uint32_t max_payload_size = 256;        // MPS bytes: 128..4096
  uint32_t max_read_request_size = 512;   // MRRS bytes: 128..4096
  uint32_t read_completion_boundary = 64; // RCB bytes: 64 or 128
  bool completions_at_rcb = false;  // split completions at RCB instead of MPS
  bool addr64 = true;               // 64-bit addressing (4 DW headers)
  bool ecrc = false;                // TLP digest
  double port_latency_ns = 20.0;    // PHY + data-link traversal per direction

  void declare(vp::common::ParameterSet& p, const std::string& prefix);
  // Throws vp::common::ParameterError naming the key on unsupported values.
  void validate(const std::string& prefix) const;
};

enum class LinkDirection { kUpstream = 0, kDownstream = 1 };

class PcieLink {
 public:
  explicit PcieLink(const PcieLinkParams& params, std::string name = "link");

  double raw_gbps() const { return raw_gbps_; }  // Gb/s, both overheads excluded
  double tlp_gbps() const { return tlp_gbps_; }  // Gb/s left for TLPs

  uint64_t write_wire_bytes(uint64_t payload) const;
  uint64_t read_request_wire_bytes(uint64_t requested) const;
  uint64_t completion_wire_bytes(uint64_t payload) const;
  unsigned write_tlps(uint64_t payload) const;
  unsigned completion_tlps(uint64_t payload) const;
  unsigned read_request_tlps(uint64_t requested) const;

  // Serialization time of wire bytes at the TLP bandwidth.
  sc_core::sc_time wire_time(uint64_t wire_bytes) const { return rate_.time_for(wire_bytes); }
  // Occupies direction `d` from `arrival` (or when it frees) for the wire
  // time of `wire_bytes`; returns when the last byte reaches the far end.
  sc_core::sc_time transmit(LinkDirection d, const sc_core::sc_time& arrival, uint64_t wire_bytes);

  // Closed-form effective data bandwidth (Gb/s) of back-to-back transfers.
  double effective_write_gbps(uint64_t size) const;
  double effective_read_gbps(uint64_t size) const;  // completion direction

  const PcieLinkParams& params() const { return params_; }
  void report_stats(vp::common::StatsVisitor& v) const;

 private:
  PcieLinkParams params_;
  std::string name_;
  double raw_gbps_ = 0, tlp_gbps_ = 0;
  unsigned mwr_overhead_, mrd_bytes_, cpl_overhead_;
  vp::common::ByteRate rate_;
  sc_core::sc_time port_latency_;
  vp::common::TimingResource dir_[2];
  uint64_t tlps_[2] = {0, 0}, bytes_[2] = {0, 0};
};

}  // namespace vp::pcie
