#include <catch2/catch.hpp>
#include <set>

#include "models/pcie/config_space.h"
#include "models/pcie/pcie_regs.h"

using namespace vp::pcie;
namespace c = vp::pcie::cfg;

namespace {

uint32_t rd(const ConfigSpace& cs, unsigned off, unsigned size) {
  uint32_t v = 0xdeadbeef;
  REQUIRE(cs.read(off, size, &v));
  return v;
}
void wr(ConfigSpace& cs, unsigned off, unsigned size, uint32_t v) {
  REQUIRE(cs.write(off, size, v));
}

// Sizes a BAR the way enumeration software does (PCI 3.0 sec. 6.2.5.1).
uint64_t probe_size(ConfigSpace& cs, unsigned index) {
  const unsigned off = c::kBar0 + 4 * index;
  const uint32_t orig = rd(cs, off, 4);
  wr(cs, off, 4, 0xffffffff);
  const uint32_t lo = rd(cs, off, 4);
  uint64_t mask = lo & c::kBarMemAddressMask;
  if ((orig & c::kBarMemTypeMask) == c::kBarMemType64) {
    const uint32_t orig_hi = rd(cs, off + 4, 4);
    wr(cs, off + 4, 4, 0xffffffff);
    mask |= uint64_t(rd(cs, off + 4, 4)) << 32;
    wr(cs, off + 4, 4, orig_hi);
  } else {
    mask |= 0xffffffff00000000ull;
  }
  wr(cs, off, 4, orig);
  return ~mask + 1;
}

}  // namespace

TEST_CASE("BAR sizing for 32-bit, 64-bit and prefetchable BARs") {
  ConfigSpace cs("ep");
  cs.init_endpoint(0x1234, 0x5678, 0x010802);
  cs.add_bar(0, 16 * 1024, false, false);
  cs.add_bar(2, 8ull << 30, true, true);  // 8 GiB, BAR2+BAR3
  cs.add_bar(4, 64 * 1024, true, false);  // BAR4+BAR5

  // Low bits: memory space, type, prefetchable are read-only.
  CHECK(rd(cs, c::kBar0, 4) == c::kBarMemType32);
  CHECK(rd(cs, c::kBar0 + 8, 4) == (c::kBarMemType64 | c::kBarPrefetchable));
  CHECK(rd(cs, c::kBar0 + 16, 4) == c::kBarMemType64);
  CHECK(rd(cs, c::kBar0 + 4, 4) == 0);  // BAR1 not implemented

  // All-ones probe reads back the size mask with the info bits.
  wr(cs, c::kBar0, 4, 0xffffffff);
  CHECK(rd(cs, c::kBar0, 4) == 0xffffc000u);
  wr(cs, c::kBar0 + 8, 4, 0xffffffff);
  wr(cs, c::kBar0 + 12, 4, 0xffffffff);
  CHECK(rd(cs, c::kBar0 + 8, 4) == (0x00000000u | 0xc));  // 8 GiB: no low address bits
  CHECK(rd(cs, c::kBar0 + 12, 4) == 0xfffffffeu);
  wr(cs, c::kBar0 + 4, 4, 0xffffffff);
  CHECK(rd(cs, c::kBar0 + 4, 4) == 0);  // unimplemented BAR stays 0

  CHECK(probe_size(cs, 0) == 16 * 1024);
  CHECK(probe_size(cs, 2) == (8ull << 30));
  CHECK(probe_size(cs, 4) == 64 * 1024);

  // Program addresses; the model decodes them.
  wr(cs, c::kBar0, 4, 0x40000000);
  wr(cs, c::kBar0 + 8, 4, 0x00000000);
  wr(cs, c::kBar0 + 12, 4, 0x00000004);  // 16 GiB
  wr(cs, c::kBar0 + 16, 4, 0x80010000);
  wr(cs, c::kBar0 + 20, 4, 0x00000001);
  CHECK(cs.bar_address(0) == 0x40000000);
  CHECK(cs.bar_address(2) == 0x400000000ull);
  CHECK(cs.bar_address(4) == 0x180010000ull);
  CHECK(cs.bar_size(2) == (8ull << 30));
  CHECK(cs.bar_size(3) == 0);  // upper half
  CHECK(cs.bar_is_64bit(2));
  CHECK(cs.bar_prefetchable(2));
  CHECK_FALSE(cs.bar_prefetchable(0));
  // Unaligned address bits are dropped.
  wr(cs, c::kBar0, 4, 0x40001234);
  CHECK(cs.bar_address(0) == 0x40000000);
  // The window decodes only with Memory Space Enable.
  CHECK_FALSE(cs.bar_window(0).enabled());
  wr(cs, c::kCommand, 2, c::kCommandMemorySpace);
  CHECK(cs.bar_window(0).base == 0x40000000);
  CHECK(cs.bar_window(0).end == 0x40004000);
  CHECK(cs.bar_window(4).contains(0x18001fff0ull, 16));
  CHECK_FALSE(cs.bar_window(4).contains(0x18001fff0ull, 17));
}

TEST_CASE("illegal BAR layouts are rejected by the builder") {
  ConfigSpace cs("ep");
  CHECK_THROWS_AS(cs.add_bar(0, 4096, false, false), std::invalid_argument);  // no header
  cs.init_endpoint(1, 2, 0x020000);
  CHECK_THROWS_AS(cs.add_bar(0, 3000, false, false), std::invalid_argument);
  CHECK_THROWS_AS(cs.add_bar(0, 8, false, false), std::invalid_argument);
  CHECK_THROWS_AS(cs.add_bar(5, 4096, true, false), std::invalid_argument);
  CHECK_THROWS_AS(cs.add_bar(0, 4ull << 30, false, false), std::invalid_argument);
  cs.add_bar(0, 4096, true, false);
  CHECK_THROWS_AS(cs.add_bar(1, 4096, false, false), std::invalid_argument);  // upper half
  ConfigSpace br("br");
  br.init_bridge(1, 3);
  CHECK_THROWS_AS(br.add_bar(2, 4096, false, false), std::invalid_argument);
}

TEST_CASE("read-only fields ignore writes and command bits take effect") {
  ConfigSpace cs("ep");
  cs.init_endpoint(0x1af4, 0x1041, 0x020000, 0x01);
  cs.set_interrupt_pin(1);
  wr(cs, c::kVendorId, 4, 0xffffffff);
  CHECK(rd(cs, c::kVendorId, 2) == 0x1af4);
  CHECK(rd(cs, c::kDeviceId, 2) == 0x1041);
  wr(cs, c::kRevisionId, 4, 0);
  CHECK(rd(cs, c::kRevisionId, 4) == 0x02000001);
  CHECK(rd(cs, c::kClassCode + 2, 1) == 0x02);
  wr(cs, c::kHeaderType, 1, 0xff);
  CHECK(rd(cs, c::kHeaderType, 1) == 0x00);
  wr(cs, c::kInterruptPin, 1, 3);
  CHECK(rd(cs, c::kInterruptPin, 1) == 1);
  wr(cs, c::kInterruptLine, 1, 0x2a);
  CHECK(rd(cs, c::kInterruptLine, 1) == 0x2a);

  CHECK_FALSE(cs.command_memory_enabled());
  CHECK_FALSE(cs.bus_master_enabled());
  wr(cs, c::kCommand, 2, 0xffff);
  // Only implemented bits stick: no I/O space, no special cycles.
  CHECK(rd(cs, c::kCommand, 2) ==
        (c::kCommandMemorySpace | c::kCommandBusMaster | c::kCommandParityErrorResponse |
         c::kCommandSerrEnable | c::kCommandInterruptDisable));
  CHECK(cs.command_memory_enabled());
  CHECK(cs.bus_master_enabled());
  CHECK(cs.interrupt_disabled());
  // A byte write to the low byte leaves the high byte alone.
  wr(cs, c::kCommand, 1, c::kCommandBusMaster);
  CHECK_FALSE(cs.command_memory_enabled());
  CHECK(cs.bus_master_enabled());
  CHECK(cs.interrupt_disabled());

  // Status: RW1C error bits clear on 1, RO bits ignore writes.
  cs.set_status_bits(c::kStatusReceivedMasterAbort | c::kStatusSignaledTargetAbort);
  wr(cs, c::kStatus, 2, c::kStatusReceivedMasterAbort | c::kStatusCapabilitiesList);
  CHECK(rd(cs, c::kStatus, 2) == c::kStatusSignaledTargetAbort);
  // A 4-byte write to command/status with status 0 leaves status bits.
  wr(cs, c::kCommand, 4, c::kCommandMemorySpace);
  CHECK(rd(cs, c::kStatus, 2) == c::kStatusSignaledTargetAbort);
  CHECK(cs.command() == c::kCommandMemorySpace);
}

TEST_CASE("bad config accesses set the error flag and change nothing") {
  ConfigSpace cs("ep");
  cs.init_endpoint(0x1234, 0x5678, 0x0);
  uint32_t v = 7;
  CHECK_FALSE(cs.read(0x2, 4, &v));     // misaligned
  CHECK_FALSE(cs.read(0x1, 2, &v));     // misaligned
  CHECK_FALSE(cs.read(0x0, 3, &v));     // bad size
  CHECK_FALSE(cs.read(0x0, 8, &v));     // bad size
  CHECK_FALSE(cs.read(0x1000, 4, &v));  // beyond 4 KiB
  CHECK(v == 7);
  CHECK_FALSE(cs.write(0x5, 2, 0xffff));
  CHECK(cs.command() == 0);
  CHECK(cs.error_count() == 6);
  // Byte reads at any offset, and the last DWORD, are fine.
  CHECK(rd(cs, 0x1, 1) == 0x12);
  CHECK(rd(cs, 0xffc, 4) == 0);
  // Absent function reads all ones.
  CHECK(ConfigSpace::absent_function_value(4) == 0xffffffffu);
  CHECK(ConfigSpace::absent_function_value(2) == 0xffffu);
  CHECK(ConfigSpace::absent_function_value(1) == 0xffu);
}

TEST_CASE("TLM config access honours byte enables and rejects bad requests") {
  ConfigSpace cs("ep");
  cs.init_endpoint(0x1234, 0x5678, 0x0);
  cs.add_msi_capability();
  const unsigned msi = cs.msi_capability();
  unsigned char data[4] = {0x11, 0x22, 0x33, 0x44};
  unsigned char be[4] = {TLM_BYTE_DISABLED, TLM_BYTE_ENABLED, TLM_BYTE_DISABLED, TLM_BYTE_ENABLED};
  tlm::tlm_generic_payload gp;
  gp.set_command(tlm::TLM_WRITE_COMMAND);
  gp.set_address(msi + c::kMsiAddressHigh);
  gp.set_data_ptr(data);
  gp.set_data_length(4);
  gp.set_streaming_width(4);
  gp.set_byte_enable_ptr(be);
  gp.set_byte_enable_length(4);
  CHECK(cs.access(gp) == tlm::TLM_OK_RESPONSE);
  CHECK(rd(cs, msi + c::kMsiAddressHigh, 4) == 0x44002200u);

  gp.set_byte_enable_ptr(nullptr);
  gp.set_command(tlm::TLM_READ_COMMAND);
  gp.set_address(c::kVendorId);
  CHECK(cs.access(gp) == tlm::TLM_OK_RESPONSE);
  CHECK(data[0] == 0x34);
  CHECK(data[3] == 0x56);
  gp.set_address(0x2);
  CHECK(cs.access(gp) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
  gp.set_address(0x0);
  gp.set_data_length(3);
  CHECK(cs.access(gp) == tlm::TLM_BURST_ERROR_RESPONSE);
  gp.set_data_length(4);
  gp.set_streaming_width(2);
  CHECK(cs.access(gp) == tlm::TLM_BURST_ERROR_RESPONSE);
  gp.set_streaming_width(4);
  gp.set_address(0x1000);
  CHECK(cs.access(gp) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
}

TEST_CASE("bridge bus numbers and memory windows decode") {
  ConfigSpace br("rp0");
  br.init_bridge(0x1b36, 0x000c);
  CHECK(br.is_bridge());
  CHECK(rd(br, c::kHeaderType, 1) == c::kHeaderTypeBridge);
  CHECK(rd(br, c::kRevisionId, 4) >> 16 == 0x0604);
  // Windows come out of reset closed.
  CHECK_FALSE(br.memory_window().enabled());
  CHECK_FALSE(br.prefetchable_window().enabled());

  // Bus numbers as Linux programs them: one 32-bit write of 0x18.
  wr(br, c::kPrimaryBus, 4, 0x00050100 | 0xff000000);  // latency timer RO
  CHECK(br.primary_bus() == 0);
  CHECK(br.secondary_bus() == 1);
  CHECK(br.subordinate_bus() == 5);
  CHECK(rd(br, c::kSecondaryLatencyTimer, 1) == 0);
  wr(br, c::kSubordinateBus, 1, 7);
  CHECK(br.subordinate_bus() == 7);
  CHECK(br.secondary_bus() == 1);

  // Memory window 0x4000_0000 .. 0x402f_ffff; low nibble read-only 0.
  wr(br, c::kMemoryBase, 4, 0x402f4000 | 0x000f000f);
  CHECK(rd(br, c::kMemoryBase, 2) == 0x4000);
  CHECK(rd(br, c::kMemoryLimit, 2) == 0x4020);
  CHECK(br.memory_window().base == 0x40000000);
  CHECK(br.memory_window().end == 0x40300000);
  CHECK(br.memory_window().contains(0x402fffff));
  CHECK_FALSE(br.memory_window().contains(0x40300000));

  // Prefetchable window above 4 GiB: 64-bit capable (RO 1 in bits 3:0).
  CHECK((rd(br, c::kPrefetchableMemoryBase, 2) & 0xf) == c::kPrefetchable64);
  wr(br, c::kPrefetchableMemoryBase, 2, 0x8000);
  wr(br, c::kPrefetchableMemoryLimit, 2, 0x80f0);
  wr(br, c::kPrefetchableBaseUpper32, 4, 0x4);
  wr(br, c::kPrefetchableLimitUpper32, 4, 0x4);
  CHECK(rd(br, c::kPrefetchableMemoryBase, 2) == 0x8001);
  CHECK(br.prefetchable_window().base == 0x480000000ull);
  CHECK(br.prefetchable_window().end == 0x481000000ull);
  // Closing: base above limit.
  wr(br, c::kMemoryBase, 2, 0xfff0);
  wr(br, c::kMemoryLimit, 2, 0x0000);
  CHECK_FALSE(br.memory_window().enabled());
  // I/O window not implemented.
  wr(br, c::kIoBase, 2, 0xf0f0);
  CHECK(rd(br, c::kIoBase, 2) == 0);
  // Endpoints have no windows.
  ConfigSpace ep("ep");
  ep.init_endpoint(1, 2, 0);
  CHECK_FALSE(ep.memory_window().enabled());

  // reset() restores the built state.
  br.reset();
  CHECK(br.secondary_bus() == 0);
  CHECK_FALSE(br.prefetchable_window().enabled());
}

TEST_CASE("capability list from 0x34 finds PCIe, MSI and MSI-X") {
  ConfigSpace cs("ep");
  cs.init_endpoint(0x1234, 0x5678, 0x088000);
  CHECK((rd(cs, c::kStatus, 2) & c::kStatusCapabilitiesList) == 0);
  CHECK(cs.find_capability(c::kCapIdPcie) == 0);
  cs.add_bar(0, 16 * 1024, true, false);
  PcieCapabilityConfig pc;
  pc.port_type = c::kPortTypeEndpoint;
  pc.max_payload_supported = 512;
  pc.max_link_speed = 4;
  pc.max_link_width = 16;
  const unsigned pcie = cs.add_pcie_capability(pc);
  const unsigned msi = cs.add_msi_capability(true);
  MsixConfig mx;
  mx.table_size = 8;
  mx.table_bir = 0;
  mx.table_offset = 0x2000;
  mx.pba_bir = 0;
  mx.pba_offset = 0x3000;
  const unsigned msix = cs.add_msix_capability(mx);

  CHECK(rd(cs, c::kStatus, 2) & c::kStatusCapabilitiesList);
  // Walk the list as software does.
  std::set<unsigned> ids;
  std::vector<unsigned> offsets;
  unsigned p = rd(cs, c::kCapabilitiesPointer, 1) & c::kCapPointerMask;
  while (p && offsets.size() < 48) {
    CHECK(p >= 0x40);
    CHECK(p % 4 == 0);
    offsets.push_back(p);
    ids.insert(rd(cs, p, 1));
    p = rd(cs, p + 1, 1) & c::kCapPointerMask;
  }
  CHECK(offsets == std::vector<unsigned>{pcie, msi, msix});
  CHECK(ids == std::set<unsigned>{c::kCapIdPcie, c::kCapIdMsi, c::kCapIdMsix});
  CHECK(cs.find_capability(c::kCapIdMsix) == msix);
  CHECK(cs.find_capability(c::kCapIdPowerManagement) == 0);
  // Capability headers are read-only.
  wr(cs, pcie, 2, 0x0000);
  CHECK(rd(cs, pcie, 1) == c::kCapIdPcie);
  CHECK(rd(cs, pcie + 1, 1) == msi);

  // PCIe capability fields.
  CHECK(rd(cs, pcie + c::kPcieCapabilities, 2) == 0x0002);  // v2, endpoint
  CHECK((rd(cs, pcie + c::kPcieDeviceCapabilities, 4) & c::kDevCapMaxPayloadSupportedMask) == 2);
  CHECK((rd(cs, pcie + c::kPcieLinkCapabilities, 4) & 0x3ff) == (4 | 16 << 4));
  CHECK((rd(cs, pcie + c::kPcieLinkStatus, 2) & 0x3ff) == (4 | 16 << 4));
  cs.set_link_status(3, 8);
  CHECK((rd(cs, pcie + c::kPcieLinkStatus, 2) & 0x3ff) == (3 | 8 << 4));
  CHECK(rd(cs, pcie + c::kPcieLinkCapabilities2, 4) == 0x1e);  // 2.5..16 GT/s
  CHECK(cs.port_type() == c::kPortTypeEndpoint);

  // MSI: 64-bit, one vector, maskable.
  const uint16_t msi_ctl = rd(cs, msi + c::kMsiMessageControl, 2);
  CHECK(msi_ctl & c::kMsiCtl64BitCapable);
  CHECK(msi_ctl & c::kMsiCtlPerVectorMaskingCapable);
  CHECK((msi_ctl & c::kMsiCtlMultipleMessageCapableMask) == 0);
  wr(cs, msi + c::kMsiAddressLow, 4, 0xfee00003);
  wr(cs, msi + c::kMsiAddressHigh, 4, 0x1);
  wr(cs, msi + c::kMsiData64, 4, 0xabcd1234);
  wr(cs, msi + c::kMsiMessageControl, 2, 0xffff);
  CHECK(cs.msi_enabled());
  CHECK(cs.msi_address() == 0x1fee00000ull);
  CHECK(cs.msi_data() == 0x1234);
  CHECK(rd(cs, msi + c::kMsiMessageControl, 2) == (msi_ctl | c::kMsiCtlEnable));
  CHECK_FALSE(cs.msi_masked());
  wr(cs, msi + c::kMsiMaskBits64, 4, 0xffffffff);
  CHECK(rd(cs, msi + c::kMsiMaskBits64, 4) == 1);
  CHECK(cs.msi_masked());
  cs.set_msi_pending(true);
  CHECK(rd(cs, msi + c::kMsiPendingBits64, 4) == 1);
  wr(cs, msi + c::kMsiPendingBits64, 4, 0);
  CHECK(rd(cs, msi + c::kMsiPendingBits64, 4) == 1);  // RO

  // MSI-X: table size N-1, BIR/offset read-only, enable and mask writable.
  CHECK((rd(cs, msix + c::kMsixMessageControl, 2) & c::kMsixCtlTableSizeMask) == 7);
  CHECK(rd(cs, msix + c::kMsixTable, 4) == 0x2000);
  CHECK(rd(cs, msix + c::kMsixPba, 4) == 0x3000);
  wr(cs, msix + c::kMsixTable, 4, 0);
  CHECK(rd(cs, msix + c::kMsixTable, 4) == 0x2000);
  wr(cs, msix + c::kMsixMessageControl, 2, 0xffff);
  CHECK(rd(cs, msix + c::kMsixMessageControl, 2) == 0xc007);
  CHECK(cs.msix_enabled());
  CHECK(cs.msix_function_masked());

  // MSI-X table must lie inside an implemented BAR.
  ConfigSpace bad("bad");
  bad.init_endpoint(1, 2, 0);
  bad.add_bar(0, 4096, false, false);
  mx.table_offset = 0x800;
  mx.pba_offset = 0;
  mx.table_size = 256;  // 4 KiB of entries from 0x800 overflow BAR0
  CHECK_THROWS_AS(bad.add_msix_capability(mx), std::invalid_argument);
  mx.table_bir = 1;
  CHECK_THROWS_AS(bad.add_msix_capability(mx), std::invalid_argument);
}

TEST_CASE("MPS and MRRS are writable, read back and stay legal") {
  ConfigSpace cs("ep");
  cs.init_endpoint(1, 2, 0);
  PcieCapabilityConfig pc;
  pc.max_payload_supported = 512;
  const unsigned pcie = cs.add_pcie_capability(pc);
  const unsigned ctl = pcie + c::kPcieDeviceControl;
  // Spec defaults: MPS 128 B, MRRS 512 B.
  CHECK(cs.mps_bytes() == 128);
  CHECK(cs.mrrs_bytes() == 512);
  CHECK(cs.relaxed_ordering_enabled());
  CHECK(cs.no_snoop_enabled());

  uint32_t v = rd(cs, ctl, 2);
  v = (v & ~(c::kDevCtlMaxPayloadMask | c::kDevCtlMaxReadRequestMask)) |
      1u << c::kDevCtlMaxPayloadShift | 5u << c::kDevCtlMaxReadRequestShift;
  wr(cs, ctl, 2, v);
  CHECK(cs.mps_bytes() == 256);
  CHECK(cs.mrrs_bytes() == 4096);
  CHECK(rd(cs, ctl, 2) == v);
  wr(cs, ctl, 2, (v & ~c::kDevCtlMaxPayloadMask) | 2u << c::kDevCtlMaxPayloadShift);
  CHECK(cs.mps_bytes() == 512);
  // Above MPS Supported / reserved encodings: the old value stays.
  wr(cs, ctl, 2, (v & ~c::kDevCtlMaxPayloadMask) | 3u << c::kDevCtlMaxPayloadShift);
  CHECK(cs.mps_bytes() == 512);
  // A reserved MRRS encoding keeps the old MRRS; the rest of the write
  // (MPS 256 from v) lands.
  wr(cs, ctl, 2, (v & ~c::kDevCtlMaxReadRequestMask) | 7u << c::kDevCtlMaxReadRequestShift);
  CHECK(cs.mrrs_bytes() == 4096);
  CHECK(cs.mps_bytes() == 256);
  // Byte write to the high byte changes MRRS only.
  wr(cs, ctl + 1, 1, (0u << 4));  // MRRS 128, no snoop off
  CHECK(cs.mrrs_bytes() == 128);
  CHECK_FALSE(cs.no_snoop_enabled());
  CHECK(cs.mps_bytes() == 256);
  // Device Status error bits are RW1C.
  cs.set_device_status_bits(c::kDevStaUnsupportedRequest | c::kDevStaCorrectableError);
  wr(cs, pcie + c::kPcieDeviceStatus, 2, c::kDevStaUnsupportedRequest);
  CHECK(rd(cs, pcie + c::kPcieDeviceStatus, 2) == c::kDevStaCorrectableError);
  // RCB in Link Control (endpoint: writable).
  CHECK(cs.rcb_bytes() == 64);
  wr(cs, pcie + c::kPcieLinkControl, 2, c::kLinkCtlRcb128);
  CHECK(cs.rcb_bytes() == 128);
}

TEST_CASE("ACS extended capability at 0x100 with writable control bits") {
  ConfigSpace dsp("dsp");
  dsp.init_bridge(0x10b5, 0x8747);
  PcieCapabilityConfig pc;
  pc.port_type = c::kPortTypeDownstreamSwitchPort;
  dsp.add_pcie_capability(pc);
  const uint16_t supported = c::kAcsSourceValidation | c::kAcsTranslationBlocking |
                             c::kAcsP2pRequestRedirect | c::kAcsP2pCompletionRedirect |
                             c::kAcsUpstreamForwarding | c::kAcsDirectTranslatedP2p;
  const unsigned acs = dsp.add_acs_capability(supported);
  CHECK(acs == 0x100);
  CHECK(dsp.find_extended_capability(c::kExtCapIdAcs) == 0x100);
  const uint32_t header = rd(dsp, 0x100, 4);
  CHECK((header & c::kExtCapIdMask) == c::kExtCapIdAcs);
  CHECK(((header >> c::kExtCapVersionShift) & 0xf) == 1);
  CHECK((header >> c::kExtCapNextShift) == 0);
  CHECK(rd(dsp, acs + c::kAcsCapability, 2) == supported);
  CHECK(dsp.port_type() == c::kPortTypeDownstreamSwitchPort);
  CHECK(rd(dsp, dsp.pcie_capability() + c::kPcieLinkStatus, 2) & c::kLinkStaDllLinkActive);

  CHECK(dsp.acs_control() == 0);
  wr(dsp, acs + c::kAcsControl, 2, 0xffff);
  // Egress control is not implemented, so its enable stays 0.
  CHECK(rd(dsp, acs + c::kAcsControl, 2) == supported);
  CHECK(dsp.acs_enabled(c::kAcsP2pRequestRedirect));
  CHECK_FALSE(dsp.acs_enabled(c::kAcsP2pEgressControl));
  wr(dsp, acs + c::kAcsControl, 2,
     c::kAcsSourceValidation | c::kAcsP2pRequestRedirect | c::kAcsP2pCompletionRedirect |
         c::kAcsUpstreamForwarding);
  CHECK(dsp.acs_control() == (c::kAcsSourceValidation | c::kAcsP2pRequestRedirect |
                              c::kAcsP2pCompletionRedirect | c::kAcsUpstreamForwarding));
  CHECK_FALSE(dsp.acs_enabled(c::kAcsTranslationBlocking));
  // Header and capability register are read-only; a whole-DWORD write at
  // +4 updates control only.
  wr(dsp, 0x100, 4, 0);
  CHECK(rd(dsp, 0x100, 4) == header);
  wr(dsp, acs + c::kAcsCapability, 4, 0x00010000 * c::kAcsTranslationBlocking);
  CHECK(rd(dsp, acs + c::kAcsCapability, 2) == supported);
  CHECK(dsp.acs_control() == c::kAcsTranslationBlocking);

  // With egress control: a vector of the declared size.
  ConfigSpace dsp2("dsp2");
  dsp2.init_bridge(1, 2);
  const unsigned acs2 = dsp2.add_acs_capability(c::kAcsP2pEgressControl, 5);
  CHECK(((rd(dsp2, acs2 + c::kAcsCapability, 2) & c::kAcsEgressVectorSizeMask) >>
         c::kAcsEgressVectorSizeShift) == 5);
  wr(dsp2, acs2 + c::kAcsEgressControlVector, 4, 0xffffffff);
  CHECK(dsp2.acs_egress_control_vector() == 0x1f);
  CHECK_THROWS_AS(dsp2.add_acs_capability(0), std::invalid_argument);  // twice
  ConfigSpace dsp3("dsp3");
  dsp3.init_bridge(1, 2);
  CHECK_THROWS_AS(dsp3.add_acs_capability(c::kAcsP2pEgressControl, 0), std::invalid_argument);
  CHECK_THROWS_AS(dsp3.add_acs_capability(0x80), std::invalid_argument);

  // Without extended capabilities 0x100 reads 0.
  ConfigSpace ep("ep");
  ep.init_endpoint(1, 2, 0);
  CHECK(rd(ep, 0x100, 4) == 0);
  CHECK(ep.find_extended_capability(c::kExtCapIdAcs) == 0);
  CHECK(ep.acs_control() == 0);
}

TEST_CASE("root port RCB is read-only and the write hook sees every write") {
  ConfigSpace rp("rp");
  rp.init_bridge(0x1b36, 0x000c);
  PcieCapabilityConfig pc;
  pc.port_type = c::kPortTypeRootPort;
  const unsigned pcie = rp.add_pcie_capability(pc);
  std::vector<std::pair<unsigned, unsigned>> seen;
  rp.on_write([&](unsigned off, unsigned size) { seen.emplace_back(off, size); });
  wr(rp, pcie + c::kPcieLinkControl, 2, c::kLinkCtlRcb128 | c::kLinkCtlCommonClock);
  CHECK(rp.rcb_bytes() == 64);
  CHECK(rd(rp, pcie + c::kPcieLinkControl, 2) == c::kLinkCtlCommonClock);
  wr(rp, c::kSecondaryBus, 1, 2);
  CHECK(seen == std::vector<std::pair<unsigned, unsigned>>{{pcie + c::kPcieLinkControl, 2},
                                                           {c::kSecondaryBus, 1}});
  CHECK_FALSE(rp.write(0x3, 2, 0));
  CHECK(seen.size() == 2);  // failed writes are not reported
}
