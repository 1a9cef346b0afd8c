// Enhanced Configuration Access Mechanism: configuration space as memory.
//
// PCIe Base 6.0 sec. 7.2.2: each function's 4 KiB configuration space sits at
// base + ((bus - bus_start) << 20 | device << 15 | function << 12 | register)
// (device << 15 | function << 12 is devfn << 12). The platform tells the
// guest the window's base and the bus range it decodes (its device tree's
// "bus-range"), so the first decoded bus sits at `base`.
//
// Accesses are 1, 2 or 4 bytes, naturally aligned, inside 4 KiB, like the
// Linux pci_bus_read_config_* family. Results are 0 or a negative errno; a
// failed read returns all ones in *value (what a read of an absent function
// gives), so callers that ignore the result still see "no device".
#pragma once

#include <cstdint>

#include "sw/hal/hal.h"

namespace guest::pci {

class Ecam {
 public:
  // Throws std::invalid_argument for an empty or out-of-range bus range.
  Ecam(hal::Hal& hal, uint64_t base, unsigned bus_start, unsigned bus_end);

  hal::Hal& hal() const { return hal_; }
  uint64_t base() const { return base_; }
  unsigned bus_start() const { return bus_start_; }
  unsigned bus_end() const { return bus_end_; }  // inclusive, as in "bus-range"
  bool decodes(unsigned bus) const { return bus >= bus_start_ && bus <= bus_end_; }
  // The physical address of a register; the caller must check decodes().
  uint64_t address(unsigned bus, unsigned devfn, unsigned where) const;

  // 0; -ENODEV for a bus the window does not decode; -EINVAL for a bad size,
  // alignment or offset; -EIO when the platform answered with a bus error.
  int read(unsigned bus, unsigned devfn, unsigned where, unsigned size, uint32_t* value);
  int write(unsigned bus, unsigned devfn, unsigned where, unsigned size, uint32_t value);

  // Number of configuration accesses issued (reads + writes that reached the bus).
  uint64_t accesses() const { return accesses_; }

 private:
  int check(unsigned bus, unsigned devfn, unsigned where, unsigned size) const;

  hal::Hal& hal_;
  uint64_t base_;
  unsigned bus_start_, bus_end_;
  uint64_t accesses_ = 0;
};

// Linux-named wrappers on a bus number and devfn.
int pci_bus_read_config_byte(Ecam& ecam, unsigned bus, unsigned devfn, unsigned where,
                             uint8_t* value);
int pci_bus_read_config_word(Ecam& ecam, unsigned bus, unsigned devfn, unsigned where,
                             uint16_t* value);
int pci_bus_read_config_dword(Ecam& ecam, unsigned bus, unsigned devfn, unsigned where,
                              uint32_t* value);
int pci_bus_write_config_byte(Ecam& ecam, unsigned bus, unsigned devfn, unsigned where,
                              uint8_t value);
int pci_bus_write_config_word(Ecam& ecam, unsigned bus, unsigned devfn, unsigned where,
                              uint16_t value);
int pci_bus_write_config_dword(Ecam& ecam, unsigned bus, unsigned devfn, unsigned where,
                               uint32_t value);

}  // namespace guest::pci
