#include "sw/hal/page_allocator.h"

#include <sstream>
#include <string>

namespace guest::hal {

void PageAllocator::add_range(uint64_t base, uint64_t size) {
  const uint64_t lo = (base + kPageSize - 1) & ~(kPageSize - 1);
  const uint64_t hi = (base + size) & ~(kPageSize - 1);
  if (hi > lo) insert_free(lo, hi - lo);
}

void PageAllocator::insert_free(uint64_t base, uint64_t size) {
  free_bytes_ += size;
  auto next = free_.lower_bound(base);
  if (next != free_.end() && next->first == base + size) {
    size += next->second;
    next = free_.erase(next);
  }
  if (next != free_.begin()) {
    auto prev = std::prev(next);
    if (prev->first + prev->second == base) {
      prev->second += size;
      return;
    }
  }
  free_.emplace(base, size);
}

uint64_t PageAllocator::alloc_pages(uint64_t count, uint64_t align) {
  if (count == 0) throw std::invalid_argument("alloc_pages: count is 0");
  if (align < kPageSize || (align & (align - 1)))
    throw std::invalid_argument("alloc_pages: alignment must be a power of two >= 4096");
  const uint64_t bytes = count * kPageSize;
  for (auto it = free_.begin(); it != free_.end(); ++it) {
    const uint64_t start = (it->first + align - 1) & ~(align - 1);
    const uint64_t end = it->first + it->second;
    if (start < it->first || start >= end || end - start < bytes) continue;
    const uint64_t run_base = it->first, run_size = it->second;
    free_.erase(it);
    free_bytes_ -= run_size;
    if (start > run_base) insert_free(run_base, start - run_base);
    if (end > start + bytes) insert_free(start + bytes, end - (start + bytes));
    allocated_.emplace(start, bytes);
    allocated_bytes_ += bytes;
    return start;
  }
  throw OutOfMemory("guest page allocator: no run of " + std::to_string(count) +
                    " pages aligned to " + std::to_string(align) + " bytes");
}

void PageAllocator::free_pages(uint64_t pa, uint64_t count) {
  auto it = allocated_.find(pa);
  if (it == allocated_.end() || it->second != count * kPageSize)
  {
    std::ostringstream os;
    os << "free_pages: 0x" << std::hex << pa << " (" << std::dec << count
       << " pages) is not an allocated run of that size";
    throw std::invalid_argument(os.str());
  }
  allocated_.erase(it);
  allocated_bytes_ -= count * kPageSize;
  insert_free(pa, count * kPageSize);
}

}  // namespace guest::hal
