#include "sw/pci/pci_dev.h"

#include <cerrno>
#include <cstdio>

namespace guest::pci {

std::string pci_dev::name() const {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0000:%02x:%02x.%u", bus & 0xff, PCI_SLOT(devfn), PCI_FUNC(devfn));
  return buf;
}

int pci_read_config_byte(const pci_dev& dev, unsigned where, uint8_t* value) {
  return pci_bus_read_config_byte(*dev.ecam, dev.bus, dev.devfn, where, value);
}
int pci_read_config_word(const pci_dev& dev, unsigned where, uint16_t* value) {
  return pci_bus_read_config_word(*dev.ecam, dev.bus, dev.devfn, where, value);
}
int pci_read_config_dword(const pci_dev& dev, unsigned where, uint32_t* value) {
  return pci_bus_read_config_dword(*dev.ecam, dev.bus, dev.devfn, where, value);
}
int pci_write_config_byte(const pci_dev& dev, unsigned where, uint8_t value) {
  return pci_bus_write_config_byte(*dev.ecam, dev.bus, dev.devfn, where, value);
}
int pci_write_config_word(const pci_dev& dev, unsigned where, uint16_t value) {
  return pci_bus_write_config_word(*dev.ecam, dev.bus, dev.devfn, where, value);
}
int pci_write_config_dword(const pci_dev& dev, unsigned where, uint32_t value) {
  return pci_bus_write_config_dword(*dev.ecam, dev.bus, dev.devfn, where, value);
}

// --- capabilities ----------------------------------------------------------------

namespace {
// Follows the list from the byte at `pointer_at` (the Capabilities Pointer
// or a capability's Next field). A pointer into the header ends the list
// (PCI 3.0 sec. 6.7: capabilities live at 40h..FFh); the TTL ends a loop.
unsigned walk_capabilities(const pci_dev& dev, unsigned pointer_at, uint8_t cap) {
  uint8_t pos = 0;
  if (pci_read_config_byte(dev, pointer_at, &pos)) return 0;
  for (unsigned ttl = PCI_FIND_CAP_TTL; ttl; --ttl) {
    pos &= PCI_CAP_POINTER_MASK;
    if (pos < PCI_STD_HEADER_SIZEOF) return 0;
    uint16_t header = 0;  // ID in bits 7:0, next pointer in 15:8
    if (pci_read_config_word(dev, pos, &header)) return 0;
    const uint8_t id = header & 0xff;
    if (id == 0xff) return 0;  // the function went away
    if (id == cap) return pos;
    pos = static_cast<uint8_t>(header >> 8);
  }
  return 0;
}
}  // namespace

unsigned pci_find_capability(const pci_dev& dev, uint8_t cap) {
  uint16_t status = 0;
  if (pci_read_config_word(dev, PCI_STATUS, &status) || status == 0xffff ||
      !(status & PCI_STATUS_CAP_LIST))
    return 0;
  return walk_capabilities(dev, PCI_CAPABILITY_LIST, cap);
}

unsigned pci_find_next_capability(const pci_dev& dev, unsigned pos, uint8_t cap) {
  if (pos < PCI_STD_HEADER_SIZEOF || pos >= PCI_CFG_SPACE_SIZE) return 0;
  return walk_capabilities(dev, pos + PCI_CAP_LIST_NEXT, cap);
}

unsigned pci_find_ext_capability(const pci_dev& dev, uint16_t cap) {
  // Only PCI Express functions have the extended region (PCIe 6.0 sec. 7.6).
  if (!dev.pcie_cap) return 0;
  unsigned pos = PCI_EXT_CAP_START;
  for (unsigned ttl = PCI_FIND_EXT_CAP_TTL; ttl; --ttl) {
    uint32_t header = 0;
    if (pci_read_config_dword(dev, pos, &header)) return 0;
    // An empty list has a zero header at 100h (sec. 7.6.3); all ones = gone.
    if (header == 0 || header == 0xffffffffu) return 0;
    if (PCI_EXT_CAP_ID(header) == cap) return pos;
    pos = PCI_EXT_CAP_NEXT(header);
    if (pos < PCI_EXT_CAP_START) return 0;
  }
  return 0;
}

// --- enabling ------------------------------------------------------------------

namespace {
void set_command_bits(pci_dev& dev, uint16_t set, uint16_t clear) {
  uint16_t cmd = 0;
  if (pci_read_config_word(dev, PCI_COMMAND, &cmd)) return;
  const uint16_t next = static_cast<uint16_t>((cmd & ~clear) | set);
  if (next != cmd) pci_write_config_word(dev, PCI_COMMAND, next);
}

// Upstream bridges must decode the device's window and forward its requests.
void enable_bridge_chain(pci_dev* bridge) {
  if (!bridge) return;
  enable_bridge_chain(bridge->parent);
  set_command_bits(*bridge, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, 0);
}
}  // namespace

int pci_enable_device_mem(pci_dev& dev) {
  for (const pci_resource& r : dev.resource)
    if ((r.flags & IORESOURCE_MEM) && r.len && (r.flags & IORESOURCE_UNSET)) return -EINVAL;
  enable_bridge_chain(dev.parent);
  set_command_bits(dev, PCI_COMMAND_MEMORY, 0);
  return 0;
}

int pci_enable_device(pci_dev& dev) {
  return pci_enable_device_mem(dev);
}

void pci_disable_device(pci_dev& dev) {
  set_command_bits(dev, 0, PCI_COMMAND_MEMORY | PCI_COMMAND_IO | PCI_COMMAND_MASTER);
}

void pci_set_master(pci_dev& dev) {
  set_command_bits(dev, PCI_COMMAND_MASTER, 0);
}

void pci_clear_master(pci_dev& dev) {
  set_command_bits(dev, 0, PCI_COMMAND_MASTER);
}

bool pci_is_enabled(const pci_dev& dev) {
  uint16_t cmd = 0;
  return !pci_read_config_word(dev, PCI_COMMAND, &cmd) && (cmd & PCI_COMMAND_MEMORY);
}

}  // namespace guest::pci
