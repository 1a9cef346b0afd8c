#include "models/common/interconnect.h"

#include <algorithm>
#include <sstream>

#include "models/common/parameters.h"
#include "models/common/sim_time.h"

namespace vp::common {

void InterconnectParams::declare(ParameterSet& p, const std::string& prefix) {
  p.add(prefix + "latency_ns", latency_ns, "ns", "address decode and traversal latency per request");
}

Interconnect::Interconnect(sc_core::sc_module_name name, const InterconnectParams& params)
    : sc_module(name), target_socket("target_socket"), initiator_socket("initiator_socket"),
      params_(params), latency_(ns_to_time(params.latency_ns)) {
  target_socket.register_b_transport(this, &Interconnect::b_transport);
  target_socket.register_transport_dbg(this, &Interconnect::transport_dbg);
  target_socket.register_get_direct_mem_ptr(this, &Interconnect::get_direct_mem_ptr);
  initiator_socket.register_invalidate_direct_mem_ptr(this,
                                                      &Interconnect::invalidate_direct_mem_ptr);
}

void Interconnect::map(const std::string& region_name, uint64_t base, uint64_t size,
                       unsigned port, bool relative) {
  map_.add(AddressRegion{region_name, base, size, port, relative ? base : 0});
  if (per_port_.size() <= port) per_port_.resize(port + 1, 0);
}

const AddressRegion* Interconnect::decode(tlm::tlm_generic_payload& gp) {
  const unsigned len = gp.get_data_length();
  const unsigned width = gp.get_streaming_width();
  // A streaming access touches only its first `width` bytes.
  const uint64_t span = (width != 0 && width < len) ? width : std::max(1u, len);
  const AddressRegion* r = map_.find(gp.get_address(), span);
  if (!r || r->port >= initiator_socket.size()) return nullptr;
  return r;
}

void Interconnect::b_transport(int, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
  ++transactions_;
  delay += latency_;
  const AddressRegion* r = decode(gp);
  if (!r) {
    ++decode_errors_;
    gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return;
  }
  ++per_port_[r->port];
  const uint64_t addr = gp.get_address();
  gp.set_address(addr - r->offset);
  initiator_socket[r->port]->b_transport(gp, delay);
  gp.set_address(addr);
}

unsigned Interconnect::transport_dbg(int, tlm::tlm_generic_payload& gp) {
  const AddressRegion* r = decode(gp);
  if (!r) {
    gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return 0;
  }
  const uint64_t addr = gp.get_address();
  gp.set_address(addr - r->offset);
  const unsigned n = initiator_socket[r->port]->transport_dbg(gp);
  gp.set_address(addr);
  return n;
}

bool Interconnect::get_direct_mem_ptr(int, tlm::tlm_generic_payload& gp, tlm::tlm_dmi& dmi) {
  const uint64_t addr = gp.get_address();
  const AddressRegion* r = map_.find(addr);
  if (!r || r->port >= initiator_socket.size()) {
    // Deny the gap around addr.
    dmi.allow_none();
    dmi.set_start_address(addr);
    dmi.set_end_address(addr);
    return false;
  }
  ++dmi_forwards_;
  gp.set_address(addr - r->offset);
  const bool ok = initiator_socket[r->port]->get_direct_mem_ptr(gp, dmi);
  gp.set_address(addr);
  // Translate the target's range back to our address space and clip it to
  // the region; the pointer moves with the start address.
  uint64_t start = dmi.get_start_address() + r->offset;
  uint64_t end = dmi.get_end_address() + r->offset;
  if (end < start) end = ~0ull;  // target said "up to the end"
  if (start < r->base) {
    if (ok) dmi.set_dmi_ptr(dmi.get_dmi_ptr() + (r->base - start));
    start = r->base;
  }
  end = std::min(end, r->last());
  dmi.set_start_address(start);
  dmi.set_end_address(end);
  if (ok) {
    dmi.set_read_latency(dmi.get_read_latency() + latency_);
    dmi.set_write_latency(dmi.get_write_latency() + latency_);
  }
  return ok;
}

void Interconnect::invalidate_direct_mem_ptr(int port, sc_dt::uint64 start, sc_dt::uint64 end) {
  ++dmi_invalidations_;
  for (const auto& r : map_.regions()) {
    if (r.port != unsigned(port)) continue;
    // The target's range [start, end] in its own addresses, seen through r.
    const uint64_t lo = r.offset + start;
    const uint64_t hi = (end - start > r.size) ? r.last() : std::min<uint64_t>(r.last(), r.offset + end);
    if (lo > r.last() || hi < r.base) continue;
    const uint64_t from = std::max(lo, r.base);
    for (unsigned i = 0; i < target_socket.size(); ++i)
      target_socket[i]->invalidate_direct_mem_ptr(from, hi);
  }
}

void Interconnect::report_stats(StatsVisitor& v) const {
  v.begin_group(basename());
  v.value("transactions", double(transactions_));
  v.value("decode_errors", double(decode_errors_));
  v.value("dmi_forwards", double(dmi_forwards_));
  v.value("dmi_invalidations", double(dmi_invalidations_));
  for (const auto& r : map_.regions())
    if (r.port < per_port_.size()) v.value("to_" + r.name, double(per_port_[r.port]));
  v.end_group();
}

}  // namespace vp::common
