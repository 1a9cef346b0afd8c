#include "models/pcie/downstream_port.h"

#include "models/common/pcie_extension.h"

namespace vp::pcie {

using sc_core::sc_time;

DownstreamPort::DownstreamPort(sc_core::sc_module_name name, const DownstreamPortConfig& config,
                               UpstreamRouter& parent)
    : sc_module(name),
      to_child("to_child"),
      from_child("from_child"),
      cfg_(std::string(basename()) + ".config"),
      link_(config.link, std::string(this->name()) + ".link"),
      parent_(parent) {
  from_child.register_b_transport(this, &DownstreamPort::from_child_b_transport);
  cfg_.init_bridge(config.vendor_id, config.device_id);
  PcieCapabilityConfig cap;
  cap.port_type = config.port_type;
  cap.max_payload_supported = config.max_payload_supported;
  cap.max_link_speed = config.link.generation;
  cap.max_link_width = config.link.width;
  cap.port_number = config.port_number;
  cap.slot_implemented = true;
  cfg_.add_pcie_capability(cap);
  cfg_.add_acs_capability(kAcsImplemented);
}

void DownstreamPort::connect(PcieDevice& child) {
  if (child_) throw std::logic_error(std::string(name()) + ": link already connected");
  child_ = &child;
  to_child.bind(child.link_target());
  child.link_initiator().bind(from_child);
  const auto& p = link_.params();
  cfg_.set_link_status(p.generation, p.width);
  cfg_.set_data_link_layer_active(true);
  child.link_up(p.generation, p.width);
}

bool DownstreamPort::claims(uint64_t address, uint64_t size) const {
  return view_.get().claims(address, size);
}

bool DownstreamPort::routes_bus(unsigned bus) const {
  return view_.get().routes_bus(bus);
}

void DownstreamPort::unsupported(tlm::tlm_generic_payload& gp) {
  ++unsupported_;
  gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
}

void DownstreamPort::forward_down(tlm::tlm_generic_payload& gp, sc_time& delay) {
  if (!child_) return unsupported(gp);
  ++downstream_;
  const sc_time now = sc_core::sc_time_stamp();
  const uint64_t len = gp.get_data_length();
  const bool read = gp.is_read();
  const uint64_t request_bytes =
      read ? link_.read_request_wire_bytes(len) : link_.write_wire_bytes(len);
  delay = link_.transmit(LinkDirection::kDownstream, now + delay, request_bytes) - now;
  to_child->b_transport(gp, delay);
  if (read && gp.is_response_ok())
    delay =
        link_.transmit(LinkDirection::kUpstream, now + delay, link_.completion_wire_bytes(len)) -
        now;
}

bool DownstreamPort::forward_config(ConfigRequest& request) {
  if (!child_ || !routes_bus(request.bus)) return false;
  if (request.bus == cfg_.secondary_bus()) {
    // Only device 0 exists below a downstream port without ARI (sec. 7.3.1).
    if (request.device != 0) return false;
    request.type0 = true;
  } else {
    request.type0 = false;
  }
  return child_->config_request(request);
}

void DownstreamPort::from_child_b_transport(tlm::tlm_generic_payload& gp, sc_time& delay) {
  ++upstream_;
  const sc_time now = sc_core::sc_time_stamp();
  const uint64_t len = gp.get_data_length();
  const bool read = gp.is_read();
  const uint64_t request_bytes =
      read ? link_.read_request_wire_bytes(len) : link_.write_wire_bytes(len);
  delay = link_.transmit(LinkDirection::kUpstream, now + delay, request_bytes) - now;

  const auto* ext = gp.get_extension<vp::common::PcieExtension>();
  if (!ext) {
    gp.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
    return;
  }
  const BridgeView::Decoded& v = view_.get();
  // ACS Source Validation (sec. 6.12.1.1): the requester must sit below.
  if ((v.acs & cfg::kAcsSourceValidation) && !v.routes_bus(ext->bus())) {
    ++sv_errors_;
    return unsupported(gp);
  }
  // ACS Translation Blocking: translated requests are refused.
  if ((v.acs & cfg::kAcsTranslationBlocking) &&
      ext->address_type != vp::common::AddressType::kUntranslated) {
    ++tb_errors_;
    return unsupported(gp);
  }
  // A request for this port's own secondary side is not turned around here;
  // with ACS Upstream Forwarding it goes up, otherwise it is refused.
  if (v.claims(gp.get_address(), len)) {
    if (!(v.acs & cfg::kAcsUpstreamForwarding)) return unsupported(gp);
    ++forwarded_upstream_;
  }
  // A bridge forwards requests from its secondary side only as a bus master.
  if (!v.bus_master) {
    ++bme_blocked_;
    return unsupported(gp);
  }
  parent_.route_upstream(*this, gp, delay);
  if (read && gp.is_response_ok())
    delay =
        link_.transmit(LinkDirection::kDownstream, now + delay, link_.completion_wire_bytes(len)) -
        now;
}

void DownstreamPort::report_stats(vp::common::StatsVisitor& v) const {
  v.begin_group(basename());
  v.value("upstream_requests", double(upstream_));
  v.value("downstream_requests", double(downstream_));
  v.value("unsupported_requests", double(unsupported_));
  v.value("acs_source_validation_errors", double(sv_errors_));
  v.value("acs_translation_blocked", double(tb_errors_));
  v.value("acs_upstream_forwarded", double(forwarded_upstream_));
  v.value("bus_master_blocked", double(bme_blocked_));
  link_.report_stats(v);
  v.end_group();
}

}  // namespace vp::pcie
