#include "models/iommu/iotlb.h"

#include <stdexcept>

namespace vp::iommu {

ReplacementPolicy parse_replacement_policy(const std::string& name) {
  if (name == "lru") return ReplacementPolicy::kLru;
  if (name == "fifo") return ReplacementPolicy::kFifo;
  if (name == "random") return ReplacementPolicy::kRandom;
  throw std::invalid_argument("unknown replacement policy '" + name +
                              "' (expected lru, fifo or random)");
}

IotlbParams IotlbParams::from(const IommuParams& p) {
  IotlbParams out;
  out.sets = p.iotlb_sets;
  out.ways = p.iotlb_ways;
  out.replacement = parse_replacement_policy(p.iotlb_replacement);
  out.seed = p.iotlb_seed;
  return out;
}

Iotlb::Iotlb(const IotlbParams& params)
    : sets_(params.ways ? params.sets : 0),
      ways_(params.sets ? params.ways : 0),
      policy_(params.replacement),
      rng_(params.seed),
      ways_storage_(size_t(sets_) * ways_) {}

bool Iotlb::matches(const Way& w, const IotlbKey& key, uint64_t vpn) {
  const IotlbEntry& e = w.entry;
  if (!w.valid || w.vpn != vpn) return false;
  if (e.key.gscid_valid != key.gscid_valid) return false;
  if (key.gscid_valid && e.key.gscid != key.gscid) return false;
  if (e.key.pscid_valid != key.pscid_valid) return false;
  // A global first-stage mapping is shared by every PSCID (of its GSCID).
  if (key.pscid_valid && !e.global && e.key.pscid != key.pscid) return false;
  return true;
}

Iotlb::Way* Iotlb::find(const IotlbKey& key, uint64_t iova) {
  uint64_t sizes = size_mask_;
  while (sizes) {
    const unsigned s = unsigned(__builtin_ctzll(sizes));
    sizes &= sizes - 1;
    const uint64_t vpn = iova >> s;
    Way* set = &ways_storage_[size_t(vpn % sets_) * ways_];
    for (uint32_t i = 0; i < ways_; ++i)
      if (set[i].entry.page_log2 == s && matches(set[i], key, vpn)) return &set[i];
  }
  return nullptr;
}

const IotlbEntry* Iotlb::lookup(const IotlbKey& key, uint64_t iova) {
  // The way of the previous hit is tried first (host speed only: DMA comes
  // in runs within a page). It is judged by its current content, so an
  // invalidated or refilled way is simply not a match.
  Way* w = last_hit_;
  if (w == nullptr || !matches(*w, key, iova >> w->entry.page_log2)) w = find(key, iova);
  last_hit_ = w;
  if (!w) {
    ++misses_;
    return nullptr;
  }
  ++hits_;
  if (policy_ == ReplacementPolicy::kLru) w->stamp = ++tick_;
  return &w->entry;
}

const IotlbEntry* Iotlb::probe(const IotlbKey& key, uint64_t iova) const {
  Way* w = const_cast<Iotlb*>(this)->find(key, iova);
  return w ? &w->entry : nullptr;
}

void Iotlb::drop(Way& w) {
  if (!w.valid) return;
  w.valid = false;
  const unsigned s = w.entry.page_log2;
  if (--size_count_[s] == 0) size_mask_ &= ~(1ull << s);
}

void Iotlb::insert(const IotlbEntry& in) {
  if (in.page_log2 < 12 || in.page_log2 > 63)
    throw std::invalid_argument("IOTLB: page size 2^" + std::to_string(in.page_log2) +
                                " outside [2^12, 2^63]");
  if ((in.fs_leaf_log2 && in.fs_leaf_log2 < in.page_log2) ||
      (in.gs_leaf_log2 && in.gs_leaf_log2 < in.page_log2) || in.fs_leaf_log2 > 63 ||
      in.gs_leaf_log2 > 63)
    throw std::invalid_argument("IOTLB: leaf page sizes must be at least the entry size");
  if (capacity() == 0) return;
  ++insertions_;

  IotlbEntry e = in;
  const uint64_t page_mask = ~((1ull << e.page_log2) - 1);
  e.iova &= page_mask;
  e.spa &= page_mask;
  if (!e.fs_leaf_log2) e.fs_leaf_log2 = e.page_log2;
  if (!e.gs_leaf_log2) e.gs_leaf_log2 = e.page_log2;
  if (!e.key.pscid_valid) e.gpa = e.iova;  // no first stage: IOVA is the GPA
  e.gpa &= page_mask;
  if (!e.key.gscid_valid) e.key.gscid = 0;
  if (!e.key.pscid_valid) {
    e.key.pscid = 0;
    e.global = false;  // G is a first-stage PTE bit
  }

  const uint64_t vpn = e.iova >> e.page_log2;
  Way* set = &ways_storage_[size_t(vpn % sets_) * ways_];
  Way* slot = nullptr;
  // Same tag: refresh in place.
  for (uint32_t i = 0; i < ways_ && !slot; ++i) {
    Way& w = set[i];
    if (w.valid && w.vpn == vpn && w.entry.page_log2 == e.page_log2 &&
        w.entry.key.gscid_valid == e.key.gscid_valid && w.entry.key.gscid == e.key.gscid &&
        w.entry.key.pscid_valid == e.key.pscid_valid && w.entry.key.pscid == e.key.pscid)
      slot = &w;
  }
  for (uint32_t i = 0; i < ways_ && !slot; ++i)
    if (!set[i].valid) slot = &set[i];
  if (!slot) {
    if (policy_ == ReplacementPolicy::kRandom) {
      slot = &set[rng_() % ways_];
    } else {
      // LRU: oldest use; FIFO: oldest insertion. Ties go to the lowest way.
      slot = &set[0];
      for (uint32_t i = 1; i < ways_; ++i)
        if (set[i].stamp < slot->stamp) slot = &set[i];
    }
    ++evictions_;
  }
  drop(*slot);
  slot->entry = e;
  slot->vpn = vpn;
  slot->stamp = ++tick_;
  slot->valid = true;
  ++size_count_[e.page_log2];
  size_mask_ |= 1ull << e.page_log2;
}

template <typename Pred>
uint64_t Iotlb::invalidate_if(Pred pred) {
  ++invalidations_;
  uint64_t n = 0;
  for (Way& w : ways_storage_) {
    if (w.valid && pred(w.entry)) {
      drop(w);
      ++n;
    }
  }
  invalidated_entries_ += n;
  return n;
}

uint64_t Iotlb::invalidate_vma(std::optional<uint32_t> gscid, std::optional<uint32_t> pscid,
                               std::optional<uint64_t> addr) {
  return invalidate_if([&](const IotlbEntry& e) {
    // GV=0: host address spaces (second stage Bare); GV=1: that VM.
    if (gscid ? !(e.key.gscid_valid && e.key.gscid == *gscid) : e.key.gscid_valid) return false;
    // PSCV=1: that process address space, global mappings excepted.
    if (pscid && !(e.key.pscid_valid && e.key.pscid == *pscid && !e.global)) return false;
    // AV=1: the first-stage leaf that maps ADDR.
    if (addr && (*addr >> e.fs_leaf_log2) != (e.iova >> e.fs_leaf_log2)) return false;
    return true;
  });
}

uint64_t Iotlb::invalidate_gvma(std::optional<uint32_t> gscid, std::optional<uint64_t> gpa) {
  return invalidate_if([&](const IotlbEntry& e) {
    if (!e.key.gscid_valid) return false;
    if (!gscid) return true;  // GV=0: all VM address spaces, AV ignored
    if (e.key.gscid != *gscid) return false;
    // AV=1: the second-stage leaf that maps the GPA.
    if (gpa && (*gpa >> e.gs_leaf_log2) != (e.gpa >> e.gs_leaf_log2)) return false;
    return true;
  });
}

uint64_t Iotlb::invalidate_all() {
  return invalidate_if([](const IotlbEntry&) { return true; });
}

uint64_t Iotlb::occupancy() const {
  uint64_t n = 0;
  for (unsigned s = 0; s < 64; ++s) n += size_count_[s];
  return n;
}

void Iotlb::report_stats(vp::common::StatsVisitor& v) const {
  v.begin_group("iotlb");
  v.value("hits", double(hits_));
  v.value("misses", double(misses_));
  const uint64_t lookups = hits_ + misses_;
  v.value("hit_rate", lookups ? 100.0 * double(hits_) / double(lookups) : 0.0, "%");
  v.value("insertions", double(insertions_));
  v.value("evictions", double(evictions_));
  v.value("invalidations", double(invalidations_));
  v.value("invalidated_entries", double(invalidated_entries_));
  v.value("capacity", double(capacity()), "entries");
  v.value("occupancy", double(occupancy()), "entries");
  v.end_group();
}

}  // namespace vp::iommu
