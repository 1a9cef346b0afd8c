// AddressTranslationCache: the S-bit range encoding, completion decoding,
// lookups per PASID, LRU replacement and Invalidation Requests (PCIe Base
// 6.0 sec. 10.2.3, 10.3).
#include <catch2/catch.hpp>

#include "models/pcie/address_translation_cache.h"
#include "tests/support/stats_map.h"

using vp::pcie::AddressTranslationCache;
using vp::pcie::AtcEntry;
using vp::pcie::AtsCompletion;
using vp::pcie::decode_s_range;

namespace {

constexpr uint64_t kS = 1ull << 11;

AtcEntry entry(uint64_t untranslated, uint64_t translated, unsigned log2 = 12, bool pv = false,
               uint32_t pasid = 0) {
  AtcEntry e;
  e.pv = pv;
  e.pasid = pasid;
  e.untranslated = untranslated;
  e.translated = translated;
  e.log2 = log2;
  e.read = e.write = true;
  return e;
}

}  // namespace

TEST_CASE("ATS ranges: S=0 is 4 KiB, S=1 counts the ones above bit 12") {
  uint64_t base = 0;
  unsigned log2 = 0;
  decode_s_range(0x12345000, &base, &log2);
  CHECK(log2 == 12);
  CHECK(base == 0x12345000);
  decode_s_range(0x12344000 | kS, &base, &log2);  // bit 12 is 0: 8 KiB
  CHECK(log2 == 13);
  CHECK(base == 0x12344000);
  decode_s_range(0x402ff000 | kS, &base, &log2);  // bits 19:12 ones, bit 20 zero: 2 MiB
  CHECK(log2 == 21);
  CHECK(base == 0x40200000);
}

TEST_CASE("ATS completions decode permissions, U and the translated range") {
  // R, W, U, Exe, Priv, Global, S with a 2 MiB range at 0x80000000.
  const AtsCompletion c = AtsCompletion::decode(0x800ff000 | kS | 0x3f);
  CHECK(c.read);
  CHECK(c.write);
  CHECK(c.untranslated_only);
  CHECK(c.execute);
  CHECK(c.privileged);
  CHECK(c.global);
  CHECK(c.log2 == 21);
  CHECK(c.translated == 0x80000000);
  const AtsCompletion none = AtsCompletion::decode(0);
  CHECK(!none.read);
  CHECK(!none.write);
  CHECK(none.log2 == 12);
}

TEST_CASE("ATC lookups match the range and the PASID, and LRU picks the victim") {
  AddressTranslationCache atc(2);
  atc.insert(entry(0x1000, 0x9000));
  atc.insert(entry(0x200000, 0x40000000, 21, true, 5));
  REQUIRE(atc.lookup(false, 0, 0x1ff8) != nullptr);
  CHECK(atc.lookup(false, 0, 0x1ff8)->translated == 0x9000);
  CHECK(atc.lookup(false, 0, 0x2000) == nullptr);    // next page
  CHECK(atc.lookup(true, 5, 0x3fffff) != nullptr);   // inside 2 MiB
  CHECK(atc.lookup(true, 6, 0x200000) == nullptr);   // other PASID
  CHECK(atc.lookup(false, 0, 0x200000) == nullptr);  // no PASID
  // 0x1000 was used last: the PASID entry is the LRU victim.
  CHECK(atc.lookup(false, 0, 0x1000) != nullptr);
  atc.insert(entry(0x5000, 0x6000));
  CHECK(atc.lookup(true, 5, 0x200000) == nullptr);
  CHECK(atc.lookup(false, 0, 0x1000) != nullptr);
  CHECK(atc.lookup(false, 0, 0x5000) != nullptr);
  vp::test::StatsMap s = vp::test::stats_of(atc);
  CHECK(s["atc.evictions"] == 1);
  CHECK(s["atc.occupancy"] == 2);
  CHECK(s["atc.hits"] == double(atc.hits()));
  CHECK(atc.hits() == 6);
  CHECK(atc.misses() == 4);
}

TEST_CASE("ATC invalidation drops the covered range, per PASID or globally") {
  AddressTranslationCache atc(8);
  atc.insert(entry(0x1000, 0x9000));
  atc.insert(entry(0x2000, 0xa000));
  atc.insert(entry(0x1000, 0xb000, 12, true, 3));
  atc.insert(entry(0x1000, 0xc000, 12, true, 4));
  atc.insert(entry(0x200000, 0x40000000, 21, true, 3));
  // PASID 3, 4 KiB at 0x1000: only that PASID's entry.
  CHECK(atc.invalidate(true, 3, 0x1000) == 1);
  CHECK(atc.lookup(true, 3, 0x1000) == nullptr);
  CHECK(atc.lookup(true, 4, 0x1000) != nullptr);
  CHECK(atc.lookup(false, 0, 0x1000) != nullptr);
  // PASID 4 with Global Invalidate (bit 0): every PASID's entries in range.
  CHECK(atc.invalidate(true, 4, 0x1000 | 1) == 2);
  // A 4 KiB invalidation inside a 2 MiB entry drops the whole entry.
  CHECK(atc.invalidate(true, 3, 0x345000) == 1);
  CHECK(atc.lookup(true, 3, 0x200000) == nullptr);
  // Without PASID: everything in the range; 8 KiB at 0x2000 (S, bit 12 = 0)
  // covers 0x2000..0x3fff.
  atc.insert(entry(0x3000, 0xd000, 12, true, 9));
  CHECK(atc.invalidate(false, 0, 0x2000 | kS) == 2);
  CHECK(atc.occupancy() == 0);
  CHECK(atc.invalidation_requests() == 4);
  CHECK(atc.invalidated_entries() == 6);
}
