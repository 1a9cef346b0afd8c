#include "models/common/address_map.h"

#include <sstream>

namespace vp::common {

namespace {
std::string describe(const AddressRegion& r) {
  std::ostringstream os;
  os << "'" << r.name << "' [0x" << std::hex << r.base << ", 0x" << r.base + r.size << ")";
  return os.str();
}
}  // namespace

const AddressRegion& AddressMap::add(const AddressRegion& region) {
  if (region.size == 0) throw AddressMapError("address region '" + region.name + "' has size 0");
  if (region.base + (region.size - 1) < region.base)
    throw AddressMapError("address region '" + region.name + "' wraps around the address space");
  auto next = regions_.lower_bound(region.base);
  if (next != regions_.end() && next->second.base <= region.last())
    throw AddressMapError("address region " + describe(region) + " overlaps " +
                          describe(next->second));
  if (next != regions_.begin()) {
    auto prev = std::prev(next);
    if (prev->second.last() >= region.base)
      throw AddressMapError("address region " + describe(region) + " overlaps " +
                            describe(prev->second));
  }
  return regions_.emplace(region.base, region).first->second;
}

std::vector<AddressRegion> AddressMap::regions() const {
  std::vector<AddressRegion> out;
  for (const auto& [base, r] : regions_) out.push_back(r);
  return out;
}

}  // namespace vp::common
