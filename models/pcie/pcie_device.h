// What sits below a PCIe link: the shape every downstream port connects to.
//
// A downstream port (root port, switch downstream port) owns the link to
// the component below it, which is either an endpoint or a switch's
// upstream port. That component offers:
//   - a TLM target socket for memory requests coming down the link (MMIO
//     from the CPU, peer-to-peer from other devices),
//   - a TLM initiator socket for memory requests it sends up the link (DMA,
//     MSI writes), carrying a vp::common::PcieExtension,
//   - configuration requests, delivered as direct C++ calls (ConfigRequest)
//     rather than TLM transactions: routing by bus number and the type 1 to
//     type 0 conversion (PCIe Base 6.0 sec. 7.3.3) are decisions of the
//     ports, and configuration timing is charged once by the root complex.
//
// Not modeled: configuration request retry status (CRS), ARI (device numbers
// other than 0 below a downstream port are absent, sec. 7.3.1).
#pragma once

#include <cstdint>
#include <string>
#include <tlm>

namespace vp::pcie {

// One configuration read or write on its way down the hierarchy. The payload
// is the ECAM access itself (its address is replaced by the register offset
// while a function serves it, so byte enables and sizes are checked by
// ConfigSpace::access).
struct ConfigRequest {
  uint8_t bus = 0;
  uint8_t device = 0;    // 0..31
  uint8_t function = 0;  // 0..7
  uint16_t offset = 0;   // register offset 0..4095
  bool type0 = false;    // type 0: for a function on the bus the request is on
  tlm::tlm_generic_payload* gp = nullptr;
};

class PcieDevice {
 public:
  virtual ~PcieDevice() = default;
  // Memory requests arriving from the parent port (downstream direction).
  virtual tlm::tlm_target_socket<>& link_target() = 0;
  // Memory requests this component sends to its parent port (upstream).
  virtual tlm::tlm_initiator_socket<>& link_initiator() = 0;
  // A configuration request that reached this component over its link.
  // Returns false when no function claims it (the caller completes it as
  // an absent function: reads all 1s, writes dropped).
  virtual bool config_request(ConfigRequest& request) = 0;
  // Called once when the parent port connects; gives the negotiated link.
  virtual void link_up(uint32_t generation, uint32_t width) = 0;
};

// Serves `request` on `cfg`-like targets: sets the payload address to the
// register offset for the duration of the access.
template <typename Config>
bool serve_config(Config& cfg, ConfigRequest& request) {
  tlm::tlm_generic_payload& gp = *request.gp;
  const uint64_t saved = gp.get_address();
  gp.set_address(request.offset);
  gp.set_response_status(cfg.access(gp));
  gp.set_address(saved);
  return true;
}

}  // namespace vp::pcie
