// Test guest memory for the IOMMU's control part: a sparse map of
// doublewords (little-endian byte order, as WalkMemory defines) with
// bus-error ranges and a fixed latency per access.
#pragma once

#include <cstdint>
#include <map>
#include <systemc>
#include <utility>
#include <vector>

#include "models/iommu/walk_memory.h"

namespace vp::test {

class MapWalkMemory : public vp::iommu::WalkMemory {
 public:
  explicit MapWalkMemory(sc_core::sc_time per_access = sc_core::sc_time(10, sc_core::SC_NS))
      : per_access_(per_access) {}

  // Direct (debug) access, as the guest CPU would see memory; no latency.
  void poke(uint64_t pa, uint64_t v) { words_[pa & ~7ull] = v; }
  uint64_t peek(uint64_t pa) const {
    auto it = words_.find(pa & ~7ull);
    return it == words_.end() ? 0 : it->second;
  }
  uint32_t peek32(uint64_t pa) const { return uint32_t(peek(pa) >> ((pa & 4) ? 32 : 0)); }
  // Accesses to [base, base + size) get a bus error.
  void add_fault_range(uint64_t base, uint64_t size) { faults_.push_back({base, base + size}); }

  bool read64(uint64_t pa, uint64_t* v, sc_core::sc_time& delay) override {
    delay += per_access_;
    ++reads;
    if (faulty(pa, 8)) return false;
    *v = peek(pa);
    return true;
  }
  bool write64(uint64_t pa, uint64_t v, sc_core::sc_time& delay) override {
    delay += per_access_;
    ++writes;
    if (faulty(pa, 8)) return false;
    words_[pa] = v;
    return true;
  }
  bool cas64(uint64_t pa, uint64_t expected, uint64_t desired, uint64_t* observed,
             sc_core::sc_time& delay) override {
    delay += per_access_;
    if (faulty(pa, 8)) return false;
    *observed = peek(pa);
    if (*observed == expected) words_[pa] = desired;
    return true;
  }

  sc_core::sc_time per_access() const { return per_access_; }
  uint64_t reads = 0;
  uint64_t writes = 0;

 private:
  bool faulty(uint64_t pa, unsigned size) const {
    if (pa % size) return true;
    for (const auto& r : faults_)
      if (pa >= r.first && pa < r.second) return true;
    return false;
  }

  sc_core::sc_time per_access_;
  std::map<uint64_t, uint64_t> words_;
  std::vector<std::pair<uint64_t, uint64_t>> faults_;
};

}  // namespace vp::test
