#include "platform/stats_writer.h"

#include <cmath>
#include <fstream>
#include <iomanip>
#include <sstream>
#include <stdexcept>

namespace vp::platform {

namespace {
std::string format_number(double v) {
  std::ostringstream os;
  if (std::floor(v) == v && std::fabs(v) < 1e18)
    os << static_cast<long long>(v);
  else
    os << std::setprecision(6) << v;
  return os.str();
}
}  // namespace

JsonStatsWriter::JsonStatsWriter() : root_(nlohmann::json::object()) {
  root_["stats"] = nlohmann::json::object();
  root_["units"] = nlohmann::json::object();
}

nlohmann::json& JsonStatsWriter::current() {
  nlohmann::json* node = &root_["stats"];
  for (const auto& p : path_) node = &(*node)[p];
  return *node;
}

std::string JsonStatsWriter::dotted(const std::string& name) const {
  std::string s;
  for (const auto& p : path_) s += p + ".";
  return s + name;
}

void JsonStatsWriter::begin_group(const std::string& name) {
  path_.push_back(name);
  nlohmann::json& node = current();
  if (!node.is_object()) node = nlohmann::json::object();
}

void JsonStatsWriter::end_group() {
  if (!path_.empty()) path_.pop_back();
}

void JsonStatsWriter::value(const std::string& name, double v, const std::string& unit) {
  if (std::floor(v) == v && std::fabs(v) < 9e15)
    current()[name] = static_cast<int64_t>(v);
  else
    current()[name] = v;
  if (!unit.empty()) root_["units"][dotted(name)] = unit;
}

void JsonStatsWriter::histogram(const std::string& name, const vp::common::Histogram& h,
                                const std::string& unit) {
  nlohmann::json j;
  j["count"] = h.count();
  j["mean"] = h.mean();
  j["min"] = h.min();
  j["max"] = h.max();
  j["unit"] = unit;
  nlohmann::json buckets = nlohmann::json::array();
  for (unsigned i = 0; i < vp::common::Histogram::kBuckets; ++i)
    if (h.buckets()[i]) buckets.push_back({vp::common::Histogram::bucket_low(i), h.buckets()[i]});
  j["buckets"] = buckets;
  current()[name] = j;
}

void JsonStatsWriter::write(const std::string& path) const {
  std::ofstream out(path);
  if (!out) throw std::runtime_error("cannot write statistics file '" + path + "'");
  out << root_.dump(2) << "\n";
  if (!out) throw std::runtime_error("error writing statistics file '" + path + "'");
}

std::string TableStatsWriter::dotted(const std::string& name) const {
  std::string s;
  for (const auto& p : path_) s += p + ".";
  return s + name;
}

void TableStatsWriter::value(const std::string& name, double v, const std::string& unit) {
  rows_.emplace_back(dotted(name), format_number(v) + (unit.empty() ? "" : " " + unit));
}

void TableStatsWriter::histogram(const std::string& name, const vp::common::Histogram& h,
                                 const std::string& unit) {
  std::ostringstream os;
  os << "n=" << h.count() << " mean=" << format_number(h.mean()) << " min=" << h.min()
     << " max=" << h.max() << (unit.empty() ? "" : " " + unit);
  rows_.emplace_back(dotted(name), os.str());
}

void TableStatsWriter::print(std::ostream& os) const {
  size_t w = 4;
  for (const auto& r : rows_) w = std::max(w, r.first.size());
  for (const auto& r : rows_)
    os << std::left << std::setw(int(w) + 2) << r.first << r.second << "\n";
}

}  // namespace vp::platform
