// Statistics output: the platform walks every model with one of these
// visitors (models/common/statistics.h).
//
// JSON layout: {"stats": {...}, "units": {...}, plus sections the caller
// adds}. Under "stats" groups become objects and values plain numbers; the
// unit of a value, if any, sits in "units" keyed by its dotted name, so
// consumers read numbers without unpacking.
// A histogram becomes {"count","mean","min","max","unit","buckets":[[low,
// count], ...]} with empty buckets left out.
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "models/common/statistics.h"

namespace vp::platform {

class JsonStatsWriter : public vp::common::StatsVisitor {
 public:
  JsonStatsWriter();
  void begin_group(const std::string& name) override;
  void end_group() override;
  void value(const std::string& name, double v, const std::string& unit) override;
  void histogram(const std::string& name, const vp::common::Histogram& h,
                 const std::string& unit) override;

  // Adds a top-level object (e.g. "run": summary of the scenario).
  void add_section(const std::string& name, const nlohmann::json& j) { root_[name] = j; }
  const nlohmann::json& json() const { return root_; }
  // Throws std::runtime_error naming the path on I/O failure.
  void write(const std::string& path) const;

 private:
  nlohmann::json& current();
  std::string dotted(const std::string& name) const;
  nlohmann::json root_;
  std::vector<std::string> path_;
};

// Human-readable table: one line per value, dotted names.
class TableStatsWriter : public vp::common::StatsVisitor {
 public:
  void begin_group(const std::string& name) override { path_.push_back(name); }
  void end_group() override { path_.pop_back(); }
  void value(const std::string& name, double v, const std::string& unit) override;
  void histogram(const std::string& name, const vp::common::Histogram& h,
                 const std::string& unit) override;
  void print(std::ostream& os) const;

 private:
  std::string dotted(const std::string& name) const;
  std::vector<std::string> path_;
  std::vector<std::pair<std::string, std::string>> rows_;  // name, value+unit
};

}  // namespace vp::platform
