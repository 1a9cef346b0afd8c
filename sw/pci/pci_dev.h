// One PCI function as the guest kernel knows it (Linux struct pci_dev), and
// the per-device helpers drivers call: configuration accessors, capability
// search, enabling memory decoding and bus mastering, BAR resources.
//
// A pci_dev is created by the enumerator (sw/pci/pci_enumerator.h), which
// fills in identity, header type, BAR resources, bridge bus numbers and
// windows and capability offsets. Helpers return 0 or a negative errno.
//
// Not modeled: I/O space (I/O BARs are recorded, never assigned or enabled),
// expansion ROMs, power management, resets, INTx routing.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sw/pci/ecam.h"
#include "sw/pci/pci_regs.h"

namespace guest::pci {

// Resource flags (after Linux IORESOURCE_*).
constexpr unsigned IORESOURCE_IO = 1u << 0;
constexpr unsigned IORESOURCE_MEM = 1u << 1;
constexpr unsigned IORESOURCE_PREFETCH = 1u << 2;
constexpr unsigned IORESOURCE_MEM_64 = 1u << 3;  // the BAR takes 64-bit addresses
constexpr unsigned IORESOURCE_UNSET = 1u << 4;   // sized but no address assigned
constexpr unsigned IORESOURCE_WINDOW = 1u << 5;  // a bridge window, not a BAR

// An address range [start, start + len). len 0 = not implemented.
struct pci_resource {
  uint64_t start = 0;
  uint64_t len = 0;
  unsigned flags = 0;
  uint64_t end() const { return start + len; }  // exclusive
  bool assigned() const { return len && !(flags & IORESOURCE_UNSET); }
  bool contains(const pci_resource& r) const {
    return r.len && r.start >= start && r.end() <= end();
  }
};

constexpr unsigned PCI_STD_NUM_BARS = 6;

struct pci_dev {
  Ecam* ecam = nullptr;
  unsigned bus = 0;  // number of the bus the function sits on
  uint8_t devfn = 0;
  uint16_t vendor = 0, device = 0;
  uint32_t class_code = 0;  // 24 bit: base class, sub-class, prog-if
  uint8_t revision = 0;
  uint8_t hdr_type = 0;  // without the multi-function bit
  bool multifunction = false;
  bool is_bridge = false;

  pci_resource resource[PCI_STD_NUM_BARS];  // BARs; index = BAR number

  // Bridges (type 1): bus numbers and the windows assigned to them.
  uint8_t primary = 0, secondary = 0, subordinate = 0;
  pci_resource mem_window;   // non-prefetchable, 32-bit
  pci_resource pref_window;  // prefetchable (64-bit when pref_64)
  bool has_pref_window = false;
  bool pref_64 = false;

  // Capability offsets (0 = absent).
  uint8_t pcie_cap = 0, msi_cap = 0, msix_cap = 0, pm_cap = 0;
  uint16_t acs_cap = 0;
  uint16_t ats_cap = 0;
  uint16_t pri_cap = 0;

  bool ats_enabled = false;  // set by pci_enable_ats()
  uint8_t ats_stu = 0;       // log2 of the Smallest Translation Unit
  bool pri_enabled = false;  // set by pci_enable_pri()
  uint32_t pri_reqs_alloc = 0;
  uint8_t pcie_type = 0;  // PCI_EXP_TYPE_* when pcie_cap

  bool msi_enabled = false;
  uint64_t msi_address = 0;
  uint32_t msi_data = 0;

  pci_dev* parent = nullptr;       // upstream bridge; nullptr on the root bus
  std::vector<pci_dev*> children;  // functions on the secondary bus (bridges)

  // "0000:bb:dd.f"
  std::string name() const;
  // Requester ID: bus << 8 | devfn.
  uint16_t requester_id() const { return static_cast<uint16_t>(bus << 8 | devfn); }
  unsigned class_base() const { return class_code >> 16; }
};

// --- configuration access on a device (Linux names) -------------------------------
int pci_read_config_byte(const pci_dev& dev, unsigned where, uint8_t* value);
int pci_read_config_word(const pci_dev& dev, unsigned where, uint16_t* value);
int pci_read_config_dword(const pci_dev& dev, unsigned where, uint32_t* value);
int pci_write_config_byte(const pci_dev& dev, unsigned where, uint8_t value);
int pci_write_config_word(const pci_dev& dev, unsigned where, uint16_t value);
int pci_write_config_dword(const pci_dev& dev, unsigned where, uint32_t value);

// --- capabilities ----------------------------------------------------------------
// Walk the capability list from the Capabilities Pointer (stopping at a
// loop or a pointer into the header); offset of capability `cap` or 0.
unsigned pci_find_capability(const pci_dev& dev, uint8_t cap);
// Next capability `cap` after the one at `pos`, or 0.
unsigned pci_find_next_capability(const pci_dev& dev, unsigned pos, uint8_t cap);
// Walk the extended capabilities from 0x100 (PCIe functions only); 0 if absent.
unsigned pci_find_ext_capability(const pci_dev& dev, uint16_t cap);

// --- enabling ------------------------------------------------------------------
// Turns on memory decoding, first on every upstream bridge (with bus
// mastering, so the bridge forwards the device's DMA), as Linux does.
// -EINVAL when a memory BAR of the device has no address assigned.
int pci_enable_device(pci_dev& dev);
int pci_enable_device_mem(pci_dev& dev);
void pci_disable_device(pci_dev& dev);
void pci_set_master(pci_dev& dev);
void pci_clear_master(pci_dev& dev);
bool pci_is_enabled(const pci_dev& dev);  // memory decoding on (reads the register)

// --- resources -------------------------------------------------------------------
inline uint64_t pci_resource_start(const pci_dev& dev, unsigned bar) {
  return bar < PCI_STD_NUM_BARS ? dev.resource[bar].start : 0;
}
inline uint64_t pci_resource_len(const pci_dev& dev, unsigned bar) {
  return bar < PCI_STD_NUM_BARS ? dev.resource[bar].len : 0;
}
inline unsigned pci_resource_flags(const pci_dev& dev, unsigned bar) {
  return bar < PCI_STD_NUM_BARS ? dev.resource[bar].flags : 0;
}
inline bool pci_is_pcie(const pci_dev& dev) {
  return dev.pcie_cap != 0;
}
inline uint8_t pci_pcie_type(const pci_dev& dev) {
  return dev.pcie_type;
}

}  // namespace guest::pci
