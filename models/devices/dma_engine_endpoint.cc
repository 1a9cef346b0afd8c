#include "models/devices/dma_engine_endpoint.h"

#include "models/common/parameters.h"
#include "models/devices/dma_engine_regs.h"

namespace vp::devices {

using vp::pcie::ConfigSpace;
namespace cfg = vp::pcie::cfg;

void DmaEngineEndpointParams::declare(vp::common::ParameterSet& p, const std::string& prefix) {
  endpoint.declare(p, prefix);
  engine.declare(p, prefix + "engine.");
}

DmaEngineEndpoint::DmaEngineEndpoint(sc_core::sc_module_name name,
                                     const DmaEngineEndpointParams& params)
    : PcieEndpoint(name, params.endpoint),
      engine_("engine", params.engine),
      regs_port_("regs_port"),
      dma_port_("dma_port") {
  config().add_bar(kRegisterBar, dma_regs::kRegsSize, /*is_64bit=*/false, /*prefetchable=*/false);
  add_msix(kMsixVectors, kRegisterBar, kMsixTableOffset, kMsixPbaOffset);
  regs_port_.bind(engine_.regs);
  engine_.dma.bind(dma_port_);
  dma_port_.register_b_transport(this, &DmaEngineEndpoint::engine_request);
  engine_.set_requester_id(requester_id());
  engine_.set_bus_master_enable(config().bus_master_enabled());
}

void DmaEngineEndpoint::bar_transport(unsigned, tlm::tlm_generic_payload& gp,
                                      sc_core::sc_time& delay) {
  regs_port_->b_transport(gp, delay);
}

void DmaEngineEndpoint::write_engine_register(uint64_t offset, uint64_t value, unsigned size) {
  tlm::tlm_generic_payload gp;
  gp.set_command(tlm::TLM_WRITE_COMMAND);
  gp.set_address(offset);
  gp.set_data_ptr(reinterpret_cast<unsigned char*>(&value));
  gp.set_data_length(size);
  gp.set_streaming_width(size);
  gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  // A side effect of a configuration write: its time is the config access's.
  sc_core::sc_time scratch = sc_core::SC_ZERO_TIME;
  regs_port_->b_transport(gp, scratch);
}

uint64_t DmaEngineEndpoint::read_engine_register(uint64_t offset, unsigned size) {
  uint64_t value = 0;
  tlm::tlm_generic_payload gp;
  gp.set_command(tlm::TLM_READ_COMMAND);
  gp.set_address(offset);
  gp.set_data_ptr(reinterpret_cast<unsigned char*>(&value));
  gp.set_data_length(size);
  gp.set_streaming_width(size);
  gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  sc_core::sc_time scratch = sc_core::SC_ZERO_TIME;
  regs_port_->b_transport(gp, scratch);
  return value;
}

void DmaEngineEndpoint::config_written(unsigned offset, unsigned size) {
  const ConfigSpace& c = config();
  engine_.set_requester_id(requester_id());
  engine_.set_bus_master_enable(c.bus_master_enabled());
  const unsigned msi = c.msi_capability();
  if (msi && offset < msi + cfg::kMsiMaskBits64 && offset + size > msi && c.msi_enabled()) {
    write_engine_register(dma_regs::kMsiAddr, c.msi_address(), 8);
    write_engine_register(dma_regs::kMsiData, c.msi_data(), 4);
  }
  if (c.msix_enabled() && read_engine_register(dma_regs::kMsiAddr, 8) == 0)
    write_engine_register(dma_regs::kMsiAddr, kMsixPlaceholderAddress, 8);
}

void DmaEngineEndpoint::engine_request(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
  const auto* ext = gp.get_extension<vp::common::PcieExtension>();
  if (ext && ext->is_msi && config().msix_enabled()) {
    // The engine's interrupt becomes MSI-X vector 0.
    const sc_core::sc_time now = sc_core::sc_time_stamp();
    sc_core::sc_time when = now + delay;
    if (!send_msix(0, when)) ++msis_held_;
    delay = when - now;
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
    return;
  }
  if (ext && ext->is_msi && config().msi_enabled() && config().msi_masked()) {
    // A masked vector: the function records it as pending and sends nothing.
    ++msis_held_;
    config().set_msi_pending(true);
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
    return;
  }
  forward_upstream(gp, delay);
}

void DmaEngineEndpoint::report_device_stats(vp::common::StatsVisitor& v) const {
  v.value("msis_held_back", double(msis_held_));
  engine_.report_stats(v);
}

}  // namespace vp::devices
