// DMA engine: a descriptor-ring bus master (the project's test device).
//
// Models: a register block (dma_engine_regs.h) and a single-channel engine
// that fetches 32-byte descriptors from a ring in memory, executes COPY,
// FILL and WRITE_IMM, optionally writes a status word back into the
// descriptor, and signals completion with an MSI (a 32-bit write of MSI_DATA
// to MSI_ADDR). Every memory access is a TLM transaction on `dma` carrying a
// PcieExtension with the engine's requester ID, so an IOMMU or a PCIe fabric
// in between sees who is asking. Errors (a failed access, a bad descriptor)
// stop the engine with STATUS.ERROR, ERR_CODE and ERR_ADDR, and raise an MSI.
//
// Timing (DESIGN.md "Pipelining"): requests are at most `burst_bytes` long
// and issue at least `issue_interval_ns` apart; reads use `tags` outstanding
// slots (TagPipeline), so request k issues at max(issue[k-1] + interval,
// completion[k-tags]); writes are posted. A chunk's write issues when its
// read data has returned. Completion writes and the MSI issue once every
// data write of the descriptor has reached its target, which respects PCIe
// posted-write ordering conservatively. The engine runs ahead of the kernel
// by at most one global quantum.
//
// Not modeled: multiple channels, scatter-gather lists, ATS.
#pragma once

#include <cstdint>
#include <string>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>
#include <vector>

#include "models/common/pcie_extension.h"
#include "models/common/register_bank.h"
#include "models/common/statistics.h"
#include "models/common/timing_resource.h"

namespace vp::common {
class ParameterSet;
}

namespace vp::devices {

struct DmaEngineParams {
  uint32_t burst_bytes = 256;       // max bytes per memory request
  uint32_t tags = 16;               // outstanding read requests
  double issue_interval_ns = 1.0;   // min spacing of requests
  double descriptor_overhead_ns = 4.0;  // decode/setup per descriptor
  double register_latency_ns = 2.0;     // register access
  uint32_t requester_id = 0x0100;   // PCIe requester ID stamped on DMA (bus 1 dev 0 fn 0)
  void declare(vp::common::ParameterSet& p, const std::string& prefix);
};

class DmaEngine : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<DmaEngine> regs;
  tlm_utils::simple_initiator_socket<DmaEngine> dma;

  SC_HAS_PROCESS(DmaEngine);
  DmaEngine(sc_core::sc_module_name name, const DmaEngineParams& params = {});
  ~DmaEngine() override;

  // The PCIe layer sets these from config space (requester ID after
  // enumeration, Bus Master Enable). With bus mastering off the engine
  // cannot issue requests: it stops with a fetch error.
  void set_requester_id(uint16_t rid) { ext_->rid = rid; }
  void set_bus_master_enable(bool on) { bus_master_ = on; }

  uint64_t descriptors() const { return descriptors_; }
  uint64_t bus_transactions() const { return transactions_; }
  void report_stats(vp::common::StatsVisitor& v) const;

 private:
  void regs_b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
  void engine_thread();
  // Runs one descriptor; returns the error code (kErrNone on success).
  uint8_t execute(uint64_t desc_addr);
  // One memory request issued at `issue` (absolute); returns completion.
  bool access(tlm::tlm_command cmd, uint64_t addr, void* data, unsigned len,
              const sc_core::sc_time& issue, sc_core::sc_time* completion);
  uint8_t copy(uint64_t src, uint64_t dst, uint64_t len);
  uint8_t fill(uint64_t pattern, uint64_t dst, uint64_t len);
  bool post_write(uint64_t addr, const void* data, unsigned len);
  void signal_msi();
  void fail(uint8_t code, uint64_t addr);
  void sync_if_ahead();

  DmaEngineParams params_;
  sc_core::sc_time interval_, desc_overhead_, reg_latency_;
  vp::common::RegisterBank bank_;
  vp::common::TagPipeline reads_;
  tlm::tlm_generic_payload gp_;
  vp::common::PcieExtension* ext_;  // owned by gp_
  sc_core::sc_event doorbell_;
  sc_core::sc_time reg_delay_;   // annotated delay of the register access in progress
  sc_core::sc_time cursor_;      // engine's local absolute time
  sc_core::sc_time writes_done_; // when every posted write so far has landed
  sc_core::sc_time last_issue_;
  std::vector<uint8_t> buffer_;
  bool bus_master_ = true;
  uint64_t fail_addr_ = 0;

  uint64_t descriptors_ = 0, transactions_ = 0, bytes_read_ = 0, bytes_written_ = 0;
  uint64_t errors_ = 0, msis_ = 0, doorbells_ = 0;
  vp::common::Histogram descriptor_latency_ns_;
};

}  // namespace vp::devices
