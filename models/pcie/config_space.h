// PCIe configuration space of one function: 4 KiB of registers with the
// access rules of config read/write TLPs, a builder for the headers and
// capabilities our devices and ports carry, and decoded views for the model.
//
// Models: type 0 (endpoint) and type 1 (PCI-PCI bridge: root and switch
// ports) headers (PCIe Base 6.0 sec. 7.5.1), memory BARs with sizing (sec.
// 7.5.1.2.1), bridge bus numbers and memory / prefetchable windows (sec.
// 7.5.1.3), the capability list (sec. 7.5.1.1.11) with the PCI Express
// Capability (sec. 7.5.3), MSI and MSI-X (sec. 7.7.1, 7.7.2), and the ACS
// Extended Capability (sec. 7.7.8) at 0x100+.
//
// Not modeled: I/O space (I/O BARs and bridge I/O windows read as 0), the
// Expansion ROM BAR, slot and root registers (read 0), FLR and secondary bus
// reset (the bits read 0 / are stored without effect), AER and other
// extended capabilities, VGA/ISA decoding.
//
// Why a value array and not vp::common::RegisterBank: configuration space
// is byte addressed, packs 8-, 16- and 32-bit registers into DWORDs at
// offsets that depend on which capabilities a function has, and software
// accesses it with 1-, 2- or 4-byte requests. A value byte array with a
// write mask (RW bits) and a write-1-to-clear mask per byte gives one rule
// for every access, whatever registers it covers, and lets the capability
// builder lay out structures at run time (the approach of QEMU's
// hw/pci/pci.c). The few WARL fields (Max_Payload_Size, Max_Read_Request_Size)
// are legalized after the masked write.
//
// Absent functions: a config read to a Bus/Device/Function without a
// function returns all 1s (PCI Local Bus 3.0 sec. 6.2.1: a read of the
// Vendor ID of a non-existent device returns FFFFh) and a write is dropped.
// There is no ConfigSpace object for an absent function, so the root complex
// (the ECAM decoder) produces this with absent_function_value().
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <tlm>
#include <vector>

#include "models/pcie/pcie_regs.h"

namespace vp::pcie {

// A half-open address range [base, end); empty (base >= end) when closed.
struct AddressWindow {
  uint64_t base = 0;
  uint64_t end = 0;
  bool enabled() const { return end > base; }
  bool contains(uint64_t address) const { return address >= base && address < end; }
  bool contains(uint64_t address, uint64_t size) const {
    return size && address >= base && address < end && size <= end - address;
  }
};

struct PcieCapabilityConfig {
  uint8_t port_type = cfg::kPortTypeEndpoint;  // cfg::kPortType*
  uint32_t max_payload_supported = 512;        // bytes, 128..4096
  uint32_t max_link_speed = 3;                 // generation 1..6
  uint32_t max_link_width = 8;                 // lanes 1..32
  uint8_t port_number = 0;
  bool slot_implemented = false;
};

struct MsixConfig {
  unsigned table_size = 1;    // vectors, 1..2048
  unsigned table_bir = 0;     // BAR holding the table
  uint32_t table_offset = 0;  // 8-byte aligned
  unsigned pba_bir = 0;
  uint32_t pba_offset = 0x800;
};

class ConfigSpace {
 public:
  static constexpr unsigned kSize = cfg::kConfigSpaceSize;

  explicit ConfigSpace(std::string name);

  // --- builders (throw std::invalid_argument naming the problem) ----------
  // Type 0 header. class_code is 24 bits: base class, sub-class, prog-if.
  void init_endpoint(uint16_t vendor_id, uint16_t device_id, uint32_t class_code,
                     uint8_t revision = 0);
  // Type 1 header (root port, switch port).
  void init_bridge(uint16_t vendor_id, uint16_t device_id,
                   uint32_t class_code = cfg::kClassBridgePci, uint8_t revision = 0);
  void set_subsystem(uint16_t subsystem_vendor_id, uint16_t subsystem_id);
  void set_interrupt_pin(uint8_t pin);  // 0 none, 1..4 = INTA..INTD
  void set_multi_function(bool on);
  // Memory BAR `index` of `size` bytes (power of two, >= 16; <= 2 GiB for a
  // 32-bit BAR). A 64-bit BAR also takes index + 1.
  void add_bar(unsigned index, uint64_t size, bool is_64bit, bool prefetchable);
  // Capabilities are appended to the list; each returns its offset.
  unsigned add_pcie_capability(const PcieCapabilityConfig& c);
  // MSI with 64-bit addresses and one vector; optional per-vector masking.
  unsigned add_msi_capability(bool per_vector_masking = false);
  unsigned add_msix_capability(const MsixConfig& c);
  // ACS at 0x100+. `supported` is a set of cfg::kAcs* bits (SV..DT); the
  // matching control bits become writable. Egress control needs a vector
  // of 1..32 bits.
  unsigned add_acs_capability(uint16_t supported, unsigned egress_vector_bits = 0);
  // ATS (sec. 10.5.1) at 0x100+: Invalidate Queue Depth 1..32, Page Aligned
  // Request and Global Invalidate supported; STU and Enable writable.
  unsigned add_ats_capability(unsigned invalidate_queue_depth);
  // Page Request Interface (sec. 10.5.2): Enable and Reset writable,
  // Response Failure / UPRGI RW1C, the capacity read-only, the allocation
  // writable.
  unsigned add_pri_capability(uint32_t outstanding_capacity);

  // Walks the list from the Capabilities Pointer; 0 if not found.
  unsigned find_capability(uint8_t id) const;
  unsigned find_extended_capability(uint16_t id) const;

  // --- software access (configuration read/write requests) ---------------
  // size 1, 2 or 4, naturally aligned, inside 4 KiB. A bad access returns
  // false, counts an error and changes nothing. Writes to read-only bits are
  // ignored; RW1C bits clear where a 1 is written.
  bool read(unsigned offset, unsigned size, uint32_t* value) const;
  bool write(unsigned offset, unsigned size, uint32_t value);
  // TLM form (address = register offset): honours byte enables; a bad size
  // or alignment gives TLM_BURST_ERROR / TLM_ADDRESS_ERROR responses.
  tlm::tlm_response_status access(tlm::tlm_generic_payload& gp);
  // Value a config read of `size` bytes to an absent function returns.
  static uint32_t absent_function_value(unsigned size);
  uint64_t error_count() const { return errors_; }
  // Called after every successful software write (offset, size).
  void on_write(std::function<void(unsigned, unsigned)> hook) { write_hook_ = std::move(hook); }

  // --- hardware side: raw values, no masks ---------------------------------
  uint8_t get8(unsigned offset) const { return value_.at(offset); }
  uint16_t get16(unsigned offset) const;
  uint32_t get32(unsigned offset) const;
  void set8(unsigned offset, uint8_t v) {
    value_.at(offset) = v;
    ++version_;
  }
  void set16(unsigned offset, uint16_t v);
  void set32(unsigned offset, uint32_t v);
  // Status bits a function sets on an event (e.g. Received Master Abort).
  void set_status_bits(uint16_t bits) { set16(cfg::kStatus, get16(cfg::kStatus) | bits); }
  void set_device_status_bits(uint16_t bits);
  // Link Status: current speed (generation) and negotiated width.
  void set_link_status(uint32_t generation, uint32_t width);
  void set_data_link_layer_active(bool active);
  // Back to the values the builders set.
  void reset() {
    value_ = reset_;
    ++version_;
  }
  // Changes on every modification (software write, hardware set, reset):
  // lets models cache decoded views (windows, enables) on hot paths.
  uint64_t version() const { return version_; }

  // --- decoded views for the model -----------------------------------------
  const std::string& name() const { return name_; }
  bool is_bridge() const {
    return (get8(cfg::kHeaderType) & cfg::kHeaderTypeMask) == cfg::kHeaderTypeBridge;
  }
  uint16_t command() const { return get16(cfg::kCommand); }
  bool command_memory_enabled() const { return command() & cfg::kCommandMemorySpace; }
  bool bus_master_enabled() const { return command() & cfg::kCommandBusMaster; }
  bool interrupt_disabled() const { return command() & cfg::kCommandInterruptDisable; }

  unsigned num_bars() const { return is_bridge() ? cfg::kNumBarsType1 : cfg::kNumBarsType0; }
  // Size 0 for an unimplemented BAR and for the upper half of a 64-bit BAR.
  uint64_t bar_size(unsigned index) const;
  uint64_t bar_address(unsigned index) const;
  bool bar_is_64bit(unsigned index) const;
  bool bar_prefetchable(unsigned index) const;
  // The BAR range when memory decoding is on and the BAR is implemented.
  AddressWindow bar_window(unsigned index) const;

  uint8_t primary_bus() const { return get8(cfg::kPrimaryBus); }
  uint8_t secondary_bus() const { return get8(cfg::kSecondaryBus); }
  uint8_t subordinate_bus() const { return get8(cfg::kSubordinateBus); }
  // Bridge windows; closed when base > limit (type 1 only).
  AddressWindow memory_window() const;
  AddressWindow prefetchable_window() const;

  unsigned pcie_capability() const { return pcie_cap_; }
  uint8_t port_type() const;
  unsigned mps_bytes() const;   // Device Control Max_Payload_Size (128 if no PCIe cap)
  unsigned mrrs_bytes() const;  // Device Control Max_Read_Request_Size (512 if none)
  unsigned rcb_bytes() const;   // Link Control RCB: 64 or 128
  bool relaxed_ordering_enabled() const;
  bool no_snoop_enabled() const;

  unsigned msi_capability() const { return msi_cap_; }
  bool msi_enabled() const;
  uint64_t msi_address() const;
  uint32_t msi_data() const;
  bool msi_masked() const;  // vector 0 mask bit (false without masking)
  void set_msi_pending(bool pending);

  unsigned msix_capability() const { return msix_cap_; }
  bool msix_enabled() const;
  bool msix_function_masked() const;

  unsigned acs_capability() const { return acs_cap_; }
  uint16_t acs_supported() const;
  uint16_t acs_control() const;  // cfg::kAcs* bits that are enabled
  bool ats_enabled() const;      // ATS Control.Enable
  bool pri_enabled() const;      // Page Request Control.Enable
  unsigned pri_capability() const { return pri_cap_; }
  unsigned ats_stu() const;  // ATS Control.STU
  bool acs_enabled(uint16_t bit) const { return acs_control() & bit; }
  uint32_t acs_egress_control_vector() const;

 private:
  // Fields shared by type 0 and type 1 headers (PCI 3.0 6.1).
  void init_common_header(uint16_t vendor_id, uint16_t device_id, uint32_t class_code,
                          uint8_t revision, uint8_t header_type);
  struct WarlField {
    unsigned offset;  // 16-bit register
    uint16_t mask;    // field bits
    unsigned shift;
    unsigned max_value;  // legal values 0..max_value; others keep the old value
  };
  // Builder helpers: set value and reset value, and the per-byte masks.
  void init(unsigned offset, unsigned size, uint32_t value, uint32_t wmask = 0,
            uint32_t w1cmask = 0);
  unsigned allocate_capability(uint8_t id, unsigned size);
  unsigned allocate_extended_capability(uint16_t id, uint8_t version, unsigned size);
  void apply_write(unsigned offset, unsigned size, uint32_t value, uint8_t byte_enables);
  bool bad_access(unsigned offset, unsigned size) const;
  void require_header(const char* what) const;
  uint64_t bar_raw(unsigned index) const;

  std::string name_;
  std::array<uint8_t, kSize> value_{};
  std::array<uint8_t, kSize> reset_{};
  std::array<uint8_t, kSize> wmask_{};
  std::array<uint8_t, kSize> w1cmask_{};
  std::vector<WarlField> warl_;
  bool header_done_ = false;
  uint64_t bar_size_[cfg::kNumBarsType0] = {};
  bool bar_upper_[cfg::kNumBarsType0] = {};
  unsigned last_cap_next_ = cfg::kCapabilitiesPointer;  // byte holding the last link
  unsigned next_cap_ = cfg::kFirstCapabilityOffset;
  unsigned last_ext_cap_ = 0;
  unsigned next_ext_cap_ = cfg::kExtendedCapabilityStart;
  unsigned pcie_cap_ = 0, msi_cap_ = 0, msix_cap_ = 0, acs_cap_ = 0, ats_cap_ = 0, pri_cap_ = 0;
  bool msi_masking_ = false;
  mutable uint64_t errors_ = 0;
  uint64_t version_ = 0;
  std::function<void(unsigned, unsigned)> write_hook_;
};

}  // namespace vp::pcie
