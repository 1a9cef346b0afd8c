// PCIe endpoint base: one type 0 function below a link.
//
// Models (PCIe Base 6.0):
//   - a type 0 configuration space (ConfigSpace) with the PCI Express
//     Capability (port type endpoint) and, by default, MSI;
//   - BAR decode of memory requests arriving from the link: a request that
//     lies inside an implemented, assigned BAR with Memory Space Enable set
//     goes to bar_transport() with the offset into the BAR; anything else
//     is an Unsupported Request (TLM_ADDRESS_ERROR_RESPONSE, counted). A BAR
//     at address 0 counts as unassigned;
//   - requester ID: the function captures its bus and device number from
//     every type 0 configuration write it receives (sec. 2.2.6.2), and
//     stamps bus/device/function on every request it sends upstream;
//   - bus mastering: with Bus Master Enable clear (sec. 7.5.1.1.3) the
//     function sends no memory request (DMA or MSI); the attempt fails with
//     TLM_GENERIC_ERROR_RESPONSE and is counted;
//   - DMA helpers that split a transfer into TLP-sized requests (writes at
//     Max_Payload_Size, reads at Max_Read_Request_Size from Device Control,
//     both at naturally aligned boundaries) and pipeline non-posted reads
//     over a limited number of tags (DESIGN.md "Pipelining"): read k issues
//     at max(ready, completion[k - tags]); writes are posted;
//   - MSI (sec. 7.7.1): a DWORD memory write of Message Data to Message
//     Address, marked is_msi, when MSI is enabled and the vector unmasked
//     (a masked vector sets its pending bit instead).
//
// A received UR/CA sets Received Master Abort / Received Target Abort in
// the Status register.
//
//   - MSI-X (sec. 6.1.4.2, 7.7.2) when a derived class adds it: table and
//     PBA inside one of its BARs (MsixTable), per-vector and function
//     masking with pending bits.
//
//   - ATS (sec. 10, with `ats`): the ATS Extended Capability and an
//     AddressTranslationCache. While software has set ATS Control.Enable,
//     every memory request (DMA helpers and forward_upstream; not MSIs)
//     looks up the ATC; a miss sends a Translation Request first. A request
//     the cached translation covers and permits goes up as a Translated
//     request at the translated address; otherwise it goes Untranslated (the
//     IOMMU translates it, or faults). An Invalidation Request message for
//     this function drops the covered entries and completes (OK) after
//     atc_invalidation_ns; clearing Enable empties the ATC.
//   - PRI (sec. 10.4, with `pri`): the Page Request Extended Capability.
//     While Enable is set, a translation the IOMMU denies (a successful
//     completion without the needed permission) makes the function send a
//     one-page Page Request (L=1) and block its requesting thread until the
//     matching Page Request Group Response arrives (or pri_timeout_ns
//     passes); on Success it asks for the translation again, otherwise the
//     request goes Untranslated (and the IOMMU records the fault). Response
//     Failure sets Response Failure and Stopped and ends page requests until
//     Enable is set again; an unexpected PRG index sets UPRGI.
//
// Not modeled: multi-function devices, INTx, FLR, the PASID capability,
// more than one outstanding page request group, TLP processing hints, the
// 4 KiB boundary rule for requests that are not naturally aligned.
#pragma once

#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include <cstdint>
#include <memory>
#include <string>
#include <systemc>
#include <tlm>

#include "models/common/pcie_extension.h"
#include "models/common/statistics.h"
#include "models/common/timing_resource.h"
#include "models/pcie/address_translation_cache.h"
#include "models/pcie/config_space.h"
#include "models/pcie/msix_table.h"
#include "models/pcie/pcie_device.h"

namespace vp::common {
class ParameterSet;
}

namespace vp::pcie {

struct PcieEndpointParams {
  uint32_t vendor_id = 0x1b36;
  uint32_t device_id = 0x0001;
  uint32_t class_code = 0xff0000;  // unassigned class
  uint32_t revision = 1;
  uint32_t max_payload_supported = 512;  // bytes
  uint32_t tags = 32;                    // outstanding non-posted requests
  bool msi = true;                       // offer an MSI capability
  double msix_latency_ns = 2.0;          // access to the MSI-X table / PBA
  bool ats = false;                      // ATS capability and an ATC
  uint32_t atc_entries = 64;             // ATC size (fully associative, LRU)
  double atc_invalidation_ns = 50.0;     // Invalidation Request to its Completion
  bool pri = false;                      // Page Request Interface (needs ats)
  uint32_t pri_outstanding = 32;         // Outstanding Page Request Capacity
  double pri_timeout_ns = 1e6;           // wait for a PRG Response before giving up

  void declare(vp::common::ParameterSet& p, const std::string& prefix);
};

class PcieEndpoint : public sc_core::sc_module, public PcieDevice {
 public:
  tlm_utils::simple_target_socket<PcieEndpoint> link_in;      // requests from the link
  tlm_utils::simple_initiator_socket<PcieEndpoint> link_out;  // requests up the link

  ConfigSpace& config() { return cfg_; }
  const ConfigSpace& config() const { return cfg_; }
  uint16_t requester_id() const { return rid_; }

  // --- PcieDevice ------------------------------------------------------------
  tlm::tlm_target_socket<>& link_target() override { return link_in; }
  tlm::tlm_initiator_socket<>& link_initiator() override { return link_out; }
  bool config_request(ConfigRequest& request) override;
  void link_up(uint32_t generation, uint32_t width) override;

  // --- upstream requests (call from one SC_THREAD at a time) -----------------
  // `when`: in, the absolute time the data is ready (>= sc_time_stamp());
  // out, the absolute time the last request has completed (a write: reached
  // its target; a read: its last completion arrived here).
  tlm::tlm_response_status dma_write(uint64_t address, const void* data, uint64_t length,
                                     sc_core::sc_time& when);
  tlm::tlm_response_status dma_read(uint64_t address, void* data, uint64_t length,
                                    sc_core::sc_time& when);
  // MSI vector 0. Returns false when nothing was sent (MSI disabled,
  // masked: pending bit set, bus mastering off, or the write failed).
  bool send_msi(sc_core::sc_time& when);
  // MSI-X vector `vector` (sec. 6.1.4.5): sent when MSI-X is enabled and
  // neither the function nor the vector is masked; a masked vector sets its
  // pending bit and is sent when software unmasks it. Returns true when the
  // message went out now.
  bool send_msix(unsigned vector, sc_core::sc_time& when);
  // Null without an MSI-X capability.
  const MsixTable* msix_table() const { return msix_.get(); }

  // Sets Device Control MPS and MRRS as firmware would (WARL: values the
  // function does not support are ignored).
  void set_max_sizes(uint32_t max_payload, uint32_t max_read_request);

  uint64_t dma_requests() const { return dma_requests_; }
  uint64_t dma_bytes() const { return dma_bytes_; }
  uint64_t dma_blocked() const { return dma_blocked_; }
  uint64_t dma_errors() const { return dma_errors_; }
  uint64_t msis_sent() const { return msis_; }
  uint64_t unsupported_requests() const { return unsupported_; }
  // Null without `ats`.
  const AddressTranslationCache* atc() const { return atc_.get(); }
  uint64_t ats_translation_requests() const { return ats_translation_requests_; }
  uint64_t ats_translated_requests() const { return ats_translated_; }
  uint64_t page_requests() const { return page_requests_; }
  // One group named after the module: the base counters, then the
  // derived class's report_device_stats().
  void report_stats(vp::common::StatsVisitor& v) const;

 protected:
  virtual void report_device_stats(vp::common::StatsVisitor& /*v*/) const {}
  // Derived classes add their BARs and capabilities to config() in their
  // constructors.
  PcieEndpoint(sc_core::sc_module_name name, const PcieEndpointParams& params);

  // A memory request inside BAR `bar`; the payload address is the offset
  // into the BAR. Must set the response status and add its latency.
  virtual void bar_transport(unsigned bar, tlm::tlm_generic_payload& gp,
                             sc_core::sc_time& delay) = 0;
  // After a configuration write was applied (offset, size).
  virtual void config_written(unsigned /*offset*/, unsigned /*size*/) {}

  // Sends a payload built elsewhere (a wrapped bus master) up the link:
  // stamps the requester ID into its PcieExtension (adds one if missing)
  // and enforces Bus Master Enable.
  void forward_upstream(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);

  // Waits when `when` is more than one global quantum ahead of the kernel.
  static void sync_if_ahead(const sc_core::sc_time& when);

  const PcieEndpointParams& endpoint_params() const { return ep_params_; }

  // Adds the MSI-X capability with its table and PBA in BAR `bar` (which
  // must exist) at the given offsets; the endpoint serves those ranges and
  // bar_transport() sees the rest of the BAR.
  void add_msix(unsigned vectors, unsigned bar, uint32_t table_offset, uint32_t pba_offset);

 private:
  void link_in_b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
  // A message routed to this function by ID (Invalidation Request, ...).
  void message_in(tlm::tlm_generic_payload& gp, const vp::common::PcieExtension& ext,
                  sc_core::sc_time& delay);
  // Sends a memory request up the link, through the ATC when ATS is on.
  void send_up(tlm::tlm_generic_payload& gp, vp::common::PcieExtension& ext,
               sc_core::sc_time& delay);
  // A Translation Request for the page of `address`; the new ATC entry, or
  // null when the completion gives no usable translation.
  // `*denied` is set when the completion was a success without the needed
  // permission (the case PRI can fix).
  const AtcEntry* fetch_translation(const vp::common::PcieExtension& ext, uint64_t address,
                                    bool write, sc_core::sc_time& delay, bool* denied);
  // Sends a one-page Page Request and waits for its group's response; true
  // when it came back Success.
  bool request_page(const vp::common::PcieExtension& ext, uint64_t address, bool write,
                    sc_core::sc_time& delay);
  // Tracks Page Request Control.Enable after a configuration write.
  void pri_control_written();
  bool ats_active();  // Enable is set; empties the ATC when it was cleared
  // One TLP-sized request at absolute time `issue`; returns its status and
  // sets `done` to the absolute completion time.
  tlm::tlm_response_status request(tlm::tlm_command cmd, uint64_t address, void* data,
                                   unsigned length, const sc_core::sc_time& issue,
                                   sc_core::sc_time& done, bool msi = false);
  void note_error(tlm::tlm_response_status status);
  // An interrupt message on its own payload (it may be sent while a DMA
  // request of this endpoint is in flight). Needs Bus Master Enable.
  bool send_message(uint64_t address, uint32_t data, sc_core::sc_time& when);
  // Sends the MSI-X vectors that became unmasked while pending.
  void flush_msix(sc_core::sc_time when);
  bool serve_msix(unsigned bar, uint64_t offset, tlm::tlm_generic_payload& gp,
                  sc_core::sc_time& delay);
  // Decoded BAR windows and Bus Master Enable, refreshed when the
  // configuration space changes (ConfigSpace::version).
  struct Decoded {
    AddressWindow bars[cfg::kNumBarsType0];
    bool bus_master = false;
  };
  const Decoded& decoded() const;

  PcieEndpointParams ep_params_;
  ConfigSpace cfg_;
  uint16_t rid_ = 0;
  vp::common::TagPipeline tags_;
  tlm::tlm_generic_payload gp_;
  vp::common::PcieExtension* ext_;  // owned by gp_
  bool in_request_ = false;
  std::unique_ptr<MsixTable> msix_;
  unsigned msix_bar_ = 0;
  uint64_t msix_table_offset_ = 0, msix_pba_offset_ = 0;
  sc_core::sc_time msix_latency_;
  mutable Decoded decoded_;
  mutable uint64_t decoded_version_ = ~0ull;

  uint64_t dma_requests_ = 0, dma_bytes_ = 0, dma_blocked_ = 0, dma_errors_ = 0;
  uint64_t msis_ = 0, msi_masked_ = 0, bar_accesses_ = 0, unsupported_ = 0, forwarded_ = 0;
  std::unique_ptr<AddressTranslationCache> atc_;
  sc_core::sc_time atc_invalidation_;
  bool ats_was_active_ = false;
  uint64_t ats_translation_requests_ = 0, ats_translated_ = 0, ats_untranslated_ = 0;
  uint64_t ats_failed_translations_ = 0, messages_in_ = 0;
  // PRI: the one outstanding page request group.
  sc_core::sc_time pri_timeout_;
  sc_core::sc_event prg_response_;
  unsigned next_prg_index_ = 0;
  int pending_prg_ = -1;        // index waiting for its response, -1 none
  int prg_response_code_ = -1;  // its response code once it arrived
  bool pri_was_enabled_ = false;
  uint64_t page_requests_ = 0, prg_responses_ = 0, pri_timeouts_ = 0, pri_refused_ = 0;
};

}  // namespace vp::pcie
