// Test fixtures for the IOMMU walkers: a map-backed WalkMemory that counts
// accesses, a page allocator and a radix page-table builder that build
// tables the way a guest OS does, the leaf flag sets drivers use, and a
// nested (Sv39 over Sv39x4) guest. Shared by the walk and walk-cache tests.
#pragma once

#include <catch2/catch.hpp>
#include <cstdint>
#include <functional>
#include <unordered_map>
#include <utility>
#include <vector>

#include "models/iommu/page_table_walker.h"
#include "models/iommu/riscv_iommu_bits.h"
#include "models/iommu/walk_memory.h"

namespace vp::iommu::walk_fixtures {

using sc_core::SC_NS;
using sc_core::sc_time;

// Sparse doubleword memory with optional bus-error ranges and a fixed
// latency per access.
class FakeMemory : public WalkMemory {
 public:
  explicit FakeMemory(sc_time per_access = sc_time(10, SC_NS)) : per_access_(per_access) {}

  void poke(uint64_t pa, uint64_t v) { words_[pa] = v; }
  uint64_t peek(uint64_t pa) const {
    auto it = words_.find(pa);
    return it == words_.end() ? 0 : it->second;
  }
  // Accesses to [base, base + size) return a bus error.
  void add_fault_range(uint64_t base, uint64_t size) { faults_.push_back({base, base + size}); }

  bool read64(uint64_t pa, uint64_t* v, sc_time& delay) override {
    delay += per_access_;
    ++reads;
    if (faulty(pa)) return false;
    *v = peek(pa);
    return true;
  }
  bool write64(uint64_t pa, uint64_t v, sc_time& delay) override {
    delay += per_access_;
    ++writes;
    if (faulty(pa)) return false;
    words_[pa] = v;
    return true;
  }
  bool cas64(uint64_t pa, uint64_t expected, uint64_t desired, uint64_t* observed,
             sc_time& delay) override {
    delay += per_access_;
    ++cas;
    if (faulty(pa)) return false;
    *observed = peek(pa);
    if (*observed == expected) words_[pa] = desired;
    return true;
  }

  uint64_t reads = 0;
  uint64_t writes = 0;
  uint64_t cas = 0;
  sc_time per_access() const { return per_access_; }

 private:
  bool faulty(uint64_t pa) const {
    if (pa & 7) return true;  // the walkers only make aligned 8-byte accesses
    for (auto& r : faults_) {
      if (pa >= r.first && pa < r.second) return true;
    }
    return false;
  }

  sc_time per_access_;
  std::unordered_map<uint64_t, uint64_t> words_;
  std::vector<std::pair<uint64_t, uint64_t>> faults_;
};

// Bump allocator of zeroed, aligned pages, like a guest's page allocator.
class PageAllocator {
 public:
  explicit PageAllocator(uint64_t base) : next_(base) {}
  uint64_t alloc(uint64_t size = kPageSize, uint64_t align = kPageSize) {
    next_ = (next_ + align - 1) & ~(align - 1);
    uint64_t a = next_;
    next_ += size;
    return a;
  }

 private:
  uint64_t next_;
};

// Builds a radix page table as a guest OS does (Sv39/48/57 or, with x4,
// Sv39x4/48x4/57x4 whose root is 16 KiB). Tables are allocated from
// `pages`; `to_spa` maps a table address to where the fake memory holds it
// (identity unless the tables live in guest physical memory).
class PageTableBuilder {
 public:
  PageTableBuilder(
      FakeMemory& mem, PageAllocator& pages, unsigned levels, bool x4,
      std::function<uint64_t(uint64_t)> to_spa = [](uint64_t a) { return a; })
      : mem_(mem),
        pages_(pages),
        levels_(levels),
        x4_(x4),
        to_spa_(std::move(to_spa)),
        root_(x4 ? pages.alloc(4 * kPageSize, 4 * kPageSize) : pages.alloc()) {}

  uint64_t root() const { return root_; }
  uint64_t root_ppn() const { return root_ >> kPageShift; }

  // Maps `va` to `pa` with a leaf at `level` (0: 4 KiB, 1: 2 MiB, 2: 1 GiB,
  // ...) carrying `flags` (V is added). Returns the leaf's SPA.
  uint64_t map(uint64_t va, uint64_t pa, int level, uint64_t flags) {
    uint64_t e = entry(va, level, true);
    mem_.poke(e, pte::kV | flags | pte::kPpn.make(pa >> kPageShift));
    return e;
  }
  // Writes a raw PTE value at `level` on the path of `va`.
  uint64_t set_raw(uint64_t va, int level, uint64_t value) {
    uint64_t e = entry(va, level, true);
    mem_.poke(e, value);
    return e;
  }
  // SPA of the entry at `level` on the path of `va` (tables must exist).
  uint64_t pte_spa(uint64_t va, int level) { return entry(va, level, false); }
  // Table-address-space address (GPA for nested tables) of that entry.
  uint64_t pte_table_addr(uint64_t va, int level) { return walk(va, level, false); }

 private:
  uint64_t index(uint64_t va, int level) const {
    unsigned bits = (x4_ && level == int(levels_) - 1) ? 11 : 9;
    return (va >> (12 + 9 * level)) & ((1ull << bits) - 1);
  }
  uint64_t walk(uint64_t va, int level, bool create) {
    uint64_t a = root_;
    for (int i = int(levels_) - 1; i > level; --i) {
      uint64_t e = to_spa_(a + 8 * index(va, i));
      uint64_t v = mem_.peek(e);
      if (!(v & pte::kV)) {
        REQUIRE(create);
        v = pte::kV | pte::kPpn.make(pages_.alloc() >> kPageShift);
        mem_.poke(e, v);
      }
      a = pte::kPpn.get(v) << kPageShift;
    }
    return a + 8 * index(va, level);
  }
  uint64_t entry(uint64_t va, int level, bool create) { return to_spa_(walk(va, level, create)); }

  FakeMemory& mem_;
  PageAllocator& pages_;
  unsigned levels_;
  bool x4_;
  std::function<uint64_t(uint64_t)> to_spa_;
  uint64_t root_;
};

// Leaf flag sets a driver uses. First-stage device mappings are user pages
// (requests without a PASID are user accesses); second-stage leaves need U.
inline constexpr uint64_t kRwx = pte::kR | pte::kW | pte::kX | pte::kU | pte::kA | pte::kD;
inline constexpr uint64_t kRw = pte::kR | pte::kW | pte::kU | pte::kA | pte::kD;
inline constexpr uint64_t kRo = pte::kR | pte::kU | pte::kA;

inline TranslationContext first_stage_ctx(unsigned mode, uint64_t root_ppn) {
  TranslationContext c;
  c.iosatp_mode = mode;
  c.iosatp_ppn = root_ppn;
  c.pscid = 0x42;
  return c;
}

inline TranslationContext second_stage_ctx(unsigned mode, uint64_t root_ppn) {
  TranslationContext c;
  c.iohgatp_mode = mode;
  c.iohgatp_ppn = root_ppn;
  c.gscid = 0x9;
  return c;
}

// A guest with 2 MiB of page-table memory at GPA 0x4000_0000 (mapped by one
// 2 MiB second-stage page to SPA 0x1_4000_0000) and one data page: IOVA
// 0x10_0000 -> GPA 0x5000_0000 -> SPA 0x2_0000_0000.
struct NestedGuest {
  static constexpr uint64_t kHostOffset = 0x1'0000'0000;
  static constexpr uint64_t kIova = 0x10'0000;
  static constexpr uint64_t kDataGpa = 0x5000'0000;
  static constexpr uint64_t kDataSpa = 0x2'0000'0000;

  explicit NestedGuest(FakeMemory& m, uint64_t table_region_flags = kRw)
      : mem(m),
        g(mem, host_pages, 3, true),
        s1(mem, guest_pages, 3, false, [](uint64_t gpa) { return gpa + kHostOffset; }) {
    region_leaf = g.map(0x4000'0000, 0x4000'0000 + kHostOffset, 1, table_region_flags);
    s1_leaf = s1.map(kIova, kDataGpa, 0, kRw);
    data_leaf = g.map(kDataGpa, kDataSpa, 0, kRw);
  }
  TranslationContext ctx() const {
    TranslationContext c;
    c.iosatp_mode = iosatp_mode::kSv39;
    c.iosatp_ppn = s1.root_ppn();
    c.pscid = 0x42;
    c.iohgatp_mode = iohgatp_mode::kSv39x4;
    c.iohgatp_ppn = g.root_ppn();
    c.gscid = 0x9;
    return c;
  }

  FakeMemory& mem;
  PageAllocator host_pages{0x8000'0000};
  PageAllocator guest_pages{0x4000'0000};
  PageTableBuilder g;
  PageTableBuilder s1;
  uint64_t region_leaf = 0, s1_leaf = 0, data_leaf = 0;
};

}  // namespace vp::iommu::walk_fixtures
