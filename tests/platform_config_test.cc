#include <catch2/catch.hpp>

#include <fstream>

#include "models/common/parameters.h"
#include "platform/cli.h"
#include "platform/config.h"
#include "platform/stats_writer.h"

using vp::common::ParameterSet;
using vp::platform::ConfigError;

namespace {
struct Fixture {
  uint64_t sets = 64, size = 1 << 20, base = 0x1000;
  double latency = 2.5;
  bool enabled = true;
  std::string policy = "lru";
  ParameterSet p;
  Fixture() {
    p.add("iommu.iotlb.sets", sets, "entries", "IOTLB sets", 1, 4096);
    p.add("memory.size", size, "bytes", "memory size");
    p.add("memory.base", base, "address", "memory base");
    p.add("memory.latency_ns", latency, "ns", "latency");
    p.add("iommu.enabled", enabled, "IOMMU present");
    p.add("iommu.iotlb.policy", policy, "replacement", {"lru", "fifo", "random"});
  }
};

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST_CASE("config: nested JSON flattens to dotted keys and sets typed values") {
  Fixture f;
  vp::platform::apply_config(f.p, nlohmann::json::parse(R"({
    "_comment": "ignored",
    "iommu": {"iotlb": {"sets": 128, "policy": "fifo"}, "enabled": false},
    "memory": {"size": "64G", "base": "0x80000000", "latency_ns": 7}
  })"));
  CHECK(f.sets == 128);
  CHECK(f.policy == "fifo");
  CHECK_FALSE(f.enabled);
  CHECK(f.size == 64ull << 30);
  CHECK(f.base == 0x8000'0000);
  CHECK(f.latency == 7.0);
}

TEST_CASE("config: errors name the key and suggest near misses") {
  Fixture f;
  auto msg = message_of([&] {
    vp::platform::apply_config(f.p, nlohmann::json::parse(R"({"iommu": {"iotlb": {"setz": 1}}})"));
  });
  CHECK(msg.find("unknown configuration key 'iommu.iotlb.setz'") != std::string::npos);
  CHECK(msg.find("did you mean 'iommu.iotlb.sets'") != std::string::npos);
  msg = message_of([&] { vp::platform::apply_override(f.p, "iommu.iotlb.sets=5000"); });
  CHECK(msg.find("'iommu.iotlb.sets'") != std::string::npos);
  CHECK(msg.find("out of range") != std::string::npos);
  msg = message_of([&] { vp::platform::apply_override(f.p, "iommu.iotlb.policy=lfu"); });
  CHECK(msg.find("'iommu.iotlb.policy'") != std::string::npos);
  msg = message_of([&] {
    vp::platform::apply_config(f.p, nlohmann::json::parse(R"({"iommu": {"enabled": 3}})"));
  });
  CHECK(msg.find("'iommu.enabled'") != std::string::npos);
  msg = message_of([&] {
    vp::platform::apply_config(f.p, nlohmann::json::parse(R"({"memory": {"size": -1}})"));
  });
  CHECK(msg.find("'memory.size'") != std::string::npos);
  CHECK_THROWS_AS(vp::platform::apply_override(f.p, "novalue"), ConfigError);
  CHECK(f.sets == 64);  // nothing half-applied by the failed overrides
}

TEST_CASE("config: a JSON syntax error names the file and position") {
  const std::string path = "platform_config_test_bad.json";
  std::ofstream(path) << "{\n  \"memory\": {\"size\": 12,}\n}\n";
  const auto msg = message_of([&] { vp::platform::load_config_file(path); });
  CHECK(msg.find(path) != std::string::npos);
  CHECK(msg.find("line 2") != std::string::npos);
  CHECK(message_of([] { vp::platform::load_config_file("/nonexistent.json"); })
            .find("cannot open") != std::string::npos);
}

TEST_CASE("config: dump round-trips and help lists every key with default and unit") {
  Fixture f;
  vp::platform::apply_override(f.p, "memory.size=2G");
  const auto dumped = vp::platform::dump_config(f.p);
  CHECK(dumped["memory"]["base"] == "0x1000");
  CHECK(dumped["memory"]["size"] == 2ull << 30);
  Fixture g;
  vp::platform::apply_config(g.p, dumped);
  CHECK(g.size == 2ull << 30);
  CHECK(vp::platform::dump_config(g.p) == dumped);
  const std::string text = vp::platform::help_config(f.p, false);
  for (const auto& param : f.p.list()) CHECK(text.find(param.key) != std::string::npos);
  CHECK(text.find("entries") != std::string::npos);
  CHECK(text.find("lru|fifo|random") != std::string::npos);
  const std::string md = vp::platform::help_config(f.p, true);
  CHECK(md.find("| `iommu.iotlb.sets` | uint | 64 | entries | 1..4096 |") != std::string::npos);
}

TEST_CASE("cli: options parse, unknown options are errors") {
  const char* argv[] = {"iommu-vp", "--config", "a.json", "--set", "x=1", "--set", "y=2",
                        "--scenario", "dma-copy", "--stats", "s.json", "--stats-table",
                        "--help-config=markdown"};
  const auto o = vp::platform::parse_cli(13, argv);
  CHECK(o.config_path == "a.json");
  CHECK(o.sets == std::vector<std::string>{"x=1", "y=2"});
  CHECK(o.scenario == "dma-copy");
  CHECK(o.stats_path == "s.json");
  CHECK(o.stats_table);
  CHECK(o.help_config);
  CHECK(o.help_config_markdown);
  const char* bad[] = {"iommu-vp", "--frobnicate"};
  CHECK_THROWS_AS(vp::platform::parse_cli(2, bad), vp::platform::CliError);
  const char* bad_fmt[] = {"iommu-vp", "--help-config=html"};
  CHECK_THROWS_AS(vp::platform::parse_cli(2, bad_fmt), vp::platform::CliError);
}

TEST_CASE("stats: JSON nests groups, keeps units apart and buckets histograms") {
  vp::platform::JsonStatsWriter w;
  vp::common::Histogram h;
  h.add(0);
  h.add(5);
  h.add(6);
  w.begin_group("iommu");
  w.begin_group("iotlb");
  w.value("hits", 10, "");
  w.value("hit_rate", 0.5, "%");
  w.end_group();
  w.histogram("latency", h, "ns");
  w.end_group();
  const auto& j = w.json();
  CHECK(j["stats"]["iommu"]["iotlb"]["hits"] == 10);
  CHECK(j["stats"]["iommu"]["iotlb"]["hit_rate"] == 0.5);
  CHECK(j["units"]["iommu.iotlb.hit_rate"] == "%");
  CHECK(j["stats"]["iommu"]["latency"]["count"] == 3);
  CHECK(j["stats"]["iommu"]["latency"]["buckets"] == nlohmann::json::parse("[[0,1],[4,2]]"));
  vp::platform::TableStatsWriter t;
  t.begin_group("iommu");
  t.value("hits", 10, "");
  t.end_group();
  std::ostringstream os;
  t.print(os);
  CHECK(os.str() == "iommu.hits  10\n");
}
