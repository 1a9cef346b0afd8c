// Page-walk cache: warm walks read only what the cache cannot supply,
// faults are never cached, each IOTINVAL-shaped invalidation drops what it
// must, LRU replacement, size 0 disables it, and walks give the same results
// with and without it (IOMMU Data Structures 2.3, In-memory queues 3.1.1).
#include <catch2/catch.hpp>
#include <functional>
#include <vector>

#include "models/iommu/page_table_walker.h"
#include "models/iommu/page_walk_cache.h"
#include "support/walk_fixtures.h"

using namespace vp::iommu;
using namespace vp::iommu::walk_fixtures;

namespace {

// A Sv39 host table (second stage Bare, PSCID 0x42) with 4 KiB pages in
// two 2 MiB regions of one 1 GiB region and one page in another 1 GiB region.
struct HostSv39 {
  static constexpr uint64_t kA = 0x4000'0000;         // VPN2=1, VPN1=0
  static constexpr uint64_t kB = kA + 0x1000;         // A's neighbour
  static constexpr uint64_t kC = kA + 0x20'0000;      // same 1 GiB, next 2 MiB
  static constexpr uint64_t kD = 0x2'0000'0000;       // another 1 GiB region
  static constexpr uint64_t kUnmapped = kA + 0x5000;  // same 2 MiB as A, V=0 leaf

  explicit HostSv39(FakeMemory& m, uint64_t table_base = 0x8000'0000)
      : mem(m), pages(table_base), pt(m, pages, 3, false) {
    pt.map(kA, 0x9000'0000, 0, kRw);
    pt.map(kB, 0x9000'1000, 0, kRw);
    pt.map(kC, 0x9100'0000, 0, kRw);
    pt.map(kD, 0x9200'0000, 0, kRw);
  }
  TranslationContext ctx() const { return first_stage_ctx(iosatp_mode::kSv39, pt.root_ppn()); }

  FakeMemory& mem;
  PageAllocator pages;
  PageTableBuilder pt;
};

struct Walk {
  WalkResult r;
  uint64_t reads = 0;
  sc_time delay;
};

Walk walk(PageTableWalker& w, FakeMemory& mem, const TranslationContext& ctx, uint64_t iova,
          AccessType a = AccessType::kRead) {
  Walk out;
  const uint64_t before = mem.reads;
  out.delay = sc_core::SC_ZERO_TIME;
  out.r = w.translate(ctx, iova, a, false, out.delay);
  out.reads = mem.reads - before;
  return out;
}

}  // namespace

TEST_CASE("walk cache: a warm Sv39 walk of a neighbour page reads only the leaf") {
  FakeMemory mem;
  HostSv39 host(mem);
  PageWalkCache cache(32);
  PageTableWalker w(mem, IommuFeatures::rv64_full());
  w.set_walk_cache(&cache);

  Walk cold = walk(w, mem, host.ctx(), HostSv39::kA + 0x10);
  REQUIRE(cold.r.ok());
  CHECK(cold.reads == 3);
  CHECK(cold.r.levels_skipped == 0);
  CHECK(cache.size() == 2);  // the level-2 and level-1 pointers
  CHECK(cache.misses() == 1);

  Walk warm = walk(w, mem, host.ctx(), HostSv39::kB + 0x20);
  REQUIRE(warm.r.ok());
  CHECK(warm.r.spa == 0x9000'1020);
  CHECK(warm.reads == 1);
  CHECK(warm.delay == mem.per_access());
  CHECK(warm.r.first_stage_levels == 1);
  CHECK(warm.r.levels_skipped == 2);
  CHECK(warm.r.trace.size() == 1);
  CHECK(cache.hits() == 1);

  // Next 2 MiB region: the level-2 pointer is cached, the level-1 one not.
  Walk c = walk(w, mem, host.ctx(), HostSv39::kC);
  REQUIRE(c.r.ok());
  CHECK(c.reads == 2);
  CHECK(c.r.levels_skipped == 1);
  CHECK(cache.size() == 3);
  // Another 1 GiB region misses entirely.
  Walk d = walk(w, mem, host.ctx(), HostSv39::kD);
  REQUIRE(d.r.ok());
  CHECK(d.reads == 3);
  CHECK(w.levels_skipped() == 3);
  CHECK(cache.hits() == 2);
  CHECK(cache.misses() == 2);
}

TEST_CASE("walk cache: warm Sv48 and Sv57 walks read one PTE") {
  for (unsigned levels : {4u, 5u}) {
    FakeMemory mem;
    PageAllocator pages(0x8000'0000);
    PageTableBuilder pt(mem, pages, levels, false);
    const uint64_t iova = 0x12'3456'7000ull;
    pt.map(iova, 0x7000'0000, 0, kRw);
    pt.map(iova + 0x1000, 0x7000'1000, 0, kRw);
    PageWalkCache cache(16);
    PageTableWalker w(mem, IommuFeatures::rv64_full());
    w.set_walk_cache(&cache);
    auto ctx =
        first_stage_ctx(levels == 4 ? iosatp_mode::kSv48 : iosatp_mode::kSv57, pt.root_ppn());
    CHECK(walk(w, mem, ctx, iova).reads == levels);
    Walk warm = walk(w, mem, ctx, iova + 0x1000);
    REQUIRE(warm.r.ok());
    CHECK(warm.r.spa == 0x7000'1000);
    CHECK(warm.reads == 1);
    CHECK(warm.r.levels_skipped == levels - 1);
  }
}

TEST_CASE("walk cache: a warm nested walk skips the implicit translations and reads two PTEs") {
  FakeMemory mem;
  NestedGuest guest(mem);
  guest.s1.map(NestedGuest::kIova + 0x1000, NestedGuest::kDataGpa + 0x1000, 0, kRw);
  guest.g.map(NestedGuest::kDataGpa + 0x1000, NestedGuest::kDataSpa + 0x1000, 0, kRw);
  PageWalkCache cache(32);
  PageTableWalker w(mem, IommuFeatures::rv64_full());
  w.set_walk_cache(&cache);

  Walk cold = walk(w, mem, guest.ctx(), NestedGuest::kIova, AccessType::kWrite);
  REQUIRE(cold.r.ok());
  // Root table's GPA through the second stage (2 reads, caching the G-stage
  // level-2 pointer), then each later table page's GPA hits that pointer (1
  // read each); 3 first-stage reads; the data GPA: level 2 cached, 2 reads.
  CHECK(cold.reads == 2 + 1 + 1 + 3 + 2);
  CHECK(cold.r.second_stage_levels == 2 + 1 + 1 + 2);

  Walk warm = walk(w, mem, guest.ctx(), NestedGuest::kIova + 0x1000 + 0x8, AccessType::kWrite);
  REQUIRE(warm.r.ok());
  CHECK(warm.r.spa == NestedGuest::kDataSpa + 0x1008);
  CHECK(warm.r.gpa == NestedGuest::kDataGpa + 0x1008);
  // The first-stage leaf (its table's SPA came from the cache) and the data
  // GPA's second-stage leaf.
  CHECK(warm.reads == 2);
  CHECK(warm.r.first_stage_levels == 1);
  CHECK(warm.r.second_stage_levels == 1);
  CHECK(warm.r.implicit_translations_skipped == 1);
  CHECK(warm.r.levels_skipped == 2 + 2);
  CHECK(w.implicit_translations_skipped() == 1);
}

TEST_CASE("walk cache: invalid and faulting PTEs are never cached") {
  FakeMemory mem;
  HostSv39 host(mem);
  PageWalkCache cache(32);
  PageTableWalker w(mem, IommuFeatures::rv64_full());
  w.set_walk_cache(&cache);

  // V=0 leaf: the walk faults; the valid pointers above it are cached.
  Walk f = walk(w, mem, host.ctx(), HostSv39::kUnmapped);
  CHECK(f.r.cause == cause::kReadPageFault);
  CHECK(cache.size() == 2);
  // The guest maps the page; without any invalidation the next walk sees it
  // (only the leaf is read: the pointers were valid).
  host.pt.map(HostSv39::kUnmapped, 0x9000'5000, 0, kRw);
  Walk ok = walk(w, mem, host.ctx(), HostSv39::kUnmapped);
  REQUIRE(ok.r.ok());
  CHECK(ok.reads == 1);

  // V=0 at level 2 (a 1 GiB region never mapped): nothing is cached.
  const uint64_t far = 0x30'0000'0000 & ((1ull << 38) - 1);
  const uint32_t before = cache.size();
  Walk f2 = walk(w, mem, host.ctx(), far);
  CHECK(f2.r.cause == cause::kReadPageFault);
  CHECK(cache.size() == before);
  Walk f3 = walk(w, mem, host.ctx(), far);
  CHECK(f3.reads == 1);  // read again from memory, not from the cache

  // A non-leaf PTE with reserved bits: the walk faults at it and does not
  // cache it; once fixed, the next walk goes through it.
  const uint64_t e = host.pt.pte_spa(HostSv39::kC, 1);
  const uint64_t good = mem.peek(e);
  mem.poke(e, good | (1ull << 55));  // bit 55: reserved
  cache.invalidate_all();
  Walk bad = walk(w, mem, host.ctx(), HostSv39::kC);
  CHECK(bad.r.cause == cause::kReadPageFault);
  CHECK(cache.size() == 1);  // only the valid level-2 pointer
  mem.poke(e, good);
  Walk fixed = walk(w, mem, host.ctx(), HostSv39::kC);
  REQUIRE(fixed.r.ok());
  CHECK(fixed.reads == 2);
}

TEST_CASE("walk cache: size 0 caches nothing") {
  FakeMemory mem;
  HostSv39 host(mem);
  PageWalkCache cache(0);
  CHECK_FALSE(cache.enabled());
  PageTableWalker w(mem, IommuFeatures::rv64_full());
  w.set_walk_cache(&cache);
  CHECK(walk(w, mem, host.ctx(), HostSv39::kA).reads == 3);
  CHECK(walk(w, mem, host.ctx(), HostSv39::kB).reads == 3);
  CHECK(cache.size() == 0);
  CHECK(cache.hits() == 0);
  CHECK(w.levels_skipped() == 0);
}

TEST_CASE("walk cache: LRU replacement evicts the least recently used entry") {
  PageWalkCache cache(2);
  WalkCacheTable t;
  t.mode = iosatp_mode::kSv39;
  t.root_ppn = 0x100;
  const uint64_t a = 0x0000'0000, b = 0x4000'0000, c = 0x8000'0000;  // three 1 GiB regions
  cache.insert(t, a, 2, {0x1000, 0x1000});
  cache.insert(t, b, 2, {0x2000, 0x2000});
  unsigned level = 0;
  REQUIRE(cache.lookup(t, a, 2, &level) != nullptr);  // a is now most recent
  CHECK(level == 2);
  cache.insert(t, c, 2, {0x3000, 0x3000});  // evicts b
  CHECK(cache.evictions() == 1);
  CHECK(cache.lookup(t, b, 2, &level) == nullptr);
  const WalkCacheEntry* e = cache.lookup(t, a, 2, &level);
  REQUIRE(e != nullptr);
  CHECK(e->next_table == 0x1000);
  REQUIRE(cache.lookup(t, c + 0x1234'5000, 2, &level) != nullptr);
  // Re-inserting an existing tag updates it in place.
  cache.insert(t, c, 2, {0x5000, 0x5000});
  CHECK(cache.size() == 2);
  CHECK(cache.lookup(t, c, 2, &level)->next_table == 0x5000);
  // The deepest level on the path wins.
  cache.insert(t, c, 1, {0x6000, 0x6000});
  CHECK(cache.lookup(t, c, 2, &level)->next_table == 0x6000);
  CHECK(level == 1);
  // A different root (another table with the same PSCID) never hits.
  WalkCacheTable other = t;
  other.root_ppn = 0x200;
  CHECK(cache.lookup(other, c, 2, &level) == nullptr);
}

TEST_CASE("walk cache: IOTINVAL.VMA variants drop the first-stage entries they name") {
  PageWalkCache cache(64);
  auto fs = [](std::optional<uint32_t> gscid, uint32_t pscid) {
    WalkCacheTable t;
    t.stage = WalkStage::kFirst;
    t.gscv = gscid.has_value();
    t.gscid = gscid.value_or(0);
    t.pscid = pscid;
    t.mode = iosatp_mode::kSv39;
    t.root_ppn = 0x100 + pscid;
    return t;
  };
  WalkCacheTable g2;  // a second-stage table of GSCID 5
  g2.stage = WalkStage::kSecond;
  g2.gscv = true;
  g2.gscid = 5;
  g2.mode = iohgatp_mode::kSv39x4;
  g2.root_ppn = 0x900;
  const uint64_t x = 0x4000'0000, y = 0x8000'0000;
  auto fill = [&] {
    cache.invalidate_all();
    for (auto t : {fs(std::nullopt, 1), fs(std::nullopt, 2), fs(5u, 1), fs(6u, 1)}) {
      cache.insert(t, x, 2, {0x1000, 0x1000});
      cache.insert(t, x, 1, {0x2000, 0x2000});
      cache.insert(t, y, 2, {0x3000, 0x3000});
    }
    cache.insert(g2, x, 2, {0x4000, 0x4000});
    REQUIRE(cache.size() == 13);
  };
  unsigned level = 0;
  auto cached = [&](const WalkCacheTable& t, uint64_t a, unsigned top = 2) {
    return cache.lookup(t, a, top, &level) != nullptr;
  };

  // GV=0 AV=0 PSCV=0: every host first-stage entry.
  fill();
  CHECK(cache.invalidate_vma(std::nullopt, std::nullopt, std::nullopt) == 6);
  CHECK_FALSE(cached(fs(std::nullopt, 2), y));
  CHECK(cached(fs(5u, 1), x));
  CHECK(cached(g2, x));
  // GV=0 PSCV=1: one host address space.
  fill();
  CHECK(cache.invalidate_vma(std::nullopt, 1u, std::nullopt) == 3);
  CHECK_FALSE(cached(fs(std::nullopt, 1), x));
  CHECK(cached(fs(std::nullopt, 2), x));
  CHECK(cached(fs(5u, 1), x));  // same PSCID in a VM: untouched
  // GV=0 AV=1 PSCV=1: the entries on ADDR's path in that space.
  fill();
  CHECK(cache.invalidate_vma(std::nullopt, 1u, x + 0x1234) == 2);
  CHECK_FALSE(cached(fs(std::nullopt, 1), x));
  CHECK(cached(fs(std::nullopt, 1), y));
  // GV=0 AV=1 PSCV=0: ADDR's path in every host space.
  fill();
  CHECK(cache.invalidate_vma(std::nullopt, std::nullopt, y) == 2);
  CHECK(cached(fs(std::nullopt, 2), x, 1));
  CHECK_FALSE(cached(fs(std::nullopt, 2), y));
  CHECK(cached(fs(5u, 1), y));
  // GV=1: the VM spaces of that GSCID only, never second-stage entries.
  fill();
  CHECK(cache.invalidate_vma(5u, std::nullopt, std::nullopt) == 3);
  CHECK_FALSE(cached(fs(5u, 1), x));
  CHECK(cached(fs(6u, 1), x));
  CHECK(cached(fs(std::nullopt, 1), x));
  CHECK(cached(g2, x));
  fill();
  CHECK(cache.invalidate_vma(5u, 2u, std::nullopt) == 0);  // no such PSCID in GSCID 5
  CHECK(cache.invalidate_vma(5u, 1u, y) == 1);
}

TEST_CASE("walk cache: IOTINVAL.GVMA drops second-stage entries and the GSCID's first-stage ones") {
  FakeMemory mem;
  NestedGuest guest(mem);
  guest.s1.map(NestedGuest::kIova + 0x1000, NestedGuest::kDataGpa + 0x1000, 0, kRw);
  guest.g.map(NestedGuest::kDataGpa + 0x1000, NestedGuest::kDataSpa + 0x1000, 0, kRw);
  HostSv39 host(mem, 0xc000'0000);  // apart from the guest's G-stage tables
  PageWalkCache cache(64);
  PageTableWalker w(mem, IommuFeatures::rv64_full());
  w.set_walk_cache(&cache);
  auto warm_up = [&] {
    REQUIRE(walk(w, mem, guest.ctx(), NestedGuest::kIova).r.ok());
    REQUIRE(walk(w, mem, host.ctx(), HostSv39::kA).r.ok());
    REQUIRE(walk(w, mem, guest.ctx(), NestedGuest::kIova + 0x1000).reads == 2);
    REQUIRE(walk(w, mem, host.ctx(), HostSv39::kB).reads == 1);
  };
  warm_up();
  // Another GSCID: nothing of this guest goes.
  CHECK(cache.invalidate_gvma(7u, std::nullopt) == 0);
  CHECK(walk(w, mem, guest.ctx(), NestedGuest::kIova + 0x1000).reads == 2);
  // GV=1 AV=0: all of GSCID 9, host entries stay.
  const uint32_t host_entries = 2;
  const uint32_t all = cache.size();
  CHECK(cache.invalidate_gvma(9u, std::nullopt) == all - host_entries);
  CHECK(walk(w, mem, host.ctx(), HostSv39::kB).reads == 1);
  Walk cold = walk(w, mem, guest.ctx(), NestedGuest::kIova + 0x1000);
  REQUIRE(cold.r.ok());
  CHECK(cold.reads == 9);
  // GV=1 AV=1: the second-stage entries on the GPA's path (here both: the
  // table region shares the data GPA's 1 GiB entry) and every first-stage
  // entry of the GSCID.
  warm_up();
  CHECK(cache.invalidate_gvma(9u, NestedGuest::kDataGpa) == all - host_entries);
  Walk after = walk(w, mem, guest.ctx(), NestedGuest::kIova + 0x1000);
  REQUIRE(after.r.ok());
  CHECK(after.r.implicit_translations_skipped == 0);
  CHECK(after.reads == 9);
  // An address in another 1 GiB region keeps the G-stage entries, drops the
  // first-stage ones: the first-stage walk translates its tables again
  // (through the cached G-stage pointer) and the data GPA hits.
  CHECK(cache.invalidate_gvma(9u, 0x1'0000'0000) == 2);
  Walk partial = walk(w, mem, guest.ctx(), NestedGuest::kIova + 0x1000);
  REQUIRE(partial.r.ok());
  CHECK(partial.reads == 3 * 2 + 1);
  // GV=0: every VM space, host untouched.
  warm_up();
  cache.invalidate_gvma(std::nullopt, std::nullopt);
  CHECK(cache.size() == host_entries);
  CHECK(walk(w, mem, host.ctx(), HostSv39::kB).reads == 1);
  // Everything.
  CHECK(cache.invalidate_all() == host_entries);
  CHECK(walk(w, mem, host.ctx(), HostSv39::kB).reads == 3);
}

// ---------------------------------------------------------------------------
// Same results with and without the cache

namespace {

struct Query {
  uint64_t iova;
  AccessType access;
  bool privileged = false;
};

void check_same_result(const WalkResult& a, const WalkResult& b) {
  INFO("uncached: " << a.why << "\ncached: " << b.why);
  CHECK(a.cause == b.cause);
  CHECK(a.spa == b.spa);
  CHECK(a.gpa == b.gpa);
  CHECK(a.page_shift == b.page_shift);
  CHECK(a.r == b.r);
  CHECK(a.w == b.w);
  CHECK(a.x == b.x);
  CHECK(a.user == b.user);
  CHECK(a.global == b.global);
  CHECK(a.dirty == b.dirty);
  CHECK(a.first_stage_pte == b.first_stage_pte);
  CHECK(a.second_stage_pte == b.second_stage_pte);
  CHECK(a.first_stage_shift == b.first_stage_shift);
  CHECK(a.second_stage_shift == b.second_stage_shift);
  CHECK(a.iotval2 == b.iotval2);
}

// Builds the same tables in two memories, walks every query twice (cold,
// then warm) with a plain and a cached walker, and compares the results.
void check_cache_transparent(const std::function<TranslationContext(FakeMemory&)>& build,
                             const std::vector<Query>& queries) {
  FakeMemory plain_mem, cached_mem;
  const TranslationContext ctx = build(plain_mem);
  build(cached_mem);
  PageTableWalker plain(plain_mem, IommuFeatures::rv64_full());
  PageTableWalker cached(cached_mem, IommuFeatures::rv64_full());
  PageWalkCache cache(64);
  cached.set_walk_cache(&cache);
  for (int round = 0; round < 2; ++round) {
    for (const Query& q : queries) {
      INFO("round " << round << " iova 0x" << std::hex << q.iova << " " << to_string(q.access));
      sc_time d1 = sc_core::SC_ZERO_TIME, d2 = sc_core::SC_ZERO_TIME;
      const WalkResult a = plain.translate(ctx, q.iova, q.access, q.privileged, d1);
      const WalkResult b = cached.translate(ctx, q.iova, q.access, q.privileged, d2);
      check_same_result(a, b);
      CHECK(d2 <= d1);
    }
  }
  CHECK(cache.hits() > 0);
  CHECK(cached_mem.reads < plain_mem.reads);
}

}  // namespace

TEST_CASE("walk cache: first-stage walks give the same results and faults with the cache") {
  for (unsigned levels : {3u, 4u, 5u}) {
    const unsigned mode = levels == 3   ? iosatp_mode::kSv39
                          : levels == 4 ? iosatp_mode::kSv48
                                        : iosatp_mode::kSv57;
    const uint64_t base = 0x40'0000'0000ull & ((1ull << (12 + 9 * levels - 1)) - 1);
    auto build = [&](FakeMemory& m) {
      PageAllocator pages(0x8000'0000);
      PageTableBuilder pt(m, pages, levels, false);
      pt.map(base + 0x0000, 0x9000'0000, 0, kRw);
      pt.map(base + 0x1000, 0x9000'1000, 0, kRo);
      pt.map(base + 0x2000, 0x9000'2000, 0, kRw & ~pte::kU);              // supervisor page
      pt.map(base + 0x3000, 0x9000'3000, 0, kRw & ~(pte::kA | pte::kD));  // A/D update
      pt.map(base + 0x20'0000, 0x9020'0000, 1, kRwx);                     // 2 MiB
      pt.map(base + 0x40'0000, 0x9040'1000, 1, kRw);              // misaligned 2 MiB superpage
      pt.set_raw(base + 0x60'0000, 0, pte::kV | pte::kW);         // W without R: reserved
      pt.map(base + 0x4000'0000, 0xa000'0000, 2, kRw | pte::kG);  // 1 GiB, global
      TranslationContext c = first_stage_ctx(mode, pt.root_ppn());
      c.sade = true;
      c.sum = true;
      return c;
    };
    const std::vector<Query> queries = {
        {base + 0x10, AccessType::kRead},
        {base + 0x10, AccessType::kWrite},
        {base + 0x1008, AccessType::kRead},
        {base + 0x1008, AccessType::kWrite},  // R/O page
        {base + 0x2000, AccessType::kRead},   // U=0, user access
        {base + 0x2000, AccessType::kRead, true},
        {base + 0x3000, AccessType::kWrite},  // sets A and D
        {base + 0x3000, AccessType::kWrite},
        {base + 0x5000, AccessType::kRead},  // V=0 leaf next to mapped pages
        {base + 0x20'1234, AccessType::kExecute},
        {base + 0x40'0000, AccessType::kRead},  // misaligned superpage
        {base + 0x60'0000, AccessType::kRead},  // reserved encoding
        {base + 0x4000'5678, AccessType::kWrite},
        {base + 0x8000'0000, AccessType::kRead},  // unmapped 1 GiB region
        {~0ull << 50, AccessType::kRead},         // non-canonical (or unmapped) IOVA
    };
    INFO("levels " << levels);
    check_cache_transparent(build, queries);
  }
}

TEST_CASE("walk cache: second-stage and nested walks give the same results with the cache") {
  // G-stage only (Sv39x4: 11-bit root index, 4 KiB and 2 MiB leaves).
  check_cache_transparent(
      [](FakeMemory& m) {
        PageAllocator pages(0x8000'0000);
        PageTableBuilder g(m, pages, 3, true);
        g.map(0x1'2345'6000, 0x5000'0000, 0, kRw);
        g.map(0x1'2345'7000, 0x5000'1000, 0, kRo);
        g.map(0x1'2360'0000, 0x5060'0000, 1, kRw);
        g.map(0x1FF'0000'0000 & ((1ull << 41) - 1), 0x6000'0000, 0, kRw & ~pte::kU);
        TranslationContext c = second_stage_ctx(iohgatp_mode::kSv39x4, g.root_ppn());
        return c;
      },
      {{0x1'2345'6010, AccessType::kWrite},
       {0x1'2345'7010, AccessType::kWrite},
       {0x1'2345'7010, AccessType::kRead},
       {0x1'2345'8000, AccessType::kRead},
       {0x1'2361'0000, AccessType::kWrite},
       {0x1FF'0000'0000 & ((1ull << 41) - 1), AccessType::kRead},
       {1ull << 41, AccessType::kRead}});

  // Nested guest, with a second data page, a G-stage fault on a final GPA
  // and a G-stage read-only page under a first-stage A/D update.
  check_cache_transparent(
      [](FakeMemory& m) {
        NestedGuest g(m);
        NestedGuest* guest = &g;
        guest->s1.map(NestedGuest::kIova + 0x1000, NestedGuest::kDataGpa + 0x1000, 0, kRw);
        guest->g.map(NestedGuest::kDataGpa + 0x1000, NestedGuest::kDataSpa + 0x1000, 0, kRw);
        guest->s1.map(NestedGuest::kIova + 0x2000, NestedGuest::kDataGpa + 0x2000, 0, kRw);
        // GPA kDataGpa + 0x2000 is not mapped by the second stage.
        guest->s1.map(NestedGuest::kIova + 0x3000, NestedGuest::kDataGpa + 0x3000, 0,
                      kRw & ~(pte::kA | pte::kD));
        guest->g.map(NestedGuest::kDataGpa + 0x3000, NestedGuest::kDataSpa + 0x3000, 0, kRw);
        TranslationContext c = guest->ctx();
        c.sade = true;
        return c;
      },
      {{NestedGuest::kIova + 0x10, AccessType::kWrite},
       {NestedGuest::kIova + 0x1010, AccessType::kRead},
       {NestedGuest::kIova + 0x2010, AccessType::kRead},
       {NestedGuest::kIova + 0x3010, AccessType::kWrite},
       {NestedGuest::kIova + 0x4010, AccessType::kRead}});
}
