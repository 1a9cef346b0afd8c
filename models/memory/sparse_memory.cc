#include "models/memory/sparse_memory.h"

#include <cstring>
#include <stdexcept>

#include "models/common/parameters.h"

namespace vp::memory {

using sc_core::sc_time;

void SparseMemoryParams::declare(vp::common::ParameterSet& p, const std::string& prefix) {
  p.add(prefix + "size", size, "bytes", "DRAM size; storage is allocated on first write", 4096);
  p.add(prefix + "latency_ns", latency_ns, "ns", "fixed access latency of the DRAM channel");
  p.add(prefix + "bandwidth_gbps", bandwidth_gbps, "GB/s",
        "channel bandwidth (transfer time = bytes / bandwidth); 0 = unlimited");
  p.add(prefix + "dmi", dmi, "grant DMI pointers (fast path for initiators that use them)");
}

SparseMemory::SparseMemory(sc_core::sc_module_name name, const SparseMemoryParams& params)
    : sc_module(name), socket("socket"), params_(params),
      latency_(vp::common::ns_to_time(params.latency_ns)), rate_(params.bandwidth_gbps) {
  socket.register_b_transport(this, &SparseMemory::b_transport);
  socket.register_transport_dbg(this, &SparseMemory::transport_dbg);
  socket.register_get_direct_mem_ptr(this, &SparseMemory::get_direct_mem_ptr);
}

uint8_t* SparseMemory::chunk(uint64_t addr, bool allocate) {
  const uint64_t index = addr >> kChunkShift;
  CacheSlot& slot = cache_[index & (cache_.size() - 1)];
  if (slot.index == index) return slot.data;
  return chunk_slow(index, allocate);
}

uint8_t* SparseMemory::chunk_slow(uint64_t index, bool allocate) {
  auto it = chunks_.find(index);
  uint8_t* data = nullptr;
  if (it != chunks_.end()) {
    data = it->second.get();
  } else if (allocate) {
    auto mem = std::make_unique<uint8_t[]>(kChunkSize);  // value-initialized: zero
    data = mem.get();
    chunks_.emplace(index, std::move(mem));
  } else {
    return nullptr;
  }
  CacheSlot& slot = cache_[index & (cache_.size() - 1)];
  slot.index = index;
  slot.data = data;
  return data;
}

void SparseMemory::read(uint64_t addr, void* data, uint64_t len) const {
  if (addr >= params_.size || len > params_.size - addr)
    throw std::out_of_range(std::string(name()) + ": backdoor read outside memory");
  auto* out = static_cast<uint8_t*>(data);
  auto* self = const_cast<SparseMemory*>(this);  // lookup cache only
  while (len) {
    const uint64_t off = addr & (kChunkSize - 1);
    const uint64_t n = std::min<uint64_t>(len, kChunkSize - off);
    const uint8_t* c = self->chunk(addr, false);
    if (c) std::memcpy(out, c + off, n); else std::memset(out, 0, n);
    out += n; addr += n; len -= n;
  }
}

void SparseMemory::write(uint64_t addr, const void* data, uint64_t len) {
  if (addr >= params_.size || len > params_.size - addr)
    throw std::out_of_range(std::string(name()) + ": backdoor write outside memory");
  auto* in = static_cast<const uint8_t*>(data);
  while (len) {
    const uint64_t off = addr & (kChunkSize - 1);
    const uint64_t n = std::min<uint64_t>(len, kChunkSize - off);
    std::memcpy(chunk(addr, true) + off, in, n);
    in += n; addr += n; len -= n;
  }
}

tlm::tlm_response_status SparseMemory::execute(tlm::tlm_generic_payload& gp) {
  const uint64_t addr = gp.get_address();
  const unsigned len = gp.get_data_length();
  const tlm::tlm_command cmd = gp.get_command();
  if (cmd == tlm::TLM_IGNORE_COMMAND) return tlm::TLM_OK_RESPONSE;
  if (len == 0 || addr >= params_.size || len > params_.size - addr)
    return tlm::TLM_ADDRESS_ERROR_RESPONSE;
  unsigned char* data = gp.get_data_ptr();
  const unsigned char* be = gp.get_byte_enable_ptr();
  const unsigned be_len = gp.get_byte_enable_length();
  unsigned width = gp.get_streaming_width();
  if (width == 0) return tlm::TLM_BURST_ERROR_RESPONSE;
  if (width > len) width = len;
  if (be && be_len == 0) return tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE;

  if (!be && width == len) {
    // Fast path: contiguous access, possibly across chunks.
    uint64_t a = addr;
    unsigned done = 0;
    while (done < len) {
      const uint64_t off = a & (kChunkSize - 1);
      const unsigned n = static_cast<unsigned>(std::min<uint64_t>(len - done, kChunkSize - off));
      if (cmd == tlm::TLM_WRITE_COMMAND) {
        std::memcpy(chunk(a, true) + off, data + done, n);
      } else {
        const uint8_t* c = chunk(a, false);
        if (c) std::memcpy(data + done, c + off, n); else std::memset(data + done, 0, n);
      }
      done += n;
      a += n;
    }
    return tlm::TLM_OK_RESPONSE;
  }
  // General path: byte by byte with streaming width and byte enables.
  for (unsigned i = 0; i < len; ++i) {
    if (be && be[i % be_len] == 0) continue;
    const uint64_t a = addr + (i % width);
    const uint64_t off = a & (kChunkSize - 1);
    if (cmd == tlm::TLM_WRITE_COMMAND) {
      chunk(a, true)[off] = data[i];
    } else {
      const uint8_t* c = chunk(a, false);
      data[i] = c ? c[off] : 0;
    }
  }
  return tlm::TLM_OK_RESPONSE;
}

void SparseMemory::b_transport(tlm::tlm_generic_payload& gp, sc_time& delay) {
  const tlm::tlm_response_status status = execute(gp);
  gp.set_response_status(status);
  if (status != tlm::TLM_OK_RESPONSE) {
    ++errors_;
    delay += latency_;
    return;
  }
  const unsigned len = gp.get_data_length();
  if (gp.is_write()) { ++writes_; write_bytes_ += len; }
  else if (gp.is_read()) { ++reads_; read_bytes_ += len; }
  // Channel contention: the transfer occupies the channel; the fixed latency
  // is pipelined (it does not block the next access).
  const sc_time now = sc_core::sc_time_stamp();
  const sc_time done = channel_.reserve(now + delay, rate_.time_for(len)) + latency_;
  delay = done - now;
  if (params_.dmi) gp.set_dmi_allowed(true);
}

unsigned SparseMemory::transport_dbg(tlm::tlm_generic_payload& gp) {
  ++debug_accesses_;
  const tlm::tlm_response_status status = execute(gp);
  gp.set_response_status(status);
  return status == tlm::TLM_OK_RESPONSE ? gp.get_data_length() : 0;
}

bool SparseMemory::get_direct_mem_ptr(tlm::tlm_generic_payload& gp, tlm::tlm_dmi& dmi) {
  const uint64_t addr = gp.get_address();
  if (!params_.dmi || addr >= params_.size) {
    // Deny the whole chunk (or everything above the memory).
    dmi.set_start_address(addr >= params_.size ? params_.size : addr & ~(kChunkSize - 1));
    dmi.set_end_address(addr >= params_.size ? ~0ull : (addr | (kChunkSize - 1)));
    dmi.allow_none();
    return false;
  }
  const uint64_t base = addr & ~(kChunkSize - 1);
  ++dmi_grants_;
  dmi.set_dmi_ptr(chunk(addr, true));
  dmi.set_start_address(base);
  dmi.set_end_address(std::min(base + kChunkSize, params_.size) - 1);
  dmi.allow_read_write();
  dmi.set_read_latency(latency_);
  dmi.set_write_latency(latency_);
  return true;
}

void SparseMemory::report_stats(vp::common::StatsVisitor& v) const {
  v.begin_group(basename());
  v.value("reads", double(reads_));
  v.value("writes", double(writes_));
  v.value("read_bytes", double(read_bytes_), "bytes");
  v.value("write_bytes", double(write_bytes_), "bytes");
  v.value("errors", double(errors_));
  v.value("dmi_grants", double(dmi_grants_));
  v.value("debug_accesses", double(debug_accesses_));
  v.value("allocated_bytes", double(chunks_.size() * kChunkSize), "bytes");
  v.value("channel_busy_ns", channel_.busy_time().to_seconds() * 1e9, "ns");
  v.value("channel_wait_ns", channel_.wait_time().to_seconds() * 1e9, "ns");
  v.end_group();
}

}  // namespace vp::memory
