// Iommu: the RISC-V IOMMU v1.0 as one SystemC module.
//
// Sockets:
//   upstream    target (any number of bindings): DMA from devices (the PCIe root complex or a
//   device
//               directly), with a vp::common::PcieExtension giving the
//               device_id (segment:rid), PASID, privilege, execute and the
//               PCIe address type. A request without the extension is an
//               untranslated request from device_id 0.
//   downstream  initiator: translated requests and every implicit access
//               (DDT, PDT, page tables, queues, the IOMMU's own MSIs).
//   regs        target: the 4-KiB register page (spec chapter 6).
//   wsi         one signal per interrupt vector (fctl.WSI=1).
//   device_messages  optional initiator: PCIe messages to devices (ATS
//               Invalidation Requests from ATS.INVAL, Page Request Group
//               Responses from ATS.PRGR or the IOMMU itself), ID-routed by
//               the PcieExtension's segment/rid (the platform binds it to the
//               root complex's `messages`). Unbound: no device keeps an ATC,
//               so ATS.INVAL completes at once. An error response to an
//               Invalidation Request means no completion came: cmd_to.
//
// Translation follows spec 2.3 ("Process to translate an IOVA"): ddtp mode,
// device-context lookup (cached), process-context lookup for PASID requests
// (cached), the IOTLB, and on a miss a two-stage walk by PageTableWalker. A
// failed translation completes the request with TLM_ADDRESS_ERROR_RESPONSE
// (the IO bridge's Unsupported Request / Completer Abort, spec "Aborting
// transactions") and is reported as a fault record; every fault is also
// explained in words in the log (iommu.log_faults).
//
// Timing: a register access costs reg_access_cycles; every request pays
// iotlb_lookup_cycles; a miss adds context_cache_lookup_cycles per context
// probed and the walk: each table read pays the downstream memory's timing
// plus walk_level_cycles. Misses occupy one of `walkers` walker servers for
// the walk's duration, so concurrent misses queue when all are busy.
//
// DMI: a DMI request on upstream is granted for at most the one page the
// IOVA maps to, read-only unless the page is writable and already dirty. Any
// invalidation command, a ddtp or fctl write, and any DMI invalidation from
// downstream revoke every region granted upstream.
//
// ATS: a translation request (PcieExtension address_type
// kTranslationRequest) is a read whose 8 bytes receive a PCIe Translation
// Completion data entry; Translated requests bypass translation when
// DC.tc.EN_ATS is set. With DC.tc.T2GPA the completion carries the GPA and
// Translated requests take the second stage (and MSI page tables).
//
// MRIF: an MSI page whose MSI PTE is in MRIF mode is handled here, not
// forwarded: an aligned 32-bit write sets the identity's pending bit in the
// MRIF (a read and a write, or one AMOOR with amo_mrif) and then writes the
// notice MSI; aligned 32-bit reads return 0; other accesses are aborted.
// Only little-endian MSIs are recorded (big-endian ones are discarded).
//
// PRI: a "Page Request" or "Stop Marker" message (PcieExtension message
// kPageRequest, 8-byte payload) from a device whose DC has EN_ATS and
// EN_PRI is written to the page-request queue; otherwise, or when the queue
// cannot take it, a request that needs a response (L=1) is answered by the
// IOMMU with the status of spec "PCIe ATS Page Request handling".
//
// Not modeled: QoS IDs, RAS/data corruption.
#pragma once

#include <tlm_utils/multi_passthrough_target_socket.h>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <systemc>
#include <tlm>
#include <vector>

#include "models/common/pcie_extension.h"
#include "models/common/statistics.h"
#include "models/common/timing_resource.h"
#include "models/iommu/bus_walk_memory.h"
#include "models/iommu/command_queue.h"
#include "models/iommu/context_cache.h"
#include "models/iommu/device_directory.h"
#include "models/iommu/fault_queue.h"
#include "models/iommu/hpm.h"
#include "models/iommu/interrupt_generator.h"
#include "models/iommu/iommu_params.h"
#include "models/iommu/iotlb.h"
#include "models/iommu/page_request_queue.h"
#include "models/iommu/page_table_walker.h"
#include "models/iommu/page_walk_cache.h"
#include "models/iommu/process_directory.h"
#include "models/iommu/register_file.h"

namespace vp::iommu {

// One inbound request as the translation process sees it.
struct TranslationRequest {
  uint32_t device_id = 0;
  bool pv = false;  // process_id valid
  uint32_t pid = 0;
  bool privileged = false;
  AccessType access = AccessType::kRead;
  vp::common::AddressType address_type = vp::common::AddressType::kUntranslated;
  bool message = false;  // a PCIe message (TTYP 9); `iova` holds its message code
  uint64_t iova = 0;

  unsigned ttyp() const;  // fault-record TTYP (3.2)
};

// An MRIF-mode MSI PTE's destination (AIA "MSI PTE, MRIF mode"): writes to
// the page are MSIs the IOMMU records in the MRIF, then announces with a
// notice MSI.
struct MrifTarget {
  uint64_t mrif = 0;            // MRIF address, 512-byte aligned
  uint64_t notice_address = 0;  // NPPN << 12
  uint32_t notice_data = 0;     // NID, zero-extended
};

// Result of translating one request.
struct Translation {
  uint32_t cause = cause::kNone;  // kNone on success
  uint64_t spa = 0;
  uint64_t gpa = 0;                // the first stage's output (the IOVA if it is Bare)
  bool ats_gpa = false;            // DC.tc.T2GPA: ATS completions carry `gpa`, not `spa`
  std::optional<MrifTarget> mrif;  // the page is an MRIF-mode MSI page
  unsigned page_log2 = 12;         // the translation covers [iova, iova | mask] of this size
  bool readable = false, writable = false, executable = false;
  bool dirty = false;  // writes need no A/D update
  uint8_t pbmt = 0;
  uint64_t iotval2 = 0;
  bool dtf = false;  // DC.tc.DTF of the located device context
  std::string why;   // on failure: rule that failed
  WalkTrace trace;   // on a walk: every entry read
  bool ok() const { return cause == cause::kNone; }
};

// A fault as the IOMMU reports it: the record of 3.2 plus the words.
struct IommuFault : FaultRecord {
  std::string explanation;
};

class Iommu : public sc_core::sc_module, private CommandHandler {
 public:
  // One binding per IO bridge (a root complex, a platform device).
  tlm_utils::multi_passthrough_target_socket<Iommu> upstream;
  tlm_utils::simple_initiator_socket<Iommu> downstream;
  tlm_utils::simple_target_socket<Iommu> regs;
  tlm_utils::simple_initiator_socket_optional<Iommu> device_messages;
  // Written from whichever process raises the interrupt (DMA, CPU, commands).
  sc_core::sc_vector<sc_core::sc_signal<bool, sc_core::SC_MANY_WRITERS>> wsi;

  SC_HAS_PROCESS(Iommu);
  Iommu(sc_core::sc_module_name name, const IommuParams& params);
  ~Iommu() override;

  const IommuParams& params() const { return params_; }
  RegisterFile& register_file() { return regfile_; }
  const Iotlb& iotlb() const { return iotlb_; }
  const FaultQueue& fault_queue() const { return fq_; }
  const PageRequestQueue& page_request_queue() const { return pq_; }
  const CommandQueue& command_queue() const { return cq_; }
  const InterruptGenerator& interrupts() const { return irq_; }
  Hpm& hpm() { return hpm_; }

  // The translation process of 2.3 for `rq`, with caches, timing (added to
  // `delay`) and statistics, without reporting a fault. Used by upstream
  // requests, the debug interface and tests.
  Translation translate(const TranslationRequest& rq, sc_core::sc_time& delay);

  // Faults seen (also in the fault queue when it is on), for tests and logs.
  const std::vector<IommuFault>& recent_faults() const { return recent_faults_; }
  void set_fault_observer(std::function<void(const IommuFault&)> fn) {
    fault_observer_ = std::move(fn);
  }

  // Cache and DMI invalidation, as the invalidation commands do them.
  void invalidate_device_context(std::optional<uint32_t> device_id);
  void invalidate_process_context(uint32_t device_id, std::optional<uint32_t> pid);
  void invalidate_vma(std::optional<uint32_t> gscid, std::optional<uint32_t> pscid,
                      std::optional<uint64_t> addr);
  void invalidate_gvma(std::optional<uint32_t> gscid, std::optional<uint64_t> gpa);
  void invalidate_all_caches();

  void report_stats(vp::common::StatsVisitor& v) const;

 private:
  // What steps 1-16 of the translation process decide for a request.
  struct ResolvedContext {
    bool identity = false;    // no translation (Bare mode, both stages Bare, or Translated)
    bool translated = false;  // a PCIe Translated request (T2GPA: second stage only)
    bool privileged = false;  // supervisor privilege granted (PC.ta.ENS)
    bool pc_used = false;     // a process context was looked up
    bool dtf = false;
    bool t2gpa = false;  // DC.tc.T2GPA
    bool msi = false;    // DC.msiptp.MODE is Flat: MSI page table in use
    uint64_t msiptp_ppn = 0, msi_mask = 0, msi_pattern = 0;
    TranslationContext ctx;
    IotlbKey key;
    // Is `gpa` in a virtual interrupt file page (2.1.3.6)?
    bool msi_page(uint64_t gpa) const {
      return msi && ((gpa >> 12) & ~msi_mask) == (msi_pattern & ~msi_mask);
    }
  };
  // The last request's context, reused for the next request of the same
  // device/PASID/privilege/type until a directory invalidation or ddtp write.
  struct ContextMemo {
    bool valid = false;
    uint32_t device_id = 0;
    bool pv = false;
    uint32_t pid = 0;
    bool privileged = false;
    vp::common::AddressType address_type = vp::common::AddressType::kUntranslated;
    ResolvedContext context;
    sc_core::sc_time lookup_cost;  // the context-cache probes it stands for
  };

  // HPM event caused by `rq`; `rc` gives the PSCID/GSCID when known.
  void count(regs::HpmEvent ev, const TranslationRequest& rq, const ResolvedContext* rc = nullptr) {
    if (hpm_.counting(ev)) count_event(ev, rq, rc);
  }
  void count_event(regs::HpmEvent ev, const TranslationRequest& rq, const ResolvedContext* rc);
  bool resolve_context(const TranslationRequest& rq, sc_core::sc_time& delay, ResolvedContext& rc,
                       Translation& t);
  // Steps 3-7: the device context of rq.device_id, from the cache or the
  // DDT (ddtp in a 1/2/3LVL mode). False with t.cause set on a fault.
  bool device_context(const TranslationRequest& rq, sc_core::sc_time& delay, DeviceContext& dc,
                      Translation& t);
  Translation& translate_miss(const TranslationRequest& rq, const ResolvedContext& rc,
                              sc_core::sc_time& delay, Translation& t);
  // MSI address translation through the MSI page table (2.3.3).
  Translation& translate_msi(const ResolvedContext& rc, uint64_t gpa, AccessType access,
                             sc_core::sc_time& delay, Translation& t);
  void upstream_b_transport(int port, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
  void ats_translation_request(tlm::tlm_generic_payload& gp, TranslationRequest rq,
                               sc_core::sc_time& delay);
  // An access to an MRIF-mode MSI page: records an MSI write in the MRIF and
  // sends the notice MSI (AIA "MSI PTE, MRIF mode").
  void mrif_access(tlm::tlm_generic_payload& gp, const TranslationRequest& rq, const Translation& t,
                   sc_core::sc_time& delay);
  // A "Page Request" / "Stop Marker" message (spec "PCIe ATS Page Request
  // handling").
  void page_request(tlm::tlm_generic_payload& gp, TranslationRequest rq, sc_core::sc_time& delay);
  // Sends a message to device `did` on device_messages; true on an OK
  // response (false, too, when nothing is bound).
  bool send_device_message(vp::common::MessageCode code, uint32_t did, bool pv, uint32_t pid,
                           uint64_t payload, sc_core::sc_time& delay);
  unsigned upstream_transport_dbg(int port, tlm::tlm_generic_payload& gp);
  bool upstream_get_dmi(int port, tlm::tlm_generic_payload& gp, tlm::tlm_dmi& dmi);
  void regs_b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
  unsigned regs_transport_dbg(tlm::tlm_generic_payload& gp);
  void downstream_invalidate_dmi(sc_dt::uint64 start, sc_dt::uint64 end);

  // One page-contained piece of an upstream request.
  void forward(tlm::tlm_generic_payload& gp, const TranslationRequest& rq, sc_core::sc_time& delay);
  void report_fault(const TranslationRequest& rq, const Translation& t, sc_core::sc_time& delay);
  void queue_fault(const FaultRecord& rec, sc_core::sc_time& delay);
  bool send_msi(uint64_t address, uint32_t data, sc_core::sc_time& delay);
  void command_thread();

  // CommandHandler.
  void iotinval_vma(bool gv, uint32_t gscid, bool pscv, uint32_t pscid, bool av, uint64_t addr,
                    sc_core::sc_time& delay) override;
  void iotinval_gvma(bool gv, uint32_t gscid, bool av, uint64_t addr,
                     sc_core::sc_time& delay) override;
  void iodir_inval_ddt(bool dv, uint32_t did, sc_core::sc_time& delay) override;
  void iodir_inval_pdt(uint32_t did, uint32_t pid, sc_core::sc_time& delay) override;
  bool ats_inval(const AtsCommand& cmd, sc_core::sc_time& delay) override;
  void ats_prgr(const AtsCommand& cmd, sc_core::sc_time& delay) override;
  std::string explain(const TranslationRequest& rq, const Translation& t) const;
  void revoke_dmi();
  void on_ddtp_or_fctl_change();
  void debug_translation_request();
  static TranslationRequest request_of(const tlm::tlm_generic_payload& gp, AccessType access);

  IommuParams params_;
  RegisterFile regfile_;
  BusWalkMemory memory_;
  IommuFeatures features_;
  DeviceDirectory ddt_;
  ProcessDirectory pdt_;
  PageTableWalker walker_;
  PageWalkCache walk_cache_;
  DeviceContextCache<DeviceContext> dc_cache_;
  ProcessContextCache<ProcessContext> pc_cache_;
  Iotlb iotlb_;
  vp::common::TimingResourcePool walkers_;
  FaultQueue fq_;
  PageRequestQueue pq_;
  CommandQueue cq_;
  InterruptGenerator irq_;
  Hpm hpm_;
  sc_core::sc_event cq_doorbell_;
  // Annotated delay of the operation in progress, for MSIs it causes.
  sc_core::sc_time* op_delay_ = nullptr;

  // Precomputed latencies.
  sc_core::sc_time reg_access_;
  sc_core::sc_time iotlb_lookup_;
  sc_core::sc_time context_lookup_;
  sc_core::sc_time walk_level_;

  ContextMemo memo_;
  bool dmi_granted_ = false;
  std::vector<IommuFault> recent_faults_;
  std::function<void(const IommuFault&)> fault_observer_;

  // Statistics.
  uint64_t requests_ = 0;
  uint64_t bytes_ = 0;
  uint64_t translated_requests_ = 0;  // PCIe address type Translated
  uint64_t bare_requests_ = 0;
  uint64_t faults_ = 0;
  uint64_t faults_suppressed_ = 0;  // DTF
  uint64_t page_splits_ = 0;
  uint64_t dmi_grants_ = 0;
  uint64_t dmi_revocations_ = 0;
  uint64_t debug_translations_ = 0;
  uint64_t walks_ = 0;
  uint64_t ats_invalidations_ = 0;
  uint64_t ats_requests_ = 0;
  uint64_t page_requests_ = 0;
  uint64_t prg_responses_ = 0;  // sent by the IOMMU itself (not ATS.PRGR)
  uint64_t device_messages_sent_ = 0;
  uint64_t msi_translations_ = 0;
  uint64_t mrif_msis_ = 0;       // MSIs recorded in an MRIF (each sends a notice)
  uint64_t mrif_discarded_ = 0;  // writes accepted but discarded (AIA rules)
  uint64_t mrif_aborted_ = 0;    // accesses other than aligned 32-bit ones
  uint64_t context_memo_hits_ = 0;
  vp::common::Histogram miss_latency_ns_;
};

}  // namespace vp::iommu
