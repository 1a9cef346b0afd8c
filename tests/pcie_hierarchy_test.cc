// PCIe hierarchy: enumeration through ECAM, MMIO through bridges, requester
// IDs, bus mastering, peer-to-peer with and without ACS redirect, source
// validation, MSI.
#include <catch2/catch.hpp>
#include <cstdint>

#include "models/devices/peer_memory_endpoint.h"
#include "models/pcie/pcie_switch.h"
#include "models/pcie/root_complex.h"
#include "support/pcie_host_bench.h"
#include "support/test_initiator.h"

using namespace sc_core;
using namespace vp::pcie;
using vp::devices::PeerMemoryEndpoint;
using vp::test::EcamAccessor;
using vp::test::TestInitiator;

namespace {

// rc.rp0 -> switch (dsp0 -> a, dsp1 -> b, dsp2 empty); rc.rp1 -> c.
// Upstream: recorder -> interconnect -> DRAM [0, 1 GiB) or back to rc.mmio.
struct Fabric : vp::test::PcieHostBench {
  PcieSwitch sw;
  PeerMemoryEndpoint a, b, c;

  Fabric()
      : PcieHostBench(2), sw("sw", PcieSwitchParams{}, {link, link, link}), a("a"), b("b"), c("c") {
    rc.connect(0, sw);
    rc.connect(1, c);
    sw.connect(0, a);
    sw.connect(1, b);
  }
};

constexpr unsigned kBusA = 3, kBusB = 4, kBusC = 6;
constexpr unsigned kRp0 = 1, kRp1 = 2;  // devices on bus 0

void acs_enable(EcamAccessor& ecam, unsigned bus, unsigned dev, const ConfigSpace& cfg_view,
                uint16_t bits) {
  ecam.write(bus, dev, 0, cfg_view.acs_capability() + cfg::kAcsControl, bits, 2);
}

}  // namespace

TEST_CASE(
    "pcie hierarchy: a depth-first ECAM walk finds every function, numbers buses, sizes BARs") {
  Fabric f;
  uint32_t bar_probe_lo = 0, bar_probe_hi = 0, absent = 0, absent_below_port = 0, absent_empty = 0,
           absent_internal = 0, absent_byte = 0;
  f.run([&](TestInitiator&) {
    // BAR sizing before the walk: all 1s, read back the size mask.
    f.ecam.write(kBusA, 0, 0, cfg::kBar0, 0xffffffff);  // not reachable yet: no bus numbers
    f.enumerate();
    f.ecam.write(kBusB, 0, 0, cfg::kBar0, 0xffffffff);
    bar_probe_lo = f.ecam.read(kBusB, 0, 0, cfg::kBar0);
    f.ecam.write(kBusB, 0, 0, cfg::kBar0 + 4, 0xffffffff);
    bar_probe_hi = f.ecam.read(kBusB, 0, 0, cfg::kBar0 + 4);
    f.ecam.write(kBusB, 0, 0, cfg::kBar0, uint32_t(f.walk->find(kBusB, 0)->bar_address[0]));
    f.ecam.write(kBusB, 0, 0, cfg::kBar0 + 4,
                 uint32_t(f.walk->find(kBusB, 0)->bar_address[0] >> 32));
    absent = f.ecam.read(0, 0, 0, 0);
    absent_below_port = f.ecam.read(kBusA, 1, 0, 0);
    absent_empty = f.ecam.read(5, 0, 0, 0);
    absent_internal = f.ecam.read(2, 3, 0, 0);
    absent_byte = f.ecam.read(0, 7, 3, cfg::kHeaderType, 1);
  });
  const auto& fns = f.walk->functions();
  REQUIRE(fns.size() == 9);  // 2 root ports, switch up + 3 down, 3 endpoints
  const auto* rp0 = f.walk->find(0, kRp0);
  const auto* rp1 = f.walk->find(0, kRp1);
  REQUIRE(rp0);
  REQUIRE(rp1);
  CHECK(rp0->vendor == 0x1b36);
  CHECK(rp0->device_id == RootPort::kDefaultDeviceId);
  CHECK(rp0->bridge);
  CHECK(rp0->secondary == 1);
  CHECK(rp0->subordinate == 5);
  CHECK(rp1->secondary == 6);
  CHECK(rp1->subordinate == 6);
  const auto* usp = f.walk->find(1, 0);
  REQUIRE(usp);
  CHECK(usp->device_id == 0x000e);
  CHECK(usp->secondary == 2);
  CHECK(usp->subordinate == 5);
  for (unsigned d = 0; d < 3; ++d) {
    const auto* dsp = f.walk->find(2, d);
    REQUIRE(dsp);
    CHECK(dsp->device_id == 0x000f);
    CHECK(dsp->secondary == 3 + d);
  }
  for (unsigned bus : {kBusA, kBusB, kBusC}) {
    const auto* ep = f.walk->find(bus, 0);
    REQUIRE(ep);
    CHECK_FALSE(ep->bridge);
    CHECK(ep->device_id == 0x0010);
    CHECK(ep->bar_size[0] == (256ull << 20));
    CHECK(ep->bar_address[0] >= f.rcp.mmio64_base);
  }
  // The models agree with what the walk programmed.
  CHECK(f.rc.root_port(0).config().secondary_bus() == 1);
  CHECK(f.sw.downstream_port(1).config().secondary_bus() == kBusB);
  CHECK(f.a.config().bar_address(0) == f.bar0(kBusA));
  CHECK(f.rc.root_port(0).config().prefetchable_window().contains(f.bar0(kBusA), 1));
  CHECK(f.rc.root_port(0).config().prefetchable_window().contains(f.bar0(kBusB), 1));
  CHECK_FALSE(f.rc.root_port(0).config().prefetchable_window().contains(f.bar0(kBusC), 1));
  // 256 MiB, 64-bit prefetchable: low dword 0xf000000c, high all 1s.
  CHECK(bar_probe_lo == 0xf000000c);
  CHECK(bar_probe_hi == 0xffffffff);
  CHECK(absent == 0xffffffff);
  CHECK(absent_below_port == 0xffffffff);
  CHECK(absent_empty == 0xffffffff);
  CHECK(absent_internal == 0xffffffff);
  CHECK(absent_byte == 0xff);
  // Requester IDs captured from the walk's configuration writes.
  CHECK(f.a.requester_id() == vp::common::make_rid(kBusA, 0, 0));
  CHECK(f.c.requester_id() == vp::common::make_rid(kBusC, 0, 0));
}

TEST_CASE(
    "pcie hierarchy: ECAM rejects bad sizes and offsets beyond the window, and RO fields ignore "
    "writes") {
  Fabric f;
  tlm::tlm_response_status wide = tlm::TLM_OK_RESPONSE, beyond = tlm::TLM_OK_RESPONSE;
  uint32_t vendor = 0;
  f.run([&](TestInitiator& cpu) {
    uint64_t v = 0;
    wide = cpu.read(EcamAccessor::offset(0, kRp0, 0, 0), &v, 8);
    uint32_t w = 0;
    beyond = cpu.read(f.rc.ecam_size(), &w, 4);
    f.ecam.write(0, kRp0, 0, cfg::kVendorId, 0x1234, 2);
    vendor = f.ecam.read(0, kRp0, 0, cfg::kVendorId, 2);
  });
  CHECK(wide == tlm::TLM_BURST_ERROR_RESPONSE);
  CHECK(beyond == tlm::TLM_ADDRESS_ERROR_RESPONSE);
  CHECK(vendor == 0x1b36);
}

TEST_CASE("pcie hierarchy: CPU MMIO reaches BARs through root ports and the switch") {
  Fabric f;
  uint64_t back_a = 0, back_c = 0;
  tlm::tlm_response_status hole = tlm::TLM_OK_RESPONSE, disabled = tlm::TLM_OK_RESPONSE;
  sc_time delay_a, delay_c;
  f.run([&](TestInitiator&) {
    f.enumerate();
    const uint64_t va = 0x1122334455667788ull, vc = 0x99aabbccddeeff00ull;
    f.mmio_cpu.write(f.bar0(kBusA) + 0x100, &va, 8);
    delay_a = f.mmio_cpu.last_delay;
    f.mmio_cpu.write(f.bar0(kBusC) + 0x2000, &vc, 8);
    delay_c = f.mmio_cpu.last_delay;
    back_a = f.mmio_cpu.read64(f.bar0(kBusA) + 0x100);
    back_c = f.mmio_cpu.read64(f.bar0(kBusC) + 0x2000);
    // Inside the RC window but behind no bridge window.
    uint32_t x = 0;
    hole = f.mmio_cpu.read(f.rcp.mmio64_base + (16ull << 30), &x, 4);
    // Memory Space Enable off at the endpoint: Unsupported Request.
    f.ecam.write(kBusA, 0, 0, cfg::kCommand, cfg::kCommandBusMaster, 2);
    disabled = f.mmio_cpu.read(f.bar0(kBusA), &x, 4);
  });
  CHECK(back_a == 0x1122334455667788ull);
  CHECK(back_c == 0x99aabbccddeeff00ull);
  uint64_t in_a = 0, in_c = 0;
  f.a.memory().read(0x100, &in_a, 8);
  f.c.memory().read(0x2000, &in_c, 8);
  CHECK(in_a == 0x1122334455667788ull);
  CHECK(in_c == 0x99aabbccddeeff00ull);
  CHECK(hole == tlm::TLM_ADDRESS_ERROR_RESPONSE);
  CHECK(disabled == tlm::TLM_ADDRESS_ERROR_RESPONSE);
  CHECK(f.a.unsupported_requests() == 1);
  // The path through the switch costs the switch and a second link more.
  CHECK(delay_a > delay_c);
  CHECK(f.sw.downstream_port(0).downstream_requests() == 3);
}

TEST_CASE("pcie hierarchy: DMA carries the requester ID and bus master enable off blocks it") {
  Fabric f;
  tlm::tlm_response_status ok_a = tlm::TLM_INCOMPLETE_RESPONSE, ok_c = ok_a, blocked = ok_a,
                           bridge_blocked = ok_a;
  uint64_t got = 0;
  f.run([&](TestInitiator&) {
    f.enumerate();
    const uint64_t v = 0xfeedfacecafebeefull;
    sc_time t = sc_time_stamp();
    ok_a = f.a.dma_write(0x1000, &v, 8, t);
    t = sc_time_stamp();
    ok_c = f.c.dma_write(0x2000, &v, 8, t);
    t = sc_time_stamp();
    f.a.dma_read(0x1000, &got, 8, t);
    // Endpoint BME off: nothing leaves the device.
    f.ecam.write(kBusA, 0, 0, cfg::kCommand, cfg::kCommandMemorySpace, 2);
    t = sc_time_stamp();
    blocked = f.a.dma_write(0x3000, &v, 8, t);
    // Endpoint on again, but its downstream port's BME off: the bridge
    // does not forward upstream.
    f.ecam.write(kBusA, 0, 0, cfg::kCommand, cfg::kCommandMemorySpace | cfg::kCommandBusMaster, 2);
    f.ecam.write(2, 0, 0, cfg::kCommand, cfg::kCommandMemorySpace, 2);
    t = sc_time_stamp();
    bridge_blocked = f.a.dma_write(0x3000, &v, 8, t);
  });
  CHECK(ok_a == tlm::TLM_OK_RESPONSE);
  CHECK(ok_c == tlm::TLM_OK_RESPONSE);
  CHECK(got == 0xfeedfacecafebeefull);
  REQUIRE(f.sys.seen.size() == 3);
  CHECK(f.sys.seen[0].rid == vp::common::make_rid(kBusA, 0, 0));
  CHECK(f.sys.seen[0].write);
  CHECK(f.sys.seen[1].rid == vp::common::make_rid(kBusC, 0, 0));
  CHECK(f.sys.seen[2].rid == vp::common::make_rid(kBusA, 0, 0));
  CHECK_FALSE(f.sys.seen[2].write);
  uint64_t in_dram = 0;
  f.dram.read(0x2000, &in_dram, 8);
  CHECK(in_dram == 0xfeedfacecafebeefull);
  CHECK(blocked == tlm::TLM_GENERIC_ERROR_RESPONSE);
  CHECK(f.a.dma_blocked() == 1);
  CHECK(bridge_blocked == tlm::TLM_ADDRESS_ERROR_RESPONSE);
  CHECK(f.a.config().get16(cfg::kStatus) & cfg::kStatusReceivedMasterAbort);
  uint64_t untouched = 1;
  f.dram.read(0x3000, &untouched, 8);
  CHECK(untouched == 0);
}

TEST_CASE(
    "pcie hierarchy: switch peer-to-peer goes direct with ACS redirect off, via the root complex "
    "with it on") {
  Fabric f;
  size_t seen_direct = 0, seen_redirected = 0;
  uint32_t read_back = 0;
  tlm::tlm_response_status no_uf = tlm::TLM_OK_RESPONSE, with_uf = tlm::TLM_INCOMPLETE_RESPONSE;
  sc_time direct_time, redirected_time;
  f.run([&](TestInitiator&) {
    f.enumerate();
    const uint32_t v1 = 0x11111111, v2 = 0x22222222;
    sc_time t = sc_time_stamp();
    f.a.dma_write(f.bar0(kBusB) + 0x40, &v1, 4, t);
    direct_time = t - sc_time_stamp();
    t = sc_time_stamp();
    f.a.dma_read(f.bar0(kBusB) + 0x40, &read_back, 4, t);
    seen_direct = f.sys.seen.size();
    // RR on dsp0 (a's port): the request goes up; the root port needs UF to
    // send a request for its own window on up to the root complex.
    acs_enable(f.ecam, 2, 0, f.sw.downstream_port(0).config(), cfg::kAcsP2pRequestRedirect);
    t = sc_time_stamp();
    no_uf = f.a.dma_write(f.bar0(kBusB) + 0x80, &v2, 4, t);
    acs_enable(f.ecam, 0, kRp0, f.rc.root_port(0).config(), cfg::kAcsUpstreamForwarding);
    t = sc_time_stamp();
    with_uf = f.a.dma_write(f.bar0(kBusB) + 0x80, &v2, 4, t);
    redirected_time = t - sc_time_stamp();
    seen_redirected = f.sys.seen.size();
  });
  CHECK(read_back == 0x11111111);
  CHECK(seen_direct == 0);  // nothing reached the upstream side
  CHECK(f.sw.p2p_direct() == 2);
  uint32_t in_b = 0;
  f.b.memory().read(0x40, &in_b, 4);
  CHECK(in_b == 0x11111111);
  CHECK(no_uf == tlm::TLM_ADDRESS_ERROR_RESPONSE);
  CHECK(with_uf == tlm::TLM_OK_RESPONSE);
  CHECK(f.sw.p2p_redirected() == 2);
  REQUIRE(seen_redirected == 1);
  CHECK(f.sys.seen[0].address == f.bar0(kBusB) + 0x80);
  CHECK(f.sys.seen[0].rid == vp::common::make_rid(kBusA, 0, 0));
  f.b.memory().read(0x80, &in_b, 4);
  CHECK(in_b == 0x22222222);
  CHECK(redirected_time > direct_time);
}

TEST_CASE("pcie hierarchy: ACS completion redirect adds its latency to peer-to-peer reads") {
  Fabric f;
  sc_time plain, redirected;
  f.run([&](TestInitiator&) {
    f.enumerate();
    uint32_t x = 0;
    sc_time t = sc_time_stamp();
    f.a.dma_read(f.bar0(kBusB), &x, 4, t);
    plain = t - sc_time_stamp();
    wait(1, SC_US);  // links idle again
    acs_enable(f.ecam, 2, 1, f.sw.downstream_port(1).config(), cfg::kAcsP2pCompletionRedirect);
    t = sc_time_stamp();
    f.a.dma_read(f.bar0(kBusB), &x, 4, t);
    redirected = t - sc_time_stamp();
  });
  CHECK(f.sw.completions_redirected() == 1);
  CHECK(redirected - plain == sc_time(PcieSwitchParams{}.completion_redirect_latency_ns, SC_NS));
}

TEST_CASE(
    "pcie hierarchy: ACS source validation refuses requester IDs from outside the port's buses") {
  Fabric f;
  tlm::tlm_response_status before = tlm::TLM_INCOMPLETE_RESPONSE, after = before,
                           spoof_off = before;
  f.run([&](TestInitiator&) {
    f.enumerate();
    const uint32_t v = 7;
    // Renumber dsp0's buses to 9..9 without telling the endpoint: its
    // captured requester ID (bus 3) is now outside its port's range.
    f.ecam.write(2, 0, 0, cfg::kSecondaryBus, 9, 1);
    f.ecam.write(2, 0, 0, cfg::kSubordinateBus, 9, 1);
    sc_time t = sc_time_stamp();
    spoof_off = f.a.dma_write(0x100, &v, 4, t);
    acs_enable(f.ecam, 2, 0, f.sw.downstream_port(0).config(), cfg::kAcsSourceValidation);
    t = sc_time_stamp();
    after = f.a.dma_write(0x100, &v, 4, t);
    // c's port with SV: c's ID is in range, so it passes.
    acs_enable(f.ecam, 0, kRp1, f.rc.root_port(1).config(), cfg::kAcsSourceValidation);
    t = sc_time_stamp();
    before = f.c.dma_write(0x100, &v, 4, t);
  });
  CHECK(spoof_off == tlm::TLM_OK_RESPONSE);
  CHECK(after == tlm::TLM_ADDRESS_ERROR_RESPONSE);
  CHECK(f.sw.downstream_port(0).source_validation_errors() == 1);
  CHECK(before == tlm::TLM_OK_RESPONSE);
  CHECK(f.rc.root_port(1).source_validation_errors() == 0);
}

TEST_CASE("pcie hierarchy: MSI from the MSI capability arrives upstream as a marked write") {
  Fabric f;
  bool sent = false, sent_disabled = true, sent_masked = true;
  f.run([&](TestInitiator&) {
    f.enumerate();
    sc_time t = sc_time_stamp();
    sent_disabled = f.c.send_msi(t);
    const unsigned msi = f.c.config().msi_capability();
    f.ecam.write(kBusC, 0, 0, msi + cfg::kMsiAddressLow, 0x8000);
    f.ecam.write(kBusC, 0, 0, msi + cfg::kMsiAddressHigh, 0);
    f.ecam.write(kBusC, 0, 0, msi + cfg::kMsiData64, 0x42, 2);
    f.ecam.write(kBusC, 0, 0, msi + cfg::kMsiMessageControl, cfg::kMsiCtlEnable, 2);
    t = sc_time_stamp();
    sent = f.c.send_msi(t);
    f.ecam.write(kBusC, 0, 0, msi + cfg::kMsiMaskBits64, 1);
    t = sc_time_stamp();
    sent_masked = f.c.send_msi(t);
  });
  CHECK_FALSE(sent_disabled);
  CHECK(sent);
  CHECK_FALSE(sent_masked);
  REQUIRE(f.sys.seen.size() == 1);
  CHECK(f.sys.seen[0].is_msi);
  CHECK(f.sys.seen[0].address == 0x8000);
  CHECK(f.sys.seen[0].rid == vp::common::make_rid(kBusC, 0, 0));
  uint32_t data = 0;
  f.dram.read(0x8000, &data, 4);
  CHECK(data == 0x42);
  CHECK(f.rc.msi_requests() == 1);
  CHECK(f.c.config().get32(f.c.config().msi_capability() + cfg::kMsiPendingBits64) == 1);
}

TEST_CASE("pcie hierarchy: peer-to-peer between root ports goes up and comes back down through the host bridge") {
  Fabric f;
  tlm::tlm_response_status st = tlm::TLM_INCOMPLETE_RESPONSE;
  uint64_t read_back = 0;
  f.run([&](TestInitiator&) {
    f.enumerate();
    const uint64_t v = 0x0123456789abcdefull;
    sc_time t = sc_time_stamp();
    st = f.c.dma_write(f.bar0(kBusA) + 0x200, &v, 8, t);
    t = sc_time_stamp();
    f.c.dma_read(f.bar0(kBusA) + 0x200, &read_back, 8, t);
  });
  CHECK(st == tlm::TLM_OK_RESPONSE);
  CHECK(read_back == 0x0123456789abcdefull);
  uint64_t in_a = 0;
  f.a.memory().read(0x200, &in_a, 8);
  CHECK(in_a == 0x0123456789abcdefull);
  REQUIRE(f.sys.seen.size() == 2);  // both went up with c's requester ID
  CHECK(f.sys.seen[0].rid == vp::common::make_rid(kBusC, 0, 0));
  CHECK(f.rc.upstream_requests() == 2);
  CHECK(f.sw.p2p_direct() == 0);
}
