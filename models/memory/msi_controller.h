// Message-signalled interrupt controller: one interrupt file for the guest CPU.
//
// Models: an interrupt file in the spirit of a RISC-V IMSIC (AIA 1.0
// chapter 3): a doorbell page where a device's MSI write of an interrupt
// identity sets that identity's pending bit, and a control page through which
// the CPU enables identities, reads and clears pending bits and claims the
// lowest pending enabled identity. The `irq` output is high while any enabled
// identity is pending. Identity 0 is never valid; writes of identities out of
// range are ignored, as on an IMSIC.
//
// Layout (offsets from the controller base):
//   0x0000  SETEIPNUM_LE  W   doorbell: write identity (little-endian 32-bit)
//   0x1000  CLAIM         R   lowest pending+enabled identity, cleared by the
//                             read; 0 if none
//   0x1080  PENDING[n]    R/W1C  32 identities per word
//   0x1100  ENABLE[n]     RW     32 identities per word
// A doorbell write takes effect at its annotated arrival time.
// Not modeled: priorities/threshold, big-endian doorbell, multiple harts.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>
#include <vector>

#include "models/common/register_bank.h"
#include "models/common/statistics.h"

namespace vp::common {
class ParameterSet;
}

namespace vp::memory {

struct MsiControllerParams {
  uint32_t num_ids = 64;        // identities 1..num_ids-1
  double access_latency_ns = 5.0;
  void declare(vp::common::ParameterSet& p, const std::string& prefix);
};

class MsiController : public sc_core::sc_module {
 public:
  static constexpr uint64_t kSetEipNum = 0x0000;
  static constexpr uint64_t kClaim = 0x1000;
  static constexpr uint64_t kPending = 0x1080;
  static constexpr uint64_t kEnable = 0x1100;
  static constexpr uint64_t kSize = 0x2000;

  tlm_utils::simple_target_socket<MsiController> socket;
  sc_core::sc_out<bool> irq;

  SC_HAS_PROCESS(MsiController);
  MsiController(sc_core::sc_module_name name, const MsiControllerParams& params = {});

  bool pending(unsigned id) const;
  uint64_t delivered() const { return delivered_; }
  uint64_t ignored() const { return ignored_; }
  void report_stats(vp::common::StatsVisitor& v) const;

 private:
  void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
  unsigned transport_dbg(tlm::tlm_generic_payload& gp);
  void set_pending(uint32_t id);
  void update_irq();
  void drive_irq();
  void deliver();

  MsiControllerParams params_;
  sc_core::sc_time latency_;
  unsigned words_;
  vp::common::RegisterBank regs_;
  std::vector<vp::common::Register*> pending_, enable_;
  bool irq_level_ = false;
  sc_core::sc_event irq_changed_;
  // Doorbell writes by time of arrival (initiators run ahead of the kernel).
  std::multimap<sc_core::sc_time, uint32_t> arrivals_;
  sc_core::sc_event arrival_event_;
  sc_core::sc_time access_delay_;
  uint64_t delivered_ = 0, ignored_ = 0, claims_ = 0;
};

}  // namespace vp::memory
