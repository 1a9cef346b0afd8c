// Guest PCI enumeration (sw/pci) against a fake ECAM holding model
// configuration spaces. The checks read the model side (what the hardware
// decodes), not only the guest's own bookkeeping.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cerrno>
#include <vector>

#include "models/common/interconnect.h"
#include "models/memory/msi_controller.h"
#include "models/memory/sparse_memory.h"
#include "models/pcie/config_space.h"
#include "support/fake_ecam.h"
#include "sw/hal/guest_cpu.h"
#include "sw/pci/ecam.h"
#include "sw/pci/pci_dev.h"
#include "sw/pci/pci_enumerator.h"
#include "sw/pci/pci_msi.h"

using namespace sc_core;
using namespace guest::pci;
using vp::pcie::AddressWindow;
using vp::pcie::ConfigSpace;
namespace mcfg = vp::pcie::cfg;

namespace {

constexpr uint64_t kEcamBase = 0x3000'0000;
constexpr uint64_t kMemBase = 0x4000'0000, kMemSize = 256ull << 20;
constexpr uint64_t kPrefBase = 0x40'0000'0000ull, kPrefSize = 4ull << 30;
constexpr uint64_t kMiB = 1ull << 20;
constexpr uint16_t kVendor = 0x5650;

// CPU, interconnect, DRAM, MSI controller and the fake ECAM.
struct Bench {
  vp::common::Interconnect bus{"bus"};
  vp::memory::SparseMemory dram{"dram"};
  vp::memory::MsiController msi{"msi"};
  vp::test::FakeEcam ecam;
  guest::hal::HalConfig cfg{0x8000'0000, 1 << 20, 0x2800'0000};
  guest::hal::GuestCpu cpu{"cpu", {}, cfg};
  sc_signal<bool> irq{"irq"};

  explicit Bench(const vp::test::FakeEcamParams& p = {}) : ecam("ecam", p) {
    cpu.socket.bind(bus.target_socket);
    bus.initiator_socket.bind(dram.socket);
    bus.initiator_socket.bind(msi.socket);
    bus.initiator_socket.bind(ecam.socket);
    bus.map("dram", cfg.ram_base, cfg.ram_size, 0);
    bus.map("msi", cfg.msi_base, vp::memory::MsiController::kSize, 1);
    bus.map("ecam", kEcamBase, ecam.size(), 2);
    msi.irq.bind(irq);
    cpu.irq.bind(irq);
  }
};

void make_port(ConfigSpace& c, uint16_t device, uint8_t port_type, bool acs = false) {
  c.init_bridge(kVendor, device);
  vp::pcie::PcieCapabilityConfig pc;
  pc.port_type = port_type;
  c.add_pcie_capability(pc);
  if (port_type == mcfg::kPortTypeRootPort) c.add_msi_capability();
  if (acs)
    c.add_acs_capability(mcfg::kAcsSourceValidation | mcfg::kAcsP2pRequestRedirect |
                         mcfg::kAcsP2pCompletionRedirect | mcfg::kAcsUpstreamForwarding);
}

void make_endpoint(ConfigSpace& c, uint16_t device, uint32_t class_code) {
  c.init_endpoint(kVendor, device, class_code);
  c.add_pcie_capability({});
}

// The hierarchy of the brief: host bridge, two root ports, a switch with
// three downstream ports below one of them, endpoints with 32-bit and 64-bit
// prefetchable BARs, a multi-function device, a bridge with nothing below,
// an empty slot and a root-complex integrated endpoint.
struct Topology {
  ConfigSpace host{"host"}, rp_a{"rp_a"}, rp_b{"rp_b"}, usp{"usp"}, dp0{"dp0"}, dp1{"dp1"},
      dp2{"dp2"}, e1{"e1"}, e2f0{"e2f0"}, e2f1{"e2f1"}, pcibr{"pcibr"}, rciep{"rciep"};
  std::vector<ConfigSpace*> all{&host, &rp_a, &rp_b, &usp,  &dp0,   &dp1,
                                &dp2,  &e1,   &e2f0, &e2f1, &pcibr, &rciep};

  explicit Topology(uint64_t e2_pref_size = 64 * kMiB, uint64_t rciep_bar = 32 << 10) {
    host.init_endpoint(kVendor, 0x0000, mcfg::kClassBridgeHost);
    make_port(rp_a, 0x0101, mcfg::kPortTypeRootPort);
    make_port(rp_b, 0x0101, mcfg::kPortTypeRootPort);
    make_port(usp, 0x0201, mcfg::kPortTypeUpstreamSwitchPort);
    make_port(dp0, 0x0202, mcfg::kPortTypeDownstreamSwitchPort, true);
    make_port(dp1, 0x0202, mcfg::kPortTypeDownstreamSwitchPort, true);
    make_port(dp2, 0x0202, mcfg::kPortTypeDownstreamSwitchPort, true);
    pcibr.init_bridge(kVendor, 0x0300);  // conventional PCI bridge: no capabilities

    make_endpoint(e1, 0x1001, 0x088000);
    e1.add_bar(0, 16 << 10, false, false);
    e1.add_bar(2, 2 * kMiB, true, true);
    e1.add_msi_capability(true);

    make_endpoint(e2f0, 0x2001, 0x020000);
    e2f0.set_multi_function(true);
    e2f0.add_bar(0, 4 << 10, false, false);
    e2f0.add_bar(2, e2_pref_size, true, true);
    e2f0.add_msi_capability();
    vp::pcie::MsixConfig mx;
    mx.table_size = 4;
    e2f0.add_msix_capability(mx);

    make_endpoint(e2f1, 0x2002, 0x020000);
    e2f1.add_bar(0, 8 << 10, false, false);
    e2f1.add_bar(1, 1 * kMiB, false, true);  // 32-bit prefetchable

    rciep.init_endpoint(kVendor, 0x3001, 0x050000);  // no capabilities at all
    rciep.add_bar(0, rciep_bar, true, false);        // 64-bit non-prefetchable
  }

  void attach(vp::test::FakeEcam& ecam) {
    ecam.attach_root(PCI_DEVFN(0, 0), host);
    ecam.attach_root(PCI_DEVFN(1, 0), rp_a);
    ecam.attach_root(PCI_DEVFN(2, 0), rp_b);
    ecam.attach_root(PCI_DEVFN(3, 0), rciep);
    ecam.attach_below(rp_a, PCI_DEVFN(0, 0), e1);
    ecam.attach_below(rp_b, PCI_DEVFN(0, 0), usp);
    ecam.attach_below(usp, PCI_DEVFN(0, 0), dp0);
    ecam.attach_below(usp, PCI_DEVFN(1, 0), dp1);
    ecam.attach_below(usp, PCI_DEVFN(2, 0), dp2);
    ecam.attach_below(dp0, PCI_DEVFN(0, 0), e2f0);
    ecam.attach_below(dp0, PCI_DEVFN(0, 1), e2f1);
    ecam.attach_below(dp1, PCI_DEVFN(0, 0), pcibr);
  }

  // Functions below each bridge (all levels).
  std::vector<const ConfigSpace*> below(const ConfigSpace& bridge) const {
    if (&bridge == &rp_a) return {&e1};
    if (&bridge == &rp_b) return {&usp, &dp0, &dp1, &dp2, &e2f0, &e2f1, &pcibr};
    if (&bridge == &usp) return {&dp0, &dp1, &dp2, &e2f0, &e2f1, &pcibr};
    if (&bridge == &dp0) return {&e2f0, &e2f1};
    if (&bridge == &dp1) return {&pcibr};
    return {};
  }
};

struct Bar {
  const ConfigSpace* cfg;
  unsigned index;
  uint64_t base, size;
  bool pref64;
};

std::vector<Bar> bars_of(const std::vector<const ConfigSpace*>& fns) {
  std::vector<Bar> out;
  for (const ConfigSpace* c : fns)
    for (unsigned i = 0; i < c->num_bars(); ++i)
      if (c->bar_size(i))
        out.push_back({c, i, c->bar_address(i), c->bar_size(i),
                       c->bar_is_64bit(i) && c->bar_prefetchable(i)});
  return out;
}

uint64_t align_down(uint64_t v, uint64_t a) {
  return v & ~(a - 1);
}
uint64_t align_up(uint64_t v, uint64_t a) {
  return (v + a - 1) & ~(a - 1);
}

// Bridge window must be exactly the 1 MiB-granular cover of the BARs below
// it that it forwards, or closed when there are none.
void check_window(const std::string& what, const AddressWindow& w, const std::vector<Bar>& bars) {
  INFO(what);
  if (bars.empty()) {
    CHECK_FALSE(w.enabled());
    return;
  }
  REQUIRE(w.enabled());
  uint64_t lo = ~0ull, hi = 0;
  for (const Bar& b : bars) {
    lo = std::min(lo, b.base);
    hi = std::max(hi, b.base + b.size);
    CHECK(w.contains(b.base, b.size));
  }
  CHECK(w.base == align_down(lo, kMiB));
  CHECK(w.end == align_up(hi, kMiB));
}

PciHostWindows host_windows() {
  PciHostWindows w;
  w.mem = {kMemBase, kMemSize};
  w.pref = {kPrefBase, kPrefSize};
  return w;
}

// Whether some line of the enumerator's log contains every one of `parts`.
bool logged(const PciEnumerator& pci, std::initializer_list<const char*> parts) {
  const auto& log = pci.log();
  return std::any_of(log.begin(), log.end(), [&](const std::string& l) {
    return std::all_of(parts.begin(), parts.end(),
                       [&](const char* p) { return l.find(p) != std::string::npos; });
  });
}

}  // namespace

TEST_CASE("pci enumeration: bus numbers, BARs, bridge windows, capabilities, tree and timing") {
  Bench b;
  Topology t;
  t.attach(b.ecam);
  // Firmware left memory decoding on in one function: sizing must turn it
  // off around the all-ones probe and restore it.
  t.rciep.set16(mcfg::kCommand, mcfg::kCommandMemorySpace);
  unsigned probes_while_decoding = 0;
  t.rciep.on_write([&](unsigned offset, unsigned) {
    if (offset >= mcfg::kBar0 && offset < mcfg::kBar0 + 24 && t.rciep.command_memory_enabled() &&
        t.rciep.get32(offset) == (offset == mcfg::kBar0 ? 0xffff8004u : 0xffffffffu))
      ++probes_while_decoding;
  });

  Ecam ecam(b.cpu, kEcamBase, 0, 255);
  PciEnumerator pci(ecam, host_windows());
  int rc = -1;
  sc_time scan_time;
  std::vector<uint16_t> commands_after_scan;
  b.cpu.run([&](guest::hal::Hal& hal) {
    const sc_time t0 = hal.now();
    rc = pci.scan();
    scan_time = hal.now() - t0;
    for (const ConfigSpace* c : t.all) commands_after_scan.push_back(c->command());
  });
  sc_start();
  REQUIRE_FALSE(b.cpu.failed());
  for (const auto& line : pci.log()) UNSCOPED_INFO(line);
  REQUIRE(rc == 0);
  CHECK(pci.problems() == 0);
  CHECK(pci.devices().size() == t.all.size());
  CHECK(pci.last_bus() == 7);

  // Timing: each configuration access is one uncached load or store that
  // costs the CPU overhead (1 ns) + interconnect (2 ns) + ECAM (20 ns).
  CHECK(ecam.accesses() == b.ecam.accesses());
  CHECK(scan_time == ecam.accesses() * sc_time(23, SC_NS));

  // Bus numbers, as the hardware sees them.
  struct Expect {
    const ConfigSpace* c;
    unsigned pri, sec, sub;
  };
  for (const Expect& e : {Expect{&t.rp_a, 0, 1, 1}, Expect{&t.rp_b, 0, 2, 7},
                          Expect{&t.usp, 2, 3, 7}, Expect{&t.dp0, 3, 4, 4}, Expect{&t.dp1, 3, 5, 6},
                          Expect{&t.pcibr, 5, 6, 6}, Expect{&t.dp2, 3, 7, 7}}) {
    INFO(e.c->name());
    CHECK(e.c->primary_bus() == e.pri);
    CHECK(e.c->secondary_bus() == e.sec);
    CHECK(e.c->subordinate_bus() == e.sub);
  }

  // BARs: naturally aligned, inside the host window of their kind (64-bit
  // prefetchable in the prefetchable window, all others in the 32-bit
  // one), no two overlapping.
  const std::vector<const ConfigSpace*> all(t.all.begin(), t.all.end());
  const auto bars = bars_of(all);
  CHECK(bars.size() == 7);
  for (const Bar& bar : bars) {
    INFO(bar.cfg->name() << " BAR" << bar.index);
    CHECK(bar.base % bar.size == 0);
    if (bar.pref64) {
      CHECK(bar.base >= kPrefBase);
      CHECK(bar.base + bar.size <= kPrefBase + kPrefSize);
    } else {
      CHECK(bar.base >= kMemBase);
      CHECK(bar.base + bar.size <= kMemBase + kMemSize);
    }
  }
  for (size_t i = 0; i < bars.size(); ++i)
    for (size_t j = i + 1; j < bars.size(); ++j)
      CHECK((bars[i].base + bars[i].size <= bars[j].base ||
             bars[j].base + bars[j].size <= bars[i].base));

  // Bridge windows contain exactly their children's BARs; empty ones closed.
  for (const ConfigSpace* br : {&t.rp_a, &t.rp_b, &t.usp, &t.dp0, &t.dp1, &t.dp2, &t.pcibr}) {
    std::vector<Bar> mem, pref;
    for (const Bar& bar : bars_of(t.below(*br))) (bar.pref64 ? pref : mem).push_back(bar);
    check_window(br->name() + " mem", br->memory_window(), mem);
    check_window(br->name() + " pref", br->prefetchable_window(), pref);
  }
  // Sibling windows do not overlap.
  CHECK((t.rp_a.memory_window().end <= t.rp_b.memory_window().base ||
         t.rp_b.memory_window().end <= t.rp_a.memory_window().base));
  CHECK((t.rp_a.prefetchable_window().end <= t.rp_b.prefetchable_window().base ||
         t.rp_b.prefetchable_window().end <= t.rp_a.prefetchable_window().base));
  // Closed windows are written as base FFF0h > limit 0.
  CHECK(t.dp2.get16(mcfg::kMemoryBase) == 0xfff0);
  CHECK(t.dp2.get16(mcfg::kMemoryLimit) == 0x0000);

  // The layout the algorithm predicts (largest alignment first).
  CHECK(t.rp_a.memory_window().base == kMemBase);
  CHECK(t.e1.bar_address(0) == kMemBase);
  CHECK(t.rp_b.memory_window().base == kMemBase + kMiB);
  CHECK(t.rp_b.memory_window().end == kMemBase + 3 * kMiB);
  CHECK(t.e2f1.bar_address(1) == kMemBase + kMiB);  // 32-bit pref BAR, non-pref window
  CHECK(t.e2f1.bar_address(0) == kMemBase + 2 * kMiB);
  CHECK(t.e2f0.bar_address(0) == kMemBase + 2 * kMiB + 0x2000);
  CHECK(t.rciep.bar_address(0) == kMemBase + 3 * kMiB);
  CHECK(t.e2f0.bar_address(2) == kPrefBase);
  CHECK(t.e1.bar_address(2) == kPrefBase + 64 * kMiB);

  // The guest's records agree with the hardware.
  pci_dev* e1 = pci.pci_get_device(kVendor, 0x1001);
  REQUIRE(e1);
  CHECK(e1->name() == "0000:01:00.0");
  CHECK(pci_resource_start(*e1, 0) == t.e1.bar_address(0));
  CHECK(pci_resource_len(*e1, 0) == 16 << 10);
  CHECK(pci_resource_start(*e1, 2) == t.e1.bar_address(2));
  CHECK(pci_resource_len(*e1, 2) == 2 * kMiB);
  CHECK(pci_resource_flags(*e1, 2) == (IORESOURCE_MEM | IORESOURCE_PREFETCH | IORESOURCE_MEM_64));
  CHECK(pci_resource_len(*e1, 3) == 0);  // upper half of the 64-bit BAR
  pci_dev* rp_b = pci.pci_get_slot(0, PCI_DEVFN(2, 0));
  REQUIRE(rp_b);
  CHECK(rp_b->is_bridge);
  CHECK(rp_b->secondary == 2);
  CHECK(rp_b->subordinate == 7);
  CHECK(rp_b->mem_window.start == t.rp_b.memory_window().base);
  CHECK(rp_b->mem_window.end() == t.rp_b.memory_window().end);
  CHECK(rp_b->pref_window.start == t.rp_b.prefetchable_window().base);
  CHECK(rp_b->pref_window.end() == t.rp_b.prefetchable_window().end);
  CHECK(rp_b->children.size() == 1);
  CHECK(pci.pci_get_slot(4, PCI_DEVFN(0, 1))->parent == pci.pci_get_slot(3, PCI_DEVFN(0, 0)));

  // Guest bookkeeping: each assigned BAR lies in its parent bridge's window.
  for (const auto& d : pci.devices()) {
    if (!d->parent) continue;
    for (const pci_resource& r : d->resource) {
      if (!r.assigned()) continue;
      INFO(d->name() << " [" << std::hex << r.start << "]");
      const bool pref = (r.flags & IORESOURCE_PREFETCH) && (r.flags & IORESOURCE_MEM_64);
      CHECK((pref ? d->parent->pref_window : d->parent->mem_window).contains(r));
    }
  }

  // Capabilities found where the hardware has them.
  for (const auto& d : pci.devices()) {
    const ConfigSpace* c = nullptr;
    for (const ConfigSpace* x : t.all)  // same device ID = same layout
      if (x->get16(mcfg::kDeviceId) == d->device) c = x;
    REQUIRE(c);
    INFO(d->name());
    CHECK(d->pcie_cap == c->pcie_capability());
    CHECK(d->msi_cap == c->msi_capability());
    CHECK(d->msix_cap == c->msix_capability());
    CHECK(d->acs_cap == c->acs_capability());
  }
  pci_dev* dp0 = pci.pci_get_slot(3, PCI_DEVFN(0, 0));
  REQUIRE(dp0);
  CHECK(dp0->acs_cap == t.dp0.acs_capability());
  CHECK(dp0->acs_cap >= 0x100);
  CHECK(dp0->pcie_type == PCI_EXP_TYPE_DOWNSTREAM);
  CHECK(pci.pci_get_slot(0, PCI_DEVFN(3, 0))->pcie_cap == 0);

  // Devices stay disabled after the scan (drivers enable them); firmware's
  // decode enable on the RCiEP is restored and was off while sizing.
  for (size_t i = 0; i < t.all.size(); ++i) {
    INFO(t.all[i]->name());
    CHECK(commands_after_scan[i] == (t.all[i] == &t.rciep ? mcfg::kCommandMemorySpace : 0));
  }
  CHECK(probes_while_decoding == 0);

  CHECK(pci.tree() ==
        "[0000:00]\n"
        "+-00.0 [5650:0000] 0600\n"
        "+-01.0 [5650:0101] 0604 -[01]\n"
        "| \\-00.0 [5650:1001] 0880\n"
        "+-02.0 [5650:0101] 0604 -[02-07]\n"
        "| \\-00.0 [5650:0201] 0604 -[03-07]\n"
        "|   +-00.0 [5650:0202] 0604 -[04]\n"
        "|   | +-00.0 [5650:2001] 0200\n"
        "|   | \\-00.1 [5650:2002] 0200\n"
        "|   +-01.0 [5650:0202] 0604 -[05-06]\n"
        "|   | \\-00.0 [5650:0300] 0604 -[06]\n"
        "|   \\-02.0 [5650:0202] 0604 -[07]\n"
        "\\-03.0 [5650:3001] 0500\n");
}

TEST_CASE(
    "pci enumeration: enable device and bridges, bus mastering, MSI, capability walks, lookup") {
  Bench b;
  Topology t;
  t.attach(b.ecam);
  // MSI vector 0 starts masked; pci_enable_msi must unmask it.
  t.e1.set32(t.e1.msi_capability() + mcfg::kMsiMaskBits64, 1);
  Ecam ecam(b.cpu, kEcamBase, 0, 255);
  PciEnumerator pci(ecam, host_windows());
  bool done = false;
  b.cpu.run([&](guest::hal::Hal& hal) {
    REQUIRE(pci.scan() == 0);
    CHECK(pci.scan() == -EALREADY);

    // Lookup by vendor/device, iterating with `from`.
    pci_dev* first = pci.pci_get_device(kVendor, 0x0101);
    REQUIRE(first);
    pci_dev* second = pci.pci_get_device(kVendor, 0x0101, first);
    REQUIRE(second);
    CHECK(first->devfn == PCI_DEVFN(1, 0));
    CHECK(second->devfn == PCI_DEVFN(2, 0));
    CHECK(pci.pci_get_device(kVendor, 0x0101, second) == nullptr);
    CHECK(pci.pci_get_device(0x1234, PCI_ANY_ID) == nullptr);
    unsigned count = 0;
    for (pci_dev* d = pci.pci_get_device(PCI_ANY_ID, PCI_ANY_ID); d;
         d = pci.pci_get_device(PCI_ANY_ID, PCI_ANY_ID, d))
      ++count;
    CHECK(count == t.all.size());
    CHECK(pci.pci_get_slot(4, PCI_DEVFN(1, 0)) == nullptr);

    // Enabling a device behind the switch enables its path upstream.
    pci_dev* nic = pci.pci_get_device(kVendor, 0x2001);
    REQUIRE(nic);
    CHECK(nic->name() == "0000:04:00.0");
    CHECK(nic->requester_id() == 0x0400);
    CHECK_FALSE(pci_is_enabled(*nic));
    REQUIRE(pci_enable_device(*nic) == 0);
    CHECK(pci_is_enabled(*nic));
    const uint16_t mem_master = mcfg::kCommandMemorySpace | mcfg::kCommandBusMaster;
    CHECK(t.e2f0.command() == mcfg::kCommandMemorySpace);
    CHECK(t.dp0.command() == mem_master);
    CHECK(t.usp.command() == mem_master);
    CHECK(t.rp_b.command() == mem_master);
    for (const ConfigSpace* c : {&t.rp_a, &t.dp1, &t.dp2, &t.e1, &t.e2f1, &t.pcibr, &t.host}) {
      INFO(c->name());
      CHECK(c->command() == 0);
    }
    // The BAR now decodes at the assigned address.
    CHECK(t.e2f0.bar_window(2).base == pci_resource_start(*nic, 2));
    CHECK(t.e2f0.bar_window(2).end == pci_resource_start(*nic, 2) + pci_resource_len(*nic, 2));
    pci_set_master(*nic);
    CHECK(t.e2f0.bus_master_enabled());
    pci_clear_master(*nic);
    CHECK_FALSE(t.e2f0.bus_master_enabled());
    CHECK(t.e2f0.command_memory_enabled());
    pci_disable_device(*nic);
    CHECK(t.e2f0.command() == 0);

    // MSI: address and data programmed, vector unmasked, INTx off.
    pci_dev* e1 = pci.pci_get_device(kVendor, 0x1001);
    REQUIRE(e1);
    REQUIRE(pci_enable_msi(*e1, hal.msi_doorbell(), 42) == 0);
    CHECK(t.e1.msi_enabled());
    CHECK(t.e1.msi_address() == hal.msi_doorbell());
    CHECK(t.e1.msi_data() == 42);
    CHECK_FALSE(t.e1.msi_masked());
    CHECK(t.e1.interrupt_disabled());
    CHECK(e1->msi_enabled);
    CHECK(pci_enable_msi(*e1, 0x1'0000'0000ull, 7) == 0);  // 64-bit capable
    CHECK(t.e1.msi_address() == 0x1'0000'0000ull);
    CHECK(pci_enable_msi(*e1, hal.msi_doorbell() + 2, 1) == -EINVAL);  // not DWORD aligned
    CHECK(pci_enable_msi(*e1, hal.msi_doorbell(), 0x10000) == -EINVAL);
    CHECK(pci_enable_msi(*pci.pci_get_device(kVendor, 0x3001), hal.msi_doorbell(), 1) == -EINVAL);
    pci_disable_msi(*e1);
    CHECK_FALSE(t.e1.msi_enabled());
    CHECK_FALSE(t.e1.interrupt_disabled());

    // Capability walks.
    CHECK(pci_find_capability(*nic, PCI_CAP_ID_MSIX) == t.e2f0.msix_capability());
    CHECK(pci_find_capability(*nic, PCI_CAP_ID_PM) == 0);
    CHECK(pci_find_next_capability(*nic, nic->pcie_cap, PCI_CAP_ID_MSI) == t.e2f0.msi_capability());
    CHECK(pci_find_next_capability(*nic, nic->msi_cap, PCI_CAP_ID_MSI) == 0);
    pci_dev* dp0 = pci.pci_get_slot(3, PCI_DEVFN(0, 0));
    REQUIRE(dp0);
    CHECK(pci_find_ext_capability(*dp0, PCI_EXT_CAP_ID_ACS) == t.dp0.acs_capability());
    CHECK(pci_find_ext_capability(*nic, PCI_EXT_CAP_ID_ACS) == 0);  // empty extended list
    uint16_t acs_cap = 0;
    REQUIRE(pci_read_config_word(*dp0, dp0->acs_cap + PCI_ACS_CAP, &acs_cap) == 0);
    CHECK((acs_cap & (PCI_ACS_SV | PCI_ACS_RR | PCI_ACS_CR | PCI_ACS_UF)) ==
          (PCI_ACS_SV | PCI_ACS_RR | PCI_ACS_CR | PCI_ACS_UF));
    // A corrupt list (the last capability points back to the first) ends.
    t.e2f0.set8(t.e2f0.msix_capability() + mcfg::kCapNext, uint8_t(t.e2f0.pcie_capability()));
    const uint64_t before = ecam.accesses();
    CHECK(pci_find_capability(*nic, PCI_CAP_ID_PM) == 0);
    CHECK(ecam.accesses() - before <= 2 + PCI_FIND_CAP_TTL);
    done = true;
  });
  sc_start();
  CHECK_FALSE(b.cpu.failed());
  CHECK(done);
}

TEST_CASE("pci enumeration: ECAM with a bus range not starting at 0, accessor errors") {
  vp::test::FakeEcamParams p;
  p.bus_start = 0x10;
  p.bus_end = 0x1f;
  Bench b(p);
  Topology t;
  t.attach(b.ecam);
  CHECK_THROWS_AS(Ecam(b.cpu, kEcamBase, 5, 4), std::invalid_argument);
  CHECK_THROWS_AS(Ecam(b.cpu, kEcamBase + 4096, 0, 1), std::invalid_argument);
  Ecam ecam(b.cpu, kEcamBase, 0x10, 0x1f);
  // The non-prefetchable window must lie below 4 GiB; windows must not overlap.
  CHECK_THROWS_AS(PciEnumerator(ecam, {{0x1'0000'0000ull, kMiB}, {}}), std::invalid_argument);
  CHECK_THROWS_AS(PciEnumerator(ecam, {{kMemBase, kMemSize}, {kMemBase + kMiB, kMiB}}),
                  std::invalid_argument);
  CHECK_THROWS_AS(PciEnumerator(ecam, {{kMemBase + 4096, kMiB}, {}}), std::invalid_argument);
  Ecam nowhere(b.cpu, 0x5000'0000, 0, 0);  // nothing mapped there
  PciEnumerator pci(ecam, host_windows());
  int rc = -1;
  b.cpu.run([&](guest::hal::Hal&) {
    rc = pci.scan();
    uint32_t v = 0;
    uint16_t w = 0;
    uint8_t byte = 0;
    // Function bits of the address: 14:00.1 is the second NIC function.
    CHECK(pci_bus_read_config_word(ecam, 0x14, PCI_DEVFN(0, 1), PCI_DEVICE_ID, &w) == 0);
    CHECK(w == 0x2002);
    // Absent function: all ones, success (as hardware reports it).
    CHECK(pci_bus_read_config_dword(ecam, 0x14, PCI_DEVFN(5, 0), PCI_VENDOR_ID, &v) == 0);
    CHECK(v == 0xffffffffu);
    // Bad requests never reach the bus and read as all ones.
    const uint64_t before = ecam.accesses();
    CHECK(ecam.read(0x10, 0, 2, 4, &v) == -EINVAL);  // misaligned
    CHECK(v == 0xffffffffu);
    CHECK(ecam.read(0x10, 0, 0x1000, 1, &v) == -EINVAL);  // past 4 KiB
    CHECK(ecam.read(0x10, 0, 0, 3, &v) == -EINVAL);       // bad size
    CHECK(pci_bus_read_config_byte(ecam, 0x20, 0, 0, &byte) == -ENODEV);
    CHECK(byte == 0xff);
    CHECK(pci_bus_write_config_byte(ecam, 0x0f, 0, 0, 0) == -ENODEV);
    CHECK(ecam.accesses() == before);
    // A bus error from the platform is -EIO.
    CHECK(pci_bus_read_config_word(nowhere, 0, 0, 0, &w) == -EIO);
    CHECK(w == 0xffff);
    CHECK(pci_bus_write_config_word(nowhere, 0, 0, 0, 0) == -EIO);
    // Byte-wide read-write register through the ECAM.
    CHECK(pci_bus_write_config_byte(ecam, 0x11, 0, PCI_INTERRUPT_LINE, 0x5a) == 0);
    CHECK(pci_bus_read_config_byte(ecam, 0x11, 0, PCI_INTERRUPT_LINE, &byte) == 0);
    CHECK(byte == 0x5a);
  });
  sc_start();
  CHECK_FALSE(b.cpu.failed());
  CHECK(rc == 0);
  CHECK(t.rp_a.primary_bus() == 0x10);
  CHECK(t.rp_a.secondary_bus() == 0x11);
  CHECK(t.rp_b.secondary_bus() == 0x12);
  CHECK(t.rp_b.subordinate_bus() == 0x17);
  CHECK(t.e1.get8(mcfg::kInterruptLine) == 0x5a);
  CHECK(pci.tree().rfind("[0000:10]\n+-00.0 [5650:0000] 0600\n", 0) == 0);
}

TEST_CASE("pci enumeration: bus numbers run out: the scan stops below that bridge and says why") {
  vp::test::FakeEcamParams p;
  p.bus_end = 2;
  Bench b(p);
  Topology t;
  t.attach(b.ecam);
  Ecam ecam(b.cpu, kEcamBase, 0, 2);
  PciEnumerator pci(ecam, host_windows());
  int rc = 0;
  b.cpu.run([&](guest::hal::Hal&) { rc = pci.scan(); });
  sc_start();
  CHECK_FALSE(b.cpu.failed());
  CHECK(rc == -ENOSPC);
  CHECK(pci.problems() == 1);
  CHECK(logged(pci, {"0000:02:00.0: no bus number left"}));
  CHECK(pci.devices().size() == 6);  // host, 2 root ports, RCiEP, e1, switch upstream port
  CHECK(pci.pci_get_device(kVendor, 0x2001) == nullptr);
  CHECK(t.rp_b.secondary_bus() == 2);
  CHECK(t.rp_b.subordinate_bus() == 2);
  CHECK(t.usp.secondary_bus() == 0);
  CHECK(t.usp.subordinate_bus() == 0);
  // Nothing behind root port B needs space; root port A's device works.
  CHECK_FALSE(t.rp_b.memory_window().enabled());
  CHECK_FALSE(t.rp_b.prefetchable_window().enabled());
  CHECK(t.rp_a.memory_window().contains(t.e1.bar_address(0), 16 << 10));
  CHECK(pci.tree() ==
        "[0000:00]\n"
        "+-00.0 [5650:0000] 0600\n"
        "+-01.0 [5650:0101] 0604 -[01]\n"
        "| \\-00.0 [5650:1001] 0880\n"
        "+-02.0 [5650:0101] 0604 -[02]\n"
        "| \\-00.0 [5650:0201] 0604 -[no bus]\n"
        "\\-03.0 [5650:3001] 0500\n");
}

TEST_CASE(
    "pci enumeration: a BAR larger than its host window is left unassigned, siblings are not") {
  Bench b;
  Topology t(8ull << 30);  // 8 GiB prefetchable BAR, 4 GiB host window
  t.attach(b.ecam);
  Ecam ecam(b.cpu, kEcamBase, 0, 255);
  PciEnumerator pci(ecam, host_windows());
  int rc = 0;
  b.cpu.run([&](guest::hal::Hal&) {
    rc = pci.scan();
    pci_dev* nic = pci.pci_get_device(kVendor, 0x2001);
    REQUIRE(nic);
    CHECK(pci_resource_flags(*nic, 2) & IORESOURCE_UNSET);
    CHECK(pci_enable_device(*nic) == -EINVAL);
    CHECK(t.e2f0.command() == 0);
    CHECK(pci_enable_device(*pci.pci_get_device(kVendor, 0x2002)) == 0);
    CHECK(pci_enable_device(*pci.pci_get_device(kVendor, 0x1001)) == 0);
  });
  sc_start();
  CHECK_FALSE(b.cpu.failed());
  CHECK(rc == -ENOSPC);
  CHECK(pci.problems() == 1);
  CHECK(logged(pci, {"0000:04:00.0: BAR 2 [mem size 0x200000000 64bit pref] is larger than the "
                     "host pref window"}));
  CHECK_FALSE(t.dp0.prefetchable_window().enabled());
  CHECK(t.dp0.memory_window().contains(t.e2f0.bar_address(0), 4096));
  CHECK(t.e1.bar_address(2) == kPrefBase);
  CHECK(t.rp_a.prefetchable_window().contains(kPrefBase, 2 * kMiB));
}

TEST_CASE("pci enumeration: an exhausted host window leaves a whole bridge unassigned") {
  Bench b;
  Topology t;
  t.attach(b.ecam);
  PciHostWindows w = host_windows();
  w.mem.size = 2 * kMiB;  // root port A needs 1 MiB, root port B 2 MiB, the RCiEP 32 KiB
  Ecam ecam(b.cpu, kEcamBase, 0, 255);
  PciEnumerator pci(ecam, w);
  int rc = 0;
  b.cpu.run([&](guest::hal::Hal&) {
    rc = pci.scan();
    CHECK(pci_enable_device(*pci.pci_get_device(kVendor, 0x2002)) == -EINVAL);
    CHECK(pci_enable_device(*pci.pci_get_device(kVendor, 0x3001)) == 0);
  });
  sc_start();
  CHECK_FALSE(b.cpu.failed());
  CHECK(rc == -ENOSPC);
  // Root port B, switch upstream and downstream port windows, three BARs.
  CHECK(pci.problems() == 6);
  CHECK(logged(pci, {"0000:00:02.0: bridge window [mem size 0x200000]: no space left in the "
                     "host mem window"}));
  CHECK(logged(pci, {"0000:04:00.1: BAR 1", "behind unassigned bridge window"}));
  CHECK(t.rp_a.memory_window().base == kMemBase);
  CHECK(t.rciep.bar_address(0) == kMemBase + kMiB);
  CHECK_FALSE(t.rp_b.memory_window().enabled());
  CHECK_FALSE(t.usp.memory_window().enabled());
  // The prefetchable side is independent and still assigned.
  CHECK(t.rp_b.prefetchable_window().enabled());
  CHECK(t.e2f0.bar_address(2) == kPrefBase);
}

TEST_CASE(
    "pci enumeration: without a prefetchable host window 64-bit prefetchable BARs use the mem "
    "window") {
  Bench b;
  Topology t;
  t.attach(b.ecam);
  PciHostWindows w = host_windows();
  w.pref = {};
  Ecam ecam(b.cpu, kEcamBase, 0, 255);
  PciEnumerator pci(ecam, w);
  int rc = -1;
  b.cpu.run([&](guest::hal::Hal&) { rc = pci.scan(); });
  sc_start();
  CHECK_FALSE(b.cpu.failed());
  CHECK(rc == 0);
  const std::vector<const ConfigSpace*> all(t.all.begin(), t.all.end());
  for (const Bar& bar : bars_of(all)) {
    INFO(bar.cfg->name() << " BAR" << bar.index);
    CHECK(bar.base >= kMemBase);
    CHECK(bar.base + bar.size <= kMemBase + kMemSize);
    CHECK(bar.base % bar.size == 0);
  }
  for (const ConfigSpace* br : {&t.rp_a, &t.rp_b, &t.usp, &t.dp0, &t.dp1, &t.dp2, &t.pcibr}) {
    CHECK_FALSE(br->prefetchable_window().enabled());
    check_window(br->name() + " mem", br->memory_window(), bars_of(t.below(*br)));
  }
}
