#include <catch2/catch.hpp>

#include "models/memory/msi_controller.h"
#include "support/test_initiator.h"

using namespace sc_core;
using vp::memory::MsiController;
using vp::test::TestInitiator;

TEST_CASE("msi controller: doorbell writes pend at their arrival time, claim returns and clears") {
  MsiController msi("msi");
  TestInitiator init("init");
  sc_signal<bool> irq("irq");
  init.socket.bind(msi.socket);
  msi.irq.bind(irq);
  init.body = [&](TestInitiator& t) {
    CHECK(t.write32(MsiController::kEnable, 0x0000'0030) == tlm::TLM_OK_RESPONSE);  // ids 4, 5
    CHECK(t.read32(MsiController::kEnable) == 0x30);
    // Identity 5 written with 100 ns annotated delay: not pending before.
    uint32_t id = 5;
    CHECK(t.write(MsiController::kSetEipNum, &id, 4, sc_time(100, SC_NS)) == tlm::TLM_OK_RESPONSE);
    wait(50, SC_NS);
    CHECK_FALSE(msi.pending(5));
    CHECK_FALSE(irq.read());
    wait(60, SC_NS);  // t = 110 ns > 100 ns + 5 ns access latency
    CHECK(msi.pending(5));
    CHECK(irq.read());
    // Identity 7 pends but is not enabled: no effect on irq, not claimable.
    id = 7;
    t.write(MsiController::kSetEipNum, &id, 4);
    wait(10, SC_NS);
    CHECK(t.read32(MsiController::kPending) == (1u << 5 | 1u << 7));
    CHECK(t.read32(MsiController::kClaim) == 5);
    CHECK(t.read32(MsiController::kClaim) == 0);
    wait(SC_ZERO_TIME);
    wait(SC_ZERO_TIME);
    CHECK_FALSE(irq.read());
    // W1C on the pending word.
    CHECK(t.write32(MsiController::kPending, 1u << 7) == tlm::TLM_OK_RESPONSE);
    CHECK(t.read32(MsiController::kPending) == 0);
    // Identity 0 and out-of-range identities are ignored.
    id = 0;
    t.write(MsiController::kSetEipNum, &id, 4);
    id = 64;
    t.write(MsiController::kSetEipNum, &id, 4);
    wait(10, SC_NS);
    CHECK(msi.ignored() == 2);
    CHECK(msi.delivered() == 2);
    // Identity 0 cannot be enabled.
    t.write32(MsiController::kEnable, 1);
    CHECK(t.read32(MsiController::kEnable) == 0);
    // A misaligned access is an error, not a crash.
    uint32_t v = 0;
    CHECK(t.read(MsiController::kClaim + 2, &v, 4) != tlm::TLM_OK_RESPONSE);
  };
  sc_start();
}
