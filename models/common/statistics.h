// Statistics: plain counters on the hot path, reported through a visitor.
//
// Every model keeps uint64_t counters (and, where latency matters, a
// Histogram) and offers `void report_stats(StatsVisitor&) const`. The
// platform walks all models with one visitor that writes JSON and a table;
// a user's own platform can implement the visitor to feed its own tooling.
#pragma once

#include <array>
#include <cstdint>
#include <string>

namespace vp::common {

// Log2-bucketed histogram of non-negative values (e.g. latencies in ns):
// bucket 0 holds value 0, bucket i (i >= 1) holds [2^(i-1), 2^i).
class Histogram {
 public:
  static constexpr unsigned kBuckets = 48;

  void add(uint64_t v) {
    ++count_;
    sum_ += v;
    if (v < min_) min_ = v;
    if (v > max_) max_ = v;
    ++buckets_[bucket_of(v)];
  }
  static unsigned bucket_of(uint64_t v) {
    unsigned b = v == 0 ? 0 : 64u - static_cast<unsigned>(__builtin_clzll(v));
    return b < kBuckets ? b : kBuckets - 1;
  }
  // Lower bound of bucket i.
  static uint64_t bucket_low(unsigned i) { return i == 0 ? 0 : (1ull << (i - 1)); }

  uint64_t count() const { return count_; }
  uint64_t sum() const { return sum_; }
  uint64_t min() const { return count_ ? min_ : 0; }
  uint64_t max() const { return max_; }
  double mean() const { return count_ ? double(sum_) / double(count_) : 0.0; }
  const std::array<uint64_t, kBuckets>& buckets() const { return buckets_; }
  void clear() { *this = Histogram(); }

 private:
  uint64_t count_ = 0;
  uint64_t sum_ = 0;
  uint64_t min_ = UINT64_MAX;
  uint64_t max_ = 0;
  std::array<uint64_t, kBuckets> buckets_{};
};

// Receives a component's statistics. Groups nest (e.g. "iommu" / "iotlb").
class StatsVisitor {
 public:
  virtual ~StatsVisitor() = default;
  virtual void begin_group(const std::string& name) = 0;
  virtual void end_group() = 0;
  // `unit` is free text: "", "bytes", "ns", "%", ...
  virtual void value(const std::string& name, double v, const std::string& unit = "") = 0;
  virtual void histogram(const std::string& name, const Histogram& h, const std::string& unit) = 0;
};

}  // namespace vp::common
