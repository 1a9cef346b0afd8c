// WalkMemory: the port through which the IOMMU's directory and page-table
// walkers read and update in-memory structures (DDT, PDT, page tables).
//
// The platform implements it with TLM transactions through the interconnect,
// so every walk step pays the memory system's timing; tests implement it
// with a map. Values are 64-bit doublewords as stored in memory (little-
// endian byte order); the walkers and queues apply fctl.BE / DC.tc.SBE byte
// swapping themselves. Addresses are supervisor physical addresses, 8-byte
// aligned (4-byte aligned for write32).
// Not modeled here: data corruption (poison) reporting.
#pragma once

#include <cstdint>
#include <systemc>

namespace vp::iommu {

struct WalkMemory {
  // Each call adds the access's latency to `delay`. A false return is an
  // access fault (bus error, PMA/PMP violation) at `pa`; outputs are then
  // unspecified.
  virtual bool read64(uint64_t pa, uint64_t* v, sc_core::sc_time& delay) = 0;
  virtual bool write64(uint64_t pa, uint64_t v, sc_core::sc_time& delay) = 0;
  // Atomic compare-and-swap: if the doubleword at `pa` equals `expected`,
  // store `desired`. `*observed` receives the value found (== expected on
  // success). Used for A/D updates (Privileged spec, "Virtual Address
  // Translation Process" step 8).
  virtual bool cas64(uint64_t pa, uint64_t expected, uint64_t desired, uint64_t* observed,
                     sc_core::sc_time& delay) = 0;
  // Reads `count` consecutive doublewords from `pa` (a DC or PC read as one
  // access). The default issues `count` read64 calls; an implementation
  // backed by an interconnect should override it with one burst so the
  // structure costs one memory access, as in hardware.
  virtual bool read_block(uint64_t pa, uint64_t* v, unsigned count, sc_core::sc_time& delay) {
    for (unsigned i = 0; i < count; ++i) {
      if (!read64(pa + 8ull * i, &v[i], delay)) return false;
    }
    return true;
  }
  // Stores the 32-bit `v` at the 4-byte aligned `pa` as one 4-byte store
  // (IOFENCE.C with AV=1, In-memory queues 3.1.2). `v` is in the same
  // little-endian byte order as the doublewords. The default does a
  // read-modify-write of the enclosing doubleword through read64/write64;
  // an interconnect-backed implementation should override it with a real
  // 4-byte write (the read-modify-write is not atomic against other agents).
  virtual bool write32(uint64_t pa, uint32_t v, sc_core::sc_time& delay) {
    if (pa & 3) return false;
    const uint64_t dw_pa = pa & ~7ull;
    const unsigned shift = (pa & 4) ? 32 : 0;
    uint64_t dw = 0;
    if (!read64(dw_pa, &dw, delay)) return false;
    dw = (dw & ~(0xffffffffull << shift)) | (uint64_t(v) << shift);
    return write64(dw_pa, dw, delay);
  }
  virtual ~WalkMemory() = default;
};

// Stores `count` doublewords from `dw` at consecutive addresses from `pa`,
// each in big-endian byte order if `big_endian` (queue records follow
// fctl.BE, 3.2/3.3). False at the first store that faults.
inline bool store_doublewords(WalkMemory& memory, uint64_t pa, const uint64_t* dw, unsigned count,
                              bool big_endian, sc_core::sc_time& delay) {
  for (unsigned i = 0; i < count; ++i) {
    const uint64_t v = big_endian ? __builtin_bswap64(dw[i]) : dw[i];
    if (!memory.write64(pa + 8ull * i, v, delay)) return false;
  }
  return true;
}

}  // namespace vp::iommu
