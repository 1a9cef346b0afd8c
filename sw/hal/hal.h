// The guest's hardware abstraction layer: the only way guest software
// touches hardware (DESIGN.md "The guest side").
//
// Everything behind it is a TLM transaction issued by the simulated CPU and
// costs simulated time. Drivers take a Hal& and never see a model class, so
// the same driver runs against any platform that provides a Hal.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <systemc>

#include "sw/hal/page_allocator.h"

namespace guest::hal {

// A load or store that the platform answered with an error response (an
// unmapped address, a register that refused the access). On hardware this is
// a bus error exception; guest code may catch it.
class BusError : public std::runtime_error {
 public:
  BusError(const std::string& what, uint64_t address)
      : std::runtime_error(what), address_(address) {}
  uint64_t address() const { return address_; }

 private:
  uint64_t address_;
};

class Hal {
 public:
  virtual ~Hal() = default;

  // Uncached device register access of 1, 2, 4 or 8 bytes. Throws BusError.
  virtual uint64_t mmio_read(uint64_t addr, unsigned size) = 0;
  virtual void mmio_write(uint64_t addr, unsigned size, uint64_t value) = 0;

  // Guest physical memory (coherent with device DMA). Throws BusError.
  virtual void mem_read(uint64_t pa, void* data, uint64_t len) = 0;
  virtual void mem_write(uint64_t pa, const void* data, uint64_t len) = 0;

  // Guest physical pages of RAM available to the guest.
  virtual PageAllocator& pages() = 0;

  // Message-signalled interrupts: the MSI doorbell address devices write
  // (with the identity as data), enabling an identity, and waiting for one.
  virtual uint64_t msi_doorbell() const = 0;
  virtual void enable_irq(unsigned id) = 0;
  // Returns true when `id` was signalled (and consumes it), false on timeout.
  virtual bool wait_for_irq(unsigned id, const sc_core::sc_time& timeout) = 0;

  // The CPU's notion of now (includes its local time ahead of the kernel).
  virtual sc_core::sc_time now() const = 0;
  // Spends CPU time (computation between accesses).
  virtual void delay(const sc_core::sc_time& t) = 0;
  // Lets the rest of the simulation catch up with the CPU's local time.
  virtual void sync() = 0;

  uint8_t mmio_read8(uint64_t a) { return static_cast<uint8_t>(mmio_read(a, 1)); }
  uint16_t mmio_read16(uint64_t a) { return static_cast<uint16_t>(mmio_read(a, 2)); }
  uint32_t mmio_read32(uint64_t a) { return static_cast<uint32_t>(mmio_read(a, 4)); }
  uint64_t mmio_read64(uint64_t a) { return mmio_read(a, 8); }
  void mmio_write8(uint64_t a, uint8_t v) { mmio_write(a, 1, v); }
  void mmio_write16(uint64_t a, uint16_t v) { mmio_write(a, 2, v); }
  void mmio_write32(uint64_t a, uint32_t v) { mmio_write(a, 4, v); }
  void mmio_write64(uint64_t a, uint64_t v) { mmio_write(a, 8, v); }

  uint32_t mem_read32(uint64_t pa) { uint32_t v; mem_read(pa, &v, 4); return v; }
  uint64_t mem_read64(uint64_t pa) { uint64_t v; mem_read(pa, &v, 8); return v; }
  void mem_write32(uint64_t pa, uint32_t v) { mem_write(pa, &v, 4); }
  void mem_write64(uint64_t pa, uint64_t v) { mem_write(pa, &v, 8); }
  void mem_fill(uint64_t pa, uint8_t byte, uint64_t len);
};

}  // namespace guest::hal
