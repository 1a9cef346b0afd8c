// PCIe root complex: host bridge, ECAM, MMIO windows and root ports.
//
// Models (PCIe Base 6.0):
//   - ECAM (sec. 7.2.2): the `ecam` target takes offsets into a window of
//     ecam_buses x 1 MiB; offset bits [27:20] bus, [19:15] device, [14:12]
//     function, [11:0] register. Bus 0 is the root bus; root port i is
//     device (first_root_port_device + i), function 0. Requests for other
//     buses are routed by the root ports' bus numbers (type 1 to type 0
//     conversion in DownstreamPort). A request nobody claims completes as an
//     absent function: reads return all 1s, writes are dropped.
//   - MMIO (`mmio` target): CPU memory requests whose address lies in the
//     32-bit window or the 64-bit prefetchable window go to the root port
//     whose bridge windows claim them and on down to the BAR; others get
//     TLM_ADDRESS_ERROR_RESPONSE. Addresses are PCI bus addresses, equal to
//     system addresses: map the windows on the interconnect with
//     relative = false.
//   - upstream (`upstream` initiator): every request from below (DMA, MSI)
//     leaves here with its PcieExtension (requester ID stamped by the
//     endpoint), towards the IOMMU or straight to memory.
//
// Peer-to-peer through the host bridge: the root complex never turns a
// request around itself. When the platform maps the MMIO windows on the
// system interconnect to this `mmio` socket, a DMA whose (translated)
// address falls in another device's BAR goes up `upstream`, through the
// IOMMU and interconnect, and comes back down `mmio` to that BAR. This is
// also the path of switch peer-to-peer with ACS P2P Request Redirect.
//
// Timing: config_latency_ns per ECAM access; downstream_latency_ns per MMIO
// request and upstream_latency_ns per upstream request through the root
// complex (a read pays it again for its completion), plus each root port's
// link (see DownstreamPort).
//
// DMI is not offered through the fabric (responses clear the DMI hint): a
// BAR's mapping changes with configuration writes and there is no
// invalidation path for it.
//
// Not modeled: I/O space, root complex integrated endpoints, root complex
// event collector, config request retry, multiple segments.
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
#include "models/pcie/root_port.h"

namespace vp::common {
class ParameterSet;
}

namespace vp::pcie {

struct RootComplexParams {
  uint32_t ecam_buses = 256;          // ECAM window = buses x 1 MiB
  uint64_t mmio32_base = 0x40000000;  // 32-bit non-prefetchable window
  uint64_t mmio32_size = 0x40000000;
  uint64_t mmio64_base = 0x4000000000;  // 64-bit prefetchable window
  uint64_t mmio64_size = 0x4000000000;
  uint32_t first_root_port_device = 1;  // device number of root port 0 on bus 0
  double config_latency_ns = 100.0;     // ECAM access to any function
  double downstream_latency_ns = 20.0;  // MMIO request through the root complex
  double upstream_latency_ns = 20.0;    // DMA request through the root complex
  uint32_t vendor_id = 0x1b36;
  uint32_t root_port_device_id = RootPort::kDefaultDeviceId;

  void declare(vp::common::ParameterSet& p, const std::string& prefix);
  void validate(const std::string& prefix) const;
};

class RootComplex : public sc_core::sc_module, public UpstreamRouter {
 public:
  // Optional: a platform (or a test) may leave either unconnected.
  tlm_utils::simple_target_socket_optional<RootComplex> ecam;
  tlm_utils::simple_target_socket_optional<RootComplex> mmio;
  // ID-routed messages to functions below (PcieExtension message, e.g. the
  // IOMMU's ATS Invalidation Requests and Page Request Group Responses):
  // routed by the target's bus number through the root port whose bus
  // range holds it; none does: TLM_ADDRESS_ERROR_RESPONSE.
  tlm_utils::simple_target_socket_optional<RootComplex> messages;
  tlm_utils::simple_initiator_socket<RootComplex> upstream;

  // One root port per entry of `root_port_links`.
  RootComplex(sc_core::sc_module_name name, const RootComplexParams& params,
              const std::vector<PcieLinkParams>& root_port_links);

  unsigned num_root_ports() const { return static_cast<unsigned>(ports_.size()); }
  RootPort& root_port(unsigned i) { return *ports_.at(i); }
  const RootPort& root_port(unsigned i) const { return *ports_.at(i); }
  // Connects the component below root port `port`.
  void connect(unsigned port, PcieDevice& child) { root_port(port).connect(child); }

  uint64_t ecam_size() const { return uint64_t(params_.ecam_buses) << 20; }
  const RootComplexParams& params() const { return params_; }

  void route_upstream(DownstreamPort& from, tlm::tlm_generic_payload& gp,
                      sc_core::sc_time& delay) override;

  uint64_t upstream_requests() const { return upstream_; }
  uint64_t msi_requests() const { return msis_; }
  void report_stats(vp::common::StatsVisitor& v) const;

 private:
  void ecam_b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
  void mmio_b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
  void messages_b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
  bool route_config(ConfigRequest& request);
  // The root port whose bus range holds `bus` (not the root bus); null if none.
  RootPort* port_for_bus(unsigned bus);

  RootComplexParams params_;
  sc_core::sc_time config_latency_, downstream_latency_, upstream_latency_;
  std::vector<std::unique_ptr<RootPort>> ports_;
  uint64_t config_reads_ = 0, config_writes_ = 0, config_absent_ = 0, config_errors_ = 0;
  uint64_t mmio_ = 0, mmio_errors_ = 0, upstream_ = 0, upstream_errors_ = 0, msis_ = 0;
  uint64_t messages_ = 0, message_errors_ = 0;
};

}  // namespace vp::pcie
