// Busy-until timing resources: the contention model of DESIGN.md "Timing".
//
// A shared resource (a link direction, a DRAM channel, the IOMMU walker, a
// queue) keeps the absolute time at which it is next free. A request that
// arrives at time `arrival` starts at max(arrival, busy_until), occupies the
// resource for its service time and leaves. This gives contention and
// back-pressure without per-cycle events. Times are absolute simulated times
// (sc_time_stamp() + the initiator's local annotated delay).
//
// With temporal decoupling, initiators reserve out of time order by up to one
// quantum; that error is bounded by the quantum.
#pragma once

#include <algorithm>
#include <cstdint>
#include <systemc>
#include <vector>

namespace vp::common {

class TimingResource {
 public:
  // Reserves the resource; returns the time at which the service ends.
  sc_core::sc_time reserve(const sc_core::sc_time& arrival, const sc_core::sc_time& service) {
    // A zero-length occupancy blocks nobody and waits for nobody.
    if (service == sc_core::SC_ZERO_TIME) {
      ++uses_;
      return arrival;
    }
    const sc_core::sc_time start = arrival > busy_until_ ? arrival : busy_until_;
    wait_time_ += start - arrival;
    busy_until_ = start + service;
    busy_time_ += service;
    ++uses_;
    return busy_until_;
  }
  const sc_core::sc_time& busy_until() const { return busy_until_; }
  const sc_core::sc_time& busy_time() const { return busy_time_; }
  const sc_core::sc_time& wait_time() const { return wait_time_; }
  uint64_t uses() const { return uses_; }
  void reset() { *this = TimingResource(); }

 private:
  sc_core::sc_time busy_until_ = sc_core::SC_ZERO_TIME;
  sc_core::sc_time busy_time_ = sc_core::SC_ZERO_TIME;
  sc_core::sc_time wait_time_ = sc_core::SC_ZERO_TIME;
  uint64_t uses_ = 0;
};

// N identical servers (e.g. an IOMMU walker with N concurrent walks): a
// request takes the server that frees first.
class TimingResourcePool {
 public:
  explicit TimingResourcePool(unsigned servers = 1) : servers_(std::max(1u, servers)) {}
  void resize(unsigned servers) { servers_.assign(std::max(1u, servers), TimingResource()); }
  sc_core::sc_time reserve(const sc_core::sc_time& arrival, const sc_core::sc_time& service) {
    auto it = std::min_element(servers_.begin(), servers_.end(),
                               [](const TimingResource& a, const TimingResource& b) {
                                 return a.busy_until() < b.busy_until();
                               });
    return it->reserve(arrival, service);
  }
  unsigned size() const { return static_cast<unsigned>(servers_.size()); }
  const TimingResource& server(unsigned i) const { return servers_.at(i); }
  uint64_t uses() const {
    uint64_t n = 0;
    for (const auto& s : servers_) n += s.uses();
    return n;
  }
  sc_core::sc_time wait_time() const {
    sc_core::sc_time t = sc_core::SC_ZERO_TIME;
    for (const auto& s : servers_) t += s.wait_time();
    return t;
  }

 private:
  std::vector<TimingResource> servers_;
};

// Issue pipelining of a bus master with a limited number of outstanding
// non-posted requests (tags), as DESIGN.md describes: request k issues at
// max(issue[k-1] + serialization, completion[k-N]).
class TagPipeline {
 public:
  explicit TagPipeline(unsigned tags = 1) { resize(tags); }
  void resize(unsigned tags) {
    completions_.assign(std::max(1u, tags), sc_core::SC_ZERO_TIME);
    next_ = 0;
    last_issue_ = sc_core::SC_ZERO_TIME;
  }
  // Earliest issue time for the next request that is ready at `ready`.
  sc_core::sc_time issue_time(const sc_core::sc_time& ready) const {
    sc_core::sc_time t = ready > last_issue_ ? ready : last_issue_;
    const sc_core::sc_time& tag_free = completions_[next_];
    return t > tag_free ? t : tag_free;
  }
  // Records that a request issued at `issue` completes at `completion`;
  // `serialization` is the time until the next request may issue.
  void record(const sc_core::sc_time& issue, const sc_core::sc_time& serialization,
              const sc_core::sc_time& completion) {
    last_issue_ = issue + serialization;
    completions_[next_] = completion;
    next_ = (next_ + 1) % completions_.size();
  }
  // Time by which every recorded request has completed.
  sc_core::sc_time drain_time() const {
    sc_core::sc_time t = last_issue_;
    for (const auto& c : completions_) t = c > t ? c : t;
    return t;
  }
  unsigned tags() const { return static_cast<unsigned>(completions_.size()); }

 private:
  std::vector<sc_core::sc_time> completions_;
  size_t next_ = 0;
  sc_core::sc_time last_issue_ = sc_core::SC_ZERO_TIME;
};

}  // namespace vp::common
