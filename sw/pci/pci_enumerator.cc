#include "sw/pci/pci_enumerator.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <iostream>
#include <limits>
#include <stdexcept>

namespace guest::pci {

namespace {

constexpr uint64_t k4GiB = 1ull << 32;
constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();

std::string hex(uint64_t v, int digits = 0) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%0*llx", digits, static_cast<unsigned long long>(v));
  return buf;
}

// Rounds up to a power-of-two alignment; saturates instead of wrapping.
uint64_t align_up(uint64_t v, uint64_t align) {
  if (align <= 1) return v;
  if (v > kMax - (align - 1)) return kMax;
  return (v + align - 1) & ~(align - 1);
}

uint64_t add_sat(uint64_t a, uint64_t b) {
  return a > kMax - b ? kMax : a + b;
}

std::string range(const pci_resource& r) {
  return "0x" + hex(r.start) + "-0x" + hex(r.end() - 1);
}

std::string describe(const pci_resource& r) {
  std::string s = (r.flags & IORESOURCE_IO) ? "io" : "mem";
  s += (r.flags & IORESOURCE_UNSET) ? " size 0x" + hex(r.len) : " " + range(r);
  if (r.flags & IORESOURCE_MEM_64) s += " 64bit";
  if (r.flags & IORESOURCE_PREFETCH) s += " pref";
  return s;
}

}  // namespace

// A BAR (bar >= 0) or a bridge window of `kind` (bar < 0) to be placed.
struct PciEnumerator::Item {
  pci_dev* dev;
  int bar;
  Kind kind;
  uint64_t size, align;
};

PciEnumerator::PciEnumerator(Ecam& ecam, const PciHostWindows& windows)
    : ecam_(ecam), windows_(windows) {
  const auto check = [](const PciHostWindow& w, const char* what) {
    if (w.size && ((w.base | w.size) % PCI_BRIDGE_WINDOW_ALIGN || w.base > kMax - w.size))
      throw std::invalid_argument(std::string("PciEnumerator: ") + what +
                                  " window is not 1 MiB aligned or wraps");
  };
  check(windows_.mem, "mem");
  check(windows_.pref, "pref");
  if (windows_.mem.size && windows_.mem.end() > k4GiB)
    throw std::invalid_argument("PciEnumerator: the non-prefetchable window must lie below 4 GiB");
  if (windows_.mem.size && windows_.pref.size && windows_.mem.base < windows_.pref.end() &&
      windows_.pref.base < windows_.mem.end())
    throw std::invalid_argument("PciEnumerator: host windows overlap");
}

void PciEnumerator::note(const std::string& line) {
  log_.push_back(line);
  if (verbose_) std::clog << line << '\n';
}

void PciEnumerator::problem(const std::string& line) {
  ++problems_;
  note(line);
}

// --- scanning ----------------------------------------------------------------------

int PciEnumerator::scan() {
  if (scanned_) return -EALREADY;
  scanned_ = true;
  last_bus_ = scan_bus(ecam_.bus_start(), nullptr);

  // BARs that can never fit their host window are left out of the sizing,
  // so that one bad device does not take its siblings' space with it.
  for (const auto& dev : devices_) {
    for (unsigned i = 0; i < PCI_STD_NUM_BARS; ++i) {
      const pci_resource& r = dev->resource[i];
      if (!(r.flags & IORESOURCE_MEM) || !r.len) continue;
      const PciHostWindow& w = kind_of(*dev, r) == kPref ? windows_.pref : windows_.mem;
      if (r.len > w.size) {
        problem("pci " + dev->name() + ": BAR " + std::to_string(i) + " [" + describe(r) +
                "] is larger than the host " + (&w == &windows_.pref ? "pref" : "mem") +
                " window (0x" + hex(w.size) + " bytes); not assigned");
        excluded_.insert(&r);
        if (!first_error_) first_error_ = -ENOSPC;
      }
    }
  }
  for (pci_dev* dev : root_)
    if (dev->is_bridge) size_bridge_windows(*dev);
  assign_root(kMem);
  assign_root(kPref);
  for (const auto& dev : devices_)
    if (dev->is_bridge) write_bridge_windows(*dev);
  note("pci_bus 0000:" + hex(ecam_.bus_start(), 2) + ": " + std::to_string(devices_.size()) +
       " functions, buses " + hex(ecam_.bus_start(), 2) + "-" + hex(last_bus_, 2) + ", " +
       std::to_string(problems_) + " problems");
  return first_error_;
}

unsigned PciEnumerator::scan_bus(unsigned bus, pci_dev* bridge) {
  std::vector<pci_dev*>& list = bridge ? bridge->children : root_;
  // A Root Port's or Downstream Port's link leads to one device, number 0
  // (PCIe 6.0 sec. 7.3.1: the port converts only Device 0 to type 0).
  const bool one_device =
      bridge && bridge->pcie_cap &&
      (bridge->pcie_type == PCI_EXP_TYPE_ROOT_PORT || bridge->pcie_type == PCI_EXP_TYPE_DOWNSTREAM);
  const unsigned slots = one_device ? 1 : PCI_MAX_SLOT + 1;
  for (unsigned slot = 0; slot < slots; ++slot) {
    pci_dev* f0 = scan_function(bus, PCI_DEVFN(slot, 0), bridge);
    if (!f0) continue;
    list.push_back(f0);
    if (!f0->multifunction) continue;
    for (unsigned fn = 1; fn <= PCI_MAX_FUNC; ++fn)
      if (pci_dev* f = scan_function(bus, PCI_DEVFN(slot, fn), bridge)) list.push_back(f);
  }
  unsigned max = bus;
  for (pci_dev* dev : std::vector<pci_dev*>(list))
    if (dev->is_bridge) max = scan_bridge(*dev, max);
  return max;
}

pci_dev* PciEnumerator::scan_function(unsigned bus, uint8_t devfn, pci_dev* bridge) {
  uint32_t id = 0;
  if (int err = pci_bus_read_config_dword(ecam_, bus, devfn, PCI_VENDOR_ID, &id)) {
    if (err == -EIO)
      problem("pci 0000:" + hex(bus, 2) + ":" + hex(PCI_SLOT(devfn), 2) + "." +
              hex(PCI_FUNC(devfn)) + ": configuration read failed with a bus error");
    return nullptr;
  }
  const uint16_t vendor = id & 0xffff;
  // All ones: no function answered (sec. 7.5.1.1.1); 0 is never assigned.
  if (vendor == PCI_VENDOR_ID_NONE || vendor == 0) return nullptr;

  auto owned = std::make_unique<pci_dev>();
  pci_dev& dev = *owned;
  dev.ecam = &ecam_;
  dev.bus = bus;
  dev.devfn = devfn;
  dev.vendor = vendor;
  dev.device = static_cast<uint16_t>(id >> 16);
  dev.parent = bridge;
  uint32_t class_rev = 0;
  uint8_t hdr = 0;
  pci_read_config_dword(dev, PCI_CLASS_REVISION, &class_rev);
  pci_read_config_byte(dev, PCI_HEADER_TYPE, &hdr);
  dev.class_code = class_rev >> 8;
  dev.revision = class_rev & 0xff;
  dev.hdr_type = hdr & PCI_HEADER_TYPE_MASK;
  dev.multifunction = hdr & PCI_HEADER_TYPE_MFD;
  note("pci " + dev.name() + ": [" + hex(dev.vendor, 4) + ":" + hex(dev.device, 4) + "] type " +
       hex(dev.hdr_type, 2) + " class 0x" + hex(dev.class_code, 6));

  switch (dev.hdr_type) {
    case PCI_HEADER_TYPE_NORMAL:
      read_bases(dev, PCI_NUM_BARS_TYPE0);
      break;
    case PCI_HEADER_TYPE_BRIDGE: {
      dev.is_bridge = true;
      read_bases(dev, PCI_NUM_BARS_TYPE1);
      probe_bridge_windows(dev);
      // Forward nothing until this bridge's turn comes (stale numbers from
      // a previous run must not claim buses assigned elsewhere).
      uint32_t buses = 0;
      pci_read_config_dword(dev, PCI_PRIMARY_BUS, &buses);
      pci_write_config_dword(dev, PCI_PRIMARY_BUS, (buses & 0xff000000u) | (bus & 0xff));
      dev.primary = static_cast<uint8_t>(bus);
      break;
    }
    default:
      problem("pci " + dev.name() + ": unsupported header type " + hex(dev.hdr_type, 2) +
              "; ignoring its resources");
      if (!first_error_) first_error_ = -EINVAL;
      break;
  }
  read_capabilities(dev);
  devices_.push_back(std::move(owned));
  return &dev;
}

unsigned PciEnumerator::scan_bridge(pci_dev& bridge, unsigned max) {
  if (max >= ecam_.bus_end()) {
    problem("pci " + bridge.name() + ": no bus number left (ECAM decodes buses " +
            hex(ecam_.bus_start(), 2) + "-" + hex(ecam_.bus_end(), 2) +
            "); devices behind this bridge are not scanned");
    if (!first_error_) first_error_ = -ENOSPC;
    return max;
  }
  const unsigned secondary = max + 1;
  uint32_t buses = 0;
  pci_read_config_dword(bridge, PCI_PRIMARY_BUS, &buses);
  // Subordinate FFh while scanning below, so every bus number still to be
  // handed out is routed through this bridge (sec. 7.5.1.3.5).
  buses = (buses & 0xff000000u) | (bridge.bus & 0xff) | secondary << 8 | 0xffu << 16;
  pci_write_config_dword(bridge, PCI_PRIMARY_BUS, buses);
  bridge.primary = static_cast<uint8_t>(bridge.bus);
  bridge.secondary = static_cast<uint8_t>(secondary);
  bridge.subordinate = 0xff;

  max = scan_bus(secondary, &bridge);
  pci_write_config_byte(bridge, PCI_SUBORDINATE_BUS, static_cast<uint8_t>(max));
  bridge.subordinate = static_cast<uint8_t>(max);
  note("pci " + bridge.name() + ": PCI bridge to [bus " + hex(secondary, 2) + "-" + hex(max, 2) +
       "]");
  return max;
}

void PciEnumerator::read_bases(pci_dev& dev, unsigned num_bars) {
  // Decoding off while a BAR holds the all-ones pattern, so the function
  // never claims the addresses the probe spells (sec. 7.5.1.2.1).
  uint16_t cmd = 0;
  pci_read_config_word(dev, PCI_COMMAND, &cmd);
  const uint16_t decode = PCI_COMMAND_MEMORY | PCI_COMMAND_IO;
  if (cmd & decode) pci_write_config_word(dev, PCI_COMMAND, cmd & ~decode);

  const auto probe = [&](unsigned offset, uint32_t* original, uint32_t* mask) {
    pci_read_config_dword(dev, offset, original);
    pci_write_config_dword(dev, offset, 0xffffffffu);
    pci_read_config_dword(dev, offset, mask);
    pci_write_config_dword(dev, offset, *original);
  };
  const std::string who = "pci " + dev.name() + ": BAR ";

  for (unsigned i = 0; i < num_bars; ++i) {
    pci_resource& r = dev.resource[i];
    uint32_t l = 0, sz = 0;
    probe(PCI_BAR_OFFSET(i), &l, &sz);
    if (sz == 0 || sz == 0xffffffffu) continue;  // unimplemented (or the function vanished)

    if (l & PCI_BASE_ADDRESS_SPACE_IO) {
      const uint32_t mask = sz & PCI_BASE_ADDRESS_IO_MASK & 0xffff;
      r.len = mask & (~mask + 1);
      r.flags = IORESOURCE_IO | IORESOURCE_UNSET;
      problem(who + std::to_string(i) + " [" + describe(r) + "]: I/O space is not supported");
      if (!first_error_) first_error_ = -EINVAL;
      continue;
    }
    const uint32_t type = l & PCI_BASE_ADDRESS_MEM_TYPE_MASK;
    uint64_t mask = sz & PCI_BASE_ADDRESS_MEM_MASK;
    uint64_t address = l & PCI_BASE_ADDRESS_MEM_MASK;
    unsigned flags = IORESOURCE_MEM | IORESOURCE_UNSET;
    if (l & PCI_BASE_ADDRESS_MEM_PREFETCH) flags |= IORESOURCE_PREFETCH;
    if (type == PCI_BASE_ADDRESS_MEM_TYPE_64) {
      if (i + 1 >= num_bars) {
        problem(who + std::to_string(i) + ": 64-bit BAR in the last BAR slot; ignored");
        if (!first_error_) first_error_ = -EINVAL;
        continue;
      }
      uint32_t h = 0, hsz = 0;
      probe(PCI_BAR_OFFSET(i + 1), &h, &hsz);
      mask |= uint64_t(hsz) << 32;
      address |= uint64_t(h) << 32;
      flags |= IORESOURCE_MEM_64;
    } else if (type == PCI_BASE_ADDRESS_MEM_TYPE_32 || type == PCI_BASE_ADDRESS_MEM_TYPE_1M) {
      mask |= 0xffffffff00000000ull;  // a 32-bit BAR decodes no upper bits
    } else {
      problem(who + std::to_string(i) + ": reserved memory type " + std::to_string(type >> 1) +
              "; ignored");
      if (!first_error_) first_error_ = -EINVAL;
      continue;
    }
    // Writable address bits read back as ones; the size is the lowest of
    // them. No writable bit: the BAR is not implemented.
    const bool implemented =
        (flags & IORESOURCE_MEM_64) ? mask != 0 : (sz & PCI_BASE_ADDRESS_MEM_MASK) != 0;
    if (implemented) {
      r.start = address;
      r.len = mask & (~mask + 1);
      r.flags = flags;
      note(who + std::to_string(i) + " [" + describe(r) + "]");
    }
    if (flags & IORESOURCE_MEM_64) ++i;  // the upper half is not a BAR of its own
  }
  if (cmd & decode) pci_write_config_word(dev, PCI_COMMAND, cmd);
}

void PciEnumerator::read_capabilities(pci_dev& dev) {
  dev.pm_cap = static_cast<uint8_t>(pci_find_capability(dev, PCI_CAP_ID_PM));
  dev.msi_cap = static_cast<uint8_t>(pci_find_capability(dev, PCI_CAP_ID_MSI));
  dev.msix_cap = static_cast<uint8_t>(pci_find_capability(dev, PCI_CAP_ID_MSIX));
  dev.pcie_cap = static_cast<uint8_t>(pci_find_capability(dev, PCI_CAP_ID_EXP));
  if (dev.pcie_cap) {
    uint16_t flags = 0;
    pci_read_config_word(dev, dev.pcie_cap + PCI_EXP_FLAGS, &flags);
    dev.pcie_type = (flags & PCI_EXP_FLAGS_TYPE) >> PCI_EXP_FLAGS_TYPE_SHIFT;
  }
  dev.acs_cap = static_cast<uint16_t>(pci_find_ext_capability(dev, PCI_EXT_CAP_ID_ACS));
  dev.ats_cap = static_cast<uint16_t>(pci_find_ext_capability(dev, PCI_EXT_CAP_ID_ATS));
  dev.pri_cap = static_cast<uint16_t>(pci_find_ext_capability(dev, PCI_EXT_CAP_ID_PRI));
}

void PciEnumerator::probe_bridge_windows(pci_dev& bridge) {
  // The prefetchable window is optional: its base reads 0 and does not
  // take a written value when absent (sec. 7.5.1.3.9).
  uint16_t base = 0;
  pci_read_config_word(bridge, PCI_PREF_MEMORY_BASE, &base);
  if (!base) {
    pci_write_config_word(bridge, PCI_PREF_MEMORY_BASE, PCI_MEMORY_CLOSED_BASE);
    pci_read_config_word(bridge, PCI_PREF_MEMORY_BASE, &base);
    pci_write_config_word(bridge, PCI_PREF_MEMORY_BASE, 0);
  }
  bridge.has_pref_window = base != 0;
  bridge.pref_64 =
      bridge.has_pref_window && (base & PCI_PREF_RANGE_TYPE_MASK) == PCI_PREF_RANGE_TYPE_64;
}

// --- resource assignment --------------------------------------------------------------

bool PciEnumerator::pref_usable_below(const pci_dev* bridge) const {
  if (!bridge) return windows_.pref.size != 0;
  return pref_usable_below(bridge->parent) && bridge->has_pref_window &&
         (bridge->pref_64 || windows_.pref.end() <= k4GiB);
}

PciEnumerator::Kind PciEnumerator::kind_of(const pci_dev& dev, const pci_resource& bar) const {
  // A 32-bit prefetchable BAR can use the prefetchable window only when that
  // window lies below 4 GiB; otherwise it goes non-prefetchable, which is
  // always allowed (prefetchable memory tolerates non-prefetchable access).
  if ((bar.flags & IORESOURCE_PREFETCH) && pref_usable_below(dev.parent) &&
      ((bar.flags & IORESOURCE_MEM_64) || windows_.pref.end() <= k4GiB))
    return kPref;
  return kMem;
}

std::vector<PciEnumerator::Item> PciEnumerator::items_on(const std::vector<pci_dev*>& devs,
                                                         Kind kind) {
  std::vector<Item> items;
  for (pci_dev* dev : devs) {
    for (unsigned i = 0; i < PCI_STD_NUM_BARS; ++i) {
      const pci_resource& r = dev->resource[i];
      if ((r.flags & IORESOURCE_MEM) && r.len && !excluded_.count(&r) && kind_of(*dev, r) == kind)
        items.push_back({dev, static_cast<int>(i), kind, r.len, r.len});
    }
    if (dev->is_bridge) {
      const Need& n = need_[dev][kind];
      if (n.size) items.push_back({dev, -1, kind, n.size, n.align});
    }
  }
  // Largest alignment first packs naturally aligned items without holes.
  std::stable_sort(items.begin(), items.end(),
                   [](const Item& a, const Item& b) { return a.align > b.align; });
  return items;
}

void PciEnumerator::size_bridge_windows(pci_dev& bridge) {
  for (pci_dev* child : bridge.children)
    if (child->is_bridge) size_bridge_windows(*child);
  for (Kind kind : {kMem, kPref}) {
    uint64_t offset = 0, align = 0;
    for (const Item& it : items_on(bridge.children, kind)) {
      offset = add_sat(align_up(offset, it.align), it.size);
      align = std::max(align, it.align);
    }
    Need& n = need_[&bridge][kind];
    if (offset) {
      // Bridge windows have 1 MiB granularity (sec. 7.5.1.3.8).
      n.size = align_up(offset, PCI_BRIDGE_WINDOW_ALIGN);
      n.align = std::max(align, PCI_BRIDGE_WINDOW_ALIGN);
    }
  }
}

void PciEnumerator::assign_root(Kind kind) {
  const PciHostWindow& w = kind == kPref ? windows_.pref : windows_.mem;
  uint64_t cursor = w.base;
  for (const Item& it : items_on(root_, kind)) {
    const uint64_t at = align_up(cursor, it.align);
    if (!w.size || at == kMax || it.size > w.end() - std::min(at, w.end()) || at >= w.end()) {
      mark_unassignable(it, std::string("no space left in the host ") +
                                (kind == kPref ? "pref" : "mem") + " window");
      continue;
    }
    place(it, at);
    cursor = at + it.size;
  }
}

void PciEnumerator::place(const Item& item, uint64_t address) {
  pci_dev& dev = *item.dev;
  if (item.bar >= 0) {
    pci_resource& r = dev.resource[item.bar];
    r.start = address;
    r.flags &= ~IORESOURCE_UNSET;
    write_bar(dev, static_cast<unsigned>(item.bar));
    note("pci " + dev.name() + ": BAR " + std::to_string(item.bar) + " [" + describe(r) +
         "]: assigned");
    return;
  }
  pci_resource& win = item.kind == kPref ? dev.pref_window : dev.mem_window;
  win.start = address;
  win.len = item.size;
  win.flags = IORESOURCE_MEM | IORESOURCE_WINDOW;
  if (item.kind == kPref) win.flags |= IORESOURCE_PREFETCH | (dev.pref_64 ? IORESOURCE_MEM_64 : 0);
  // Same order and alignment as when the window was sized, so it fits.
  uint64_t cursor = address;
  for (const Item& child : items_on(dev.children, item.kind)) {
    const uint64_t at = align_up(cursor, child.align);
    place(child, at);
    cursor = at + child.size;
  }
}

void PciEnumerator::mark_unassignable(const Item& item, const std::string& why) {
  if (!first_error_) first_error_ = -ENOSPC;
  pci_dev& dev = *item.dev;
  if (item.bar >= 0) {
    problem("pci " + dev.name() + ": BAR " + std::to_string(item.bar) + " [" +
            describe(dev.resource[item.bar]) + "]: " + why + "; not assigned");
    return;
  }
  problem("pci " + dev.name() + ": bridge window [" + (item.kind == kPref ? "pref" : "mem") +
          " size 0x" + hex(item.size) + "]: " + why + "; not assigned");
  for (const Item& child : items_on(dev.children, item.kind))
    mark_unassignable(child, "behind unassigned bridge window of " + dev.name());
}

void PciEnumerator::write_bar(pci_dev& dev, unsigned bar) {
  const pci_resource& r = dev.resource[bar];
  pci_write_config_dword(dev, PCI_BAR_OFFSET(bar), static_cast<uint32_t>(r.start));
  if (r.flags & IORESOURCE_MEM_64)
    pci_write_config_dword(dev, PCI_BAR_OFFSET(bar + 1), static_cast<uint32_t>(r.start >> 32));
}

void PciEnumerator::write_bridge_windows(pci_dev& bridge) {
  const auto base_reg = [](const pci_resource& w) {
    return static_cast<uint16_t>((w.start >> PCI_MEMORY_RANGE_SHIFT) & PCI_MEMORY_RANGE_MASK);
  };
  const auto limit_reg = [](const pci_resource& w) {
    return static_cast<uint16_t>(((w.end() - 1) >> PCI_MEMORY_RANGE_SHIFT) & PCI_MEMORY_RANGE_MASK);
  };
  // No I/O space behind any bridge: close the I/O window.
  pci_write_config_byte(bridge, PCI_IO_BASE, PCI_IO_CLOSED_BASE);
  pci_write_config_byte(bridge, PCI_IO_LIMIT, PCI_IO_CLOSED_LIMIT);
  pci_write_config_dword(bridge, PCI_IO_BASE_UPPER16, 0);

  const pci_resource& m = bridge.mem_window;
  pci_write_config_word(bridge, PCI_MEMORY_BASE, m.len ? base_reg(m) : PCI_MEMORY_CLOSED_BASE);
  pci_write_config_word(bridge, PCI_MEMORY_LIMIT, m.len ? limit_reg(m) : PCI_MEMORY_CLOSED_LIMIT);
  if (m.len) note("pci " + bridge.name() + ":   bridge window [mem " + range(m) + "]");

  if (!bridge.has_pref_window) return;
  const pci_resource& p = bridge.pref_window;
  if (p.len) {
    pci_write_config_dword(bridge, PCI_PREF_BASE_UPPER32, static_cast<uint32_t>(p.start >> 32));
    pci_write_config_dword(bridge, PCI_PREF_LIMIT_UPPER32,
                           static_cast<uint32_t>((p.end() - 1) >> 32));
    pci_write_config_word(bridge, PCI_PREF_MEMORY_BASE, base_reg(p));
    pci_write_config_word(bridge, PCI_PREF_MEMORY_LIMIT, limit_reg(p));
    note("pci " + bridge.name() + ":   bridge window [mem " + range(p) + " 64bit pref]");
  } else {
    pci_write_config_word(bridge, PCI_PREF_MEMORY_BASE, PCI_MEMORY_CLOSED_BASE);
    pci_write_config_word(bridge, PCI_PREF_MEMORY_LIMIT, PCI_MEMORY_CLOSED_LIMIT);
    if (bridge.pref_64) {
      pci_write_config_dword(bridge, PCI_PREF_BASE_UPPER32, 0);
      pci_write_config_dword(bridge, PCI_PREF_LIMIT_UPPER32, 0);
    }
  }
}

// --- lookup and printing ----------------------------------------------------------------

pci_dev* PciEnumerator::pci_get_device(uint16_t vendor, uint16_t device,
                                       const pci_dev* from) const {
  auto it = devices_.begin();
  if (from) {
    it = std::find_if(devices_.begin(), devices_.end(),
                      [from](const auto& d) { return d.get() == from; });
    if (it == devices_.end()) return nullptr;
    ++it;
  }
  for (; it != devices_.end(); ++it) {
    const pci_dev& d = **it;
    if ((vendor == PCI_ANY_ID || d.vendor == vendor) &&
        (device == PCI_ANY_ID || d.device == device))
      return it->get();
  }
  return nullptr;
}

pci_dev* PciEnumerator::pci_get_slot(unsigned bus, unsigned devfn) const {
  for (const auto& d : devices_)
    if (d->bus == bus && d->devfn == devfn) return d.get();
  return nullptr;
}

void PciEnumerator::print(std::string& out, const pci_dev& dev, const std::string& prefix,
                          bool last) const {
  out += prefix + (last ? "\\-" : "+-") + hex(PCI_SLOT(dev.devfn), 2) + "." +
         hex(PCI_FUNC(dev.devfn)) + " [" + hex(dev.vendor, 4) + ":" + hex(dev.device, 4) + "] " +
         hex(dev.class_code >> 8, 4);
  if (dev.is_bridge) {
    out += " -[";
    if (!dev.secondary) {
      out += "no bus";
    } else {
      out += hex(dev.secondary, 2);
      if (dev.subordinate != dev.secondary) out += "-" + hex(dev.subordinate, 2);
    }
    out += "]";
  }
  out += "\n";
  const std::string below = prefix + (last ? "  " : "| ");
  for (size_t i = 0; i < dev.children.size(); ++i)
    print(out, *dev.children[i], below, i + 1 == dev.children.size());
}

std::string PciEnumerator::tree() const {
  std::string out = "[0000:" + hex(ecam_.bus_start(), 2) + "]\n";
  for (size_t i = 0; i < root_.size(); ++i) print(out, *root_[i], "", i + 1 == root_.size());
  return out;
}

}  // namespace guest::pci
