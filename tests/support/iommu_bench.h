// Test bench for the Iommu module: DRAM behind its downstream socket, a
// "device" initiator on upstream and a "cpu" initiator on its registers,
// plus a table builder that writes DDT/PDT/page tables into DRAM the way a
// driver does (little-endian doublewords, pages from a bump allocator).
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <systemc>

#include "models/common/pcie_extension.h"
#include "models/iommu/iommu.h"
#include "models/iommu/riscv_iommu_bits.h"
#include "models/iommu/riscv_iommu_regs.h"
#include "models/memory/sparse_memory.h"
#include "tests/support/test_initiator.h"

namespace vp::test {

struct IommuBench {
  vp::memory::SparseMemory dram;
  vp::iommu::Iommu iommu;
  TestInitiator dev;
  TestInitiator cpu;
  uint64_t next_page = 0x100000;  // table pages are allocated from 1 MiB up

  static vp::memory::SparseMemoryParams dram_params() {
    vp::memory::SparseMemoryParams p;
    p.size = 1ull << 32;
    return p;
  }
  static vp::iommu::IommuParams quiet(vp::iommu::IommuParams p) {
    p.log_faults = false;
    return p;
  }

  // A DRAM without a bandwidth term: every access costs exactly latency_ns.
  static vp::memory::SparseMemoryParams flat_dram_params() {
    vp::memory::SparseMemoryParams p = dram_params();
    p.bandwidth_gbps = 0;
    return p;
  }

  explicit IommuBench(const vp::iommu::IommuParams& params = quiet({}),
                      const vp::memory::SparseMemoryParams& memory = dram_params())
      : dram("dram", memory), iommu("iommu", params), dev("dev"), cpu("cpu") {
    iommu.downstream.bind(dram.socket);
    dev.socket.bind(iommu.upstream);
    cpu.socket.bind(iommu.regs);
  }

  // ---- memory, as the driver's CPU sees it (untimed) --------------------
  void poke64(uint64_t pa, uint64_t v) { dram.write(pa, &v, 8); }
  uint64_t peek64(uint64_t pa) {
    uint64_t v = 0;
    dram.read(pa, &v, 8);
    return v;
  }
  void poke(uint64_t pa, const void* data, unsigned len) { dram.write(pa, data, len); }
  void peek(uint64_t pa, void* data, unsigned len) { dram.read(pa, data, len); }
  uint64_t alloc_page(uint64_t size = 4096) {
    next_page = (next_page + size - 1) & ~(size - 1);
    const uint64_t a = next_page;
    next_page += size;
    return a;
  }

  // ---- device requests ---------------------------------------------------
  // A request from device `did` (its requester ID) with `ext`'s other PCIe
  // attributes (PASID, address type, execute, ...).
  tlm::tlm_response_status device_request(tlm::tlm_command cmd, uint64_t addr, void* data,
                                          unsigned len, uint32_t did,
                                          vp::common::PcieExtension ext = {}) {
    ext.rid = uint16_t(did);
    return dev.transport(cmd, addr, data, len, sc_core::SC_ZERO_TIME, nullptr, 0, 0, &ext);
  }
  // A PCIe ATS translation request; `*entry` receives the Translation
  // Completion data entry.
  tlm::tlm_response_status ats_request(uint64_t iova, uint32_t did, uint64_t* entry,
                                       bool no_write = false, bool execute = false) {
    vp::common::PcieExtension ext;
    ext.address_type = vp::common::AddressType::kTranslationRequest;
    ext.no_write = no_write;
    ext.execute = execute;
    return device_request(tlm::TLM_READ_COMMAND, iova, entry, 8, did, ext);
  }
  // Runs a debug translation through tr_req_iova/tr_req_ctl (spec 6.25) for
  // a request without PASID and returns tr_response.
  uint64_t debug_translate(uint64_t iova, uint32_t did, bool no_write = false) {
    using namespace vp::iommu::regs;
    write_reg(kTrReqIova, iova);
    write_reg(kTrReqCtl,
              tr_req_ctl::Go_Busy.put(1) | tr_req_ctl::DID.put(did) | tr_req_ctl::NW.put(no_write));
    return read_reg(kTrResponse);
  }

  // ---- registers ---------------------------------------------------------
  void write_reg(uint64_t off, uint64_t v, unsigned len = 8) { cpu.write(off, &v, len); }
  uint64_t read_reg(uint64_t off, unsigned len = 8) {
    uint64_t v = 0;
    cpu.read(off, &v, len);
    return v;
  }
  void set_ddtp(unsigned mode, uint64_t root) {
    write_reg(vp::iommu::regs::kDdtp, vp::iommu::regs::ddtp::PPN.put(root >> 12) |
                                          vp::iommu::regs::ddtp::iommu_mode.put(mode));
  }

  // ---- tables ------------------------------------------------------------
  // 1LVL DDT with one base-format (or extended) DC; returns the DC address.
  uint64_t install_dc(uint64_t ddt_root, uint32_t device_id, const vp::iommu::DeviceContext& dc,
                      bool extended) {
    const uint64_t size = extended ? 64 : 32;
    const uint64_t a = ddt_root + size * device_id;
    const uint64_t dw[8] = {
        dc.tc,      dc.iohgatp, dc.ta, dc.fsc, dc.msiptp, dc.msi_addr_mask, dc.msi_addr_pattern,
        dc.reserved};
    for (unsigned k = 0; k < size / 8; ++k) poke64(a + 8 * k, dw[k]);
    return a;
  }

  // Any DDT depth (ddtp mode 1LVL..3LVL), creating directory pages on the
  // way; extended (64-byte) DCs when `extended`. Returns the DC address.
  uint64_t install_dc_at_depth(unsigned ddtp_mode, uint64_t ddt_root, uint32_t device_id,
                               const vp::iommu::DeviceContext& dc, bool extended) {
    const unsigned levels = ddtp_mode - 1;  // 1LVL = 2 in ddtp encoding
    const unsigned w0 = extended ? 6 : 7;
    uint64_t table = ddt_root;
    for (int level = int(levels) - 1; level > 0; --level) {
      const unsigned shift = w0 + 9 * unsigned(level - 1);
      const uint64_t e = table + 8 * ((device_id >> shift) & 0x1ff);
      uint64_t v = peek64(e);
      if (!(v & 1)) {
        v = 1 | ((alloc_page() >> 12) << 10);
        poke64(e, v);
      }
      table = ((v >> 10) & ((1ull << 44) - 1)) << 12;
    }
    return install_dc(table, device_id & ((1u << w0) - 1), dc, extended);
  }

  // Maps `va` to `pa` in an Sv39/48/57 table rooted at `root` (levels 3..5)
  // with a leaf at `leaf_level` (0: 4 KiB, 1: 2 MiB, 2: 1 GiB); `flags` are
  // the PTE's low bits (V is added). Returns the leaf PTE address.
  // With `x4` the table is Sv39x4/48x4/57x4: a 16-KiB root indexed by 11
  // bits.
  uint64_t map(uint64_t root, unsigned levels, uint64_t va, uint64_t pa, uint64_t flags,
               unsigned leaf_level = 0, bool x4 = false) {
    using namespace vp::iommu;
    uint64_t table = root;
    for (int level = int(levels) - 1; level > int(leaf_level); --level) {
      const uint64_t index_mask = (x4 && level == int(levels) - 1) ? 0x7ff : 0x1ff;
      const uint64_t e = table + 8 * ((va >> (12 + 9 * level)) & index_mask);
      uint64_t v = peek64(e);
      if (!(v & 1)) {
        v = pte::kV | pte::kPpn.make(alloc_page() >> 12);
        poke64(e, v);
      }
      table = pte::kPpn.get(v) << 12;
    }
    const uint64_t leaf_mask = (x4 && leaf_level == levels - 1) ? 0x7ff : 0x1ff;
    const uint64_t e = table + 8 * ((va >> (12 + 9 * leaf_level)) & leaf_mask);
    poke64(e, pte::kPpn.make(pa >> 12) | flags | pte::kV);
    return e;
  }
};

}  // namespace vp::test
