// Sparse DRAM over a 64-bit address space.
//
// Models: a memory target of configurable size (up to the full 64-bit space)
// whose storage is allocated in 64 KiB chunks on first write, so a 64 GiB
// DRAM costs nothing until touched; untouched memory reads as zero. Timing is
// one channel (a busy-until resource) with a fixed access latency plus a
// transfer time from the configured bandwidth, so concurrent initiators
// contend. Honours byte enables and streaming width, grants DMI per chunk
// (with the same latency figures), and serves debug transport.
//
// Not modeled: banks, rows, refresh, ECC; DMI accesses bypass the channel
// and therefore do not contend.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>
#include <unordered_map>

#include "models/common/sim_time.h"
#include "models/common/statistics.h"
#include "models/common/timing_resource.h"

namespace vp::common {
class ParameterSet;
}

namespace vp::memory {

struct SparseMemoryParams {
  uint64_t size = 4ull << 30;  // bytes
  double latency_ns = 40.0;    // fixed access latency
  double bandwidth_gbps = 25.6;  // GB/s of the channel; 0 = unlimited
  bool dmi = true;

  void declare(vp::common::ParameterSet& p, const std::string& prefix);
};

class SparseMemory : public sc_core::sc_module {
 public:
  static constexpr unsigned kChunkShift = 16;
  static constexpr uint64_t kChunkSize = 1ull << kChunkShift;

  tlm_utils::simple_target_socket<SparseMemory> socket;

  SparseMemory(sc_core::sc_module_name name, const SparseMemoryParams& params = {});

  // Backdoor access for loaders, tests and checkers (no timing, no stats).
  // Throws std::out_of_range for accesses outside [0, size).
  void read(uint64_t addr, void* data, uint64_t len) const;
  void write(uint64_t addr, const void* data, uint64_t len);
  uint64_t size() const { return params_.size; }
  // Number of allocated 64 KiB chunks (host memory in use / 64 KiB).
  uint64_t allocated_chunks() const { return chunks_.size(); }

  void report_stats(vp::common::StatsVisitor& v) const;

 private:
  void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
  unsigned transport_dbg(tlm::tlm_generic_payload& gp);
  bool get_direct_mem_ptr(tlm::tlm_generic_payload& gp, tlm::tlm_dmi& dmi);
  // Performs the data movement; returns the response status.
  tlm::tlm_response_status execute(tlm::tlm_generic_payload& gp);

  // Chunk holding `addr`; nullptr if never written and !allocate.
  uint8_t* chunk(uint64_t addr, bool allocate);
  uint8_t* chunk_slow(uint64_t index, bool allocate);

  SparseMemoryParams params_;
  sc_core::sc_time latency_;
  vp::common::ByteRate rate_;
  vp::common::TimingResource channel_;
  std::unordered_map<uint64_t, std::unique_ptr<uint8_t[]>> chunks_;
  // Direct-mapped lookup cache in front of the hash map: a hash lookup per
  // access costs a fifth of the host time of a DMA (BENCHMARKS.md).
  struct CacheSlot {
    uint64_t index = ~0ull;
    uint8_t* data = nullptr;
  };
  mutable std::array<CacheSlot, 64> cache_{};

  uint64_t reads_ = 0, writes_ = 0, read_bytes_ = 0, write_bytes_ = 0;
  uint64_t errors_ = 0, dmi_grants_ = 0, debug_accesses_ = 0;
};

}  // namespace vp::memory
