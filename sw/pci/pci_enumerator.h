// PCI enumeration: what a kernel's PCI core does at boot on a host bridge
// that firmware left unconfigured (Linux pci_scan_root_bus_bridge() and
// pci_assign_unassigned_root_bus_resources(), much simplified).
//
//  1. Depth-first scan from the first bus of the ECAM window: every device
//     number (only device 0 below a PCIe Root Port or Downstream Port, whose
//     link reaches one device), function 0 first, functions 1..7 only when
//     the Header Type's multi-function bit is set; a Vendor ID of FFFFh
//     means "no function" (PCIe 6.0 sec. 7.5.1.1.1).
//  2. Each bridge gets primary = its bus, secondary = next free bus,
//     subordinate = FFh while the buses below it are scanned, then the
//     highest bus found below it (sec. 7.5.1.3.3-5).
//  3. BARs are sized with the all-ones probe with memory decoding off and
//     the original values and Command register restored (sec. 7.5.1.2.1).
//  4. Bridge windows are sized bottom-up (children sorted by alignment, each
//     naturally aligned, rounded to 1 MiB) and everything is assigned top-
//     down from two host windows: a 32-bit non-prefetchable window and a
//     64-bit prefetchable one. 64-bit prefetchable BARs go to the latter
//     when every bridge above them has a 64-bit prefetchable window; all
//     other memory BARs go to the former. Windows with nothing behind them
//     are closed (base above limit, sec. 7.5.1.3.8).
//  5. Devices are left disabled (Command = 0); drivers call
//     pci_enable_device() / pci_set_master() (sw/pci/pci_dev.h).
//
// Problems (a BAR larger than its host window, a host window too small for
// everything, no bus number left for a bridge, an I/O BAR, a broken BAR)
// are logged with the device name and make scan() return -ENOSPC / -EINVAL;
// everything that could be assigned still is, and what could not keeps
// IORESOURCE_UNSET so pci_enable_device() refuses it.
//
// Not modeled: I/O space, hot-plug reservations, resizable BARs, SR-IOV,
// ARI, re-using firmware assignments, multiple host bridges / segments.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "sw/pci/ecam.h"
#include "sw/pci/pci_dev.h"

namespace guest::pci {

// A host bridge aperture [base, base + size); size 0 = absent.
struct PciHostWindow {
  uint64_t base = 0;
  uint64_t size = 0;
  uint64_t end() const { return base + size; }
};

struct PciHostWindows {
  PciHostWindow mem;   // non-prefetchable MMIO; must lie below 4 GiB
  PciHostWindow pref;  // prefetchable MMIO, may lie above 4 GiB
};

class PciEnumerator {
 public:
  // Throws std::invalid_argument for windows that are not 1 MiB aligned, a
  // mem window above 4 GiB or overlapping windows (platform description
  // errors, not hardware errors).
  PciEnumerator(Ecam& ecam, const PciHostWindows& windows);

  // Scans, numbers buses and assigns and programs resources. 0 when
  // everything was assigned; -ENOSPC when bus numbers or a window ran out;
  // -EINVAL for a BAR the enumerator cannot use (I/O, broken). Call once.
  int scan();

  // All functions found, in discovery order (depth-first).
  const std::vector<std::unique_ptr<pci_dev>>& devices() const { return devices_; }
  // Functions on the root bus.
  const std::vector<pci_dev*>& root_bus() const { return root_; }
  // Next function after `from` (nullptr: the first) with this vendor and
  // device ID; PCI_ANY_ID matches any. nullptr when there is none.
  pci_dev* pci_get_device(uint16_t vendor, uint16_t device, const pci_dev* from = nullptr) const;
  pci_dev* pci_get_slot(unsigned bus, unsigned devfn) const;
  // Highest bus number assigned.
  unsigned last_bus() const { return last_bus_; }

  // The hierarchy in the style of `lspci -tv`, one function per line:
  //   [0000:00]
  //   +-00.0 [1b36:0008] 0600
  //   \-01.0 [1b36:000c] 0604 -[01]
  //     \-00.0 [1af4:1000] 0200
  std::string tree() const;
  // What the scan did and every problem, like the kernel log.
  const std::vector<std::string>& log() const { return log_; }
  unsigned problems() const { return problems_; }
  // Echo log lines to std::clog as they are produced (default off).
  void set_verbose(bool on) { verbose_ = on; }

 private:
  enum Kind { kMem = 0, kPref = 1, kKinds = 2 };
  struct Item;  // a BAR or a bridge window to place

  unsigned scan_bus(unsigned bus, pci_dev* bridge);
  pci_dev* scan_function(unsigned bus, uint8_t devfn, pci_dev* bridge);
  unsigned scan_bridge(pci_dev& bridge, unsigned max);
  void read_bases(pci_dev& dev, unsigned num_bars);
  void read_capabilities(pci_dev& dev);
  void probe_bridge_windows(pci_dev& bridge);

  bool pref_usable_below(const pci_dev* bridge) const;
  Kind kind_of(const pci_dev& dev, const pci_resource& bar) const;
  std::vector<Item> items_on(const std::vector<pci_dev*>& devs, Kind kind);
  void size_bridge_windows(pci_dev& bridge);
  void place(const Item& item, uint64_t address);
  void assign_root(Kind kind);
  void write_bar(pci_dev& dev, unsigned bar);
  void write_bridge_windows(pci_dev& bridge);
  void mark_unassignable(const Item& item, const std::string& why);

  void note(const std::string& line);
  void problem(const std::string& line);
  void print(std::string& out, const pci_dev& dev, const std::string& prefix, bool last) const;

  Ecam& ecam_;
  PciHostWindows windows_;
  std::vector<std::unique_ptr<pci_dev>> devices_;
  std::vector<pci_dev*> root_;
  std::vector<std::string> log_;
  unsigned problems_ = 0;
  int first_error_ = 0;
  unsigned last_bus_ = 0;
  bool verbose_ = false;
  bool scanned_ = false;
  // Bridge window sizes and alignments, computed bottom-up.
  struct Need {
    uint64_t size = 0, align = 0;
  };
  std::map<const pci_dev*, std::array<Need, kKinds>> need_;
  std::set<const pci_resource*> excluded_;  // BARs that can never be placed
};

}  // namespace guest::pci
