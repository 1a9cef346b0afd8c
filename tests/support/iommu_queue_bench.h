// Test bench for the IOMMU's control part without the SystemC module: the
// RegisterFile and guest memory (MapWalkMemory) that the in-memory queues
// (3.1 command queue, 3.2 fault queue) and the interrupt generator work on,
// plus register accessors and queue programming as a driver does it
// (6.6-6.11 queue base/head/tail, 6.15-6.16 queue CSRs). The accessors
// REQUIRE every register access to succeed.
#pragma once

#include <catch2/catch.hpp>
#include <cstdint>

#include "models/iommu/iommu_params.h"
#include "models/iommu/register_file.h"
#include "models/iommu/riscv_iommu_regs.h"
#include "support/map_walk_memory.h"

namespace vp::test {

// Where the tests put the queues in guest memory.
constexpr uint64_t kFqBase = 0x80040000;
constexpr uint64_t kCqBase = 0x80080000;

inline uint64_t rd(vp::iommu::RegisterFile& rf, uint64_t off, unsigned size = 4) {
  uint64_t v = ~0ull;
  REQUIRE(rf.read(off, size, &v));
  return v;
}

inline void wr(vp::iommu::RegisterFile& rf, uint64_t off, uint64_t v, unsigned size = 4) {
  REQUIRE(rf.write(off, size, v));
}

// Queue base register value (6.6/6.9): PPN in bits 53:10, LOG2SZ-1 in 4:0.
inline uint64_t queue_base(uint64_t pa, unsigned log2sz) {
  namespace r = vp::iommu::regs;
  return r::qb::PPN.put(pa >> 12) | r::qb::LOG2SZ_1.put(log2sz - 1);
}

// The registers a driver programs to bring up one in-memory queue, and the
// CSR bits it sets (enable, interrupt enable) and waits for (on).
struct QueueRegisters {
  uint64_t base_reg, index_reg, csr_reg;  // qb; the index software owns; csr
  uint64_t enable, interrupt_enable, on;  // csr bits
};

// 6.9-6.11 and 6.16.
inline QueueRegisters fault_queue_registers() {
  using namespace vp::iommu::regs;
  return {kFqb, kFqh, kFqcsr, fqcsr::fqen.mask(), fqcsr::fie.mask(), fqcsr::fqon.mask()};
}

// 6.6-6.8 and 6.15.
inline QueueRegisters command_queue_registers() {
  using namespace vp::iommu::regs;
  return {kCqb, kCqt, kCqcsr, cqcsr::cqen.mask(), cqcsr::cie.mask(), cqcsr::cqon.mask()};
}

// Brings up a queue of 2^log2sz entries at `pa` as the Linux driver does:
// base, the software-owned index to 0, then the CSR; requires the on bit.
inline void enable_queue(vp::iommu::RegisterFile& rf, const QueueRegisters& q, uint64_t pa,
                         unsigned log2sz, bool interrupt_enable) {
  wr(rf, q.base_reg, queue_base(pa, log2sz), 8);
  wr(rf, q.index_reg, 0);
  wr(rf, q.csr_reg, q.enable | (interrupt_enable ? q.interrupt_enable : 0));
  REQUIRE((rd(rf, q.csr_reg) & q.on) != 0);
}

inline void enable_fq(vp::iommu::RegisterFile& rf, unsigned log2sz, bool fie,
                      uint64_t base = kFqBase) {
  enable_queue(rf, fault_queue_registers(), base, log2sz, fie);
}

inline void enable_cq(vp::iommu::RegisterFile& rf, unsigned log2sz, bool cie,
                      uint64_t base = kCqBase) {
  enable_queue(rf, command_queue_registers(), base, log2sz, cie);
}

// Registers and guest memory; a test harness derives from it and adds the
// queues, handlers and sinks it exercises (they take `rf`, `mem` and `p`).
// The register file's log is off: tests check its results, not its messages.
struct IommuQueueBench {
  explicit IommuQueueBench(const vp::iommu::IommuParams& params = vp::iommu::IommuParams())
      : p(params), rf(p) {
    rf.set_logging(false);
  }
  IommuQueueBench(const IommuQueueBench&) = delete;
  IommuQueueBench& operator=(const IommuQueueBench&) = delete;

  vp::iommu::IommuParams p;
  vp::iommu::RegisterFile rf;
  MapWalkMemory mem;
};

}  // namespace vp::test
