#include "models/pcie/msix_table.h"

#include <cstring>
#include <stdexcept>

namespace vp::pcie {

MsixTable::MsixTable(unsigned vectors) : entries_(vectors), pending_(vectors, false) {
  if (vectors < 1 || vectors > 2048) throw std::invalid_argument("MSI-X table: 1..2048 vectors");
}

void MsixTable::reset() {
  entries_.assign(entries_.size(), Entry{});
  pending_.assign(pending_.size(), false);
}

uint64_t MsixTable::address(unsigned v) const {
  const Entry& e = entries_.at(v);
  return uint64_t(e.address_high) << 32 | (e.address_low & ~3u);
}

bool MsixTable::good_size(const tlm::tlm_generic_payload& gp, uint64_t offset,
                          tlm::tlm_response_status* status) {
  const unsigned len = gp.get_data_length();
  if ((len != 4 && len != 8) || gp.get_streaming_width() < len) {
    *status = tlm::TLM_BURST_ERROR_RESPONSE;
    return false;
  }
  if (offset & (len - 1)) {
    *status = tlm::TLM_ADDRESS_ERROR_RESPONSE;
    return false;
  }
  return true;
}

uint32_t MsixTable::read_dword(uint64_t offset) const {
  const Entry& e = entries_[offset / kEntrySize];
  switch (offset % kEntrySize) {
    case kAddressLow:
      return e.address_low;
    case kAddressHigh:
      return e.address_high;
    case kData:
      return e.data;
    default:
      return e.control;
  }
}

void MsixTable::write_dword(uint64_t offset, uint32_t value, uint32_t byte_mask) {
  Entry& e = entries_[offset / kEntrySize];
  auto merge = [&](uint32_t& field, uint32_t writable) {
    const uint32_t m = byte_mask & writable;
    field = (field & ~m) | (value & m);
  };
  switch (offset % kEntrySize) {
    case kAddressLow:
      merge(e.address_low, ~3u);
      break;  // DWORD aligned: bits 1:0 RO 0
    case kAddressHigh:
      merge(e.address_high, ~0u);
      break;
    case kData:
      merge(e.data, ~0u);
      break;
    default:
      merge(e.control, kVectorMasked);
      break;  // other bits reserved / not modeled
  }
}

tlm::tlm_response_status MsixTable::table_access(tlm::tlm_generic_payload& gp, uint64_t offset) {
  tlm::tlm_response_status status = tlm::TLM_OK_RESPONSE;
  const unsigned len = gp.get_data_length();
  if (!good_size(gp, offset, &status)) return status;
  if (offset + len > table_bytes()) return tlm::TLM_ADDRESS_ERROR_RESPONSE;
  unsigned char* data = gp.get_data_ptr();
  const unsigned char* be = gp.get_byte_enable_ptr();
  const unsigned be_len = gp.get_byte_enable_length();
  for (unsigned dw = 0; dw < len; dw += 4) {
    uint32_t mask = 0;
    for (unsigned i = 0; i < 4; ++i)
      if (!be || be[(dw + i) % be_len] == TLM_BYTE_ENABLED) mask |= 0xffu << (8 * i);
    if (gp.is_read()) {
      const uint32_t v = read_dword(offset + dw);
      for (unsigned i = 0; i < 4; ++i)
        if (mask & (0xffu << (8 * i))) data[dw + i] = static_cast<unsigned char>(v >> (8 * i));
    } else if (gp.is_write()) {
      uint32_t v;
      std::memcpy(&v, data + dw, 4);
      write_dword(offset + dw, v, mask);
    }
  }
  return status;
}

tlm::tlm_response_status MsixTable::pba_access(tlm::tlm_generic_payload& gp, uint64_t offset) {
  tlm::tlm_response_status status = tlm::TLM_OK_RESPONSE;
  const unsigned len = gp.get_data_length();
  if (!good_size(gp, offset, &status)) return status;
  if (offset + len > pba_bytes()) return tlm::TLM_ADDRESS_ERROR_RESPONSE;
  if (!gp.is_read()) return status;  // read-only: writes ignored
  unsigned char* data = gp.get_data_ptr();
  const unsigned char* be = gp.get_byte_enable_ptr();
  const unsigned be_len = gp.get_byte_enable_length();
  for (unsigned i = 0; i < len; ++i) {
    if (be && be[i % be_len] != TLM_BYTE_ENABLED) continue;
    uint8_t byte = 0;
    for (unsigned b = 0; b < 8; ++b) {
      const uint64_t v = (offset + i) * 8 + b;
      if (v < pending_.size() && pending_[v]) byte |= uint8_t(1u << b);
    }
    data[i] = byte;
  }
  return status;
}

std::vector<unsigned> MsixTable::take_unmasked_pending() {
  std::vector<unsigned> out;
  for (unsigned v = 0; v < entries_.size(); ++v)
    if (pending_[v] && !(entries_[v].control & kVectorMasked)) {
      pending_[v] = false;
      out.push_back(v);
    }
  return out;
}

}  // namespace vp::pcie
