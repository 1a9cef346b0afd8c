// Time helpers for hot paths.
//
// Building an sc_time from a double and a unit on every transaction is one
// of the largest host costs of a loosely-timed model (BENCHMARKS.md). Models
// convert their parameters once, at construction, into these helpers.
#pragma once

#include <cmath>
#include <cstdint>
#include <systemc>

namespace vp::common {

// Converts a duration in nanoseconds (parameter units) to sc_time, rounded to
// the kernel's time resolution. Use at construction, not per transaction.
inline sc_core::sc_time ns_to_time(double ns) {
  if (!(ns > 0)) return sc_core::SC_ZERO_TIME;
  return sc_core::sc_time(ns, sc_core::SC_NS);
}

// Time to move N bytes at a fixed rate, computed with integers: the rate is
// stored as time-resolution units per byte in 32.32 fixed point.
class ByteRate {
 public:
  ByteRate() = default;
  // gbytes_per_s: decimal GB/s (1e9 bytes per second). 0 means infinite.
  explicit ByteRate(double gbytes_per_s) {
    if (gbytes_per_s <= 0) return;
    const double units_per_ns = double(sc_core::sc_time(1, sc_core::SC_NS).value());
    const double units_per_byte = units_per_ns / gbytes_per_s;
    fixed_ = static_cast<uint64_t>(std::llround(units_per_byte * 4294967296.0));
  }
  sc_core::sc_time time_for(uint64_t bytes) const {
    if (fixed_ == 0) return sc_core::SC_ZERO_TIME;
    const unsigned __int128 v = (unsigned __int128)bytes * fixed_ + 0x80000000u;
    return sc_core::sc_time::from_value(static_cast<sc_dt::uint64>(v >> 32));
  }
  bool infinite() const { return fixed_ == 0; }

 private:
  uint64_t fixed_ = 0;
};

}  // namespace vp::common
