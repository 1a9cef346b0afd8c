// A scriptable TLM initiator for component tests: runs a function in an
// SC_THREAD and offers one-line transactions that return the response
// status and the annotated delay.
#pragma once

#include <cstdint>
#include <cstring>
#include <functional>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <vector>

#include "models/common/pcie_extension.h"

namespace vp::test {

class TestInitiator : public sc_core::sc_module {
 public:
  tlm_utils::simple_initiator_socket<TestInitiator> socket;
  std::function<void(TestInitiator&)> body;
  std::vector<std::pair<uint64_t, uint64_t>> invalidations;
  sc_core::sc_time last_delay;

  SC_HAS_PROCESS(TestInitiator);
  explicit TestInitiator(sc_core::sc_module_name name) : sc_module(name), socket("socket") {
    socket.register_invalidate_direct_mem_ptr(this, &TestInitiator::invalidate);
    SC_THREAD(run);
  }

  // delay_in: annotated time at which the request is issued.
  tlm::tlm_response_status transport(tlm::tlm_command cmd, uint64_t addr, void* data, unsigned len,
                                     sc_core::sc_time delay_in = sc_core::SC_ZERO_TIME,
                                     const unsigned char* be = nullptr, unsigned be_len = 0,
                                     unsigned streaming_width = 0,
                                     vp::common::PcieExtension* ext = nullptr) {
    tlm::tlm_generic_payload gp;
    gp.set_command(cmd);
    gp.set_address(addr);
    gp.set_data_ptr(static_cast<unsigned char*>(data));
    gp.set_data_length(len);
    gp.set_streaming_width(streaming_width ? streaming_width : len);
    gp.set_byte_enable_ptr(const_cast<unsigned char*>(be));
    gp.set_byte_enable_length(be_len);
    gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    if (ext) gp.set_extension(ext);
    sc_core::sc_time d = delay_in;
    socket->b_transport(gp, d);
    if (ext) gp.clear_extension(ext);
    last_delay = d;
    return gp.get_response_status();
  }
  tlm::tlm_response_status write(uint64_t addr, const void* data, unsigned len,
                                 sc_core::sc_time delay_in = sc_core::SC_ZERO_TIME) {
    return transport(tlm::TLM_WRITE_COMMAND, addr, const_cast<void*>(data), len, delay_in);
  }
  tlm::tlm_response_status read(uint64_t addr, void* data, unsigned len,
                                sc_core::sc_time delay_in = sc_core::SC_ZERO_TIME) {
    return transport(tlm::TLM_READ_COMMAND, addr, data, len, delay_in);
  }
  tlm::tlm_response_status write32(uint64_t addr, uint32_t v) { return write(addr, &v, 4); }
  uint32_t read32(uint64_t addr) {
    uint32_t v = 0;
    read(addr, &v, 4);
    return v;
  }
  uint64_t read64(uint64_t addr) {
    uint64_t v = 0;
    read(addr, &v, 8);
    return v;
  }

 private:
  void run() {
    if (body) body(*this);
  }
  void invalidate(sc_dt::uint64 start, sc_dt::uint64 end) { invalidations.emplace_back(start, end); }
};

}  // namespace vp::test
