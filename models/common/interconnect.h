// System interconnect: an address-decoding router (a crossbar).
//
// Models: any number of initiators and targets; each target owns one or more
// address regions. A request is forwarded with its address made relative to
// the region (or not, per region) and pays a fixed traversal latency. An
// address no region covers, or an access that straddles two regions, gets
// TLM_ADDRESS_ERROR_RESPONSE. DMI requests are forwarded and the granted
// range translated back and clipped to the region; DMI invalidations from a
// target are translated and broadcast to every initiator.
//
// Not modeled: arbitration or bandwidth limits inside the crossbar (targets
// model their own contention).
#pragma once

#include <cstdint>
#include <string>
#include <systemc>
#include <tlm>
#include <tlm_utils/multi_passthrough_initiator_socket.h>
#include <tlm_utils/multi_passthrough_target_socket.h>
#include <vector>

#include "models/common/address_map.h"
#include "models/common/statistics.h"

namespace vp::common {

class ParameterSet;

struct InterconnectParams {
  double latency_ns = 2.0;  // per traversal, request direction
  void declare(ParameterSet& p, const std::string& prefix);
};

class Interconnect : public sc_core::sc_module {
 public:
  tlm_utils::multi_passthrough_target_socket<Interconnect> target_socket;
  tlm_utils::multi_passthrough_initiator_socket<Interconnect> initiator_socket;

  Interconnect(sc_core::sc_module_name name, const InterconnectParams& params = {});

  // Routes [base, base + size) to the target bound as initiator_socket[port].
  // relative: forward addresses as offsets into the region. Throws
  // AddressMapError on overlap.
  void map(const std::string& region_name, uint64_t base, uint64_t size, unsigned port,
           bool relative = true);
  const AddressMap& address_map() const { return map_; }

  void report_stats(StatsVisitor& v) const;

 private:
  void b_transport(int id, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
  unsigned transport_dbg(int id, tlm::tlm_generic_payload& gp);
  bool get_direct_mem_ptr(int id, tlm::tlm_generic_payload& gp, tlm::tlm_dmi& dmi);
  void invalidate_direct_mem_ptr(int port, sc_dt::uint64 start, sc_dt::uint64 end);
  const AddressRegion* decode(tlm::tlm_generic_payload& gp);

  InterconnectParams params_;
  sc_core::sc_time latency_;
  AddressMap map_;
  uint64_t transactions_ = 0, decode_errors_ = 0, dmi_forwards_ = 0, dmi_invalidations_ = 0;
  std::vector<uint64_t> per_port_;
};

}  // namespace vp::common
