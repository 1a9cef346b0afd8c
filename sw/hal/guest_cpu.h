// The guest CPU: runs guest software as an SC_THREAD and implements the Hal.
//
// Every access is a TLM transaction on `socket` with the CPU's local time as
// annotated delay; a tlm_quantumkeeper lets the CPU run ahead of the kernel
// by up to one quantum (temporal decoupling). Device-register accesses are
// uncached and blocking: the CPU's time advances by the returned delay.
// Memory accesses use DMI when the target grants it (with the DMI latency)
// and b_transport otherwise. Interrupts arrive on `irq` from an MSI
// controller; wait_for_irq() claims identities through the controller's
// registers like an interrupt handler would.
//
// Not modeled: instruction execution, caches (memory is coherent), multiple
// harts.
#pragma once

#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>
#include <vector>

#include "sw/hal/hal.h"

namespace guest::hal {

struct GuestCpuParams {
  double quantum_ns = 1000.0;      // temporal-decoupling quantum
  double access_overhead_ns = 1.0; // CPU-side cost of issuing any access
  bool use_dmi = true;             // memory accesses through DMI when granted
};

// Where things are, from the guest's point of view (its device tree).
struct HalConfig {
  uint64_t ram_base = 0x8000'0000;
  uint64_t ram_size = 256ull << 20;
  uint64_t msi_base = 0x2800'0000;  // MSI controller: doorbell page, control page
};

class GuestCpu : public sc_core::sc_module, public Hal {
 public:
  tlm_utils::simple_initiator_socket<GuestCpu> socket;
  sc_core::sc_in<bool> irq;

  SC_HAS_PROCESS(GuestCpu);
  GuestCpu(sc_core::sc_module_name name, const GuestCpuParams& params, const HalConfig& config);

  // The guest program; it starts at time zero. Exceptions it throws end it
  // and are recorded as the failure message.
  void run(std::function<void(Hal&)> program) { program_ = std::move(program); }
  bool finished() const { return finished_; }
  bool failed() const { return failed_; }
  const std::string& failure_message() const { return failure_; }
  // Call sc_stop() when the program ends (default true).
  void set_stop_when_done(bool on) { stop_when_done_ = on; }

  // Hal
  uint64_t mmio_read(uint64_t addr, unsigned size) override;
  void mmio_write(uint64_t addr, unsigned size, uint64_t value) override;
  void mem_read(uint64_t pa, void* data, uint64_t len) override;
  void mem_write(uint64_t pa, const void* data, uint64_t len) override;
  PageAllocator& pages() override { return pages_; }
  uint64_t msi_doorbell() const override { return config_.msi_base; }
  void enable_irq(unsigned id) override;
  bool wait_for_irq(unsigned id, const sc_core::sc_time& timeout) override;
  sc_core::sc_time now() const override;
  void delay(const sc_core::sc_time& t) override;
  void sync() override { qk_.sync(); }

  uint64_t transactions() const { return transactions_; }

 private:
  void thread();
  void transport(tlm::tlm_command cmd, uint64_t addr, void* data, unsigned len);
  void mem_access(tlm::tlm_command cmd, uint64_t pa, uint8_t* data, uint64_t len);
  bool try_dmi(tlm::tlm_command cmd, uint64_t addr, void* data, uint64_t len);
  void invalidate_direct_mem_ptr(sc_dt::uint64 start, sc_dt::uint64 end);

  GuestCpuParams params_;
  HalConfig config_;
  PageAllocator pages_;
  tlm_utils::tlm_quantumkeeper qk_;
  sc_core::sc_time overhead_;
  std::function<void(Hal&)> program_;
  std::vector<tlm::tlm_dmi> dmi_;
  std::set<unsigned> claimed_;  // identities signalled but not yet waited for
  bool finished_ = false, failed_ = false, stop_when_done_ = true;
  std::string failure_;
  uint64_t transactions_ = 0;
};

}  // namespace guest::hal
