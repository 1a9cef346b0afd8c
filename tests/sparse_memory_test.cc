#include <catch2/catch.hpp>

#include "models/memory/sparse_memory.h"
#include "support/test_initiator.h"

using namespace sc_core;
using vp::memory::SparseMemory;
using vp::memory::SparseMemoryParams;
using vp::test::TestInitiator;

TEST_CASE("sparse memory: 64 GiB costs nothing until written, data beyond 4 GiB round-trips") {
  SparseMemoryParams p;
  p.size = 64ull << 30;
  SparseMemory mem("mem", p);
  TestInitiator init("init");
  init.socket.bind(mem.socket);
  bool done = false;
  init.body = [&](TestInitiator& t) {
    const uint64_t hi = (40ull << 30) + 0x1234;
    uint64_t v = 0xfeedface12345678ull, r = 0;
    CHECK(t.read(hi, &r, 8) == tlm::TLM_OK_RESPONSE);
    CHECK(r == 0);  // untouched memory reads zero
    CHECK(mem.allocated_chunks() == 0);
    CHECK(t.write(hi, &v, 8) == tlm::TLM_OK_RESPONSE);
    CHECK(t.read(hi, &r, 8) == tlm::TLM_OK_RESPONSE);
    CHECK(r == v);
    CHECK(mem.allocated_chunks() == 1);
    // An access across a chunk boundary.
    std::vector<uint8_t> buf(300), back(300);
    for (size_t i = 0; i < buf.size(); ++i) buf[i] = uint8_t(i * 7);
    const uint64_t edge = (5ull << 30) + SparseMemory::kChunkSize - 100;
    CHECK(t.write(edge, buf.data(), 300) == tlm::TLM_OK_RESPONSE);
    CHECK(t.read(edge, back.data(), 300) == tlm::TLM_OK_RESPONSE);
    CHECK(back == buf);
    CHECK(mem.allocated_chunks() == 3);
    // Out of range.
    CHECK(t.read(p.size - 4, &r, 8) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
    CHECK(t.read(p.size, &r, 1) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
    done = true;
  };
  sc_start();
  CHECK(done);
  uint64_t back = 0;
  mem.read((40ull << 30) + 0x1234, &back, 8);
  CHECK(back == 0xfeedface12345678ull);
  CHECK_THROWS_AS(mem.read(p.size - 1, &back, 2), std::out_of_range);
}

TEST_CASE("sparse memory: byte enables and streaming width") {
  SparseMemory mem("mem");
  TestInitiator init("init");
  init.socket.bind(mem.socket);
  init.body = [&](TestInitiator& t) {
    uint64_t ones = ~0ull;
    REQUIRE(t.write(0x100, &ones, 8) == tlm::TLM_OK_RESPONSE);
    uint64_t v = 0x1122334455667788ull;
    const unsigned char be[2] = {0xff, 0x00};  // pattern repeats: bytes 0,2,4,6
    REQUIRE(t.transport(tlm::TLM_WRITE_COMMAND, 0x100, &v, 8, SC_ZERO_TIME, be, 2) ==
            tlm::TLM_OK_RESPONSE);
    uint64_t r = 0;
    t.read(0x100, &r, 8);
    CHECK(r == 0xff22ff44ff66ff88ull);
    // Streaming width 2: 8 bytes written into the same 2-byte window.
    uint8_t data[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    REQUIRE(t.transport(tlm::TLM_WRITE_COMMAND, 0x200, data, 8, SC_ZERO_TIME, nullptr, 0, 2) ==
            tlm::TLM_OK_RESPONSE);
    uint32_t w = 0xaaaaaaaa;
    t.read(0x200, &w, 4);
    CHECK(w == 0x00000807u);
  };
  sc_start();
}

TEST_CASE("sparse memory: delay is latency plus transfer time, and the channel contends") {
  SparseMemoryParams p;
  p.latency_ns = 40;
  p.bandwidth_gbps = 16;  // 16 bytes per ns
  SparseMemory mem("mem", p);
  TestInitiator init("init");
  init.socket.bind(mem.socket);
  init.body = [&](TestInitiator& t) {
    std::vector<uint8_t> buf(1024);
    REQUIRE(t.write(0, buf.data(), 1024) == tlm::TLM_OK_RESPONSE);
    CHECK(t.last_delay == sc_time(64 + 40, SC_NS));  // 1024 B / 16 B/ns + latency
    // Issued at the same time: waits for the channel (64 ns) first.
    REQUIRE(t.read(0, buf.data(), 1024) == tlm::TLM_OK_RESPONSE);
    CHECK(t.last_delay == sc_time(64 + 64 + 40, SC_NS));
    // Issued after the channel is free: no wait.
    REQUIRE(t.read(0, buf.data(), 64, sc_time(1, SC_US)) == tlm::TLM_OK_RESPONSE);
    CHECK(t.last_delay == sc_time(1000 + 4 + 40, SC_NS));
  };
  sc_start();
}

TEST_CASE("sparse memory: DMI pointer aliases the storage and debug transport works") {
  SparseMemory mem("mem");
  TestInitiator init("init");
  init.socket.bind(mem.socket);
  init.body = [&](TestInitiator& t) {
    tlm::tlm_generic_payload gp;
    gp.set_address(0x12345);
    tlm::tlm_dmi dmi;
    REQUIRE(t.socket->get_direct_mem_ptr(gp, dmi));
    CHECK(dmi.get_start_address() == 0x10000);
    CHECK(dmi.get_end_address() == 0x1ffff);
    CHECK(dmi.is_read_write_allowed());
    CHECK(dmi.get_read_latency() == sc_time(40, SC_NS));
    dmi.get_dmi_ptr()[0x2345] = 0x5a;
    uint8_t b = 0;
    t.read(0x12345, &b, 1);
    CHECK(b == 0x5a);
    // Debug transport: no timing, same data.
    gp.set_command(tlm::TLM_READ_COMMAND);
    gp.set_data_ptr(&b);
    gp.set_data_length(1);
    gp.set_streaming_width(1);
    b = 0;
    CHECK(t.socket->transport_dbg(gp) == 1);
    CHECK(b == 0x5a);
  };
  sc_start();
}
