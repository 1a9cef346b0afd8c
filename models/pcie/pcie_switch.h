// PCIe switch: an upstream port and N downstream ports on an internal bus.
//
// Models (PCIe Base 6.0 sec. 1.3.3, 7.5.1.3, 6.12):
//   - the upstream port is a type 1 function (device 0 on the bus above);
//     its secondary bus is the switch's internal bus, on which downstream
//     port i is device i, function 0;
//   - configuration requests: type 0 for the upstream port, type 1 for the
//     internal bus (downstream port headers), and type 1 for buses below a
//     downstream port, which that port converts (DownstreamPort);
//   - memory requests from above go to the downstream port whose windows
//     claim them (the upstream port's Memory Space Enable and windows
//     gate them first); unclaimed requests are Unsupported Requests;
//   - memory requests from below (after the receiving downstream port's
//     ACS checks): to a sibling downstream port whose windows claim them
//     (peer-to-peer) unless the receiving port has ACS P2P Request Redirect
//     enabled, in which case they go up like every other request (through
//     the root complex and, on a platform, the IOMMU), needing the upstream
//     port's Bus Master Enable;
//   - ACS P2P Completion Redirect: a peer-to-peer read completion whose
//     completer's port has CR enabled (and the request no relaxed
//     ordering) is redirected up to the root complex and back; modeled as
//     completion_redirect_latency_ns added to the read (the completion's
//     bytes are not charged on the upstream link: the completion returns
//     along the TLM call chain);
//   - traversal_latency_ns for every TLP crossing the switch: a request,
//     and a read's completion on its way back.
//
// The links below the downstream ports belong to those ports; the link
// above belongs to the parent port (root port or another switch).
//
// Not modeled: ACS egress control, multicast, ID-routed messages,
// internal contention (only the links contend).
#pragma once

#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include <cstdint>
#include <memory>
#include <string>
#include <systemc>
#include <tlm>
#include <vector>

#include "models/common/statistics.h"
#include "models/pcie/bridge_view.h"
#include "models/pcie/config_space.h"
#include "models/pcie/downstream_port.h"
#include "models/pcie/pcie_device.h"

namespace vp::common {
class ParameterSet;
}

namespace vp::pcie {

struct PcieSwitchParams {
  double traversal_latency_ns = 100.0;            // per crossing of the switch
  double completion_redirect_latency_ns = 200.0;  // ACS CR round trip to the root complex
  uint32_t vendor_id = 0x1b36;
  uint32_t upstream_device_id = 0x000e;
  uint32_t downstream_device_id = 0x000f;
  uint32_t max_payload_supported = 4096;

  void declare(vp::common::ParameterSet& p, const std::string& prefix);
};

class SwitchDownstreamPort : public DownstreamPort {
 public:
  SwitchDownstreamPort(sc_core::sc_module_name name, const PcieSwitchParams& params,
                       const PcieLinkParams& link, uint8_t port_number, UpstreamRouter& sw);
};

class PcieSwitch : public sc_core::sc_module, public PcieDevice, public UpstreamRouter {
 public:
  tlm_utils::simple_target_socket<PcieSwitch> up_in;      // from the parent port
  tlm_utils::simple_initiator_socket<PcieSwitch> up_out;  // to the parent port

  // One downstream port per entry of `downstream_links` (1..32).
  PcieSwitch(sc_core::sc_module_name name, const PcieSwitchParams& params,
             const std::vector<PcieLinkParams>& downstream_links);

  ConfigSpace& upstream_config() { return usp_cfg_; }
  const ConfigSpace& upstream_config() const { return usp_cfg_; }
  unsigned num_downstream_ports() const { return static_cast<unsigned>(ports_.size()); }
  SwitchDownstreamPort& downstream_port(unsigned i) { return *ports_.at(i); }
  void connect(unsigned port, PcieDevice& child) { downstream_port(port).connect(child); }

  // --- PcieDevice ------------------------------------------------------------
  tlm::tlm_target_socket<>& link_target() override { return up_in; }
  tlm::tlm_initiator_socket<>& link_initiator() override { return up_out; }
  bool config_request(ConfigRequest& request) override;
  void link_up(uint32_t generation, uint32_t width) override;

  // --- UpstreamRouter ----------------------------------------------------------
  void route_upstream(DownstreamPort& from, tlm::tlm_generic_payload& gp,
                      sc_core::sc_time& delay) override;

  uint64_t p2p_direct() const { return p2p_direct_; }
  uint64_t p2p_redirected() const { return p2p_redirected_; }
  uint64_t completions_redirected() const { return cpl_redirected_; }
  uint64_t upstream_requests() const { return upstream_; }
  uint64_t unsupported_requests() const { return unsupported_; }
  void report_stats(vp::common::StatsVisitor& v) const;

 private:
  void up_in_b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
  bool upstream_port_claims(uint64_t address, uint64_t size) const;
  // The downstream port whose bus range holds `bus`; null if none.
  SwitchDownstreamPort* port_for_bus(unsigned bus);
  void unsupported(tlm::tlm_generic_payload& gp);

  PcieSwitchParams params_;
  sc_core::sc_time latency_, cr_latency_;
  ConfigSpace usp_cfg_;
  BridgeView usp_view_{usp_cfg_};
  std::vector<std::unique_ptr<SwitchDownstreamPort>> ports_;
  uint64_t downstream_ = 0, upstream_ = 0, p2p_direct_ = 0, p2p_redirected_ = 0;
  uint64_t cpl_redirected_ = 0, unsupported_ = 0;
};

}  // namespace vp::pcie
