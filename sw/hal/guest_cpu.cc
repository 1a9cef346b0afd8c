#include "sw/hal/guest_cpu.h"

#include <cstring>
#include <sstream>

namespace guest::hal {

namespace {
// The MSI controller's control page, relative to the doorbell (see the
// controller's documentation; the guest knows it like a device tree entry).
constexpr uint64_t kClaim = 0x1000;
constexpr uint64_t kEnable = 0x1100;

std::string hex(uint64_t v) {
  std::ostringstream os;
  os << "0x" << std::hex << v;
  return os.str();
}
}  // namespace

GuestCpu::GuestCpu(sc_core::sc_module_name name, const GuestCpuParams& params,
                   const HalConfig& config)
    : sc_module(name), socket("socket"), irq("irq"), params_(params), config_(config),
      pages_(config.ram_base, config.ram_size),
      overhead_(params.access_overhead_ns > 0 ? sc_core::sc_time(params.access_overhead_ns,
                                                                 sc_core::SC_NS)
                                              : sc_core::SC_ZERO_TIME) {
  socket.register_invalidate_direct_mem_ptr(this, &GuestCpu::invalidate_direct_mem_ptr);
  tlm_utils::tlm_quantumkeeper::set_global_quantum(
      sc_core::sc_time(params.quantum_ns, sc_core::SC_NS));
  qk_.reset();
  SC_THREAD(thread);
}

void GuestCpu::thread() {
  try {
    if (program_) program_(*this);
  } catch (const std::exception& e) {
    failed_ = true;
    failure_ = e.what();
  }
  qk_.sync();
  finished_ = true;
  if (stop_when_done_) sc_core::sc_stop();
}

sc_core::sc_time GuestCpu::now() const { return sc_core::sc_time_stamp() + qk_.get_local_time(); }

void GuestCpu::delay(const sc_core::sc_time& t) {
  qk_.inc(t);
  if (qk_.need_sync()) qk_.sync();
}

void GuestCpu::transport(tlm::tlm_command cmd, uint64_t addr, void* data, unsigned len) {
  tlm::tlm_generic_payload gp;
  gp.set_command(cmd);
  gp.set_address(addr);
  gp.set_data_ptr(static_cast<unsigned char*>(data));
  gp.set_data_length(len);
  gp.set_streaming_width(len);
  gp.set_byte_enable_ptr(nullptr);
  gp.set_dmi_allowed(false);
  gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  sc_core::sc_time t = qk_.get_local_time() + overhead_;
  socket->b_transport(gp, t);
  ++transactions_;
  qk_.set(t);
  if (gp.get_response_status() != tlm::TLM_OK_RESPONSE)
    throw BusError(std::string(name()) + ": " + (cmd == tlm::TLM_READ_COMMAND ? "load" : "store") +
                       " of " + std::to_string(len) + " bytes at " + hex(addr) + " failed: " +
                       gp.get_response_string(),
                   addr);
  if (gp.is_dmi_allowed() && params_.use_dmi) {
    tlm::tlm_dmi dmi;
    gp.set_address(addr);
    if (socket->get_direct_mem_ptr(gp, dmi)) dmi_.push_back(dmi);
  }
  if (qk_.need_sync()) qk_.sync();
}

bool GuestCpu::try_dmi(tlm::tlm_command cmd, uint64_t addr, void* data, uint64_t len) {
  for (const auto& d : dmi_) {
    if (addr < d.get_start_address() || addr + len - 1 > d.get_end_address()) continue;
    const bool write = cmd == tlm::TLM_WRITE_COMMAND;
    if (write ? !d.is_write_allowed() : !d.is_read_allowed()) continue;
    unsigned char* p = d.get_dmi_ptr() + (addr - d.get_start_address());
    if (write) std::memcpy(p, data, len); else std::memcpy(data, p, len);
    qk_.inc(overhead_ + (write ? d.get_write_latency() : d.get_read_latency()));
    ++transactions_;
    if (qk_.need_sync()) qk_.sync();
    return true;
  }
  return false;
}

void GuestCpu::invalidate_direct_mem_ptr(sc_dt::uint64 start, sc_dt::uint64 end) {
  for (size_t i = 0; i < dmi_.size();) {
    if (dmi_[i].get_start_address() <= end && dmi_[i].get_end_address() >= start) {
      dmi_[i] = dmi_.back();
      dmi_.pop_back();
    } else {
      ++i;
    }
  }
}

uint64_t GuestCpu::mmio_read(uint64_t addr, unsigned size) {
  if (size != 1 && size != 2 && size != 4 && size != 8)
    throw std::invalid_argument("mmio_read: size must be 1, 2, 4 or 8");
  uint64_t v = 0;
  transport(tlm::TLM_READ_COMMAND, addr, &v, size);
  return v;
}

void GuestCpu::mmio_write(uint64_t addr, unsigned size, uint64_t value) {
  if (size != 1 && size != 2 && size != 4 && size != 8)
    throw std::invalid_argument("mmio_write: size must be 1, 2, 4 or 8");
  transport(tlm::TLM_WRITE_COMMAND, addr, &value, size);
}

void GuestCpu::mem_access(tlm::tlm_command cmd, uint64_t pa, uint8_t* p, uint64_t len) {
  while (len) {
    // Accesses stay inside one 4 KiB page, as a CPU's would (and so inside
    // one DMI region).
    const uint64_t n = std::min<uint64_t>(len, 4096 - (pa & 4095));
    if (!params_.use_dmi || !try_dmi(cmd, pa, p, n)) transport(cmd, pa, p, static_cast<unsigned>(n));
    pa += n;
    p += n;
    len -= n;
  }
}

void GuestCpu::mem_read(uint64_t pa, void* data, uint64_t len) {
  mem_access(tlm::TLM_READ_COMMAND, pa, static_cast<uint8_t*>(data), len);
}

void GuestCpu::mem_write(uint64_t pa, const void* data, uint64_t len) {
  // Writes only read from the buffer; TLM's data pointer is not const.
  mem_access(tlm::TLM_WRITE_COMMAND, pa, static_cast<uint8_t*>(const_cast<void*>(data)), len);
}

void GuestCpu::enable_irq(unsigned id) {
  const uint64_t word = config_.msi_base + kEnable + 4 * (id / 32);
  mmio_write32(word, mmio_read32(word) | (1u << (id % 32)));
}

bool GuestCpu::wait_for_irq(unsigned id, const sc_core::sc_time& timeout) {
  qk_.sync();
  const sc_core::sc_time deadline = sc_core::sc_time_stamp() + timeout;
  for (;;) {
    // Interrupt handler: claim everything pending, remember it.
    while (const unsigned claimed = mmio_read32(config_.msi_base + kClaim)) claimed_.insert(claimed);
    qk_.sync();
    if (claimed_.erase(id)) return true;
    // Let the controller's output settle; if it is still high something new
    // arrived after the last claim.
    sc_core::wait(sc_core::SC_ZERO_TIME);
    if (irq.read()) continue;
    const sc_core::sc_time t = sc_core::sc_time_stamp();
    if (t >= deadline) return false;
    sc_core::wait(deadline - t, irq.posedge_event());
    if (!irq.read() && sc_core::sc_time_stamp() >= deadline) return false;
  }
}

}  // namespace guest::hal
