// PCIe bus attributes carried by every upstream (device-initiated) request.
//
// Models: the TLP header fields an IOMMU and a PCIe fabric need: requester ID
// (segment, bus, device, function), PASID TLP prefix (PASID, privileged mode
// requested, execute requested), the AT field (PCIe 6.0 sec. 10.2.2:
// untranslated, translation request, translated), no-snoop, relaxed ordering
// and traffic class. The RISC-V IOMMU's device_id is the requester ID with the
// segment number above it (RISC-V IOMMU 2.1: device_id up to 24 bits).
//
// Not modeled: ID-based ordering, TPH steering tags.
#pragma once

#include <cstdint>
#include <tlm>

namespace vp::common {

// PCIe AT field (PCIe Base Spec "Address Type").
enum class AddressType : uint8_t {
  kUntranslated = 0,
  kTranslationRequest = 1,
  kTranslated = 2,
};

// PCIe messages of the ATS and PRI protocols (PCIe 6.0 10.3, 10.4), carried
// as a write whose 8 data bytes are the message body (bytes 8..15 of the
// TLP) and whose address is ignored; ID-routed ones go to `rid`.
enum class MessageCode : uint8_t {
  kNone = 0,             // a memory request
  kPageRequest,          // device -> IOMMU (PRI); also "Stop Marker"
  kPrgResponse,          // IOMMU -> device: Page Request Group Response
  kInvalidationRequest,  // IOMMU -> device: ATS Invalidation Request; the
                         // target's OK response is the Invalidation Completion
};

// Packs bus/device/function into the 16-bit routing ID.
constexpr uint16_t make_rid(unsigned bus, unsigned device, unsigned function) {
  return static_cast<uint16_t>(((bus & 0xff) << 8) | ((device & 0x1f) << 3) | (function & 0x7));
}

class PcieExtension : public tlm::tlm_extension<PcieExtension> {
 public:
  uint16_t segment = 0;
  uint16_t rid = 0;  // bus[15:8] device[7:3] function[2:0]
  bool pasid_valid = false;
  uint32_t pasid = 0;       // 20 bits
  bool privileged = false;  // PMR: privileged mode requested
  bool execute = false;     // ER: execute requested
  AddressType address_type = AddressType::kUntranslated;
  // ATS translation request: No Write (NW), read-only access is requested.
  bool no_write = false;
  bool no_snoop = false;
  bool relaxed_ordering = false;
  uint8_t traffic_class = 0;
  // Set by a requester for message-signalled-interrupt writes so fabrics can
  // count them apart; an MSI is still an ordinary memory write.
  bool is_msi = false;
  // A message rather than a memory request.
  MessageCode message = MessageCode::kNone;

  uint32_t device_id() const { return (uint32_t(segment) << 16) | rid; }
  unsigned bus() const { return rid >> 8; }
  unsigned device() const { return (rid >> 3) & 0x1f; }
  unsigned function() const { return rid & 0x7; }

  tlm::tlm_extension_base* clone() const override { return new PcieExtension(*this); }
  void copy_from(const tlm::tlm_extension_base& other) override {
    *this = static_cast<const PcieExtension&>(other);
  }
};

// One 8-byte request carrying `ext` on an initiator socket: a message body
// (write) or an ATS translation request (read of the completion entry).
// Returns the response status; the payload and extension are the caller's.
template <typename Socket>
tlm::tlm_response_status transport_qword(Socket& socket, tlm::tlm_command cmd, uint64_t address,
                                         uint64_t* data, PcieExtension& ext,
                                         sc_core::sc_time& delay) {
  tlm::tlm_generic_payload gp;
  gp.set_command(cmd);
  gp.set_address(address);
  gp.set_data_ptr(reinterpret_cast<unsigned char*>(data));
  gp.set_data_length(8);
  gp.set_streaming_width(8);
  gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  gp.set_extension(&ext);
  socket->b_transport(gp, delay);
  gp.clear_extension(&ext);
  return gp.get_response_status();
}

}  // namespace vp::common
