#include "models/devices/traffic_generator.h"

#include <algorithm>

#include "models/common/parameters.h"
#include "models/common/sim_time.h"

namespace vp::devices {

using namespace tgen_regs;
using sc_core::sc_time;
using vp::common::FieldAccess;

void TrafficGeneratorParams::declare(vp::common::ParameterSet& p, const std::string& prefix) {
  endpoint.declare(p, prefix);
  p.add(prefix + "register_latency_ns", register_latency_ns, "ns", "BAR0 register access latency");
}

TrafficGenerator::TrafficGenerator(sc_core::sc_module_name name,
                                   const TrafficGeneratorParams& params)
    : PcieEndpoint(name, params.endpoint),
      params_(params),
      reg_latency_(vp::common::ns_to_time(params.register_latency_ns)),
      bank_(std::string(this->name()) + ".regs"),
      buffer_(kMaxSize) {
  config().add_bar(kRegisterBar, kRegsSize, /*is_64bit=*/false, /*prefetchable=*/false);
  for (size_t i = 0; i < buffer_.size(); ++i) buffer_[i] = static_cast<uint8_t>(i * 13 + 1);

  bank_.add("id", kId, 4, kIdValue).field("id", 0, 32, FieldAccess::kRO);
  bank_.add("ctrl", kCtrl, 4)
      .field("en", 0, 1, FieldAccess::kRW)
      .field("read", 1, 1, FieldAccess::kRW)
      .field("random", 2, 1, FieldAccess::kRW)
      .on_write([this](uint64_t old_value, uint64_t value) {
        if ((value & kCtrlEn) && !(old_value & kCtrlEn)) {
          // Software sees the stream running from the write on.
          auto& status = bank_["status"];
          status.set(status.get() | kStatusRunning);
          start_.notify(reg_delay_);
        }
      });
  bank_.add("status", kStatus, 4)
      .field("running", 0, 1, FieldAccess::kRO)
      .field("error", 1, 1, FieldAccess::kW1C);
  bank_.add("base", kBase, 8).field("address", 0, 64, FieldAccess::kRW);
  bank_.add("range", kRange, 8, 1ull << 20).field("bytes", 0, 64, FieldAccess::kRW);
  bank_.add("size", kSize, 4, 64)
      .field("bytes", 0, 32, FieldAccess::kWARL, [](uint64_t old_value, uint64_t v) {
        return v >= 1 && v <= kMaxSize ? v : old_value;
      });
  const uint64_t max_outstanding = std::min<uint64_t>(kMaxOutstanding, params.endpoint.tags);
  bank_.add("outstanding", kOutstanding, 4, std::min<uint64_t>(8, max_outstanding))
      .field("count", 0, 32, FieldAccess::kWARL, [max_outstanding](uint64_t old_value, uint64_t v) {
        return v >= 1 && v <= max_outstanding ? v : old_value;
      });
  bank_.add("interval_ns", kIntervalNs, 4).field("ns", 0, 32, FieldAccess::kRW);
  bank_.add("count", kCount, 4).field("count", 0, 32, FieldAccess::kRW);
  bank_.add("seed", kSeed, 4, 1).field("seed", 0, 32, FieldAccess::kRW);
  bank_.add("transfers", kTransfers, 8)
      .field("count", 0, 64, FieldAccess::kRO)
      .on_read([this](uint64_t) { return transfers_; });
  bank_.add("bytes", kBytes, 8).field("count", 0, 64, FieldAccess::kRO).on_read([this](uint64_t) {
    return bytes_;
  });
  bank_.add("errors", kErrors, 4).field("count", 0, 32, FieldAccess::kRO).on_read([this](uint64_t) {
    return errors_;
  });
  bank_.add("latency_min_ns", kLatencyMinNs, 8)
      .field("ns", 0, 64, FieldAccess::kRO)
      .on_read([this](uint64_t) { return latency_.min(); });
  bank_.add("latency_max_ns", kLatencyMaxNs, 8)
      .field("ns", 0, 64, FieldAccess::kRO)
      .on_read([this](uint64_t) { return latency_.max(); });
  bank_.add("latency_sum_ns", kLatencySumNs, 8)
      .field("ns", 0, 64, FieldAccess::kRO)
      .on_read([this](uint64_t) { return latency_.sum(); });
  for (unsigned i = 0; i < kHistogramBuckets; ++i)
    bank_.add("histogram" + std::to_string(i), kHistogram + 8 * i, 8)
        .field("count", 0, 64, FieldAccess::kRO)
        .on_read([this, i](uint64_t) {
          // The last register also counts every larger bucket.
          uint64_t n = 0;
          for (unsigned b = i; b < vp::common::Histogram::kBuckets; ++b) {
            n += latency_.buckets()[b];
            if (i + 1 < kHistogramBuckets) break;
          }
          return n;
        });
  ctrl_ = &bank_["ctrl"];
  size_ = &bank_["size"];
  range_ = &bank_["range"];
  base_ = &bank_["base"];
  SC_THREAD(stream_thread);
}

void TrafficGenerator::bar_transport(unsigned, tlm::tlm_generic_payload& gp, sc_time& delay) {
  delay += reg_latency_;
  reg_delay_ = delay;
  bank_.access(gp);
}

uint64_t TrafficGenerator::next_address(uint64_t k) {
  const uint64_t size = size_->get();
  const uint64_t slots = std::max<uint64_t>(1, range_->get() / size);
  uint64_t slot;
  if (ctrl_->get() & kCtrlRandom) {
    // xorshift64: cheap, deterministic from SEED.
    rng_ ^= rng_ << 13;
    rng_ ^= rng_ >> 7;
    rng_ ^= rng_ << 17;
    slot = rng_ % slots;
  } else {
    slot = k % slots;
  }
  return base_->get() + slot * size;
}

void TrafficGenerator::record(uint64_t bytes, const sc_time& latency) {
  ++transfers_;
  bytes_ += bytes;
  latency_.add(static_cast<uint64_t>(latency.to_seconds() * 1e9 + 0.5));
}

void TrafficGenerator::stream_thread() {
  auto& ctrl = *ctrl_;
  auto& status = bank_["status"];
  for (;;) {
    wait(start_);
    if (running_) continue;
    if (!(ctrl.get() & kCtrlEn)) {  // stopped before it started
      status.set(status.get() & ~uint64_t(kStatusRunning));
      continue;
    }
    running_ = true;
    ++streams_;
    status.set(status.get() | kStatusRunning);
    const uint64_t size = bank_["size"].get();
    const uint64_t count = bank_["count"].get();
    const sc_time interval =
        sc_time::from_value(bank_["interval_ns"].get() * sc_time(1, sc_core::SC_NS).value());
    rng_ = bank_["seed"].get() | 1;
    vp::common::TagPipeline slots(static_cast<unsigned>(bank_["outstanding"].get()));
    sc_time ready = sc_core::sc_time_stamp();
    for (uint64_t k = 0; (ctrl.get() & kCtrlEn) && (count == 0 || k < count); ++k) {
      const sc_time issue = slots.issue_time(ready);
      sc_time done = issue;
      const uint64_t addr = next_address(k);
      const auto st = (ctrl.get() & kCtrlRead) ? dma_read(addr, buffer_.data(), size, done)
                                               : dma_write(addr, buffer_.data(), size, done);
      slots.record(issue, interval, done);
      ready = issue + interval;
      if (st != tlm::TLM_OK_RESPONSE) {
        ++errors_;
        status.set(status.get() | kStatusError);
        break;
      }
      record(size, done - issue);
      sync_if_ahead(issue);
    }
    // Completion of the last transfers before the stream reports idle.
    const sc_time drained = slots.drain_time();
    if (drained > sc_core::sc_time_stamp()) wait(drained - sc_core::sc_time_stamp());
    ctrl.set(ctrl.get() & ~uint64_t(kCtrlEn));
    status.set(status.get() & ~uint64_t(kStatusRunning));
    running_ = false;
  }
}

void TrafficGenerator::report_device_stats(vp::common::StatsVisitor& v) const {
  v.value("streams", double(streams_));
  v.value("transfers", double(transfers_));
  v.value("bytes", double(bytes_), "bytes");
  v.value("errors", double(errors_));
  v.histogram("latency", latency_, "ns");
}

}  // namespace vp::devices
