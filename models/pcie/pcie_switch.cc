#include "models/pcie/pcie_switch.h"

#include <algorithm>

#include "models/common/parameters.h"
#include "models/common/pcie_extension.h"
#include "models/common/sim_time.h"

namespace vp::pcie {

using sc_core::sc_time;

void PcieSwitchParams::declare(vp::common::ParameterSet& p, const std::string& prefix) {
  p.add(prefix + "traversal_latency_ns", traversal_latency_ns, "ns",
        "latency of a request crossing the switch (port to port)");
  p.add(prefix + "completion_redirect_latency_ns", completion_redirect_latency_ns, "ns",
        "extra latency of a peer-to-peer read completion redirected by ACS CR");
  p.add(prefix + "vendor_id", vendor_id, "", "vendor ID of the switch ports", 0, 0xffff);
  p.add(prefix + "upstream_device_id", upstream_device_id, "", "device ID of the upstream port", 0,
        0xffff);
  p.add(prefix + "downstream_device_id", downstream_device_id, "",
        "device ID of the downstream ports", 0, 0xffff);
  p.add(prefix + "max_payload_supported", max_payload_supported, "bytes",
        "Max_Payload_Size Supported of the switch ports", 128, 4096);
}

namespace {
DownstreamPortConfig dsp_config(const PcieSwitchParams& params, const PcieLinkParams& link,
                                uint8_t port_number) {
  DownstreamPortConfig c;
  c.port_type = cfg::kPortTypeDownstreamSwitchPort;
  c.vendor_id = static_cast<uint16_t>(params.vendor_id);
  c.device_id = static_cast<uint16_t>(params.downstream_device_id);
  c.port_number = port_number;
  c.max_payload_supported = params.max_payload_supported;
  c.link = link;
  return c;
}
}  // namespace

SwitchDownstreamPort::SwitchDownstreamPort(sc_core::sc_module_name name,
                                           const PcieSwitchParams& params,
                                           const PcieLinkParams& link, uint8_t port_number,
                                           UpstreamRouter& sw)
    : DownstreamPort(name, dsp_config(params, link, port_number), sw) {}

PcieSwitch::PcieSwitch(sc_core::sc_module_name name, const PcieSwitchParams& params,
                       const std::vector<PcieLinkParams>& downstream_links)
    : sc_module(name),
      up_in("up_in"),
      up_out("up_out"),
      params_(params),
      usp_cfg_(std::string(this->name()) + ".usp.config") {
  if (downstream_links.empty() || downstream_links.size() > 32)
    throw vp::common::ParameterError(std::string(this->name()) +
                                     ": a switch needs 1..32 downstream ports");
  latency_ = vp::common::ns_to_time(params_.traversal_latency_ns);
  cr_latency_ = vp::common::ns_to_time(params_.completion_redirect_latency_ns);
  up_in.register_b_transport(this, &PcieSwitch::up_in_b_transport);
  usp_cfg_.init_bridge(static_cast<uint16_t>(params_.vendor_id),
                       static_cast<uint16_t>(params_.upstream_device_id));
  PcieCapabilityConfig cap;
  cap.port_type = cfg::kPortTypeUpstreamSwitchPort;
  cap.max_payload_supported = params_.max_payload_supported;
  usp_cfg_.add_pcie_capability(cap);
  for (unsigned i = 0; i < downstream_links.size(); ++i)
    ports_.push_back(std::make_unique<SwitchDownstreamPort>(("dsp" + std::to_string(i)).c_str(),
                                                            params_, downstream_links[i],
                                                            static_cast<uint8_t>(i), *this));
}

void PcieSwitch::link_up(uint32_t generation, uint32_t width) {
  usp_cfg_.set_link_status(generation, std::min<uint32_t>(width, 32));
}

bool PcieSwitch::config_request(ConfigRequest& r) {
  if (r.type0) {
    if (r.device != 0 || r.function != 0) return false;
    return serve_config(usp_cfg_, r);
  }
  if (r.bus == usp_cfg_.secondary_bus()) {
    // The internal bus: downstream port i is device i (sec. 7.3.1).
    if (r.device >= ports_.size() || r.function != 0) return false;
    r.type0 = true;
    return serve_config(ports_[r.device]->config(), r);
  }
  if (r.bus < usp_cfg_.secondary_bus() || r.bus > usp_cfg_.subordinate_bus()) return false;
  SwitchDownstreamPort* port = port_for_bus(r.bus);
  return port && port->forward_config(r);
}

SwitchDownstreamPort* PcieSwitch::port_for_bus(unsigned bus) {
  for (auto& port : ports_)
    if (port->routes_bus(bus) && port->config().secondary_bus() > usp_cfg_.secondary_bus())
      return port.get();
  return nullptr;
}

bool PcieSwitch::upstream_port_claims(uint64_t address, uint64_t size) const {
  return usp_view_.get().claims(address, size);
}

void PcieSwitch::unsupported(tlm::tlm_generic_payload& gp) {
  ++unsupported_;
  gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
}

void PcieSwitch::up_in_b_transport(tlm::tlm_generic_payload& gp, sc_time& delay) {
  ++downstream_;
  delay += latency_;
  const auto* ext = gp.get_extension<vp::common::PcieExtension>();
  if (ext && ext->message != vp::common::MessageCode::kNone) {
    // ID-routed (sec. 2.2.4.2): to the downstream port whose bus range holds
    // the target.
    SwitchDownstreamPort* port = port_for_bus(ext->bus());
    if (!port) return unsupported(gp);
    port->forward_down(gp, delay);
    return;
  }
  const uint64_t addr = gp.get_address();
  const uint64_t len = gp.get_data_length();
  if (!upstream_port_claims(addr, len)) return unsupported(gp);
  for (auto& port : ports_) {
    if (!port->claims(addr, len)) continue;
    port->forward_down(gp, delay);
    if (gp.is_read() && gp.is_response_ok()) delay += latency_;  // the completion crosses back
    return;
  }
  unsupported(gp);
}

void PcieSwitch::route_upstream(DownstreamPort& from, tlm::tlm_generic_payload& gp,
                                sc_time& delay) {
  delay += latency_;
  const uint64_t addr = gp.get_address();
  const uint64_t len = gp.get_data_length();
  // Messages from below and ATS Translation Requests (sec. 10.2.2) go to
  // the root complex whatever their address field says.
  const auto* ext = gp.get_extension<vp::common::PcieExtension>();
  const bool message = ext && (ext->message != vp::common::MessageCode::kNone ||
                               ext->address_type == vp::common::AddressType::kTranslationRequest);
  bool redirected = false;
  for (auto& port : ports_) {
    if (message) break;
    if (port.get() == &from || !port->claims(addr, len)) continue;
    // Peer-to-peer (sec. 6.12.1.2): redirected upstream with ACS RR.
    if (from.acs_control() & cfg::kAcsP2pRequestRedirect) {
      ++p2p_redirected_;
      redirected = true;
      break;
    }
    ++p2p_direct_;
    port->forward_down(gp, delay);
    if (gp.is_read() && gp.is_response_ok()) delay += latency_;
    const auto* ext = gp.get_extension<vp::common::PcieExtension>();
    if (gp.is_read() && gp.is_response_ok() &&
        (port->acs_control() & cfg::kAcsP2pCompletionRedirect) && !(ext && ext->relaxed_ordering)) {
      ++cpl_redirected_;
      delay += cr_latency_;
    }
    return;
  }
  // Addresses inside the switch that no downstream port claims are not
  // forwarded up by the upstream port (it decodes them as its own).
  if (!message && !redirected && upstream_port_claims(addr, len)) return unsupported(gp);
  if (!usp_view_.get().bus_master) return unsupported(gp);
  ++upstream_;
  up_out->b_transport(gp, delay);
  if (gp.is_read() && gp.is_response_ok()) delay += latency_;
}

void PcieSwitch::report_stats(vp::common::StatsVisitor& v) const {
  v.begin_group(basename());
  v.value("downstream_requests", double(downstream_));
  v.value("upstream_requests", double(upstream_));
  v.value("p2p_direct", double(p2p_direct_));
  v.value("p2p_redirected", double(p2p_redirected_));
  v.value("completions_redirected", double(cpl_redirected_));
  v.value("unsupported_requests", double(unsupported_));
  for (const auto& port : ports_) port->report_stats(v);
  v.end_group();
}

}  // namespace vp::pcie
