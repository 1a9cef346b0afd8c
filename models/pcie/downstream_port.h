// A PCIe downstream port: the type 1 function at the top of a link (a root
// port or a switch downstream port), with the link to the component below.
//
// Models (PCIe Base 6.0):
//   - the type 1 header (sec. 7.5.1.3): bus numbers route configuration
//     requests (sec. 7.3.3: a type 1 request for the secondary bus becomes
//     type 0 for device 0, one for a bus in (secondary, subordinate] stays
//     type 1); the memory and prefetchable windows claim memory requests;
//     Memory Space Enable gates forwarding down, Bus Master Enable gates
//     forwarding up (sec. 7.5.1.1.3);
//   - ACS (sec. 6.12, 7.7.8) on requests received from below: Source
//     Validation (the requester's bus must lie in secondary..subordinate,
//     otherwise Unsupported Request), Translation Blocking (translated
//     requests are refused), Upstream Forwarding (a request that targets
//     this port's own windows is forwarded up instead of being refused).
//     P2P Request and Completion Redirect are decisions of the component
//     that holds several ports (PcieSwitch); this port only stores them;
//   - the link below (PcieLink, pcie-bench accounting): a write crosses it
//     as write TLPs, a read as a read request one way and completions the
//     other. Every crossing adds to the b_transport delay.
//
// Errors: Unsupported Request is TLM_ADDRESS_ERROR_RESPONSE; a request with
// no PcieExtension (no requester ID) is TLM_GENERIC_ERROR_RESPONSE.
//
// Not modeled: I/O and VGA forwarding, ACS egress control and direct
// translated P2P, error messages (ERR_*), hot plug, link state changes.
#pragma once

#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include <cstdint>
#include <string>
#include <systemc>
#include <tlm>

#include "models/common/statistics.h"
#include "models/pcie/bridge_view.h"
#include "models/pcie/config_space.h"
#include "models/pcie/pcie_device.h"
#include "models/pcie/pcie_link.h"

namespace vp::pcie {

class DownstreamPort;

// The component that holds downstream ports (root complex, switch) and
// routes what they pass up.
class UpstreamRouter {
 public:
  virtual ~UpstreamRouter() = default;
  // A request from below that `from` accepted (link crossed, ACS checked).
  virtual void route_upstream(DownstreamPort& from, tlm::tlm_generic_payload& gp,
                              sc_core::sc_time& delay) = 0;
};

struct DownstreamPortConfig {
  uint8_t port_type = cfg::kPortTypeRootPort;  // or kPortTypeDownstreamSwitchPort
  uint16_t vendor_id = 0x1b36;
  uint16_t device_id = 0x000c;
  uint8_t port_number = 0;
  uint32_t max_payload_supported = 4096;
  PcieLinkParams link;
};

class DownstreamPort : public sc_core::sc_module {
 public:
  // ACS controls this port implements (cfg::kAcs* bits).
  static constexpr uint16_t kAcsImplemented =
      cfg::kAcsSourceValidation | cfg::kAcsTranslationBlocking | cfg::kAcsP2pRequestRedirect |
      cfg::kAcsP2pCompletionRedirect | cfg::kAcsUpstreamForwarding;

  // Optional: a port may have nothing connected (an empty slot).
  tlm_utils::simple_initiator_socket_optional<DownstreamPort> to_child;
  tlm_utils::simple_target_socket_optional<DownstreamPort> from_child;

  DownstreamPort(sc_core::sc_module_name name, const DownstreamPortConfig& config,
                 UpstreamRouter& parent);

  // Binds both sockets to `child` and reports the link as up.
  void connect(PcieDevice& child);
  bool connected() const { return child_ != nullptr; }

  ConfigSpace& config() { return cfg_; }
  const ConfigSpace& config() const { return cfg_; }
  PcieLink& link() { return link_; }
  const PcieLink& link() const { return link_; }

  // True when this bridge forwards [address, address + size) downstream:
  // memory space enabled and inside the memory or prefetchable window.
  bool claims(uint64_t address, uint64_t size) const;
  // True when `bus` is in secondary..subordinate.
  bool routes_bus(unsigned bus) const;
  // Enabled ACS controls (cfg::kAcs* bits).
  uint16_t acs_control() const { return view_.get().acs; }

  // A memory request going down: over the link to the child.
  void forward_down(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
  // A configuration request for a bus in secondary..subordinate; false
  // when nothing below claims it.
  bool forward_config(ConfigRequest& request);

  uint64_t unsupported_requests() const { return unsupported_; }
  uint64_t source_validation_errors() const { return sv_errors_; }
  uint64_t upstream_requests() const { return upstream_; }
  uint64_t downstream_requests() const { return downstream_; }
  void report_stats(vp::common::StatsVisitor& v) const;

 private:
  void from_child_b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
  void unsupported(tlm::tlm_generic_payload& gp);

  ConfigSpace cfg_;
  BridgeView view_{cfg_};
  PcieLink link_;
  UpstreamRouter& parent_;
  PcieDevice* child_ = nullptr;
  uint64_t upstream_ = 0, downstream_ = 0, unsupported_ = 0, sv_errors_ = 0;
  uint64_t tb_errors_ = 0, forwarded_upstream_ = 0, bme_blocked_ = 0;
};

}  // namespace vp::pcie
