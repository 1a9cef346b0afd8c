// LruCache: a fully associative cache with least-recently-used
// replacement, keyed by any hashable key, with hit/miss/insertion/eviction/
// invalidation statistics. The IOMMU's directory caches (context_cache.h)
// and its page-walk cache (page_walk_cache.h) are built on it; what they
// cache, how they tag it and what an invalidation command drops stay theirs.
//
// Capacity 0 means no cache: every lookup misses and inserts are dropped.
// Lookups and inserts are O(1) (hash map + recency list).
#pragma once

#include <cstdint>
#include <functional>
#include <list>
#include <string>
#include <unordered_map>
#include <utility>

#include "models/common/statistics.h"

namespace vp::iommu {

// Counters shared by every instantiation (non-template, see the .cc).
class LruCacheStats {
 public:
  uint64_t hits() const { return hits_; }
  uint64_t misses() const { return misses_; }
  uint64_t insertions() const { return insertions_; }
  uint64_t evictions() const { return evictions_; }
  uint64_t invalidations() const { return invalidations_; }  // calls
  uint64_t invalidated_entries() const { return invalidated_entries_; }
  // Group `name` with hits, misses, hit_rate, evictions, invalidations...
  void report_stats(vp::common::StatsVisitor& v, const std::string& name, uint64_t capacity,
                    uint64_t occupancy) const;

 protected:
  uint64_t hits_ = 0;
  uint64_t misses_ = 0;
  uint64_t insertions_ = 0;
  uint64_t evictions_ = 0;
  uint64_t invalidations_ = 0;
  uint64_t invalidated_entries_ = 0;
};

template <typename Key, typename Value, typename Hash = std::hash<Key>>
class LruCache : public LruCacheStats {
 public:
  LruCache(std::string name, uint32_t entries) : name_(std::move(name)), capacity_(entries) {
    map_.reserve(entries);
  }

  // Cached value or nullptr; a hit makes the entry most recently used. The
  // pointer stays valid until the entry is evicted or invalidated.
  const Value* lookup(const Key& key) {
    const Value* v = touch(key);
    ++(v ? hits_ : misses_);
    return v;
  }
  // lookup() without the hit/miss count, for a cache that probes several
  // keys per lookup and counts its lookups itself.
  const Value* touch(const Key& key) {
    auto it = map_.find(key);
    if (it == map_.end()) return nullptr;
    lru_.splice(lru_.begin(), lru_, it->second);
    return &it->second->second;
  }
  // No statistics, no recency update.
  const Value* probe(const Key& key) const {
    auto it = map_.find(key);
    return it == map_.end() ? nullptr : &it->second->second;
  }

  // Inserts or replaces; evicts the least recently used entry when full.
  void insert(const Key& key, Value value) {
    if (capacity_ == 0) return;
    ++insertions_;
    auto it = map_.find(key);
    if (it != map_.end()) {
      it->second->second = std::move(value);
      lru_.splice(lru_.begin(), lru_, it->second);
      return;
    }
    if (map_.size() >= capacity_) {
      map_.erase(lru_.back().first);
      lru_.pop_back();
      ++evictions_;
    }
    lru_.emplace_front(key, std::move(value));
    map_.emplace(key, lru_.begin());
  }

  // Returns true if an entry was dropped.
  bool invalidate(const Key& key) {
    ++invalidations_;
    auto it = map_.find(key);
    if (it == map_.end()) return false;
    lru_.erase(it->second);
    map_.erase(it);
    ++invalidated_entries_;
    return true;
  }
  // Drops every entry whose key satisfies `pred(const Key&)`.
  template <typename Pred>
  uint64_t invalidate_if(Pred pred) {
    ++invalidations_;
    uint64_t n = 0;
    for (auto it = lru_.begin(); it != lru_.end();) {
      if (pred(it->first)) {
        map_.erase(it->first);
        it = lru_.erase(it);
        ++n;
      } else {
        ++it;
      }
    }
    invalidated_entries_ += n;
    return n;
  }
  uint64_t invalidate_all() {
    ++invalidations_;
    const uint64_t n = map_.size();
    map_.clear();
    lru_.clear();
    invalidated_entries_ += n;
    return n;
  }

  uint64_t capacity() const { return capacity_; }
  uint64_t occupancy() const { return map_.size(); }
  const std::string& name() const { return name_; }
  // Keys from most to least recently used (tests, debug dumps).
  template <typename Fn>
  void for_each_mru(Fn fn) const {
    for (const auto& kv : lru_) fn(kv.first, kv.second);
  }

  void report_stats(vp::common::StatsVisitor& v) const {
    LruCacheStats::report_stats(v, name_, capacity_, map_.size());
  }

 private:
  using List = std::list<std::pair<Key, Value>>;
  std::string name_;
  uint64_t capacity_;
  List lru_;  // front = most recently used
  std::unordered_map<Key, typename List::iterator, Hash> map_;
};

}  // namespace vp::iommu
