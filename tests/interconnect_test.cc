#include <catch2/catch.hpp>

#include "models/common/interconnect.h"
#include "models/memory/sparse_memory.h"
#include "support/test_initiator.h"

using namespace sc_core;
using vp::common::AddressMap;
using vp::common::AddressMapError;
using vp::common::AddressRegion;
using vp::common::Interconnect;
using vp::memory::SparseMemory;
using vp::test::TestInitiator;

TEST_CASE("address map: overlaps are rejected naming both regions") {
  AddressMap m;
  m.add({"dram", 0x8000'0000, 0x1000'0000, 0, 0});
  m.add({"uart", 0x1000'0000, 0x1000, 1, 0});
  try {
    m.add({"dma", 0x8fff'f000, 0x2000, 2, 0});
    FAIL("overlap accepted");
  } catch (const AddressMapError& e) {
    CHECK(std::string(e.what()).find("'dma'") != std::string::npos);
    CHECK(std::string(e.what()).find("'dram'") != std::string::npos);
  }
  CHECK_THROWS_AS(m.add({"below", 0x0fff'ffff, 2, 3, 0}), AddressMapError);
  CHECK_THROWS_AS(m.add({"empty", 0x2000'0000, 0, 3, 0}), AddressMapError);
  CHECK_THROWS_AS(m.add({"wrap", ~0ull - 10, 100, 3, 0}), AddressMapError);
  // Half-open ranges: the byte after a region is free.
  m.add({"adjacent", 0x1000'1000, 0x1000, 3, 0});
  REQUIRE(m.find(0x1000'0fff) != nullptr);
  CHECK(m.find(0x1000'0fff)->name == "uart");
  CHECK(m.find(0x1000'1000)->name == "adjacent");
  CHECK(m.find(0x0fff'ffff) == nullptr);
  CHECK(m.find(0x1000'0ffc, 8) == nullptr);  // straddles two regions
}

TEST_CASE("interconnect: routes by address, strips the base and returns decode errors") {
  Interconnect bus("bus");
  SparseMemory a("a"), b("b");
  TestInitiator init("init");
  init.socket.bind(bus.target_socket);
  bus.initiator_socket.bind(a.socket);
  bus.initiator_socket.bind(b.socket);
  bus.map("a", 0x8000'0000, 1 << 20, 0);
  bus.map("b", 0x1'0000'0000, 1 << 20, 1);
  CHECK_THROWS_AS(bus.map("bad", 0x8008'0000, 0x1000, 1), AddressMapError);
  init.body = [&](TestInitiator& t) {
    uint32_t v = 0xabcd0123;
    CHECK(t.write(0x8000'0010, &v, 4) == tlm::TLM_OK_RESPONSE);
    CHECK(t.write(0x1'0000'0020, &v, 4) == tlm::TLM_OK_RESPONSE);
    uint32_t r = 0;
    CHECK(t.read(0x7fff'fff0, &r, 4) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
    CHECK(t.read(0x8000'0000 + (1 << 20) - 2, &r, 4) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
    // Latency: interconnect 2 ns + memory 40 ns + 4 B at 25.6 GB/s.
    CHECK(t.read(0x8000'0010, &r, 4, sc_time(1, SC_US)) == tlm::TLM_OK_RESPONSE);
    CHECK(r == v);
    CHECK(t.last_delay == sc_time(1000 + 2 + 40, SC_NS) + sc_time(156, SC_PS));
  };
  sc_start();
  uint32_t r = 0;
  a.read(0x10, &r, 4);
  CHECK(r == 0xabcd0123);
  b.read(0x20, &r, 4);
  CHECK(r == 0xabcd0123);
}

TEST_CASE("interconnect: DMI ranges are translated and clipped to the region") {
  Interconnect bus("bus");
  SparseMemory mem("mem");
  TestInitiator init("init");
  init.socket.bind(bus.target_socket);
  bus.initiator_socket.bind(mem.socket);
  bus.map("dram", 0x8000'8000, 0x18000, 0);  // [0x80008000, 0x80020000)
  init.body = [&](TestInitiator& t) {
    tlm::tlm_generic_payload gp;
    tlm::tlm_dmi dmi;
    gp.set_address(0x8000'9000);
    REQUIRE(t.socket->get_direct_mem_ptr(gp, dmi));
    // Memory grants its 64 KiB chunk [0x0, 0xffff] = bus [0x80008000, 0x80017fff].
    CHECK(dmi.get_start_address() == 0x8000'8000);
    CHECK(dmi.get_end_address() == 0x8001'7fff);
    CHECK(dmi.get_read_latency() == sc_time(42, SC_NS));
    dmi.get_dmi_ptr()[0x1000] = 0x77;
    uint8_t b = 0;
    mem.read(0x1000, &b, 1);
    CHECK(b == 0x77);
    gp.set_address(0x7000'0000);
    CHECK_FALSE(t.socket->get_direct_mem_ptr(gp, dmi));
  };
  sc_start();
}
