#include "models/devices/dma_engine.h"

#include <tlm_utils/tlm_quantumkeeper.h>

#include <algorithm>
#include <cstring>

#include "models/common/parameters.h"
#include "models/common/sim_time.h"
#include "models/common/trace.h"
#include "models/devices/dma_engine_regs.h"

namespace vp::devices {

using namespace dma_regs;
using sc_core::sc_time;
using vp::common::FieldAccess;

void DmaEngineParams::declare(vp::common::ParameterSet& p, const std::string& prefix) {
  p.add(prefix + "burst_bytes", burst_bytes, "bytes", "largest memory request the engine issues", 4,
        4096);
  p.add(prefix + "tags", tags, "requests", "outstanding read requests (non-posted tags)", 1, 1024);
  p.add(prefix + "issue_interval_ns", issue_interval_ns, "ns",
        "minimum spacing between two requests of the same direction");
  p.add(prefix + "descriptor_overhead_ns", descriptor_overhead_ns, "ns",
        "decode and setup time per descriptor after it arrives");
  p.add(prefix + "register_latency_ns", register_latency_ns, "ns", "register access latency");
  p.add(prefix + "requester_id", requester_id, "", "PCIe requester ID (bus<<8 | dev<<3 | fn)", 0,
        0xffff);
}

DmaEngine::DmaEngine(sc_core::sc_module_name name, const DmaEngineParams& params)
    : sc_module(name),
      regs("regs"),
      dma("dma"),
      params_(params),
      interval_(vp::common::ns_to_time(params.issue_interval_ns)),
      desc_overhead_(vp::common::ns_to_time(params.descriptor_overhead_ns)),
      reg_latency_(vp::common::ns_to_time(params.register_latency_ns)),
      bank_(std::string(basename()) + ".regs"),
      reads_(params.tags),
      ext_(new vp::common::PcieExtension),
      buffer_(size_t(params.burst_bytes) * params.tags) {
  gp_.set_extension(ext_);
  ext_->rid = static_cast<uint16_t>(params.requester_id);
  regs.register_b_transport(this, &DmaEngine::regs_b_transport);

  bank_.add("id", kId, 4, kIdValue).field("id", 0, 32, FieldAccess::kRO);
  bank_.add("ctrl", kCtrl, 4)
      .field("en", 0, 1, FieldAccess::kRW)
      .field("irq_en", 1, 1, FieldAccess::kRW)
      .field("reset", 2, 1, FieldAccess::kW1S)
      .on_write([this](uint64_t old, uint64_t v) {
        if (v & kCtrlReset) {
          for (const char* r :
               {"ctrl", "status", "ring_head", "ring_tail", "completed", "err_addr"})
            bank_[r].reset();
          reads_.resize(params_.tags);
          return;
        }
        if ((v & kCtrlEn) && !(old & kCtrlEn)) doorbell_.notify(reg_delay_);
      });
  bank_.add("status", kStatus, 4)
      .field("busy", 0, 1, FieldAccess::kRO)
      .field("done", 1, 1, FieldAccess::kW1C)
      .field("error", 2, 1, FieldAccess::kW1C)
      .field("err_code", 8, 8, FieldAccess::kRO);
  bank_.add("ring_base", kRingBase, 8).field("base", 5, 59, FieldAccess::kRW);
  bank_.add("ring_size", kRingSize, 4, 1)
      .field("entries", 0, 32, FieldAccess::kWARL, [](uint64_t old, uint64_t v) {
        const bool pow2 = v != 0 && (v & (v - 1)) == 0;
        return (pow2 && v <= kMaxRingEntries) ? v : old;
      });
  bank_.add("ring_head", kRingHead, 4).field("index", 0, 16, FieldAccess::kRO);
  bank_.add("ring_tail", kRingTail, 4)
      .field("index", 0, 16, FieldAccess::kWARL,
             [this](uint64_t, uint64_t v) { return v & (bank_["ring_size"].get() - 1); })
      .on_write([this](uint64_t, uint64_t) {
        ++doorbells_;
        doorbell_.notify(reg_delay_);
      });
  bank_.add("completed", kCompleted, 4).field("count", 0, 32, FieldAccess::kRO);
  bank_.add("msi_addr", kMsiAddr, 8).field("addr", 2, 62, FieldAccess::kRW);
  bank_.add("msi_data", kMsiData, 4).field("data", 0, 32, FieldAccess::kRW);
  bank_.add("err_addr", kErrAddr, 8).field("addr", 0, 64, FieldAccess::kRO);

  SC_THREAD(engine_thread);
}

DmaEngine::~DmaEngine() = default;  // gp_ frees ext_

void DmaEngine::regs_b_transport(tlm::tlm_generic_payload& gp, sc_time& delay) {
  delay += reg_latency_;
  reg_delay_ = delay;
  bank_.access(gp);
}

void DmaEngine::sync_if_ahead() {
  const sc_time now = sc_core::sc_time_stamp();
  if (cursor_ > now && cursor_ - now >= tlm_utils::tlm_quantumkeeper::get_global_quantum())
    wait(cursor_ - now);
}

void DmaEngine::engine_thread() {
  auto& status = bank_["status"];
  auto& head = bank_["ring_head"];
  for (;;) {
    wait(doorbell_);
    cursor_ = std::max(cursor_, sc_core::sc_time_stamp());
    while ((bank_["ctrl"].get() & kCtrlEn) && !(status.get() & kStatusError) &&
           head.get() != bank_["ring_tail"].get()) {
      status.set(status.get() | kStatusBusy);
      const sc_time start = cursor_;
      const uint64_t entries = bank_["ring_size"].get();
      const uint64_t index = head.get() & (entries - 1);
      const uint8_t err = execute(bank_["ring_base"].get() + index * kDescSize);
      if (err != kErrNone) {
        fail(err, fail_addr_);
        break;
      }
      head.set((index + 1) & (entries - 1));
      bank_["completed"].set(bank_["completed"].get() + 1);
      ++descriptors_;
      const sc_time end = std::max(writes_done_, cursor_);
      descriptor_latency_ns_.add(static_cast<uint64_t>((end - start).to_seconds() * 1e9));
      if (auto* tw = vp::common::TraceWriter::active()) {
        tw->span(tw->track(std::string(name()) + ".descriptors"), "descriptor", start, end - start,
                 {{"index", index}, {"completed", descriptors_}});
      }
      sync_if_ahead();
    }
    status.set(status.get() & ~uint64_t(kStatusBusy));
  }
}

bool DmaEngine::access(tlm::tlm_command cmd, uint64_t addr, void* data, unsigned len,
                       const sc_time& issue, sc_time* completion) {
  fail_addr_ = addr;
  if (!bus_master_) return false;
  const sc_time now = sc_core::sc_time_stamp();
  gp_.set_command(cmd);
  gp_.set_address(addr);
  gp_.set_data_ptr(static_cast<unsigned char*>(data));
  gp_.set_data_length(len);
  gp_.set_streaming_width(len);
  gp_.set_byte_enable_ptr(nullptr);
  gp_.set_dmi_allowed(false);
  gp_.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  sc_time delay = issue > now ? issue - now : sc_core::SC_ZERO_TIME;
  dma->b_transport(gp_, delay);
  ++transactions_;
  *completion = now + delay;
  if (gp_.get_response_status() != tlm::TLM_OK_RESPONSE) return false;
  (cmd == tlm::TLM_READ_COMMAND ? bytes_read_ : bytes_written_) += len;
  return true;
}

bool DmaEngine::post_write(uint64_t addr, const void* data, unsigned len) {
  // Posted: the engine moves on after the request's issue slot; the write
  // lands at its completion time.
  const sc_time issue = std::max(cursor_, last_issue_);
  sc_time done;
  if (!access(tlm::TLM_WRITE_COMMAND, addr, const_cast<void*>(data), len, issue, &done))
    return false;
  last_issue_ = issue + interval_;
  writes_done_ = std::max(writes_done_, done);
  return true;
}

uint8_t DmaEngine::execute(uint64_t desc_addr) {
  uint8_t desc[kDescSize];
  const sc_time issue = reads_.issue_time(cursor_);
  sc_time arrived;
  if (!access(tlm::TLM_READ_COMMAND, desc_addr, desc, kDescSize, issue, &arrived))
    return kErrDescFetch;
  reads_.record(issue, interval_, arrived);
  cursor_ = arrived + desc_overhead_;

  uint32_t control, length;
  uint64_t src, dst;
  std::memcpy(&control, desc + kDescControl, 4);
  std::memcpy(&length, desc + kDescLength, 4);
  std::memcpy(&src, desc + kDescSrc, 8);
  std::memcpy(&dst, desc + kDescDst, 8);
  uint8_t err = kErrNone;
  fail_addr_ = desc_addr;
  switch (control & 0xff) {
    case kOpCopy:
      err = length == 0 ? uint8_t(kErrBadDesc) : copy(src, dst, length);
      break;
    case kOpFill:
      err = length == 0 ? uint8_t(kErrBadDesc) : fill(src, dst, length);
      break;
    case kOpWriteImm:
      if (length == 0 || length > 8)
        err = kErrBadDesc;
      else if (!post_write(dst, &src, length))
        err = kErrWrite;
      break;
    default:
      err = kErrBadDesc;
  }
  if (err != kErrNone) {
    if (err == kErrBadDesc) fail_addr_ = desc_addr;
    return err;
  }
  // Completion: after every data write has landed (posted-write ordering).
  cursor_ = std::max(cursor_, writes_done_);
  if (control & kDescWb) {
    const uint32_t st = kDescStatusDone;
    if (!post_write(desc_addr + kDescStatus, &st, 4)) return kErrWrite;
  }
  if (control & kDescIrq) {
    bank_["status"].set(bank_["status"].get() | kStatusDone);
    signal_msi();
  }
  return kErrNone;
}

uint8_t DmaEngine::copy(uint64_t src, uint64_t dst, uint64_t len) {
  const unsigned burst = params_.burst_bytes;
  struct Chunk {
    uint64_t dst;
    unsigned len;
    size_t buf;
    sc_time ready;
  };
  std::vector<Chunk> window;
  window.reserve(params_.tags);
  while (len) {
    // A window of up to `tags` reads in flight, then their writes as the
    // data returns. Requests never cross a 4 KiB boundary (PCIe rule).
    window.clear();
    size_t used = 0;
    while (len && window.size() < params_.tags) {
      unsigned n = static_cast<unsigned>(std::min<uint64_t>(len, burst));
      n = static_cast<unsigned>(std::min<uint64_t>(n, 4096 - (src & 4095)));
      n = static_cast<unsigned>(std::min<uint64_t>(n, 4096 - (dst & 4095)));
      const sc_time issue = reads_.issue_time(cursor_);
      sc_time done;
      if (!access(tlm::TLM_READ_COMMAND, src, &buffer_[used], n, issue, &done)) return kErrRead;
      reads_.record(issue, interval_, done);
      window.push_back({dst, n, used, done});
      used += n;
      src += n;
      dst += n;
      len -= n;
    }
    for (const Chunk& c : window) {
      const sc_time issue = std::max(c.ready, last_issue_);
      sc_time done;
      if (!access(tlm::TLM_WRITE_COMMAND, c.dst, &buffer_[c.buf], c.len, issue, &done))
        return kErrWrite;
      last_issue_ = issue + interval_;
      writes_done_ = std::max(writes_done_, done);
    }
  }
  return kErrNone;
}

uint8_t DmaEngine::fill(uint64_t pattern, uint64_t dst, uint64_t len) {
  const unsigned burst = params_.burst_bytes;
  uint64_t done = 0;  // byte i of the fill is byte (i % 8) of the pattern
  while (len) {
    unsigned n = static_cast<unsigned>(std::min<uint64_t>(len, burst));
    n = static_cast<unsigned>(std::min<uint64_t>(n, 4096 - (dst & 4095)));
    for (unsigned i = 0; i < n; ++i)
      buffer_[i] = static_cast<uint8_t>(pattern >> (8 * ((done + i) % 8)));
    if (!post_write(dst, buffer_.data(), n)) return kErrWrite;
    dst += n;
    len -= n;
    done += n;
  }
  return kErrNone;
}

void DmaEngine::signal_msi() {
  const uint64_t addr = bank_["msi_addr"].get();
  if (!(bank_["ctrl"].get() & kCtrlIrqEn) || addr == 0) return;
  const uint32_t data = static_cast<uint32_t>(bank_["msi_data"].get());
  ext_->is_msi = true;
  const sc_time issue = std::max({cursor_, last_issue_, writes_done_});
  sc_time done;
  const bool ok =
      access(tlm::TLM_WRITE_COMMAND, addr, const_cast<uint32_t*>(&data), 4, issue, &done);
  ext_->is_msi = false;
  if (ok) {
    ++msis_;
    last_issue_ = issue + interval_;
  }
}

void DmaEngine::fail(uint8_t code, uint64_t addr) {
  ++errors_;
  auto& status = bank_["status"];
  status.set((status.get() & ~uint64_t(0xff00)) | kStatusError |
             (uint64_t(code) << kStatusErrCodeShift));
  bank_["err_addr"].set(addr);
  signal_msi();
}

void DmaEngine::report_stats(vp::common::StatsVisitor& v) const {
  v.begin_group(basename());
  v.value("descriptors", double(descriptors_));
  v.value("doorbells", double(doorbells_));
  v.value("bus_transactions", double(transactions_));
  v.value("bytes_read", double(bytes_read_), "bytes");
  v.value("bytes_written", double(bytes_written_), "bytes");
  v.value("errors", double(errors_));
  v.value("msis", double(msis_));
  v.histogram("descriptor_latency", descriptor_latency_ns_, "ns");
  v.end_group();
}

}  // namespace vp::devices
