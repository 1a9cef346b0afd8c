#include "models/pcie/pcie_endpoint.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "models/common/parameters.h"
#include "models/common/sim_time.h"
#include "models/pcie/ats_messages.h"

namespace vp::pcie {

using sc_core::sc_time;

void PcieEndpointParams::declare(vp::common::ParameterSet& p, const std::string& prefix) {
  p.add(prefix + "vendor_id", vendor_id, "", "PCI vendor ID", 0, 0xffff);
  p.add(prefix + "device_id", device_id, "", "PCI device ID", 0, 0xffff);
  p.add(prefix + "class_code", class_code, "", "24-bit class code", 0, 0xffffff);
  p.add(prefix + "revision", revision, "", "revision ID", 0, 0xff);
  p.add(prefix + "max_payload_supported", max_payload_supported, "bytes",
        "Max_Payload_Size Supported (128..4096)", 128, 4096);
  p.add(prefix + "tags", tags, "tags", "outstanding non-posted requests", 1, 4096);
  p.add(prefix + "msi", msi, "offer an MSI capability");
  p.add(prefix + "msix_latency_ns", msix_latency_ns, "ns", "access to the MSI-X table or PBA");
  p.add(prefix + "ats", ats, "ATS capability and an address translation cache (PCIe sec. 10)");
  p.add(prefix + "atc_entries", atc_entries, "entries", "ATC entries (fully associative, LRU)", 1,
        4096);
  p.add(prefix + "atc_invalidation_ns", atc_invalidation_ns, "ns",
        "from an Invalidation Request to its Completion");
  p.add(prefix + "pri", pri, "Page Request Interface (PCIe sec. 10.4); needs ats");
  p.add(prefix + "pri_outstanding", pri_outstanding, "requests",
        "Outstanding Page Request Capacity", 1, 0xffffffffu);
  p.add(prefix + "pri_timeout_ns", pri_timeout_ns, "ns",
        "how long a page request waits for its group response");
}

PcieEndpoint::PcieEndpoint(sc_core::sc_module_name name, const PcieEndpointParams& params)
    : sc_module(name),
      link_in("link_in"),
      link_out("link_out"),
      ep_params_(params),
      cfg_(std::string(this->name()) + ".config"),
      tags_(params.tags) {
  if (params.tags == 0)
    throw std::invalid_argument(std::string(this->name()) + ": tags must be >= 1");
  link_in.register_b_transport(this, &PcieEndpoint::link_in_b_transport);
  cfg_.init_endpoint(static_cast<uint16_t>(params.vendor_id),
                     static_cast<uint16_t>(params.device_id), params.class_code,
                     static_cast<uint8_t>(params.revision));
  PcieCapabilityConfig cap;
  cap.port_type = cfg::kPortTypeEndpoint;
  cap.max_payload_supported = params.max_payload_supported;
  cfg_.add_pcie_capability(cap);
  if (params.msi) cfg_.add_msi_capability(true);
  msix_latency_ = vp::common::ns_to_time(params.msix_latency_ns);
  if (params.ats) {
    if (params.atc_entries == 0)
      throw std::invalid_argument(std::string(this->name()) + ": atc_entries must be >= 1");
    cfg_.add_ats_capability(32);
    atc_ = std::make_unique<AddressTranslationCache>(params.atc_entries);
    atc_invalidation_ = vp::common::ns_to_time(params.atc_invalidation_ns);
  }
  if (params.pri) {
    if (!params.ats) throw std::invalid_argument(std::string(this->name()) + ": pri needs ats");
    cfg_.add_pri_capability(params.pri_outstanding);
    pri_timeout_ = vp::common::ns_to_time(params.pri_timeout_ns);
  }
  ext_ = new vp::common::PcieExtension;
  gp_.set_extension(ext_);
  gp_.set_byte_enable_ptr(nullptr);
  gp_.set_byte_enable_length(0);
}

bool PcieEndpoint::config_request(ConfigRequest& r) {
  if (!r.type0 || r.function != 0) return false;
  serve_config(cfg_, r);
  if (r.gp->is_write() && r.gp->is_response_ok()) {
    // The completer captures its bus and device number from every type 0
    // configuration write (PCIe Base 6.0 sec. 2.2.6.2).
    rid_ = vp::common::make_rid(r.bus, r.device, 0);
    // Clearing the MSI-X Function Mask releases pending vectors.
    if (msix_) flush_msix(sc_core::sc_time_stamp());
    if (cfg_.pri_capability()) pri_control_written();
    config_written(r.offset, r.gp->get_data_length());
  }
  return true;
}

void PcieEndpoint::link_up(uint32_t generation, uint32_t width) {
  cfg_.set_link_status(generation, std::min<uint32_t>(width, 32));
}

void PcieEndpoint::set_max_sizes(uint32_t max_payload, uint32_t max_read_request) {
  const unsigned cap = cfg_.pcie_capability();
  auto code = [](uint32_t bytes) {
    unsigned c = 0;
    while (c < cfg::kMaxSizeCode && cfg::size_code_to_bytes(c) < bytes) ++c;
    return c;
  };
  uint16_t ctl = cfg_.get16(cap + cfg::kPcieDeviceControl);
  ctl =
      static_cast<uint16_t>((ctl & ~(cfg::kDevCtlMaxPayloadMask | cfg::kDevCtlMaxReadRequestMask)) |
                            code(max_payload) << cfg::kDevCtlMaxPayloadShift |
                            code(max_read_request) << cfg::kDevCtlMaxReadRequestShift);
  // Through the software path so the WARL rules apply.
  tlm::tlm_generic_payload gp;
  gp.set_command(tlm::TLM_WRITE_COMMAND);
  gp.set_address(cap + cfg::kPcieDeviceControl);
  gp.set_data_ptr(reinterpret_cast<unsigned char*>(&ctl));
  gp.set_data_length(2);
  gp.set_streaming_width(2);
  cfg_.access(gp);
}

const PcieEndpoint::Decoded& PcieEndpoint::decoded() const {
  if (decoded_version_ != cfg_.version()) {
    for (unsigned i = 0; i < cfg::kNumBarsType0; ++i) {
      decoded_.bars[i] = cfg_.bar_window(i);
      if (decoded_.bars[i].base == 0) decoded_.bars[i] = {};  // unassigned
    }
    decoded_.bus_master = cfg_.bus_master_enabled();
    decoded_version_ = cfg_.version();
  }
  return decoded_;
}

void PcieEndpoint::link_in_b_transport(tlm::tlm_generic_payload& gp, sc_time& delay) {
  const auto* ext = gp.get_extension<vp::common::PcieExtension>();
  if (ext && ext->message != vp::common::MessageCode::kNone) return message_in(gp, *ext, delay);
  const uint64_t addr = gp.get_address();
  const uint64_t len = gp.get_data_length();
  const Decoded& d = decoded();
  for (unsigned i = 0; i < cfg::kNumBarsType0; ++i) {
    const AddressWindow& w = d.bars[i];
    if (!w.contains(addr, len)) continue;
    ++bar_accesses_;
    if (msix_ && i == msix_bar_ && serve_msix(i, addr - w.base, gp, delay)) return;
    gp.set_address(addr - w.base);
    bar_transport(i, gp, delay);
    gp.set_address(addr);
    return;
  }
  ++unsupported_;
  gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
}

void PcieEndpoint::note_error(tlm::tlm_response_status status) {
  ++dma_errors_;
  cfg_.set_status_bits(status == tlm::TLM_ADDRESS_ERROR_RESPONSE ? cfg::kStatusReceivedMasterAbort
                                                                 : cfg::kStatusReceivedTargetAbort);
}

tlm::tlm_response_status PcieEndpoint::request(tlm::tlm_command cmd, uint64_t address, void* data,
                                               unsigned length, const sc_time& issue, sc_time& done,
                                               bool msi) {
  if (!decoded().bus_master) {
    ++dma_blocked_;
    done = issue;
    return tlm::TLM_GENERIC_ERROR_RESPONSE;
  }
  if (in_request_)
    throw std::logic_error(std::string(name()) + ": DMA helpers called from two threads at once");
  in_request_ = true;
  gp_.set_command(cmd);
  gp_.set_address(address);
  gp_.set_data_ptr(static_cast<unsigned char*>(data));
  gp_.set_data_length(length);
  gp_.set_streaming_width(length);
  gp_.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  ext_->rid = rid_;
  ext_->is_msi = msi;
  ext_->no_snoop = false;
  ext_->relaxed_ordering = false;
  const sc_time now = sc_core::sc_time_stamp();
  sc_time delay = issue > now ? issue - now : sc_core::SC_ZERO_TIME;
  send_up(gp_, *ext_, delay);
  in_request_ = false;
  done = now + delay;
  ++dma_requests_;
  const tlm::tlm_response_status status = gp_.get_response_status();
  if (status != tlm::TLM_OK_RESPONSE)
    note_error(status);
  else
    dma_bytes_ += length;
  return status;
}

tlm::tlm_response_status PcieEndpoint::dma_write(uint64_t address, const void* data,
                                                 uint64_t length, sc_time& when) {
  const uint64_t mps = cfg_.mps_bytes();
  const auto* bytes = static_cast<const uint8_t*>(data);
  const sc_time ready = when;
  sc_time last = ready;
  for (uint64_t done_bytes = 0; done_bytes < length;) {
    const uint64_t a = address + done_bytes;
    const uint64_t n = std::min(length - done_bytes, mps - (a & (mps - 1)));
    sc_time done;
    // Posted: every write may issue as soon as the data is ready; the link
    // serializes them.
    const auto status = request(tlm::TLM_WRITE_COMMAND, a, const_cast<uint8_t*>(bytes + done_bytes),
                                static_cast<unsigned>(n), ready, done);
    if (status != tlm::TLM_OK_RESPONSE) {
      when = done;
      return status;
    }
    last = std::max(last, done);
    done_bytes += n;
  }
  when = last;
  return tlm::TLM_OK_RESPONSE;
}

tlm::tlm_response_status PcieEndpoint::dma_read(uint64_t address, void* data, uint64_t length,
                                                sc_time& when) {
  const uint64_t mrrs = cfg_.mrrs_bytes();
  auto* bytes = static_cast<uint8_t*>(data);
  const sc_time ready = when;
  sc_time last = ready;
  for (uint64_t done_bytes = 0; done_bytes < length;) {
    const uint64_t a = address + done_bytes;
    const uint64_t n = std::min(length - done_bytes, mrrs - (a & (mrrs - 1)));
    const sc_time issue = tags_.issue_time(ready);
    sc_time done;
    const auto status = request(tlm::TLM_READ_COMMAND, a, bytes + done_bytes,
                                static_cast<unsigned>(n), issue, done);
    tags_.record(issue, sc_core::SC_ZERO_TIME, done);
    if (status != tlm::TLM_OK_RESPONSE) {
      when = done;
      return status;
    }
    last = std::max(last, done);
    done_bytes += n;
  }
  when = last;
  return tlm::TLM_OK_RESPONSE;
}

bool PcieEndpoint::send_msi(sc_time& when) {
  if (!cfg_.msi_enabled()) return false;
  if (cfg_.msi_masked()) {
    ++msi_masked_;
    cfg_.set_msi_pending(true);
    return false;
  }
  // A DWORD write; Message Data in the low 16 bits (PCIe Base 6.0 7.7.1.5).
  uint32_t data = cfg_.msi_data();
  sc_time done;
  const auto status =
      request(tlm::TLM_WRITE_COMMAND, cfg_.msi_address(), &data, 4, when, done, true);
  when = done;
  if (status != tlm::TLM_OK_RESPONSE) return false;
  ++msis_;
  return true;
}

void PcieEndpoint::add_msix(unsigned vectors, unsigned bar, uint32_t table_offset,
                            uint32_t pba_offset) {
  if (msix_) throw std::invalid_argument(std::string(name()) + ": MSI-X added twice");
  MsixConfig c;
  c.table_size = vectors;
  c.table_bir = bar;
  c.table_offset = table_offset;
  c.pba_bir = bar;
  c.pba_offset = pba_offset;
  cfg_.add_msix_capability(c);  // checks BAR, alignment and fit
  msix_ = std::make_unique<MsixTable>(vectors);
  if (table_offset < pba_offset + msix_->pba_bytes() &&
      pba_offset < table_offset + msix_->table_bytes())
    throw std::invalid_argument(std::string(name()) + ": MSI-X table and PBA overlap");
  msix_bar_ = bar;
  msix_table_offset_ = table_offset;
  msix_pba_offset_ = pba_offset;
}

bool PcieEndpoint::serve_msix(unsigned, uint64_t offset, tlm::tlm_generic_payload& gp,
                              sc_time& delay) {
  const uint64_t len = gp.get_data_length();
  auto inside = [&](uint64_t base, uint64_t size) {
    return offset >= base && offset < base + size;
  };
  tlm::tlm_response_status status;
  if (inside(msix_table_offset_, msix_->table_bytes())) {
    status = offset + len > msix_table_offset_ + msix_->table_bytes()
                 ? tlm::TLM_ADDRESS_ERROR_RESPONSE
                 : msix_->table_access(gp, offset - msix_table_offset_);
  } else if (inside(msix_pba_offset_, msix_->pba_bytes())) {
    status = offset + len > msix_pba_offset_ + msix_->pba_bytes()
                 ? tlm::TLM_ADDRESS_ERROR_RESPONSE
                 : msix_->pba_access(gp, offset - msix_pba_offset_);
  } else {
    return false;
  }
  delay += msix_latency_;
  gp.set_response_status(status);
  if (gp.is_write() && status == tlm::TLM_OK_RESPONSE) flush_msix(sc_core::sc_time_stamp() + delay);
  return true;
}

bool PcieEndpoint::send_message(uint64_t address, uint32_t data, sc_time& when) {
  if (!decoded().bus_master) {
    ++dma_blocked_;
    return false;
  }
  tlm::tlm_generic_payload gp;
  vp::common::PcieExtension ext;
  ext.rid = rid_;
  ext.is_msi = true;
  gp.set_extension(&ext);
  gp.set_command(tlm::TLM_WRITE_COMMAND);
  gp.set_address(address);
  gp.set_data_ptr(reinterpret_cast<unsigned char*>(&data));
  gp.set_data_length(4);
  gp.set_streaming_width(4);
  gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  const sc_time now = sc_core::sc_time_stamp();
  sc_time delay = when > now ? when - now : sc_core::SC_ZERO_TIME;
  link_out->b_transport(gp, delay);
  gp.clear_extension(&ext);
  when = now + delay;
  if (!gp.is_response_ok()) {
    note_error(gp.get_response_status());
    return false;
  }
  ++msis_;
  return true;
}

bool PcieEndpoint::send_msix(unsigned vector, sc_time& when) {
  if (!msix_ || vector >= msix_->vectors() || !cfg_.msix_enabled()) return false;
  if (cfg_.msix_function_masked() || msix_->masked(vector)) {
    ++msi_masked_;
    msix_->set_pending(vector, true);
    return false;
  }
  return send_message(msix_->address(vector), msix_->data(vector), when);
}

void PcieEndpoint::flush_msix(sc_time when) {
  if (!cfg_.msix_enabled() || cfg_.msix_function_masked()) return;
  for (unsigned v : msix_->take_unmasked_pending())
    send_message(msix_->address(v), msix_->data(v), when);
}

void PcieEndpoint::forward_upstream(tlm::tlm_generic_payload& gp, sc_time& delay) {
  if (!cfg_.bus_master_enabled()) {
    ++dma_blocked_;
    gp.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
    return;
  }
  auto* ext = gp.get_extension<vp::common::PcieExtension>();
  bool added = false;
  if (!ext) {
    ext = new vp::common::PcieExtension;
    gp.set_extension(ext);
    added = true;
  }
  ext->rid = rid_;
  ++forwarded_;
  send_up(gp, *ext, delay);
  if (!gp.is_response_ok())
    note_error(gp.get_response_status());
  else
    dma_bytes_ += gp.get_data_length();
  if (added) {
    gp.clear_extension(ext);
    delete ext;
  }
}

bool PcieEndpoint::ats_active() {
  const bool on = atc_ && cfg_.ats_enabled();
  if (ats_was_active_ && !on) atc_->clear();  // sec. 10.5.1.3: disabling ATS drops the ATC
  ats_was_active_ = on;
  return on;
}

void PcieEndpoint::send_up(tlm::tlm_generic_payload& gp, vp::common::PcieExtension& ext,
                           sc_time& delay) {
  if (!ats_active() || ext.is_msi || ext.message != vp::common::MessageCode::kNone ||
      ext.address_type != vp::common::AddressType::kUntranslated) {
    link_out->b_transport(gp, delay);
    return;
  }
  const uint64_t addr = gp.get_address();
  const uint64_t last = addr + (gp.get_data_length() ? gp.get_data_length() - 1 : 0);
  const bool write = gp.is_write();
  const AtcEntry* e = atc_->lookup(ext.pasid_valid, ext.pasid, addr);
  if (!e || !(write ? e->write : e->read)) {
    bool denied = false;
    e = fetch_translation(ext, addr, write, delay, &denied);
    if (denied && request_page(ext, addr, write, delay))
      e = fetch_translation(ext, addr, write, delay, &denied);
  }
  if (e && (write ? e->write : e->read) && e->contains(last)) {
    ++ats_translated_;
    const uint64_t offset = e->log2 >= 64 ? addr : addr & ((1ull << e->log2) - 1);
    ext.address_type = vp::common::AddressType::kTranslated;
    gp.set_address(e->translated | offset);
    link_out->b_transport(gp, delay);
    gp.set_address(addr);
    ext.address_type = vp::common::AddressType::kUntranslated;
    return;
  }
  // No usable translation (denied, Untranslated-only, or the request runs
  // past the range): the IOMMU translates the request itself.
  ++ats_untranslated_;
  link_out->b_transport(gp, delay);
}

const AtcEntry* PcieEndpoint::fetch_translation(const vp::common::PcieExtension& ext,
                                                uint64_t address, bool write, sc_time& delay,
                                                bool* denied) {
  ++ats_translation_requests_;
  *denied = false;
  vp::common::PcieExtension request = ext;
  request.address_type = vp::common::AddressType::kTranslationRequest;
  request.no_write = !write;
  request.is_msi = false;
  uint64_t entry = 0;
  const tlm::tlm_response_status status = vp::common::transport_qword(
      link_out, tlm::TLM_READ_COMMAND, address & ~0xfffull, &entry, request, delay);
  const AtsCompletion c = AtsCompletion::decode(entry);
  if (status != tlm::TLM_OK_RESPONSE || c.untranslated_only || (!c.read && !c.write)) {
    ++ats_failed_translations_;
    *denied = status == tlm::TLM_OK_RESPONSE && !c.untranslated_only;
    return nullptr;
  }
  if (!(write ? c.write : c.read)) *denied = true;
  AtcEntry e;
  e.pv = ext.pasid_valid;
  e.pasid = ext.pasid_valid ? ext.pasid : 0;
  e.log2 = c.log2;
  e.untranslated = c.log2 >= 64 ? 0 : address & ~((1ull << c.log2) - 1);
  e.translated = c.translated;
  e.read = c.read;
  e.write = c.write;
  e.global = c.global;
  return atc_->insert(e);
}

void PcieEndpoint::pri_control_written() {
  // Sec. 10.5.2.3: Stopped reads 1 while Enable is 0; setting Enable starts
  // the interface afresh (also after a Response Failure stopped it).
  const unsigned status_reg = cfg_.pri_capability() + cfg::kPriStatus;
  const unsigned control_reg = cfg_.pri_capability() + cfg::kPriControl;
  if (cfg_.get16(control_reg) & cfg::kPriControlReset) {
    // Reset (only meaningful while disabled): forget the outstanding group.
    cfg_.set16(control_reg, uint16_t(cfg_.get16(control_reg) & ~cfg::kPriControlReset));
    if (!cfg_.pri_enabled()) pending_prg_ = -1;
  }
  const bool enabled = cfg_.pri_enabled();
  uint16_t status = cfg_.get16(status_reg);
  if (enabled && !pri_was_enabled_) {
    status = uint16_t(status & ~cfg::kPriStatusStopped);
  } else if (!enabled) {
    status = uint16_t(status | cfg::kPriStatusStopped);
  }
  if (status != cfg_.get16(status_reg)) cfg_.set16(status_reg, status);
  pri_was_enabled_ = enabled;
}

bool PcieEndpoint::request_page(const vp::common::PcieExtension& ext, uint64_t address, bool write,
                                sc_time& delay) {
  const unsigned pri = cfg_.pri_capability();
  if (!pri || !cfg_.pri_enabled()) return false;
  const unsigned status_reg = pri + cfg::kPriStatus;
  // Enabled yet Stopped: a Response Failure ended page requests.
  if (cfg_.get16(status_reg) & cfg::kPriStatusStopped) {
    ++pri_refused_;
    return false;
  }
  const unsigned index = next_prg_index_++ & ats_msg::kPrgIndexMask;
  uint64_t body = ats_msg::page_request(address, index, true, write);
  vp::common::PcieExtension msg = ext;
  msg.message = vp::common::MessageCode::kPageRequest;
  msg.address_type = vp::common::AddressType::kUntranslated;
  msg.no_write = false;
  msg.is_msi = false;
  pending_prg_ = int(index);
  prg_response_code_ = -1;
  ++page_requests_;
  if (vp::common::transport_qword(link_out, tlm::TLM_WRITE_COMMAND, 0, &body, msg, delay) !=
      tlm::TLM_OK_RESPONSE) {
    pending_prg_ = -1;
    return false;
  }
  // The requesting thread waits for the group's response (sec. 10.4.1.2).
  sc_core::wait(delay);
  delay = sc_core::SC_ZERO_TIME;
  const sc_time deadline = sc_core::sc_time_stamp() + pri_timeout_;
  while (prg_response_code_ < 0 && sc_core::sc_time_stamp() < deadline)
    sc_core::wait(deadline - sc_core::sc_time_stamp(), prg_response_);
  const int code = prg_response_code_;
  pending_prg_ = -1;
  if (code < 0) {
    ++pri_timeouts_;
    return false;
  }
  if (unsigned(code) == ats_msg::kResponseSuccess) return true;
  if (unsigned(code) == ats_msg::kResponseFailure) {
    // Sec. 10.4.2: the function stops making page requests.
    cfg_.set16(status_reg, uint16_t(cfg_.get16(status_reg) | cfg::kPriStatusResponseFailure |
                                    cfg::kPriStatusStopped));
  }
  return false;
}

void PcieEndpoint::message_in(tlm::tlm_generic_payload& gp, const vp::common::PcieExtension& ext,
                              sc_time& delay) {
  ++messages_in_;
  uint64_t body = 0;
  if (!gp.is_write() || gp.get_data_length() != 8 || ext.rid != rid_) {
    ++unsupported_;
    gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return;
  }
  std::memcpy(&body, gp.get_data_ptr(), 8);
  if (ext.message == vp::common::MessageCode::kPrgResponse && cfg_.pri_capability()) {
    ++prg_responses_;
    const int index = int(ats_msg::prg_response_index(body));
    if (index == pending_prg_ && prg_response_code_ < 0) {
      prg_response_code_ = int(ats_msg::prg_response_code(body));
      prg_response_.notify(delay);  // it arrives at the end of its trip down
    } else {
      const unsigned st = cfg_.pri_capability() + cfg::kPriStatus;
      cfg_.set16(st, cfg_.get16(st) | cfg::kPriStatusUnexpectedPrgIndex);
    }
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
    return;
  }
  if (ext.message == vp::common::MessageCode::kInvalidationRequest && atc_) {
    ats_active();
    atc_->invalidate(ext.pasid_valid, ext.pasid, body);
    delay += atc_invalidation_;  // the Invalidation Completion follows
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
    return;
  }
  ++unsupported_;  // no PRI, or no ATS: the message is not for this function
  gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
}

void PcieEndpoint::sync_if_ahead(const sc_time& when) {
  const sc_time now = sc_core::sc_time_stamp();
  if (when > now && when - now >= tlm::tlm_global_quantum::instance().get())
    sc_core::wait(when - now);
}

void PcieEndpoint::report_stats(vp::common::StatsVisitor& v) const {
  v.begin_group(basename());
  v.value("requester_id", double(rid_));
  v.value("dma_requests", double(dma_requests_));
  v.value("dma_bytes", double(dma_bytes_), "bytes");
  v.value("dma_blocked_bus_master_off", double(dma_blocked_));
  v.value("dma_errors", double(dma_errors_));
  v.value("forwarded_requests", double(forwarded_));
  v.value("msis", double(msis_));
  v.value("msis_masked", double(msi_masked_));
  v.value("bar_accesses", double(bar_accesses_));
  v.value("unsupported_requests", double(unsupported_));
  if (atc_) {
    v.value("ats_translation_requests", double(ats_translation_requests_));
    v.value("ats_failed_translations", double(ats_failed_translations_));
    v.value("ats_translated_requests", double(ats_translated_));
    v.value("ats_untranslated_requests", double(ats_untranslated_));
    v.value("messages_received", double(messages_in_));
    if (cfg_.pri_capability()) {
      v.value("page_requests", double(page_requests_));
      v.value("prg_responses", double(prg_responses_));
      v.value("page_request_timeouts", double(pri_timeouts_));
      v.value("page_requests_refused_stopped", double(pri_refused_));
    }
    atc_->report_stats(v);
  }
  report_device_stats(v);
  v.end_group();
}

}  // namespace vp::pcie
