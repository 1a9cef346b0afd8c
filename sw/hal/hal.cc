#include "sw/hal/hal.h"

#include <vector>

namespace guest::hal {

void Hal::mem_fill(uint64_t pa, uint8_t byte, uint64_t len) {
  std::vector<uint8_t> block(std::min<uint64_t>(len, 4096), byte);
  while (len) {
    const uint64_t n = std::min<uint64_t>(len, block.size());
    mem_write(pa, block.data(), n);
    pa += n;
    len -= n;
  }
}

}  // namespace guest::hal
