// Address map: half-open regions [base, base + size) decoded to a port.
//
// Used by the system interconnect and by PCIe bridges. Overlapping regions
// are rejected when added, with both region names in the message, so a bad
// topology fails before simulation starts.
#pragma once

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace vp::common {

class AddressMapError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct AddressRegion {
  std::string name;
  uint64_t base = 0;
  uint64_t size = 0;
  unsigned port = 0;
  // Subtracted from addresses forwarded through this region (base for a
  // target that decodes offsets, 0 for one that sees full addresses).
  uint64_t offset = 0;
  uint64_t last() const { return base + (size - 1); }
  bool contains(uint64_t addr, uint64_t len = 1) const {
    return addr >= base && len != 0 && addr - base < size && len <= size - (addr - base);
  }
};

class AddressMap {
 public:
  // Throws AddressMapError on zero size, wrap-around or overlap.
  const AddressRegion& add(const AddressRegion& region);
  // Region containing [addr, addr + len), or nullptr if none does (including
  // an access that straddles two regions).
  const AddressRegion* find(uint64_t addr, uint64_t len = 1) const {
    auto it = regions_.upper_bound(addr);
    if (it == regions_.begin()) return nullptr;
    --it;
    return it->second.contains(addr, len) ? &it->second : nullptr;
  }
  std::vector<AddressRegion> regions() const;
  bool empty() const { return regions_.empty(); }
  void clear() { regions_.clear(); }

 private:
  std::map<uint64_t, AddressRegion> regions_;  // by base
};

}  // namespace vp::common
