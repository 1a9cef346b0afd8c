#include <catch2/catch.hpp>

#include "models/common/register_bank.h"

using vp::common::FieldAccess;
using vp::common::RegisterBank;

TEST_CASE("register bank applies RW, RO, W1C and W1S policies per field") {
  RegisterBank bank("bank");
  bank.add("ctl", 0x0, 4, 0x00000100)
      .field("en", 0, 1, FieldAccess::kRW)
      .field("busy", 8, 1, FieldAccess::kRO)
      .field("err", 16, 1, FieldAccess::kW1C)
      .field("go", 24, 1, FieldAccess::kW1S);
  bank["ctl"].set_field("err", 1);
  REQUIRE(bank.write(0, 4, 0xffffffff));
  uint64_t v = 0;
  REQUIRE(bank.read(0, 4, &v));
  // en set, busy kept (RO), err cleared (W1C), go set (W1S), reserved zero
  CHECK(v == 0x01000101);
  REQUIRE(bank.write(0, 4, 0));
  REQUIRE(bank.read(0, 4, &v));
  CHECK(v == 0x01000100);  // W1S bit stays set on write 0
}

TEST_CASE("register bank WARL keeps the old value for an illegal write") {
  RegisterBank bank("bank");
  bank.add("mode", 0x8, 8, 1).field("mode", 0, 4, FieldAccess::kWARL,
                                    [](uint64_t old, uint64_t w) { return w <= 4 ? w : old; });
  REQUIRE(bank.write(0x8, 8, 3));
  CHECK(bank["mode"].get() == 3);
  REQUIRE(bank.write(0x8, 8, 9));
  CHECK(bank["mode"].get() == 3);
}

TEST_CASE("register bank supports 32-bit halves of a 64-bit register") {
  RegisterBank bank("bank");
  bank.add("base", 0x10, 8).field("ppn", 10, 44, FieldAccess::kRW);
  REQUIRE(bank.write(0x14, 4, 0xffffffff));
  uint64_t v = 0;
  REQUIRE(bank.read(0x10, 8, &v));
  CHECK(v == 0x003fffff00000000ull);
  REQUIRE(bank.read(0x14, 4, &v));
  CHECK(v == 0x003fffff);
}

TEST_CASE("register bank rejects bad accesses with TLM errors") {
  RegisterBank bank("bank");
  bank.set_logging(false);
  bank.add("a", 0x0, 8).field("v", 0, 64, FieldAccess::kRW);
  uint64_t v = 0;
  CHECK_FALSE(bank.read(0x2, 4, &v));   // misaligned
  CHECK_FALSE(bank.read(0x40, 4, &v));  // unmapped, strict bank
  CHECK_FALSE(bank.read(0x0, 3, &v));   // bad size
  CHECK(bank.error_count() == 3);
}
