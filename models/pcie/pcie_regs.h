// PCI / PCIe configuration-space register offsets and bit fields.
//
// Names follow the specifications: PCI Local Bus 3.0 chapter 6 (type 0 and
// type 1 headers, MSI, MSI-X) and PCIe Base 6.0 chapter 7 (sec. 7.5.1 PCI-
// compatible headers, 7.5.3 PCI Express Capability, 7.7.8 ACS Extended
// Capability). This is the model side's copy; guest software keeps its own
// (DESIGN.md: layouts are taken from the spec independently on each side).
#pragma once

#include <cstdint>

namespace vp::pcie::cfg {

// --- common header (PCIe 6.0 sec. 7.5.1.1) -----------------------------------
constexpr unsigned kVendorId = 0x00;             // 16 bit
constexpr unsigned kDeviceId = 0x02;             // 16 bit
constexpr unsigned kCommand = 0x04;              // 16 bit
constexpr unsigned kStatus = 0x06;               // 16 bit
constexpr unsigned kRevisionId = 0x08;           // 8 bit
constexpr unsigned kClassCode = 0x09;            // 24 bit: prog-if, sub-class, base class
constexpr unsigned kCacheLineSize = 0x0c;        // 8 bit
constexpr unsigned kLatencyTimer = 0x0d;         // 8 bit (RO 0 in PCIe)
constexpr unsigned kHeaderType = 0x0e;           // 8 bit
constexpr unsigned kBist = 0x0f;                 // 8 bit
constexpr unsigned kCapabilitiesPointer = 0x34;  // 8 bit
constexpr unsigned kInterruptLine = 0x3c;        // 8 bit
constexpr unsigned kInterruptPin = 0x3d;         // 8 bit

// Command register bits (sec. 7.5.1.1.3).
constexpr uint16_t kCommandIoSpace = 1u << 0;
constexpr uint16_t kCommandMemorySpace = 1u << 1;
constexpr uint16_t kCommandBusMaster = 1u << 2;
constexpr uint16_t kCommandParityErrorResponse = 1u << 6;
constexpr uint16_t kCommandSerrEnable = 1u << 8;
constexpr uint16_t kCommandInterruptDisable = 1u << 10;

// Status register bits (sec. 7.5.1.1.4).
constexpr uint16_t kStatusInterrupt = 1u << 3;              // RO
constexpr uint16_t kStatusCapabilitiesList = 1u << 4;       // RO
constexpr uint16_t kStatusMasterDataParityError = 1u << 8;  // RW1C
constexpr uint16_t kStatusSignaledTargetAbort = 1u << 11;   // RW1C
constexpr uint16_t kStatusReceivedTargetAbort = 1u << 12;   // RW1C
constexpr uint16_t kStatusReceivedMasterAbort = 1u << 13;   // RW1C
constexpr uint16_t kStatusSignaledSystemError = 1u << 14;   // RW1C
constexpr uint16_t kStatusDetectedParityError = 1u << 15;   // RW1C
constexpr uint16_t kStatusW1cMask = kStatusMasterDataParityError | kStatusSignaledTargetAbort |
                                    kStatusReceivedTargetAbort | kStatusReceivedMasterAbort |
                                    kStatusSignaledSystemError | kStatusDetectedParityError;

// Header Type register (sec. 7.5.1.1.9).
constexpr uint8_t kHeaderTypeMask = 0x7f;
constexpr uint8_t kHeaderTypeEndpoint = 0x00;  // type 0
constexpr uint8_t kHeaderTypeBridge = 0x01;    // type 1
constexpr uint8_t kHeaderTypeMultiFunction = 0x80;

// Class codes used by the platform (PCI Code and ID Assignment spec).
constexpr uint32_t kClassBridgePci = 0x060400;  // PCI-to-PCI bridge (root/switch ports)
constexpr uint32_t kClassBridgeHost = 0x060000;

// --- type 0 header (sec. 7.5.1.2) --------------------------------------------
constexpr unsigned kBar0 = 0x10;
constexpr unsigned kNumBarsType0 = 6;
constexpr unsigned kNumBarsType1 = 2;
constexpr unsigned kCardbusCisPointer = 0x28;
constexpr unsigned kSubsystemVendorId = 0x2c;
constexpr unsigned kSubsystemId = 0x2e;
constexpr unsigned kExpansionRomType0 = 0x30;
constexpr unsigned kMinGnt = 0x3e;
constexpr unsigned kMaxLat = 0x3f;

// Base Address Register bits (sec. 7.5.1.2.1).
constexpr uint32_t kBarSpaceIo = 1u << 0;  // 0 = memory space
constexpr uint32_t kBarMemTypeMask = 3u << 1;
constexpr uint32_t kBarMemType32 = 0u << 1;
constexpr uint32_t kBarMemType64 = 2u << 1;
constexpr uint32_t kBarPrefetchable = 1u << 3;
constexpr uint32_t kBarMemAddressMask = 0xfffffff0u;
constexpr uint32_t kBarMemInfoMask = 0x0000000fu;
constexpr uint64_t kBarMinMemorySize = 16;

// --- type 1 header (sec. 7.5.1.3) --------------------------------------------
constexpr unsigned kPrimaryBus = 0x18;
constexpr unsigned kSecondaryBus = 0x19;
constexpr unsigned kSubordinateBus = 0x1a;
constexpr unsigned kSecondaryLatencyTimer = 0x1b;
constexpr unsigned kIoBase = 0x1c;
constexpr unsigned kIoLimit = 0x1d;
constexpr unsigned kSecondaryStatus = 0x1e;
constexpr unsigned kMemoryBase = 0x20;               // 16 bit
constexpr unsigned kMemoryLimit = 0x22;              // 16 bit
constexpr unsigned kPrefetchableMemoryBase = 0x24;   // 16 bit
constexpr unsigned kPrefetchableMemoryLimit = 0x26;  // 16 bit
constexpr unsigned kPrefetchableBaseUpper32 = 0x28;
constexpr unsigned kPrefetchableLimitUpper32 = 0x2c;
constexpr unsigned kIoBaseUpper16 = 0x30;
constexpr unsigned kIoLimitUpper16 = 0x32;
constexpr unsigned kExpansionRomType1 = 0x38;
constexpr unsigned kBridgeControl = 0x3e;  // 16 bit

// Memory Base/Limit: bits 15:4 hold address bits 31:20 (1 MiB granularity).
constexpr uint16_t kMemoryWindowMask = 0xfff0;
constexpr unsigned kMemoryWindowShift = 16;  // register value << 16 = address
constexpr uint64_t kMemoryWindowGranule = 1ull << 20;
// Prefetchable Base/Limit bits 3:0: addressing capability (sec. 7.5.1.3.9).
constexpr uint16_t kPrefetchableCapabilityMask = 0x000f;
constexpr uint16_t kPrefetchable32 = 0x0;
constexpr uint16_t kPrefetchable64 = 0x1;

// Bridge Control bits (sec. 7.5.1.3.13).
constexpr uint16_t kBridgeCtlParityErrorResponse = 1u << 0;
constexpr uint16_t kBridgeCtlSerrEnable = 1u << 1;
constexpr uint16_t kBridgeCtlIsaEnable = 1u << 2;
constexpr uint16_t kBridgeCtlVgaEnable = 1u << 3;
constexpr uint16_t kBridgeCtlSecondaryBusReset = 1u << 6;

// --- capability list (sec. 7.5.1.1.11, 7.6) ------------------------------------
constexpr unsigned kCapId = 0x00;                  // 8 bit, relative to the capability
constexpr unsigned kCapNext = 0x01;                // 8 bit
constexpr uint8_t kCapPointerMask = 0xfc;          // bits 1:0 reserved
constexpr unsigned kFirstCapabilityOffset = 0x40;  // after the 64-byte header

constexpr uint8_t kCapIdPowerManagement = 0x01;
constexpr uint8_t kCapIdMsi = 0x05;
constexpr uint8_t kCapIdPcie = 0x10;
constexpr uint8_t kCapIdMsix = 0x11;

// --- PCI Express Capability (sec. 7.5.3) --------------------------------------
// Offsets relative to the capability.
constexpr unsigned kPcieCapabilities = 0x02;  // 16 bit
constexpr unsigned kPcieDeviceCapabilities = 0x04;
constexpr unsigned kPcieDeviceControl = 0x08;  // 16 bit
constexpr unsigned kPcieDeviceStatus = 0x0a;   // 16 bit
constexpr unsigned kPcieLinkCapabilities = 0x0c;
constexpr unsigned kPcieLinkControl = 0x10;  // 16 bit
constexpr unsigned kPcieLinkStatus = 0x12;   // 16 bit
constexpr unsigned kPcieSlotCapabilities = 0x14;
constexpr unsigned kPcieSlotControl = 0x18;
constexpr unsigned kPcieSlotStatus = 0x1a;
constexpr unsigned kPcieRootControl = 0x1c;
constexpr unsigned kPcieRootCapabilities = 0x1e;
constexpr unsigned kPcieRootStatus = 0x20;
constexpr unsigned kPcieDeviceCapabilities2 = 0x24;
constexpr unsigned kPcieDeviceControl2 = 0x28;
constexpr unsigned kPcieLinkCapabilities2 = 0x2c;
constexpr unsigned kPcieLinkControl2 = 0x30;
constexpr unsigned kPcieLinkStatus2 = 0x32;
constexpr unsigned kPcieCapabilitySize = 0x3c;  // version 2 structure

// PCI Express Capabilities Register (sec. 7.5.3.2).
constexpr uint16_t kPcieCapVersionMask = 0x000f;
constexpr uint16_t kPcieCapVersion2 = 0x0002;
constexpr uint16_t kPcieCapPortTypeMask = 0x00f0;
constexpr unsigned kPcieCapPortTypeShift = 4;
constexpr uint16_t kPcieCapSlotImplemented = 1u << 8;
// Device/Port Type values.
constexpr uint8_t kPortTypeEndpoint = 0x0;
constexpr uint8_t kPortTypeLegacyEndpoint = 0x1;
constexpr uint8_t kPortTypeRootPort = 0x4;
constexpr uint8_t kPortTypeUpstreamSwitchPort = 0x5;
constexpr uint8_t kPortTypeDownstreamSwitchPort = 0x6;
constexpr uint8_t kPortTypePcieToPciBridge = 0x7;
constexpr uint8_t kPortTypePciToPcieBridge = 0x8;
constexpr uint8_t kPortTypeRcIntegratedEndpoint = 0x9;
constexpr uint8_t kPortTypeRcEventCollector = 0xa;

// Device Capabilities Register (sec. 7.5.3.3).
constexpr uint32_t kDevCapMaxPayloadSupportedMask = 0x7;  // 0 = 128 B .. 5 = 4096 B
constexpr uint32_t kDevCapExtendedTagSupported = 1u << 5;
constexpr uint32_t kDevCapRoleBasedErrorReporting = 1u << 15;
constexpr uint32_t kDevCapFlr = 1u << 28;

// Device Control Register (sec. 7.5.3.4).
constexpr uint16_t kDevCtlCorrectableErrorReporting = 1u << 0;
constexpr uint16_t kDevCtlNonFatalErrorReporting = 1u << 1;
constexpr uint16_t kDevCtlFatalErrorReporting = 1u << 2;
constexpr uint16_t kDevCtlUnsupportedRequestReporting = 1u << 3;
constexpr uint16_t kDevCtlRelaxedOrdering = 1u << 4;
constexpr uint16_t kDevCtlMaxPayloadMask = 0x7u << 5;
constexpr unsigned kDevCtlMaxPayloadShift = 5;
constexpr uint16_t kDevCtlExtendedTag = 1u << 8;
constexpr uint16_t kDevCtlNoSnoop = 1u << 11;
constexpr uint16_t kDevCtlMaxReadRequestMask = 0x7u << 12;
constexpr unsigned kDevCtlMaxReadRequestShift = 12;
constexpr uint16_t kDevCtlInitiateFlr = 1u << 15;  // endpoints; bridges: config retry enable

// Device Status Register (sec. 7.5.3.5), error bits RW1C.
constexpr uint16_t kDevStaCorrectableError = 1u << 0;
constexpr uint16_t kDevStaNonFatalError = 1u << 1;
constexpr uint16_t kDevStaFatalError = 1u << 2;
constexpr uint16_t kDevStaUnsupportedRequest = 1u << 3;
constexpr uint16_t kDevStaTransactionsPending = 1u << 5;

// Encoded payload/request sizes: 128 << code, codes 0..5.
constexpr unsigned kMaxSizeCode = 5;
constexpr unsigned size_code_to_bytes(unsigned code) {
  return 128u << code;
}

// Link Capabilities Register (sec. 7.5.3.6).
constexpr uint32_t kLinkCapMaxSpeedMask = 0x0000000f;  // index into Supported Link Speeds
constexpr uint32_t kLinkCapMaxWidthMask = 0x000003f0;
constexpr unsigned kLinkCapMaxWidthShift = 4;
constexpr uint32_t kLinkCapDllLinkActiveReporting = 1u << 20;
constexpr unsigned kLinkCapPortNumberShift = 24;

// Link Control Register (sec. 7.5.3.7).
constexpr uint16_t kLinkCtlAspmMask = 0x0003;
constexpr uint16_t kLinkCtlRcb128 = 1u << 3;  // Read Completion Boundary 0 = 64 B, 1 = 128 B
constexpr uint16_t kLinkCtlLinkDisable = 1u << 4;
constexpr uint16_t kLinkCtlRetrainLink = 1u << 5;
constexpr uint16_t kLinkCtlCommonClock = 1u << 6;

// Link Status Register (sec. 7.5.3.8).
constexpr uint16_t kLinkStaSpeedMask = 0x000f;  // 1 = 2.5 GT/s .. 6 = 64 GT/s
constexpr uint16_t kLinkStaWidthMask = 0x03f0;
constexpr unsigned kLinkStaWidthShift = 4;
constexpr uint16_t kLinkStaLinkTraining = 1u << 11;
constexpr uint16_t kLinkStaSlotClock = 1u << 12;
constexpr uint16_t kLinkStaDllLinkActive = 1u << 13;
constexpr uint16_t kLinkStaBandwidthManagement = 1u << 14;  // RW1C
constexpr uint16_t kLinkStaAutonomousBandwidth = 1u << 15;  // RW1C

// Link Capabilities 2 (sec. 7.5.3.18): Supported Link Speeds Vector, bit n
// set = generation n supported.
constexpr uint32_t kLinkCap2SupportedSpeedsMask = 0x000000fe;

// --- MSI capability (PCI 3.0 sec. 6.8.1, PCIe 6.0 sec. 7.7.1) -------------------
constexpr unsigned kMsiMessageControl = 0x02;  // 16 bit
constexpr unsigned kMsiAddressLow = 0x04;
constexpr unsigned kMsiAddressHigh = 0x08;  // 64-bit capable only
constexpr unsigned kMsiData32 = 0x08;       // 32-bit address format
constexpr unsigned kMsiData64 = 0x0c;       // 64-bit address format
constexpr unsigned kMsiMaskBits64 = 0x10;   // per-vector masking, 64-bit format
constexpr unsigned kMsiPendingBits64 = 0x14;
constexpr uint16_t kMsiCtlEnable = 1u << 0;
constexpr uint16_t kMsiCtlMultipleMessageCapableMask = 0x7u << 1;
constexpr uint16_t kMsiCtlMultipleMessageEnableMask = 0x7u << 4;
constexpr uint16_t kMsiCtl64BitCapable = 1u << 7;
constexpr uint16_t kMsiCtlPerVectorMaskingCapable = 1u << 8;
constexpr uint32_t kMsiAddressLowMask = 0xfffffffc;  // DWORD aligned

// --- MSI-X capability (PCI 3.0 sec. 6.8.2, PCIe 6.0 sec. 7.7.2) -----------------
constexpr unsigned kMsixMessageControl = 0x02;  // 16 bit
constexpr unsigned kMsixTable = 0x04;           // offset | BIR
constexpr unsigned kMsixPba = 0x08;             // offset | BIR
constexpr unsigned kMsixCapabilitySize = 0x0c;
constexpr uint16_t kMsixCtlTableSizeMask = 0x07ff;  // N - 1
constexpr uint16_t kMsixCtlFunctionMask = 1u << 14;
constexpr uint16_t kMsixCtlEnable = 1u << 15;
constexpr uint32_t kMsixBirMask = 0x7;
constexpr uint32_t kMsixOffsetMask = 0xfffffff8;
constexpr unsigned kMsixTableEntrySize = 16;

// --- Extended capabilities (PCIe 6.0 sec. 7.6.3) -------------------------------
constexpr unsigned kExtendedCapabilityStart = 0x100;
constexpr unsigned kConfigSpaceSize = 0x1000;
constexpr unsigned kLegacyConfigSpaceSize = 0x100;
// Header: bits 15:0 ID, 19:16 version, 31:20 next offset.
constexpr uint32_t kExtCapIdMask = 0x0000ffff;
constexpr unsigned kExtCapVersionShift = 16;
constexpr unsigned kExtCapNextShift = 20;
constexpr uint32_t kExtCapNextMask = 0xffc;  // after the shift; DWORD aligned

constexpr uint16_t kExtCapIdAcs = 0x000d;
constexpr uint16_t kExtCapIdAts = 0x000f;
constexpr uint16_t kExtCapIdPri = 0x0013;

// ATS Extended Capability (sec. 10.5.1).
constexpr unsigned kAtsCapability = 0x04;                  // 16 bit
constexpr unsigned kAtsControl = 0x06;                     // 16 bit
constexpr uint16_t kAtsInvalidateQueueDepthMask = 0x001f;  // 0 means 32
constexpr uint16_t kAtsPageAlignedRequest = 1u << 5;
constexpr uint16_t kAtsGlobalInvalidateSupported = 1u << 6;
constexpr uint16_t kAtsControlStuMask = 0x001f;  // Smallest Translation Unit: 2^(12+STU)
constexpr uint16_t kAtsControlEnable = 1u << 15;

// Page Request Extended Capability (sec. 10.5.2).
constexpr unsigned kPriControl = 0x04;                // 16 bit
constexpr unsigned kPriStatus = 0x06;                 // 16 bit
constexpr unsigned kPriOutstandingCapacity = 0x08;    // 32 bit, RO
constexpr unsigned kPriOutstandingAllocation = 0x0c;  // 32 bit, RW
constexpr uint16_t kPriControlEnable = 1u << 0;
constexpr uint16_t kPriControlReset = 1u << 1;
constexpr uint16_t kPriStatusResponseFailure = 1u << 0;     // RW1C
constexpr uint16_t kPriStatusUnexpectedPrgIndex = 1u << 1;  // RW1C
constexpr uint16_t kPriStatusStopped = 1u << 8;
constexpr uint16_t kPriStatusPasidRequired = 1u << 15;  // PRG Response PASID Required

// ACS Extended Capability (sec. 7.7.8): capability and control registers
// share one bit layout.
constexpr unsigned kAcsCapability = 0x04;  // 16 bit
constexpr unsigned kAcsControl = 0x06;     // 16 bit
constexpr unsigned kAcsEgressControlVector = 0x08;
constexpr uint16_t kAcsSourceValidation = 1u << 0;       // SV
constexpr uint16_t kAcsTranslationBlocking = 1u << 1;    // TB
constexpr uint16_t kAcsP2pRequestRedirect = 1u << 2;     // RR
constexpr uint16_t kAcsP2pCompletionRedirect = 1u << 3;  // CR
constexpr uint16_t kAcsUpstreamForwarding = 1u << 4;     // UF
constexpr uint16_t kAcsP2pEgressControl = 1u << 5;       // EC
constexpr uint16_t kAcsDirectTranslatedP2p = 1u << 6;    // DT
constexpr uint16_t kAcsEnhancedCapability = 1u << 7;     // capability register only
constexpr uint16_t kAcsControlMask = 0x007f;             // SV..DT
constexpr uint16_t kAcsEgressVectorSizeMask = 0xff00;    // capability register
constexpr unsigned kAcsEgressVectorSizeShift = 8;

}  // namespace vp::pcie::cfg
