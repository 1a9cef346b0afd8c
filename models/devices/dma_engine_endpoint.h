// The DMA engine as a PCIe endpoint.
//
// Wraps the foundation's DmaEngine (models/devices/dma_engine.h) without
// changing it: its register block is BAR0 (32-bit, non-prefetchable, 4 KiB),
// and every request it makes (descriptor fetches, data reads and writes,
// completion write-backs, MSI) leaves through the endpoint's link with the
// function's requester ID, gated by Bus Master Enable. The engine is also
// told the requester ID and Bus Master Enable so it stops cleanly (fetch
// error) when bus mastering is off.
//
// Interrupts: the engine signals completion with a write of MSI_DATA to
// MSI_ADDR (its own registers). When software enables the function's MSI
// capability, the capability's Message Address and Data are copied into
// those registers, so a driver may use either; a masked MSI vector holds the
// interrupt back (pending bit set) instead of sending it. CTRL.IRQ_EN of the
// engine still has to be set.
//
// MSI-X: BAR0 also holds an MSI-X table of kMsixVectors vectors at
// kMsixTableOffset and its PBA at kMsixPbaOffset. With MSI-X enabled the
// engine's interrupt write is intercepted and sent as MSI-X vector 0 (with
// its masking and pending rules); if the engine's MSI_ADDR is still 0 it is
// set to a nonzero placeholder so the engine raises interrupts at all.
//
// Not modeled: more than one interrupt source (vectors 1.. are never used).
#pragma once

#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include <cstdint>
#include <string>

#include "models/devices/dma_engine.h"
#include "models/pcie/pcie_endpoint.h"

namespace vp::devices {

struct DmaEngineEndpointParams {
  vp::pcie::PcieEndpointParams endpoint{0x1b36, 0x0020, 0x088000, 1, 512, 32, true};
  DmaEngineParams engine;

  void declare(vp::common::ParameterSet& p, const std::string& prefix);
};

class DmaEngineEndpoint : public vp::pcie::PcieEndpoint {
 public:
  static constexpr unsigned kRegisterBar = 0;
  static constexpr unsigned kMsixVectors = 4;
  static constexpr uint32_t kMsixTableOffset = 0x800;
  static constexpr uint32_t kMsixPbaOffset = 0xc00;
  static constexpr uint64_t kMsixPlaceholderAddress = 0x4;

  DmaEngineEndpoint(sc_core::sc_module_name name, const DmaEngineEndpointParams& params = {});

  DmaEngine& engine() { return engine_; }
  uint64_t msis_held_back() const { return msis_held_; }

 protected:
  void bar_transport(unsigned bar, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) override;
  void config_written(unsigned offset, unsigned size) override;
  void report_device_stats(vp::common::StatsVisitor& v) const override;

 private:
  void engine_request(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
  void write_engine_register(uint64_t offset, uint64_t value, unsigned size);
  uint64_t read_engine_register(uint64_t offset, unsigned size);

  DmaEngine engine_;
  tlm_utils::simple_initiator_socket<DmaEngineEndpoint> regs_port_;
  tlm_utils::simple_target_socket<DmaEngineEndpoint> dma_port_;
  uint64_t msis_held_ = 0;
};

}  // namespace vp::devices
