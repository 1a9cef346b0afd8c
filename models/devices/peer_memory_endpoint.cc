#include "models/devices/peer_memory_endpoint.h"

#include "models/common/parameters.h"

namespace vp::devices {

void PeerMemoryEndpointParams::declare(vp::common::ParameterSet& p, const std::string& prefix) {
  endpoint.declare(p, prefix);
  p.add(prefix + "bar_size", bar_size, "bytes", "size of the memory BAR (power of two)", 16);
  p.add(prefix + "latency_ns", latency_ns, "ns", "access latency of the device memory");
  p.add(prefix + "bandwidth_gbps", bandwidth_gbps, "GB/s",
        "bandwidth of the device memory (0 = unlimited)");
}

vp::memory::SparseMemoryParams PeerMemoryEndpoint::memory_params(
    const PeerMemoryEndpointParams& p) {
  vp::memory::SparseMemoryParams m;
  m.size = p.bar_size;
  m.latency_ns = p.latency_ns;
  m.bandwidth_gbps = p.bandwidth_gbps;
  m.dmi = false;
  return m;
}

PeerMemoryEndpoint::PeerMemoryEndpoint(sc_core::sc_module_name name,
                                       const PeerMemoryEndpointParams& params)
    : PcieEndpoint(name, params.endpoint),
      mem_("memory", memory_params(params)),
      mem_port_("mem_port") {
  config().add_bar(kMemoryBar, params.bar_size, /*is_64bit=*/true, /*prefetchable=*/true);
  mem_port_.bind(mem_.socket);
}

void PeerMemoryEndpoint::bar_transport(unsigned, tlm::tlm_generic_payload& gp,
                                       sc_core::sc_time& delay) {
  mem_port_->b_transport(gp, delay);
}

void PeerMemoryEndpoint::report_device_stats(vp::common::StatsVisitor& v) const {
  mem_.report_stats(v);
}

}  // namespace vp::devices
