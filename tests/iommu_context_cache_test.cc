// Directory caches: LRU order, invalidation by key / predicate / all, size 0.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "models/iommu/context_cache.h"

using vp::iommu::DeviceContextCache;
using vp::iommu::ProcessContextCache;
using vp::iommu::ProcessContextKey;

namespace {

struct FakeContext {
  uint64_t tc = 0;
};

template <typename Cache>
std::vector<uint32_t> mru_devices(const Cache& c) {
  std::vector<uint32_t> out;
  c.for_each_mru([&](const uint32_t& k, const FakeContext&) { out.push_back(k); });
  return out;
}

}  // namespace

TEST_CASE("device-context cache evicts the least recently used entry") {
  DeviceContextCache<FakeContext> c("ddt_cache", 3);
  c.insert(1, {10});
  c.insert(2, {20});
  c.insert(3, {30});
  REQUIRE(c.lookup(1) != nullptr);  // recency: 1, 3, 2
  CHECK(c.lookup(1)->tc == 10);
  CHECK(mru_devices(c) == std::vector<uint32_t>{1, 3, 2});
  c.insert(4, {40});  // evicts 2
  CHECK(c.probe(2) == nullptr);
  CHECK(c.lookup(2) == nullptr);
  c.insert(3, {33});  // replace in place, becomes most recent
  CHECK(mru_devices(c) == std::vector<uint32_t>{3, 4, 1});
  c.insert(5, {50});  // evicts 1
  CHECK(mru_devices(c) == std::vector<uint32_t>{5, 3, 4});
  CHECK(c.lookup(3)->tc == 33);
  CHECK(c.hits() == 3);
  CHECK(c.misses() == 1);
  CHECK(c.evictions() == 2);
  CHECK(c.occupancy() == 3);
  // IODIR.INVAL_DDT with DV=1, then DV=0.
  CHECK(c.invalidate(4));
  CHECK_FALSE(c.invalidate(4));
  CHECK(c.occupancy() == 2);
  CHECK(c.invalidate_all() == 2);
  CHECK(c.lookup(5) == nullptr);
  CHECK(c.invalidated_entries() == 3);
}

TEST_CASE("process-context cache invalidates one PASID or all of a device") {
  ProcessContextCache<FakeContext> c("pdt_cache", 8);
  for (uint32_t dev : {1u, 2u})
    for (uint32_t pid : {0u, 7u, 0xfffffu}) c.insert({dev, pid}, {uint64_t(dev) * 100 + pid});
  CHECK(c.occupancy() == 6);
  REQUIRE(c.lookup({2, 7}) != nullptr);
  CHECK(c.lookup({2, 7})->tc == 207);
  CHECK(c.lookup({3, 7}) == nullptr);
  // IODIR.INVAL_PDT: one (device, process).
  CHECK(c.invalidate({1, 7}));
  CHECK(c.probe({1, 7}) == nullptr);
  CHECK(c.probe({1, 0}) != nullptr);
  // IODIR.INVAL_DDT with DV=1 drops all process contexts of the device.
  CHECK(c.invalidate_if([](const ProcessContextKey& k) { return k.device_id == 2; }) == 3);
  CHECK(c.occupancy() == 2);
  CHECK(c.probe({1, 0xfffff}) != nullptr);
}

TEST_CASE("context cache of size zero always misses") {
  DeviceContextCache<FakeContext> c("ddt_cache", 0);
  c.insert(1, {1});
  CHECK(c.lookup(1) == nullptr);
  CHECK(c.occupancy() == 0);
  CHECK(c.misses() == 1);
  CHECK(c.insertions() == 0);
}
