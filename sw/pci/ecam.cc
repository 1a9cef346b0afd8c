#include "sw/pci/ecam.h"

#include <cerrno>
#include <stdexcept>
#include <string>

#include "sw/pci/pci_regs.h"

namespace guest::pci {

Ecam::Ecam(hal::Hal& hal, uint64_t base, unsigned bus_start, unsigned bus_end)
    : hal_(hal), base_(base), bus_start_(bus_start), bus_end_(bus_end) {
  if (bus_start > bus_end || bus_end > PCI_MAX_BUS)
    throw std::invalid_argument("Ecam: bad bus range " + std::to_string(bus_start) + "-" +
                                std::to_string(bus_end));
  if (base & ((1ull << ECAM_BUS_SHIFT) - 1))
    throw std::invalid_argument("Ecam: base is not 1 MiB aligned");
}

uint64_t Ecam::address(unsigned bus, unsigned devfn, unsigned where) const {
  return base_ + (uint64_t(bus - bus_start_) << ECAM_BUS_SHIFT) +
         (uint64_t(devfn & 0xff) << ECAM_DEVFN_SHIFT) + where;
}

int Ecam::check(unsigned bus, unsigned devfn, unsigned where, unsigned size) const {
  if (!decodes(bus)) return -ENODEV;
  if (devfn > 0xff || (size != 1 && size != 2 && size != 4) || where % size ||
      where + size > PCI_CFG_SPACE_EXP_SIZE)
    return -EINVAL;
  return 0;
}

int Ecam::read(unsigned bus, unsigned devfn, unsigned where, unsigned size, uint32_t* value) {
  *value = size >= 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
  if (int err = check(bus, devfn, where, size)) return err;
  ++accesses_;
  try {
    *value = static_cast<uint32_t>(hal_.mmio_read(address(bus, devfn, where), size));
  } catch (const hal::BusError&) {
    return -EIO;
  }
  return 0;
}

int Ecam::write(unsigned bus, unsigned devfn, unsigned where, unsigned size, uint32_t value) {
  if (int err = check(bus, devfn, where, size)) return err;
  ++accesses_;
  try {
    hal_.mmio_write(address(bus, devfn, where), size, value);
  } catch (const hal::BusError&) {
    return -EIO;
  }
  return 0;
}

int pci_bus_read_config_byte(Ecam& ecam, unsigned bus, unsigned devfn, unsigned where,
                             uint8_t* value) {
  uint32_t v;
  const int err = ecam.read(bus, devfn, where, 1, &v);
  *value = static_cast<uint8_t>(v);
  return err;
}

int pci_bus_read_config_word(Ecam& ecam, unsigned bus, unsigned devfn, unsigned where,
                             uint16_t* value) {
  uint32_t v;
  const int err = ecam.read(bus, devfn, where, 2, &v);
  *value = static_cast<uint16_t>(v);
  return err;
}

int pci_bus_read_config_dword(Ecam& ecam, unsigned bus, unsigned devfn, unsigned where,
                              uint32_t* value) {
  return ecam.read(bus, devfn, where, 4, value);
}

int pci_bus_write_config_byte(Ecam& ecam, unsigned bus, unsigned devfn, unsigned where,
                              uint8_t value) {
  return ecam.write(bus, devfn, where, 1, value);
}

int pci_bus_write_config_word(Ecam& ecam, unsigned bus, unsigned devfn, unsigned where,
                              uint16_t value) {
  return ecam.write(bus, devfn, where, 2, value);
}

int pci_bus_write_config_dword(Ecam& ecam, unsigned bus, unsigned devfn, unsigned where,
                               uint32_t value) {
  return ecam.write(bus, devfn, where, 4, value);
}

}  // namespace guest::pci
