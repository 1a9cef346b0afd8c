// Guest physical page allocator: hands out naturally aligned runs of 4 KiB
// pages from the RAM the platform gives the guest (first fit over a free
// list of ranges, coalesced on free). Like the kernel's page allocator it
// knows nothing about the memory's contents.
#pragma once

#include <cstdint>
#include <map>
#include <stdexcept>

namespace guest::hal {

class OutOfMemory : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class PageAllocator {
 public:
  static constexpr uint64_t kPageSize = 4096;

  PageAllocator() = default;
  PageAllocator(uint64_t base, uint64_t size) { add_range(base, size); }
  // Adds [base, base + size) (page-aligned inward) to the free pool.
  void add_range(uint64_t base, uint64_t size);

  // Allocates `count` contiguous pages aligned to `align` bytes (a power of
  // two >= 4096). Throws OutOfMemory.
  uint64_t alloc_pages(uint64_t count, uint64_t align = kPageSize);
  uint64_t alloc_page() { return alloc_pages(1); }
  // Returns a run previously allocated. Throws std::invalid_argument on a
  // double free or a range that was never handed out.
  void free_pages(uint64_t pa, uint64_t count);

  uint64_t free_bytes() const { return free_bytes_; }
  uint64_t allocated_bytes() const { return allocated_bytes_; }

 private:
  void insert_free(uint64_t base, uint64_t size);
  std::map<uint64_t, uint64_t> free_;       // base -> size
  std::map<uint64_t, uint64_t> allocated_;  // base -> size
  uint64_t free_bytes_ = 0, allocated_bytes_ = 0;
};

}  // namespace guest::hal
