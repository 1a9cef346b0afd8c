// iommu-vp end to end, in-process: one run per test case (one kernel each).
#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "platform/cli.h"
#include "platform/config.h"
#include "platform/runner.h"

namespace {
struct Run {
  int status;
  std::string out, err;
};
Run run(std::vector<const char*> args) {
  args.insert(args.begin(), "iommu-vp");
  const auto o = vp::platform::parse_cli(int(args.size()), args.data());
  std::ostringstream out, err;
  const int status = vp::platform::run(o, out, err);
  return {status, out.str(), err.str()};
}
}  // namespace

TEST_CASE("iommu-vp: the default scenario copies, verifies and writes stats") {
  const auto r = run({"--config", VP_SOURCE_DIR "/configs/default.json", "--stats",
                      "run_test_stats.json", "--set", "scenario.dma_copy.bytes=256K"});
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK(r.out.find("scenario dma-copy: OK") != std::string::npos);
  CHECK(r.out.find("throughput") != std::string::npos);
  const auto stats = vp::platform::load_config_file("run_test_stats.json");
  CHECK(stats["run"]["ok"] == true);
  CHECK(stats["run"]["bytes"] == 256 * 1024);
  // Data plus one 4-byte MSI write per interrupt.
  CHECK(stats["stats"]["dma"]["bytes_written"] ==
        256 * 1024 + 4 * stats["stats"]["dma"]["msis"].get<uint64_t>());
  CHECK(stats["stats"]["dma"]["bytes_read"].get<uint64_t>() > 256 * 1024);  // + descriptors
  CHECK(stats["config"]["scenario"]["dma_copy"]["bytes"] == 256 * 1024);
  CHECK(stats["stats"]["msi"]["delivered"].get<uint64_t>() >= 1);
}

TEST_CASE("iommu-vp: an unknown key exits 2 naming it, before simulation") {
  const auto r = run({"--set", "dma.tagz=4"});
  CHECK(r.status == 2);
  CHECK(r.err.find("'dma.tagz'") != std::string::npos);
  CHECK(r.out.empty());
}

TEST_CASE("iommu-vp: a bad value exits 2 naming the key") {
  const auto r = run({"--set", "dma.tags=lots"});
  CHECK(r.status == 2);
  CHECK(r.err.find("'dma.tags'") != std::string::npos);
}

TEST_CASE("iommu-vp: an overlapping address map is a topology error, exit 2") {
  const auto r = run({"--set", "msi.base=0x80001000"});
  CHECK(r.status == 2);
  CHECK(r.err.find("bad topology") != std::string::npos);
  CHECK(r.err.find("'msi'") != std::string::npos);
}

TEST_CASE("iommu-vp: an unknown scenario exits 2, --list-scenarios lists names first") {
  CHECK(run({"--scenario", "nope"}).status == 2);
  const auto r = run({"--list-scenarios"});
  CHECK(r.status == 0);
  CHECK(r.out.rfind("dma-copy ", 0) == 0);
}

TEST_CASE("iommu-vp: --help-config lists every key of the default config") {
  const auto r = run({"--help-config"});
  CHECK(r.status == 0);
  const auto def = vp::platform::load_config_file(VP_SOURCE_DIR "/configs/default.json");
  std::function<void(const nlohmann::json&, const std::string&)> walk =
      [&](const nlohmann::json& j, const std::string& pre) {
        for (auto it = j.begin(); it != j.end(); ++it) {
          const std::string key = pre.empty() ? it.key() : pre + "." + it.key();
          if (it->is_object())
            walk(*it, key);
          else
            CHECK(r.out.find(key + " ") != std::string::npos);
        }
      };
  walk(def, "");
}

TEST_CASE("iommu-vp: configs/default.json holds exactly the defaults") {
  const auto r = run({"--dump-config"});
  REQUIRE(r.status == 0);
  CHECK(nlohmann::json::parse(r.out) ==
        vp::platform::load_config_file(VP_SOURCE_DIR "/configs/default.json"));
}

TEST_CASE("iommu-vp: a scenario failure exits 1 with the reason") {
  // A DMA engine too slow for the timeout: the guest gives up.
  const auto r = run({"--set", "scenario.dma_copy.timeout_us=0.01"});
  CHECK(r.status == 1);
  CHECK(r.out.find("FAILED") != std::string::npos);
  CHECK(r.out.find("timed out") != std::string::npos);
}

TEST_CASE("iommu-vp: --trace writes Chrome/Perfetto trace events for every descriptor") {
  const auto r = run({"--set", "scenario.dma_copy.bytes=256K", "--set",
                      "scenario.dma_copy.descriptor_bytes=16K", "--trace", "run_test_trace.json"});
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  const auto trace = vp::platform::load_config_file("run_test_trace.json");
  unsigned descriptors = 0;
  for (const auto& e : trace["traceEvents"]) {
    if (e["name"] == "descriptor") {
      ++descriptors;
      CHECK(e["ph"] == "X");
      CHECK(e["dur"].get<double>() > 0);
    }
  }
  CHECK(descriptors == 16);
}

TEST_CASE("iommu-vp: a PCIe tree from JSON is enumerated by the guest and its DMA engine copies") {
  const auto r = run({"--config", VP_SOURCE_DIR "/configs/pcie_switch.json", "--stats",
                      "run_test_pcie.json", "--set", "scenario.pcie_enumerate.bytes=8K"});
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK(r.out.find("8 functions on buses 0..5") != std::string::npos);
  CHECK(r.out.find("to the peer BAR, verified") != std::string::npos);
  const auto stats = vp::platform::load_config_file("run_test_pcie.json");
  const std::string tree = stats["run"]["extra"]["tree"];
  CHECK(tree.find("[1b36:0020]") != std::string::npos);  // the DMA engine below the switch
  CHECK(tree.find("[1b36:0010]") != std::string::npos);  // the peer memory
  CHECK(stats["config"]["pcie"]["nodes"].size() == 6);
  // The DMA engine's requests went up through the IOMMU (Bare here).
  CHECK(stats["stats"]["iommu"]["requests"].get<uint64_t>() > 0);
}

TEST_CASE("iommu-vp: a PCIe node with a bad parent is a configuration error, exit 2") {
  std::ofstream("run_test_bad_pcie.json")
      << R"({"pcie": {"nodes": [{"name": "rp0", "type": "root_port"},
                                {"name": "ep", "type": "peer_memory", "parent": "nowhere"}]}})";
  const auto r = run({"--config", "run_test_bad_pcie.json"});
  CHECK(r.status == 2);
  CHECK(r.err.find("nowhere") != std::string::npos);
}
