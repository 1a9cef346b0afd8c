// WalkTrace: the list of in-memory entries a walk read, in order, so that a
// fault can be explained ("DDT level 1 entry at 0x8000_1008 = 0x0: V clear")
// and a test can assert the exact path a walk took.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace vp::iommu {

enum class WalkTable {
  kDdt,          // device-directory table (non-leaf entries and the DC)
  kPdt,          // process-directory table (non-leaf entries and the PC)
  kFirstStage,   // first-stage (S/VS-stage) page table
  kSecondStage,  // second-stage (G-stage) page table
};

struct WalkStep {
  WalkTable table;
  int level;         // radix-tree level; 0 is the leaf level
  uint64_t address;  // supervisor physical address of the entry
  uint64_t value;    // doubleword read (after endianness conversion)
};

using WalkTrace = std::vector<WalkStep>;

const char* to_string(WalkTable t);
// One line per step: "first-stage L2 @0x80002000 = 0x0000000020000c01".
std::string describe(const WalkTrace& trace);

// printf into a std::string, for the walkers' "why" explanations.
std::string strprintf(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

}  // namespace vp::iommu
