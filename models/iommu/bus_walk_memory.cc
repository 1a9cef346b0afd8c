#include "models/iommu/bus_walk_memory.h"

#include <cstring>

namespace vp::iommu {

// Host byte order is little-endian on every supported build host, and
// WalkMemory values are little-endian doublewords as stored in memory.
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "little-endian host required");

bool BusWalkMemory::access(tlm::tlm_command cmd, uint64_t pa, void* data, unsigned len,
                           sc_core::sc_time& delay) {
  gp_.set_command(cmd);
  gp_.set_address(pa);
  gp_.set_data_ptr(static_cast<unsigned char*>(data));
  gp_.set_data_length(len);
  gp_.set_streaming_width(len);
  gp_.set_byte_enable_ptr(nullptr);
  gp_.set_dmi_allowed(false);
  gp_.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  socket_->b_transport(gp_, delay);
  if (cmd == tlm::TLM_READ_COMMAND) {
    ++reads_;
  } else {
    ++writes_;
  }
  if (gp_.get_response_status() != tlm::TLM_OK_RESPONSE) {
    ++errors_;
    return false;
  }
  return true;
}

bool BusWalkMemory::read64(uint64_t pa, uint64_t* v, sc_core::sc_time& delay) {
  return access(tlm::TLM_READ_COMMAND, pa, v, 8, delay);
}

bool BusWalkMemory::write64(uint64_t pa, uint64_t v, sc_core::sc_time& delay) {
  return access(tlm::TLM_WRITE_COMMAND, pa, &v, 8, delay);
}

bool BusWalkMemory::write32(uint64_t pa, uint32_t v, sc_core::sc_time& delay) {
  return access(tlm::TLM_WRITE_COMMAND, pa, &v, 4, delay);
}

bool BusWalkMemory::cas64(uint64_t pa, uint64_t expected, uint64_t desired, uint64_t* observed,
                          sc_core::sc_time& delay) {
  if (!read64(pa, observed, delay)) return false;
  if (*observed != expected) return true;
  return write64(pa, desired, delay);
}

bool BusWalkMemory::amo_or64(uint64_t pa, uint64_t bits, sc_core::sc_time& delay) {
  uint64_t old = 0;
  if (!read64(pa, &old, delay)) return false;
  sc_core::sc_time same_round_trip = delay;
  return write64(pa, old | bits, same_round_trip);
}

bool BusWalkMemory::read_block(uint64_t pa, uint64_t* v, unsigned count, sc_core::sc_time& delay) {
  return access(tlm::TLM_READ_COMMAND, pa, v, 8 * count, delay);
}

bool BusWalkMemory::peek64(uint64_t pa, uint64_t* v) {
  tlm::tlm_generic_payload gp;
  gp.set_command(tlm::TLM_READ_COMMAND);
  gp.set_address(pa);
  gp.set_data_ptr(reinterpret_cast<unsigned char*>(v));
  gp.set_data_length(8);
  gp.set_streaming_width(8);
  return socket_->transport_dbg(gp) == 8;
}

}  // namespace vp::iommu
