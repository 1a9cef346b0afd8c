#include "models/pcie/address_translation_cache.h"

namespace vp::pcie {

namespace {
constexpr uint64_t kPageMask = 0xfff;
constexpr uint64_t kSBit = 1ull << 11;
}  // namespace

void decode_s_range(uint64_t address_and_s, uint64_t* base, unsigned* log2) {
  uint64_t a = address_and_s & ~kPageMask;
  unsigned size = 12;
  if (address_and_s & kSBit) {
    // Sec. 10.2.3.2: with S set, the lowest zero bit of the address at or
    // above bit 12 gives the size: ones below it, 2^(12 + ones + 1) bytes.
    const uint64_t ppn = a >> 12;
    const unsigned ones = unsigned(__builtin_ctzll(~ppn));
    size = ones >= 51 ? 64 : 12 + ones + 1;
  }
  *log2 = size;
  *base = size >= 64 ? 0 : a & ~((1ull << size) - 1);
}

AtsCompletion AtsCompletion::decode(uint64_t entry) {
  AtsCompletion c;
  c.read = entry & (1u << 0);
  c.write = entry & (1u << 1);
  c.untranslated_only = entry & (1u << 2);
  c.execute = entry & (1u << 3);
  c.privileged = entry & (1u << 4);
  c.global = entry & (1u << 5);
  decode_s_range(entry & (~kPageMask | kSBit), &c.translated, &c.log2);
  return c;
}

AddressTranslationCache::AddressTranslationCache(unsigned entries) : ways_(entries) {}

const AtcEntry* AddressTranslationCache::lookup(bool pv, uint32_t pasid, uint64_t address) {
  for (Way& w : ways_) {
    if (!w.valid || !w.entry.contains(address)) continue;
    if (w.entry.pv != pv || (pv && w.entry.pasid != pasid && !w.entry.global)) continue;
    ++hits_;
    w.stamp = ++tick_;
    return &w.entry;
  }
  ++misses_;
  return nullptr;
}

const AtcEntry* AddressTranslationCache::insert(const AtcEntry& e) {
  if (ways_.empty()) return nullptr;
  Way* victim = &ways_[0];
  for (Way& w : ways_) {
    if (!w.valid) {
      victim = &w;
      break;
    }
    if (w.stamp < victim->stamp) victim = &w;
  }
  if (victim->valid) ++evictions_;
  victim->entry = e;
  victim->valid = true;
  victim->stamp = ++tick_;
  ++insertions_;
  return &victim->entry;
}

unsigned AddressTranslationCache::invalidate(bool pv, uint32_t pasid, uint64_t body) {
  ++invalidation_requests_;
  uint64_t base = 0;
  unsigned log2 = 12;
  decode_s_range(body, &base, &log2);
  const bool all_pasids = !pv || (body & 1);  // no PASID, or Global Invalidate
  const uint64_t last = log2 >= 64 ? ~0ull : base + ((1ull << log2) - 1);
  unsigned dropped = 0;
  for (Way& w : ways_) {
    if (!w.valid) continue;
    const AtcEntry& e = w.entry;
    const uint64_t e_last = e.log2 >= 64 ? ~0ull : e.untranslated + ((1ull << e.log2) - 1);
    if (e.untranslated > last || e_last < base) continue;
    if (!all_pasids && (!e.pv || e.pasid != pasid)) continue;
    w.valid = false;
    ++dropped;
  }
  invalidated_entries_ += dropped;
  return dropped;
}

void AddressTranslationCache::clear() {
  for (Way& w : ways_) w.valid = false;
}

unsigned AddressTranslationCache::occupancy() const {
  unsigned n = 0;
  for (const Way& w : ways_) n += w.valid;
  return n;
}

void AddressTranslationCache::report_stats(vp::common::StatsVisitor& v) const {
  v.begin_group("atc");
  v.value("capacity", double(capacity()));
  v.value("occupancy", double(occupancy()));
  v.value("hits", double(hits_));
  v.value("misses", double(misses_));
  v.value("insertions", double(insertions_));
  v.value("evictions", double(evictions_));
  v.value("invalidation_requests", double(invalidation_requests_));
  v.value("invalidated_entries", double(invalidated_entries_));
  v.end_group();
}

}  // namespace vp::pcie
