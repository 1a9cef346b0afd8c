// IommuParams: declaration in the registry, validation naming the key.
#include "models/iommu/iommu_params.h"

#include <catch2/catch.hpp>

#include "models/common/parameters.h"

using vp::common::ParameterError;
using vp::common::ParameterSet;
using vp::iommu::IommuParams;

namespace {

// The message of the ParameterError validate() throws, or "" if none.
std::string validate_error(const IommuParams& p) {
  try {
    p.validate();
  } catch (const ParameterError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("iommu params declare every field with a unit or doc and bind it") {
  IommuParams p;
  ParameterSet set;
  p.declare(set, "iommu.");  // trailing dot accepted
  CHECK(set.has("iommu.sv39"));
  CHECK(set.has("iommu.iotlb.ways"));
  CHECK(set.has("iommu.latency.walk_level"));
  CHECK(set.has("iommu.ddt_cache.entries"));
  for (const auto& param : set.list()) {
    CHECK_FALSE(param.doc.empty());
    CHECK(param.key.rfind("iommu.", 0) == 0);
  }
  set.set("iommu.iotlb.ways", "2");
  set.set("iommu.sv57", "true");
  set.set("iommu.igs", "wsi");
  set.set("iommu.clock_period_ps", "500");
  CHECK(p.iotlb_ways == 2);
  CHECK(p.sv57);
  CHECK(p.igs == "wsi");
  CHECK(p.cycles(3) == sc_core::sc_time(1500, sc_core::SC_PS));
  CHECK_THROWS_AS(set.set("iommu.igs", "pci"), ParameterError);
  CHECK_THROWS_AS(set.set("iommu.hpm_counters", "32"), ParameterError);
}

TEST_CASE("iommu params validate names the inconsistent key") {
  IommuParams p;
  ParameterSet set;
  p.declare(set, "top.iommu0");
  CHECK(validate_error(p).empty());

  // No translation mode at all is fine: Bare only.
  p.sv39 = p.sv48 = p.sv57 = p.sv39x4 = p.sv48x4 = p.sv57x4 = false;
  CHECK(validate_error(p).empty());

  IommuParams q = p;
  q.iotlb_ways = 0;  // sets still 64
  CHECK_THAT(validate_error(q), Catch::Contains("'top.iommu0.iotlb.ways'"));
  q.iotlb_sets = 0;  // both zero: IOTLB disabled, legal
  CHECK(validate_error(q).empty());
  q.iotlb_ways = 4;
  CHECK_THAT(validate_error(q), Catch::Contains("'top.iommu0.iotlb.sets'"));

  q = p;
  q.sv48 = true;  // without sv39
  CHECK_THAT(validate_error(q), Catch::Contains("'top.iommu0.sv48'"));
  q = p;
  q.amo_mrif = true;
  CHECK_THAT(validate_error(q), Catch::Contains("'top.iommu0.amo_mrif'"));
  q.msi_mrif = true;  // with amo_mrif: legal
  CHECK(validate_error(q).empty());
  q.msi_flat = false;  // MRIF-mode PTEs live in MSI page tables
  CHECK_THAT(validate_error(q), Catch::Contains("'top.iommu0.msi_mrif'"));
  q = p;
  q.t2gpa = true;
  CHECK(validate_error(q).empty());
  q.ats = false;
  CHECK_THAT(validate_error(q), Catch::Contains("'top.iommu0.t2gpa'"));
  q = p;
  q.interrupt_vectors = 3;
  CHECK_THAT(validate_error(q), Catch::Contains("'top.iommu0.interrupt_vectors'"));
  q = p;
  q.iotlb_replacement = "plru";
  CHECK_THAT(validate_error(q), Catch::Contains("'top.iommu0.iotlb.replacement'"));
  q = p;
  q.reset_mode = "1lvl";
  CHECK_THAT(validate_error(q), Catch::Contains("'top.iommu0.reset_mode'"));
  q = p;
  q.pas_bits = 60;
  CHECK_THAT(validate_error(q), Catch::Contains("'top.iommu0.pas_bits'"));
}
