#include "models/pcie/config_space.h"

#include <stdexcept>

namespace vp::pcie {

using namespace cfg;

namespace {

bool is_pow2(uint64_t v) {
  return v && !(v & (v - 1));
}

unsigned size_code(uint32_t bytes) {
  unsigned code = 0;
  while ((128u << code) < bytes) ++code;
  return code;
}

bool is_downstream_port(uint8_t type) {
  return type == kPortTypeRootPort || type == kPortTypeDownstreamSwitchPort;
}

}  // namespace

ConfigSpace::ConfigSpace(std::string name) : name_(std::move(name)) {}

// --- raw access ----------------------------------------------------------------

uint16_t ConfigSpace::get16(unsigned offset) const {
  return static_cast<uint16_t>(value_.at(offset) | value_.at(offset + 1) << 8);
}

uint32_t ConfigSpace::get32(unsigned offset) const {
  return uint32_t(get16(offset)) | uint32_t(get16(offset + 2)) << 16;
}

void ConfigSpace::set16(unsigned offset, uint16_t v) {
  ++version_;
  value_.at(offset) = static_cast<uint8_t>(v);
  value_.at(offset + 1) = static_cast<uint8_t>(v >> 8);
}

void ConfigSpace::set32(unsigned offset, uint32_t v) {
  set16(offset, static_cast<uint16_t>(v));
  set16(offset + 2, static_cast<uint16_t>(v >> 16));
}

void ConfigSpace::init(unsigned offset, unsigned size, uint32_t value, uint32_t wmask,
                       uint32_t w1cmask) {
  if (offset + size > kSize) throw std::invalid_argument(name_ + ": register beyond 4 KiB");
  ++version_;
  for (unsigned i = 0; i < size; ++i) {
    value_[offset + i] = reset_[offset + i] = static_cast<uint8_t>(value >> (8 * i));
    wmask_[offset + i] = static_cast<uint8_t>(wmask >> (8 * i));
    w1cmask_[offset + i] = static_cast<uint8_t>(w1cmask >> (8 * i));
  }
}

void ConfigSpace::require_header(const char* what) const {
  if (!header_done_)
    throw std::invalid_argument(name_ + ": " + what + " before init_endpoint/init_bridge");
}

// --- headers -------------------------------------------------------------------

void ConfigSpace::init_common_header(uint16_t vendor_id, uint16_t device_id, uint32_t class_code,
                                     uint8_t revision, uint8_t header_type) {
  if (header_done_) throw std::invalid_argument(name_ + ": header initialized twice");
  header_done_ = true;
  init(kVendorId, 2, vendor_id);
  init(kDeviceId, 2, device_id);
  init(kCommand, 2, 0,
       kCommandMemorySpace | kCommandBusMaster | kCommandParityErrorResponse | kCommandSerrEnable |
           kCommandInterruptDisable);
  init(kStatus, 2, 0, 0, kStatusW1cMask);
  init(kRevisionId, 4, revision | (class_code & 0xffffff) << 8);
  init(kCacheLineSize, 1, 0, 0xff);
  init(kHeaderType, 1, header_type);
}

void ConfigSpace::init_endpoint(uint16_t vendor_id, uint16_t device_id, uint32_t class_code,
                                uint8_t revision) {
  init_common_header(vendor_id, device_id, class_code, revision, kHeaderTypeEndpoint);
  init(kInterruptLine, 1, 0, 0xff);
}

void ConfigSpace::init_bridge(uint16_t vendor_id, uint16_t device_id, uint32_t class_code,
                              uint8_t revision) {
  init_common_header(vendor_id, device_id, class_code, revision, kHeaderTypeBridge);
  init(kPrimaryBus, 1, 0, 0xff);
  init(kSecondaryBus, 1, 0, 0xff);
  init(kSubordinateBus, 1, 0, 0xff);
  init(kSecondaryStatus, 2, 0, 0, kStatusW1cMask);
  // Windows start closed (base above limit); the spec leaves their reset
  // values to the implementation and software programs them.
  init(kMemoryBase, 2, kMemoryWindowMask, kMemoryWindowMask);
  init(kMemoryLimit, 2, 0, kMemoryWindowMask);
  init(kPrefetchableMemoryBase, 2, kMemoryWindowMask | kPrefetchable64, kMemoryWindowMask);
  init(kPrefetchableMemoryLimit, 2, kPrefetchable64, kMemoryWindowMask);
  init(kPrefetchableBaseUpper32, 4, 0, 0xffffffff);
  init(kPrefetchableLimitUpper32, 4, 0, 0xffffffff);
  init(kInterruptLine, 1, 0, 0xff);
  init(kBridgeControl, 2, 0,
       kBridgeCtlParityErrorResponse | kBridgeCtlSerrEnable | kBridgeCtlIsaEnable |
           kBridgeCtlVgaEnable | kBridgeCtlSecondaryBusReset);
}

void ConfigSpace::set_subsystem(uint16_t subsystem_vendor_id, uint16_t subsystem_id) {
  require_header("set_subsystem");
  if (is_bridge())
    throw std::invalid_argument(name_ + ": a type 1 header has no Subsystem ID registers");
  init(kSubsystemVendorId, 2, subsystem_vendor_id);
  init(kSubsystemId, 2, subsystem_id);
}

void ConfigSpace::set_interrupt_pin(uint8_t pin) {
  require_header("set_interrupt_pin");
  if (pin > 4) throw std::invalid_argument(name_ + ": interrupt pin must be 0..4");
  init(kInterruptPin, 1, pin);
}

void ConfigSpace::set_multi_function(bool on) {
  require_header("set_multi_function");
  const uint8_t type = get8(kHeaderType) & kHeaderTypeMask;
  init(kHeaderType, 1, type | (on ? kHeaderTypeMultiFunction : 0));
}

// --- BARs ------------------------------------------------------------------------

void ConfigSpace::add_bar(unsigned index, uint64_t size, bool is_64bit, bool prefetchable) {
  require_header("add_bar");
  const std::string what = name_ + ": BAR" + std::to_string(index) + ": ";
  if (index >= num_bars() || (is_64bit && index + 1 >= num_bars()))
    throw std::invalid_argument(what + "index out of range for this header type");
  if (bar_size_[index] || bar_upper_[index] ||
      (is_64bit && (bar_size_[index + 1] || bar_upper_[index + 1])))
    throw std::invalid_argument(what + "already in use");
  if (!is_pow2(size) || size < kBarMinMemorySize)
    throw std::invalid_argument(what + "size must be a power of two of at least 16 bytes");
  if (!is_64bit && size > (1ull << 31))
    throw std::invalid_argument(what + "a 32-bit BAR cannot exceed 2 GiB");
  if (size > (1ull << 63)) throw std::invalid_argument(what + "size too large");
  // Sizing (sec. 7.5.1.2.1): address bits below the size are read-only 0, so
  // writing all 1s and reading back yields the size mask.
  const uint64_t address_mask = ~(size - 1);
  const uint32_t info =
      (is_64bit ? kBarMemType64 : kBarMemType32) | (prefetchable ? kBarPrefetchable : 0);
  const unsigned off = kBar0 + 4 * index;
  init(off, 4, info, static_cast<uint32_t>(address_mask) & kBarMemAddressMask);
  bar_size_[index] = size;
  if (is_64bit) {
    init(off + 4, 4, 0, static_cast<uint32_t>(address_mask >> 32));
    bar_upper_[index + 1] = true;
  }
}

uint64_t ConfigSpace::bar_raw(unsigned index) const {
  const unsigned off = kBar0 + 4 * index;
  uint64_t v = get32(off);
  if (bar_is_64bit(index)) v |= uint64_t(get32(off + 4)) << 32;
  return v;
}

uint64_t ConfigSpace::bar_size(unsigned index) const {
  return index < cfg::kNumBarsType0 ? bar_size_[index] : 0;
}

bool ConfigSpace::bar_is_64bit(unsigned index) const {
  return bar_size(index) && (get32(kBar0 + 4 * index) & kBarMemTypeMask) == kBarMemType64;
}

bool ConfigSpace::bar_prefetchable(unsigned index) const {
  return bar_size(index) && (get32(kBar0 + 4 * index) & kBarPrefetchable);
}

uint64_t ConfigSpace::bar_address(unsigned index) const {
  if (!bar_size(index)) return 0;
  return bar_raw(index) & ~uint64_t(kBarMemInfoMask);
}

AddressWindow ConfigSpace::bar_window(unsigned index) const {
  const uint64_t size = bar_size(index);
  if (!size || !command_memory_enabled()) return {};
  const uint64_t base = bar_address(index);
  if (base + size < base) return {};  // wraps: not a decodable range
  return {base, base + size};
}

// --- bridge windows --------------------------------------------------------------

AddressWindow ConfigSpace::memory_window() const {
  if (!is_bridge()) return {};
  const uint64_t base = uint64_t(get16(kMemoryBase) & kMemoryWindowMask) << kMemoryWindowShift;
  const uint64_t limit = (uint64_t(get16(kMemoryLimit) & kMemoryWindowMask) << kMemoryWindowShift) |
                         (kMemoryWindowGranule - 1);
  if (base > limit) return {};
  return {base, limit + 1};
}

AddressWindow ConfigSpace::prefetchable_window() const {
  if (!is_bridge()) return {};
  const uint16_t b = get16(kPrefetchableMemoryBase);
  const uint16_t l = get16(kPrefetchableMemoryLimit);
  uint64_t base = uint64_t(b & kMemoryWindowMask) << kMemoryWindowShift;
  uint64_t limit =
      (uint64_t(l & kMemoryWindowMask) << kMemoryWindowShift) | (kMemoryWindowGranule - 1);
  if ((b & kPrefetchableCapabilityMask) == kPrefetchable64)
    base |= uint64_t(get32(kPrefetchableBaseUpper32)) << 32;
  if ((l & kPrefetchableCapabilityMask) == kPrefetchable64)
    limit |= uint64_t(get32(kPrefetchableLimitUpper32)) << 32;
  if (base > limit) return {};
  // A window reaching the top of the 64-bit space loses its last byte.
  return {base, limit == UINT64_MAX ? limit : limit + 1};
}

// --- capability list ------------------------------------------------------------

unsigned ConfigSpace::allocate_capability(uint8_t id, unsigned size) {
  require_header("adding a capability");
  size = (size + 3) & ~3u;
  if (next_cap_ + size > kLegacyConfigSpaceSize)
    throw std::invalid_argument(name_ + ": no room for capability in the first 256 bytes");
  const unsigned off = next_cap_;
  init(off + kCapId, 1, id);
  init(off + kCapNext, 1, 0);
  // Link it: the Capabilities Pointer or the previous capability's Next.
  value_[last_cap_next_] = reset_[last_cap_next_] = static_cast<uint8_t>(off);
  ++version_;
  if (last_cap_next_ == kCapabilitiesPointer) {
    const uint16_t status = get16(kStatus) | kStatusCapabilitiesList;
    set16(kStatus, status);
    reset_[kStatus] = static_cast<uint8_t>(status);
  }
  last_cap_next_ = off + kCapNext;
  next_cap_ += size;
  return off;
}

unsigned ConfigSpace::allocate_extended_capability(uint16_t id, uint8_t version, unsigned size) {
  require_header("adding an extended capability");
  size = (size + 3) & ~3u;
  if (next_ext_cap_ + size > kSize)
    throw std::invalid_argument(name_ + ": no room for extended capability");
  const unsigned off = next_ext_cap_;
  init(off, 4, id | uint32_t(version & 0xf) << kExtCapVersionShift);
  if (last_ext_cap_) {
    const uint32_t prev = get32(last_ext_cap_) | uint32_t(off) << kExtCapNextShift;
    init(last_ext_cap_, 4, prev);
  }
  last_ext_cap_ = off;
  next_ext_cap_ += size;
  return off;
}

unsigned ConfigSpace::find_capability(uint8_t id) const {
  if (!(get16(kStatus) & kStatusCapabilitiesList)) return 0;
  unsigned off = get8(kCapabilitiesPointer) & kCapPointerMask;
  // At most 48 capabilities fit in 192 bytes; the bound stops a loop.
  for (unsigned n = 0; off >= kFirstCapabilityOffset && n < 48; ++n) {
    if (get8(off + kCapId) == id) return off;
    off = get8(off + kCapNext) & kCapPointerMask;
  }
  return 0;
}

unsigned ConfigSpace::find_extended_capability(uint16_t id) const {
  unsigned off = kExtendedCapabilityStart;
  for (unsigned n = 0; off >= kExtendedCapabilityStart && n < 960; ++n) {
    const uint32_t header = get32(off);
    if (header == 0) return 0;
    if ((header & kExtCapIdMask) == id) return off;
    off = (header >> kExtCapNextShift) & kExtCapNextMask;
  }
  return 0;
}

unsigned ConfigSpace::add_pcie_capability(const PcieCapabilityConfig& c) {
  if (pcie_cap_) throw std::invalid_argument(name_ + ": PCI Express Capability added twice");
  switch (c.port_type) {
    case kPortTypeEndpoint:
    case kPortTypeLegacyEndpoint:
    case kPortTypeRootPort:
    case kPortTypeUpstreamSwitchPort:
    case kPortTypeDownstreamSwitchPort:
    case kPortTypePcieToPciBridge:
    case kPortTypePciToPcieBridge:
    case kPortTypeRcIntegratedEndpoint:
    case kPortTypeRcEventCollector:
      break;
    default:
      throw std::invalid_argument(name_ + ": unknown PCIe Device/Port Type");
  }
  if (c.max_payload_supported < 128 || c.max_payload_supported > 4096 ||
      !is_pow2(c.max_payload_supported))
    throw std::invalid_argument(name_ + ": max_payload_supported must be 128..4096, power of 2");
  if (c.max_link_speed < 1 || c.max_link_speed > 6)
    throw std::invalid_argument(name_ + ": max_link_speed must be a generation 1..6");
  if (c.max_link_width < 1 || c.max_link_width > 32)
    throw std::invalid_argument(name_ + ": max_link_width must be 1..32");
  const unsigned off = allocate_capability(kCapIdPcie, kPcieCapabilitySize);
  pcie_cap_ = off;
  const bool downstream = is_downstream_port(c.port_type);

  init(off + kPcieCapabilities, 2,
       kPcieCapVersion2 | uint16_t(c.port_type) << kPcieCapPortTypeShift |
           (c.slot_implemented ? kPcieCapSlotImplemented : 0));
  const unsigned mps_code = size_code(c.max_payload_supported);
  init(off + kPcieDeviceCapabilities, 4,
       mps_code | kDevCapExtendedTagSupported | kDevCapRoleBasedErrorReporting);
  // Device Control defaults (sec. 7.5.3.4): MPS 128 B, MRRS 512 B, relaxed
  // ordering and no snoop enabled.
  init(off + kPcieDeviceControl, 2,
       kDevCtlRelaxedOrdering | kDevCtlNoSnoop | 2u << kDevCtlMaxReadRequestShift,
       kDevCtlCorrectableErrorReporting | kDevCtlNonFatalErrorReporting |
           kDevCtlFatalErrorReporting | kDevCtlUnsupportedRequestReporting |
           kDevCtlRelaxedOrdering | kDevCtlMaxPayloadMask | kDevCtlExtendedTag | kDevCtlNoSnoop |
           kDevCtlMaxReadRequestMask);
  // Software must not set MPS above what the function supports; values
  // outside the legal encodings keep the old value.
  warl_.push_back(
      {off + kPcieDeviceControl, kDevCtlMaxPayloadMask, kDevCtlMaxPayloadShift, mps_code});
  warl_.push_back({off + kPcieDeviceControl, kDevCtlMaxReadRequestMask, kDevCtlMaxReadRequestShift,
                   kMaxSizeCode});
  init(off + kPcieDeviceStatus, 2, 0, 0,
       kDevStaCorrectableError | kDevStaNonFatalError | kDevStaFatalError |
           kDevStaUnsupportedRequest);

  init(off + kPcieLinkCapabilities, 4,
       c.max_link_speed | c.max_link_width << kLinkCapMaxWidthShift |
           (downstream ? kLinkCapDllLinkActiveReporting : 0) |
           uint32_t(c.port_number) << kLinkCapPortNumberShift);
  // RCB is read-only in a root port (it reports the port's own RCB, 64 B
  // here); Link Disable applies to downstream ports only.
  uint16_t link_ctl_w = kLinkCtlAspmMask | kLinkCtlCommonClock | (1u << 7);
  if (c.port_type != kPortTypeRootPort) link_ctl_w |= kLinkCtlRcb128;
  if (downstream) link_ctl_w |= kLinkCtlLinkDisable;
  init(off + kPcieLinkControl, 2, 0, link_ctl_w);
  init(off + kPcieLinkStatus, 2,
       c.max_link_speed | c.max_link_width << kLinkStaWidthShift | kLinkStaSlotClock |
           (downstream ? kLinkStaDllLinkActive : 0),
       0, kLinkStaBandwidthManagement | kLinkStaAutonomousBandwidth);
  init(off + kPcieLinkCapabilities2, 4, ((1u << (c.max_link_speed + 1)) - 2));
  init(off + kPcieLinkControl2, 2, c.max_link_speed, 0x000f);
  return off;
}

unsigned ConfigSpace::add_msi_capability(bool per_vector_masking) {
  if (msi_cap_) throw std::invalid_argument(name_ + ": MSI Capability added twice");
  const unsigned off = allocate_capability(kCapIdMsi, per_vector_masking ? 0x18 : 0x10);
  msi_cap_ = off;
  msi_masking_ = per_vector_masking;
  // One vector (Multiple Message Capable 0, Multiple Message Enable RO 0).
  init(off + kMsiMessageControl, 2,
       kMsiCtl64BitCapable | (per_vector_masking ? kMsiCtlPerVectorMaskingCapable : 0),
       kMsiCtlEnable);
  init(off + kMsiAddressLow, 4, 0, kMsiAddressLowMask);
  init(off + kMsiAddressHigh, 4, 0, 0xffffffff);
  init(off + kMsiData64, 2, 0, 0xffff);
  if (per_vector_masking) {
    init(off + kMsiMaskBits64, 4, 0, 0x1);
    init(off + kMsiPendingBits64, 4, 0);
  }
  return off;
}

unsigned ConfigSpace::add_msix_capability(const MsixConfig& c) {
  if (msix_cap_) throw std::invalid_argument(name_ + ": MSI-X Capability added twice");
  if (c.table_size < 1 || c.table_size > 2048)
    throw std::invalid_argument(name_ + ": MSI-X table size must be 1..2048");
  auto check_bar = [&](unsigned bir, uint32_t offset, uint64_t bytes, const char* what) {
    if (bir >= num_bars() || !bar_size_[bir])
      throw std::invalid_argument(name_ + ": MSI-X " + what + " BIR names no memory BAR");
    if (offset & ~kMsixOffsetMask)
      throw std::invalid_argument(name_ + ": MSI-X " + what + " offset must be 8-byte aligned");
    if (offset + bytes > bar_size_[bir])
      throw std::invalid_argument(name_ + ": MSI-X " + what + " does not fit its BAR");
  };
  check_bar(c.table_bir, c.table_offset, uint64_t(c.table_size) * kMsixTableEntrySize, "table");
  check_bar(c.pba_bir, c.pba_offset, (c.table_size + 63) / 64 * 8, "PBA");
  const unsigned off = allocate_capability(kCapIdMsix, kMsixCapabilitySize);
  msix_cap_ = off;
  init(off + kMsixMessageControl, 2, (c.table_size - 1) & kMsixCtlTableSizeMask,
       kMsixCtlFunctionMask | kMsixCtlEnable);
  init(off + kMsixTable, 4, c.table_offset | c.table_bir);
  init(off + kMsixPba, 4, c.pba_offset | c.pba_bir);
  return off;
}

unsigned ConfigSpace::add_acs_capability(uint16_t supported, unsigned egress_vector_bits) {
  if (acs_cap_) throw std::invalid_argument(name_ + ": ACS Extended Capability added twice");
  if (supported & ~kAcsControlMask)
    throw std::invalid_argument(name_ + ": ACS supported bits must be within SV..DT");
  const bool egress = supported & kAcsP2pEgressControl;
  if (egress && (egress_vector_bits < 1 || egress_vector_bits > 32))
    throw std::invalid_argument(name_ + ": ACS egress control needs a vector of 1..32 bits");
  if (!egress) egress_vector_bits = 0;
  const unsigned off = allocate_extended_capability(kExtCapIdAcs, 1, egress ? 12 : 8);
  acs_cap_ = off;
  init(off + kAcsCapability, 2,
       supported |
           (egress ? (egress_vector_bits << kAcsEgressVectorSizeShift) & kAcsEgressVectorSizeMask
                   : 0));
  // Control bits are writable where the capability is implemented and
  // hardwired to 0 otherwise (sec. 7.7.8.3).
  init(off + kAcsControl, 2, 0, supported);
  if (egress)
    init(off + kAcsEgressControlVector, 4, 0,
         egress_vector_bits == 32 ? 0xffffffffu : (1u << egress_vector_bits) - 1);
  return off;
}

unsigned ConfigSpace::add_ats_capability(unsigned invalidate_queue_depth) {
  if (ats_cap_) throw std::invalid_argument(name_ + ": ATS Extended Capability added twice");
  if (invalidate_queue_depth < 1 || invalidate_queue_depth > 32)
    throw std::invalid_argument(name_ + ": ATS Invalidate Queue Depth must be 1..32");
  const unsigned off = allocate_extended_capability(kExtCapIdAts, 1, 8);
  ats_cap_ = off;
  init(off + kAtsCapability, 2,
       (invalidate_queue_depth & kAtsInvalidateQueueDepthMask) | kAtsPageAlignedRequest |
           kAtsGlobalInvalidateSupported);
  init(off + kAtsControl, 2, 0, kAtsControlEnable | kAtsControlStuMask);
  return off;
}

unsigned ConfigSpace::add_pri_capability(uint32_t outstanding_capacity) {
  if (pri_cap_) throw std::invalid_argument(name_ + ": Page Request Capability added twice");
  const unsigned off = allocate_extended_capability(kExtCapIdPri, 1, 16);
  pri_cap_ = off;
  init(off + kPriControl, 2, 0, kPriControlEnable | kPriControlReset);
  init(off + kPriStatus, 2, kPriStatusStopped, 0,
       kPriStatusResponseFailure | kPriStatusUnexpectedPrgIndex);
  init(off + kPriOutstandingCapacity, 4, outstanding_capacity);
  init(off + kPriOutstandingAllocation, 4, 0, 0xffffffffu);
  return off;
}

// --- software access ------------------------------------------------------------

bool ConfigSpace::bad_access(unsigned offset, unsigned size) const {
  return (size != 1 && size != 2 && size != 4) || offset % size || offset + size > kSize;
}

uint32_t ConfigSpace::absent_function_value(unsigned size) {
  return size >= 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
}

bool ConfigSpace::read(unsigned offset, unsigned size, uint32_t* value) const {
  if (bad_access(offset, size)) {
    ++errors_;
    return false;
  }
  uint32_t v = 0;
  for (unsigned i = 0; i < size; ++i) v |= uint32_t(value_[offset + i]) << (8 * i);
  *value = v;
  return true;
}

bool ConfigSpace::write(unsigned offset, unsigned size, uint32_t value) {
  if (bad_access(offset, size)) {
    ++errors_;
    return false;
  }
  apply_write(offset, size, value, 0xf);
  return true;
}

void ConfigSpace::apply_write(unsigned offset, unsigned size, uint32_t value,
                              uint8_t byte_enables) {
  // Old values of the WARL fields' registers (config writes are rare; the
  // small allocation does not matter).
  ++version_;
  std::vector<uint16_t> old_warl(warl_.size());
  for (size_t k = 0; k < warl_.size(); ++k) old_warl[k] = get16(warl_[k].offset);

  for (unsigned i = 0; i < size; ++i) {
    if (!(byte_enables & (1u << i))) continue;
    const unsigned o = offset + i;
    const uint8_t b = static_cast<uint8_t>(value >> (8 * i));
    uint8_t v = static_cast<uint8_t>((value_[o] & ~wmask_[o]) | (b & wmask_[o]));
    v = static_cast<uint8_t>(v & ~(b & w1cmask_[o]));
    value_[o] = v;
  }

  for (size_t k = 0; k < warl_.size(); ++k) {
    const WarlField& f = warl_[k];
    if (f.offset + 2 <= offset || f.offset >= offset + size) continue;
    const uint16_t now = get16(f.offset);
    if (unsigned((now & f.mask) >> f.shift) > f.max_value)
      set16(f.offset, static_cast<uint16_t>((now & ~f.mask) | (old_warl[k] & f.mask)));
  }
  if (write_hook_) write_hook_(offset, size);
}

tlm::tlm_response_status ConfigSpace::access(tlm::tlm_generic_payload& gp) {
  const uint64_t address = gp.get_address();
  const unsigned len = gp.get_data_length();
  auto status = tlm::TLM_OK_RESPONSE;
  if ((gp.get_streaming_width() != 0 && gp.get_streaming_width() < len) ||
      (len != 1 && len != 2 && len != 4)) {
    status = tlm::TLM_BURST_ERROR_RESPONSE;
  } else if (address >= kSize || bad_access(static_cast<unsigned>(address), len)) {
    status = tlm::TLM_ADDRESS_ERROR_RESPONSE;
  }
  if (status != tlm::TLM_OK_RESPONSE) {
    ++errors_;
    gp.set_response_status(status);
    return status;
  }
  const unsigned offset = static_cast<unsigned>(address);
  unsigned char* data = gp.get_data_ptr();
  const unsigned char* be = gp.get_byte_enable_ptr();
  const unsigned be_len = gp.get_byte_enable_length();
  uint8_t enables = 0;
  for (unsigned i = 0; i < len; ++i)
    if (!be || be[i % be_len] == TLM_BYTE_ENABLED) enables |= uint8_t(1u << i);
  if (gp.is_read()) {
    for (unsigned i = 0; i < len; ++i)
      if (enables & (1u << i)) data[i] = value_[offset + i];
  } else if (gp.is_write()) {
    uint32_t v = 0;
    for (unsigned i = 0; i < len; ++i) v |= uint32_t(data[i]) << (8 * i);
    if (enables) apply_write(offset, len, v, enables);
  }
  gp.set_response_status(status);
  return status;
}

// --- hardware-side updates -------------------------------------------------------

void ConfigSpace::set_device_status_bits(uint16_t bits) {
  if (!pcie_cap_) return;
  const unsigned o = pcie_cap_ + kPcieDeviceStatus;
  set16(o, get16(o) | bits);
}

void ConfigSpace::set_link_status(uint32_t generation, uint32_t width) {
  if (!pcie_cap_) return;
  if (generation < 1 || generation > 6 || width < 1 || width > 32)
    throw std::invalid_argument(name_ + ": link status speed 1..6 and width 1..32");
  const unsigned o = pcie_cap_ + kPcieLinkStatus;
  const uint16_t keep = get16(o) & ~(kLinkStaSpeedMask | kLinkStaWidthMask);
  set16(o, static_cast<uint16_t>(keep | generation | width << kLinkStaWidthShift));
}

void ConfigSpace::set_data_link_layer_active(bool active) {
  if (!pcie_cap_) return;
  const unsigned o = pcie_cap_ + kPcieLinkStatus;
  const uint16_t v = get16(o);
  set16(o, active ? (v | kLinkStaDllLinkActive) : (v & ~kLinkStaDllLinkActive));
}

void ConfigSpace::set_msi_pending(bool pending) {
  if (!msi_cap_ || !msi_masking_) return;
  set32(msi_cap_ + kMsiPendingBits64, pending ? 1 : 0);
}

// --- decoded views ----------------------------------------------------------------

uint8_t ConfigSpace::port_type() const {
  if (!pcie_cap_) return kPortTypeEndpoint;
  return (get16(pcie_cap_ + kPcieCapabilities) & kPcieCapPortTypeMask) >> kPcieCapPortTypeShift;
}

unsigned ConfigSpace::mps_bytes() const {
  if (!pcie_cap_) return 128;
  const uint16_t ctl = get16(pcie_cap_ + kPcieDeviceControl);
  return size_code_to_bytes((ctl & kDevCtlMaxPayloadMask) >> kDevCtlMaxPayloadShift);
}

unsigned ConfigSpace::mrrs_bytes() const {
  if (!pcie_cap_) return 512;
  const uint16_t ctl = get16(pcie_cap_ + kPcieDeviceControl);
  return size_code_to_bytes((ctl & kDevCtlMaxReadRequestMask) >> kDevCtlMaxReadRequestShift);
}

unsigned ConfigSpace::rcb_bytes() const {
  if (!pcie_cap_) return 64;
  return (get16(pcie_cap_ + kPcieLinkControl) & kLinkCtlRcb128) ? 128 : 64;
}

bool ConfigSpace::relaxed_ordering_enabled() const {
  return pcie_cap_ && (get16(pcie_cap_ + kPcieDeviceControl) & kDevCtlRelaxedOrdering);
}

bool ConfigSpace::no_snoop_enabled() const {
  return pcie_cap_ && (get16(pcie_cap_ + kPcieDeviceControl) & kDevCtlNoSnoop);
}

bool ConfigSpace::msi_enabled() const {
  return msi_cap_ && (get16(msi_cap_ + kMsiMessageControl) & kMsiCtlEnable);
}

uint64_t ConfigSpace::msi_address() const {
  if (!msi_cap_) return 0;
  return uint64_t(get32(msi_cap_ + kMsiAddressLow) & kMsiAddressLowMask) |
         uint64_t(get32(msi_cap_ + kMsiAddressHigh)) << 32;
}

uint32_t ConfigSpace::msi_data() const {
  return msi_cap_ ? get16(msi_cap_ + kMsiData64) : 0;
}

bool ConfigSpace::msi_masked() const {
  return msi_cap_ && msi_masking_ && (get32(msi_cap_ + kMsiMaskBits64) & 1);
}

bool ConfigSpace::msix_enabled() const {
  return msix_cap_ && (get16(msix_cap_ + kMsixMessageControl) & kMsixCtlEnable);
}

bool ConfigSpace::msix_function_masked() const {
  return msix_cap_ && (get16(msix_cap_ + kMsixMessageControl) & kMsixCtlFunctionMask);
}

uint16_t ConfigSpace::acs_supported() const {
  return acs_cap_ ? get16(acs_cap_ + kAcsCapability) & kAcsControlMask : 0;
}

bool ConfigSpace::pri_enabled() const {
  return pri_cap_ && (get16(pri_cap_ + kPriControl) & kPriControlEnable);
}

bool ConfigSpace::ats_enabled() const {
  return ats_cap_ && (get16(ats_cap_ + kAtsControl) & kAtsControlEnable);
}

unsigned ConfigSpace::ats_stu() const {
  return ats_cap_ ? get16(ats_cap_ + kAtsControl) & kAtsControlStuMask : 0;
}

uint16_t ConfigSpace::acs_control() const {
  return acs_cap_ ? get16(acs_cap_ + kAcsControl) & kAcsControlMask : 0;
}

uint32_t ConfigSpace::acs_egress_control_vector() const {
  if (!acs_cap_ || !(acs_supported() & kAcsP2pEgressControl)) return 0;
  return get32(acs_cap_ + kAcsEgressControlVector);
}

}  // namespace vp::pcie
