// MSI-X table and Pending Bit Array of one function (PCIe Base 6.0 sec.
// 6.1.4.2, 7.7.2; PCI 3.0 sec. 6.8.2).
//
// Models: N table entries of 16 bytes (Message Address low/high, Message
// Data, Vector Control with the per-vector Mask bit, masked at reset) and
// the PBA (one read-only pending bit per vector), both living in memory
// BARs at offsets the MSI-X capability advertises. Software accesses them
// with naturally aligned DWORD or QWORD reads and writes; other sizes or
// alignments get TLM_BURST_ERROR_RESPONSE / TLM_ADDRESS_ERROR_RESPONSE, and
// writes to the PBA are ignored. Byte enables are honoured.
//
// Signalling (sec. 6.1.4.5): a vector that is masked (per vector or by the
// function mask) records a pending bit instead of sending; when software
// unmasks it, take_unmasked_pending() hands the owner the vectors to send
// now. The table itself sends nothing: the endpoint does.
//
// Not modeled: the Steering Tag field of Vector Control (TPH).
#pragma once

#include <cstdint>
#include <tlm>
#include <vector>

namespace vp::pcie {

class MsixTable {
 public:
  static constexpr unsigned kEntrySize = 16;
  static constexpr unsigned kAddressLow = 0x0, kAddressHigh = 0x4, kData = 0x8,
                            kVectorControl = 0xc;
  static constexpr uint32_t kVectorMasked = 1u << 0;

  explicit MsixTable(unsigned vectors);

  unsigned vectors() const { return static_cast<unsigned>(entries_.size()); }
  uint64_t table_bytes() const { return uint64_t(vectors()) * kEntrySize; }
  uint64_t pba_bytes() const { return (vectors() + 63) / 64 * 8; }

  // Software access; `offset` relative to the table or the PBA.
  tlm::tlm_response_status table_access(tlm::tlm_generic_payload& gp, uint64_t offset);
  tlm::tlm_response_status pba_access(tlm::tlm_generic_payload& gp, uint64_t offset);

  uint64_t address(unsigned v) const;
  uint32_t data(unsigned v) const { return entries_.at(v).data; }
  bool masked(unsigned v) const { return entries_.at(v).control & kVectorMasked; }
  bool pending(unsigned v) const { return pending_.at(v); }
  void set_pending(unsigned v, bool p) { pending_.at(v) = p; }
  // Vectors that are pending and no longer masked (per-vector mask only;
  // the caller checks the function mask); clears their pending bits.
  std::vector<unsigned> take_unmasked_pending();
  void reset();

 private:
  struct Entry {
    uint32_t address_low = 0, address_high = 0, data = 0, control = kVectorMasked;
  };
  static bool good_size(const tlm::tlm_generic_payload& gp, uint64_t offset,
                        tlm::tlm_response_status* status);
  uint32_t read_dword(uint64_t offset) const;
  void write_dword(uint64_t offset, uint32_t value, uint32_t byte_mask);

  std::vector<Entry> entries_;
  std::vector<bool> pending_;
};

}  // namespace vp::pcie
