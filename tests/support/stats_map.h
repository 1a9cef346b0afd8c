// A StatsVisitor that keeps every reported value under its dotted path
// ("iommu.iotlb.hits"), for tests that check a model's statistics.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "models/common/statistics.h"

namespace vp::test {

struct StatsMap : vp::common::StatsVisitor {
  std::map<std::string, double> values;
  std::vector<std::string> path;

  void begin_group(const std::string& name) override { path.push_back(name); }
  void end_group() override {
    if (!path.empty()) path.pop_back();
  }
  void value(const std::string& name, double v, const std::string&) override {
    values[prefix() + name] = v;
  }
  void histogram(const std::string&, const vp::common::Histogram&, const std::string&) override {}

  // The value at `key` (0 when never reported).
  double operator[](const std::string& key) const {
    const auto it = values.find(key);
    return it == values.end() ? 0.0 : it->second;
  }

 private:
  std::string prefix() const {
    std::string p;
    for (const std::string& g : path) p += g + ".";
    return p;
  }
};

// Statistics of anything with report_stats(StatsVisitor&).
template <typename Model>
StatsMap stats_of(const Model& m) {
  StatsMap s;
  m.report_stats(s);
  return s;
}

}  // namespace vp::test
