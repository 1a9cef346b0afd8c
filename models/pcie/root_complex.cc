#include "models/pcie/root_complex.h"

#include <cstring>

#include "models/common/parameters.h"
#include "models/common/pcie_extension.h"
#include "models/common/sim_time.h"

namespace vp::pcie {

using sc_core::sc_time;

namespace {
// ECAM offset fields (PCIe Base 6.0 sec. 7.2.2, Table 7-1).
constexpr unsigned kEcamBusShift = 20;
constexpr unsigned kEcamDeviceShift = 15;
constexpr unsigned kEcamFunctionShift = 12;
constexpr uint64_t kEcamRegisterMask = 0xfff;
constexpr unsigned kRootBus = 0;
}  // namespace

void RootComplexParams::declare(vp::common::ParameterSet& p, const std::string& prefix) {
  p.add(prefix + "ecam_buses", ecam_buses, "buses", "buses decoded by the ECAM window (1 MiB each)",
        1, 256);
  p.add(prefix + "mmio32_base", mmio32_base, "address", "base of the 32-bit MMIO window");
  p.add(prefix + "mmio32_size", mmio32_size, "bytes", "size of the 32-bit MMIO window");
  p.add(prefix + "mmio64_base", mmio64_base, "address",
        "base of the 64-bit prefetchable MMIO window");
  p.add(prefix + "mmio64_size", mmio64_size, "bytes",
        "size of the 64-bit prefetchable MMIO window");
  p.add(prefix + "first_root_port_device", first_root_port_device, "",
        "device number of root port 0 on the root bus", 0, 31);
  p.add(prefix + "config_latency_ns", config_latency_ns, "ns",
        "latency of one ECAM configuration access");
  p.add(prefix + "downstream_latency_ns", downstream_latency_ns, "ns",
        "root complex traversal of an MMIO request");
  p.add(prefix + "upstream_latency_ns", upstream_latency_ns, "ns",
        "root complex traversal of a request from below (DMA, MSI)");
  p.add(prefix + "vendor_id", vendor_id, "", "vendor ID of the root ports", 0, 0xffff);
  p.add(prefix + "root_port_device_id", root_port_device_id, "", "device ID of the root ports", 0,
        0xffff);
}

void RootComplexParams::validate(const std::string& prefix) const {
  auto bad = [&](const std::string& key, const std::string& why) {
    throw vp::common::ParameterError("parameter '" + prefix + key + "': " + why);
  };
  if (ecam_buses < 1 || ecam_buses > 256) bad("ecam_buses", "must be 1..256");
  if (mmio32_base + mmio32_size > (1ull << 32) || mmio32_base + mmio32_size < mmio32_base)
    bad("mmio32_size", "the 32-bit window must lie below 4 GiB");
  if (mmio64_base + mmio64_size < mmio64_base) bad("mmio64_size", "window wraps around");
  if (mmio32_size && mmio64_size && mmio32_base < mmio64_base + mmio64_size &&
      mmio64_base < mmio32_base + mmio32_size)
    bad("mmio64_base", "the 32-bit and 64-bit windows overlap");
  if (first_root_port_device > 31) bad("first_root_port_device", "must be 0..31");
}

RootComplex::RootComplex(sc_core::sc_module_name name, const RootComplexParams& params,
                         const std::vector<PcieLinkParams>& root_port_links)
    : sc_module(name),
      ecam("ecam"),
      mmio("mmio"),
      messages("messages"),
      upstream("upstream"),
      params_(params) {
  params_.validate(std::string(this->name()) + ".");
  if (root_port_links.empty() || params_.first_root_port_device + root_port_links.size() > 32)
    throw vp::common::ParameterError(std::string(this->name()) +
                                     ": 1..32 root ports must fit on the root bus");
  config_latency_ = vp::common::ns_to_time(params_.config_latency_ns);
  downstream_latency_ = vp::common::ns_to_time(params_.downstream_latency_ns);
  upstream_latency_ = vp::common::ns_to_time(params_.upstream_latency_ns);
  ecam.register_b_transport(this, &RootComplex::ecam_b_transport);
  mmio.register_b_transport(this, &RootComplex::mmio_b_transport);
  messages.register_b_transport(this, &RootComplex::messages_b_transport);
  for (unsigned i = 0; i < root_port_links.size(); ++i)
    ports_.push_back(std::make_unique<RootPort>(
        ("rp" + std::to_string(i)).c_str(), root_port_links[i], static_cast<uint8_t>(i), *this,
        static_cast<uint16_t>(params_.vendor_id),
        static_cast<uint16_t>(params_.root_port_device_id)));
}

bool RootComplex::route_config(ConfigRequest& r) {
  if (r.bus == kRootBus) {
    const unsigned dev = r.device;
    if (r.function != 0 || dev < params_.first_root_port_device ||
        dev >= params_.first_root_port_device + ports_.size())
      return false;
    return serve_config(ports_[dev - params_.first_root_port_device]->config(), r);
  }
  RootPort* port = port_for_bus(r.bus);
  return port && port->forward_config(r);
}

RootPort* RootComplex::port_for_bus(unsigned bus) {
  for (auto& port : ports_)
    if (port->routes_bus(bus) && port->config().secondary_bus() != kRootBus) return port.get();
  return nullptr;
}

void RootComplex::ecam_b_transport(tlm::tlm_generic_payload& gp, sc_time& delay) {
  delay += config_latency_;
  const uint64_t offset = gp.get_address();
  const unsigned len = gp.get_data_length();
  if (offset >= ecam_size() || len == 0 || len > 4 || (len & (len - 1)) || (offset & (len - 1))) {
    ++config_errors_;
    gp.set_response_status(offset >= ecam_size() ? tlm::TLM_ADDRESS_ERROR_RESPONSE
                                                 : tlm::TLM_BURST_ERROR_RESPONSE);
    return;
  }
  ConfigRequest r;
  r.bus = static_cast<uint8_t>(offset >> kEcamBusShift);
  r.device = static_cast<uint8_t>((offset >> kEcamDeviceShift) & 0x1f);
  r.function = static_cast<uint8_t>((offset >> kEcamFunctionShift) & 0x7);
  r.offset = static_cast<uint16_t>(offset & kEcamRegisterMask);
  r.type0 = r.bus == kRootBus;
  r.gp = &gp;
  gp.is_read() ? ++config_reads_ : ++config_writes_;
  if (route_config(r)) {
    if (!gp.is_response_ok()) ++config_errors_;
    return;
  }
  // Absent function (PCI 3.0 sec. 6.2.1): reads return all 1s, writes drop.
  ++config_absent_;
  if (gp.is_read()) {
    const uint32_t v = ConfigSpace::absent_function_value(len);
    std::memcpy(gp.get_data_ptr(), &v, len);
  }
  gp.set_response_status(tlm::TLM_OK_RESPONSE);
}

void RootComplex::mmio_b_transport(tlm::tlm_generic_payload& gp, sc_time& delay) {
  ++mmio_;
  delay += downstream_latency_;
  const uint64_t addr = gp.get_address();
  const uint64_t len = gp.get_data_length();
  auto inside = [&](uint64_t base, uint64_t size) {
    return len && addr >= base && addr < base + size && len <= base + size - addr;
  };
  if (inside(params_.mmio32_base, params_.mmio32_size) ||
      inside(params_.mmio64_base, params_.mmio64_size)) {
    for (auto& port : ports_) {
      if (!port->claims(addr, len)) continue;
      port->forward_down(gp, delay);
      if (gp.is_read() && gp.is_response_ok()) delay += downstream_latency_;  // completion
      gp.set_dmi_allowed(false);  // no DMI through the fabric (no invalidation path)
      return;
    }
  }
  ++mmio_errors_;
  gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
}

void RootComplex::messages_b_transport(tlm::tlm_generic_payload& gp, sc_time& delay) {
  ++messages_;
  delay += downstream_latency_;
  const auto* ext = gp.get_extension<vp::common::PcieExtension>();
  if (ext && ext->message != vp::common::MessageCode::kNone) {
    if (RootPort* port = port_for_bus(ext->bus())) {
      port->forward_down(gp, delay);
      return;
    }
  }
  ++message_errors_;
  gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
}

void RootComplex::route_upstream(DownstreamPort&, tlm::tlm_generic_payload& gp, sc_time& delay) {
  ++upstream_;
  const auto* ext = gp.get_extension<vp::common::PcieExtension>();
  if (ext && ext->is_msi) ++msis_;
  delay += upstream_latency_;
  upstream->b_transport(gp, delay);
  if (!gp.is_response_ok())
    ++upstream_errors_;
  else if (gp.is_read())
    delay += upstream_latency_;  // the completion crosses back
}

void RootComplex::report_stats(vp::common::StatsVisitor& v) const {
  v.begin_group(basename());
  v.value("config_reads", double(config_reads_));
  v.value("config_writes", double(config_writes_));
  v.value("config_absent", double(config_absent_));
  v.value("config_errors", double(config_errors_));
  v.value("mmio_requests", double(mmio_));
  v.value("mmio_unsupported", double(mmio_errors_));
  v.value("messages_down", double(messages_));
  v.value("messages_unroutable", double(message_errors_));
  v.value("upstream_requests", double(upstream_));
  v.value("upstream_errors", double(upstream_errors_));
  v.value("msi_requests", double(msis_));
  for (const auto& port : ports_) port->report_stats(v);
  v.end_group();
}

}  // namespace vp::pcie
