// The reference loop of BENCHMARKS.md: one initiator with a quantum keeper
// sending N writes of one size, reusing one payload, straight into a memory
// target that memcpys into a flat array and adds 10 ns.
#pragma once

#include <chrono>
#include <cstring>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>
#include <vector>

namespace vp::bench {

class RawMemory : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<RawMemory> socket;
  explicit RawMemory(sc_core::sc_module_name n, size_t bytes = 1 << 24)
      : sc_module(n), socket("socket"), mem_(bytes), latency_(10, sc_core::SC_NS) {
    socket.register_b_transport(this, &RawMemory::b_transport);
  }

 private:
  void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
    const uint64_t a = gp.get_address() % (mem_.size() - gp.get_data_length());
    if (gp.is_write()) std::memcpy(&mem_[a], gp.get_data_ptr(), gp.get_data_length());
    else std::memcpy(gp.get_data_ptr(), &mem_[a], gp.get_data_length());
    delay += latency_;
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
  }
  std::vector<uint8_t> mem_;
  sc_core::sc_time latency_;
};

class RawLoop : public sc_core::sc_module {
 public:
  tlm_utils::simple_initiator_socket<RawLoop> socket;
  SC_HAS_PROCESS(RawLoop);
  explicit RawLoop(sc_core::sc_module_name n) : sc_module(n), socket("socket"), mem_("mem") {
    socket.bind(mem_.socket);
    SC_THREAD(thread);
  }
  // Runs n writes of `size` bytes; call from another thread; returns the
  // host seconds taken.
  double run(uint64_t n, unsigned size) {
    n_ = n;
    size_ = size;
    const auto t0 = std::chrono::steady_clock::now();
    start_.notify(sc_core::SC_ZERO_TIME);
    sc_core::wait(done_);
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }

 private:
  void thread() {
    std::vector<uint8_t> data(65536, 0xa5);
    tlm::tlm_generic_payload gp;
    tlm_utils::tlm_quantumkeeper qk;
    for (;;) {
      sc_core::wait(start_);
      qk.reset();
      gp.set_command(tlm::TLM_WRITE_COMMAND);
      gp.set_data_ptr(data.data());
      gp.set_data_length(size_);
      gp.set_streaming_width(size_);
      for (uint64_t i = 0; i < n_; ++i) {
        gp.set_address((i * size_) & 0xffffff);
        gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
        sc_core::sc_time d = qk.get_local_time();
        socket->b_transport(gp, d);
        qk.set(d);
        if (qk.need_sync()) qk.sync();
      }
      qk.sync();
      done_.notify(sc_core::SC_ZERO_TIME);
    }
  }
  RawMemory mem_;
  sc_core::sc_event start_, done_;
  uint64_t n_ = 0;
  unsigned size_ = 64;
};

}  // namespace vp::bench
