#include "models/common/parameters.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <sstream>

namespace vp::common {

namespace {

std::string format_double(double v) {
  std::ostringstream os;
  os << v;
  return os.str();
}

}  // namespace

uint64_t ParameterSet::parse_unsigned(const std::string& key, const std::string& text,
                                      bool bytes) {
  if (text.empty() || text[0] == '-' || text[0] == '+' || text[0] == ' ')
    throw ParameterError("parameter '" + key + "': '" + text + "' is not an unsigned integer");
  std::string digits = text;
  uint64_t scale = 1;
  if (bytes && !digits.empty()) {
    switch (digits.back()) {
      case 'K': case 'k': scale = 1ull << 10; break;
      case 'M': case 'm': scale = 1ull << 20; break;
      case 'G': case 'g': scale = 1ull << 30; break;
      case 'T': case 't': scale = 1ull << 40; break;
      default: break;
    }
    if (scale != 1) digits.pop_back();
  }
  errno = 0;
  char* end = nullptr;
  const unsigned long long v = std::strtoull(digits.c_str(), &end, 0);
  if (digits.empty() || *end != '\0' || errno == ERANGE)
    throw ParameterError("parameter '" + key + "': '" + text + "' is not an unsigned integer" +
                         (bytes ? " (suffixes K, M, G, T allowed)" : ""));
  if (scale != 1 && v > UINT64_MAX / scale)
    throw ParameterError("parameter '" + key + "': '" + text + "' overflows 64 bits");
  return v * scale;
}

double ParameterSet::parse_double(const std::string& key, const std::string& text) {
  errno = 0;
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || errno == ERANGE || !std::isfinite(v))
    throw ParameterError("parameter '" + key + "': '" + text + "' is not a number");
  return v;
}

bool ParameterSet::parse_bool(const std::string& key, const std::string& text) {
  if (text == "true" || text == "1" || text == "on" || text == "yes") return true;
  if (text == "false" || text == "0" || text == "off" || text == "no") return false;
  throw ParameterError("parameter '" + key + "': '" + text + "' is not a boolean (true/false)");
}

Parameter& ParameterSet::insert(Parameter p) {
  if (index_.count(p.key)) throw ParameterError("parameter '" + p.key + "' declared twice");
  p.default_text = p.get();
  index_[p.key] = params_.size();
  params_.push_back(std::move(p));
  return params_.back();
}

void ParameterSet::add(const std::string& key, uint64_t& field, const std::string& unit,
                       const std::string& doc, uint64_t min, uint64_t max) {
  Parameter p{key, ParamType::kUnsigned, unit, doc, "", {}, double(min), double(max), {}, {}};
  const bool bytes = unit == "bytes";
  p.set = [&field, key, bytes, min, max](const std::string& text) {
    const uint64_t v = parse_unsigned(key, text, bytes);
    if (v < min || v > max)
      throw ParameterError("parameter '" + key + "': " + text + " is out of range [" +
                           std::to_string(min) + ", " + std::to_string(max) + "]");
    field = v;
  };
  if (unit == "address") {
    p.get = [&field] {
      std::ostringstream os;
      os << "0x" << std::hex << field;
      return os.str();
    };
  } else {
    p.get = [&field] { return std::to_string(field); };
  }
  insert(std::move(p));
}

void ParameterSet::add(const std::string& key, uint32_t& field, const std::string& unit,
                       const std::string& doc, uint32_t min, uint32_t max) {
  Parameter p{key, ParamType::kUnsigned, unit, doc, "", {}, double(min), double(max), {}, {}};
  const bool bytes = unit == "bytes";
  p.set = [&field, key, bytes, min, max](const std::string& text) {
    const uint64_t v = parse_unsigned(key, text, bytes);
    if (v < min || v > max)
      throw ParameterError("parameter '" + key + "': " + text + " is out of range [" +
                           std::to_string(min) + ", " + std::to_string(max) + "]");
    field = static_cast<uint32_t>(v);
  };
  p.get = [&field] { return std::to_string(field); };
  insert(std::move(p));
}

void ParameterSet::add(const std::string& key, int64_t& field, const std::string& unit,
                       const std::string& doc) {
  Parameter p{key, ParamType::kSigned, unit, doc, "", {}, 1, 0, {}, {}};
  p.set = [&field, key](const std::string& text) {
    errno = 0;
    char* end = nullptr;
    const long long v = std::strtoll(text.c_str(), &end, 0);
    if (text.empty() || *end != '\0' || errno == ERANGE)
      throw ParameterError("parameter '" + key + "': '" + text + "' is not an integer");
    field = v;
  };
  p.get = [&field] { return std::to_string(field); };
  insert(std::move(p));
}

void ParameterSet::add(const std::string& key, double& field, const std::string& unit,
                       const std::string& doc, double min, double max) {
  Parameter p{key, ParamType::kDouble, unit, doc, "", {}, min, max, {}, {}};
  p.set = [&field, key, min, max](const std::string& text) {
    const double v = parse_double(key, text);
    if (v < min || v > max)
      throw ParameterError("parameter '" + key + "': " + text + " is out of range [" +
                           format_double(min) + ", " + format_double(max) + "]");
    field = v;
  };
  p.get = [&field] { return format_double(field); };
  insert(std::move(p));
}

void ParameterSet::add(const std::string& key, bool& field, const std::string& doc) {
  Parameter p{key, ParamType::kBool, "", doc, "", {}, 1, 0, {}, {}};
  p.set = [&field, key](const std::string& text) { field = parse_bool(key, text); };
  p.get = [&field] { return std::string(field ? "true" : "false"); };
  insert(std::move(p));
}

void ParameterSet::add(const std::string& key, std::string& field, const std::string& doc,
                       std::vector<std::string> choices) {
  Parameter p{key, ParamType::kString, "", doc, "", choices, 1, 0, {}, {}};
  p.set = [&field, key, choices](const std::string& text) {
    if (!choices.empty()) {
      bool ok = false;
      for (const auto& c : choices) ok = ok || c == text;
      if (!ok) {
        std::string all;
        for (const auto& c : choices) all += (all.empty() ? "" : ", ") + c;
        throw ParameterError("parameter '" + key + "': '" + text + "' is not one of: " + all);
      }
    }
    field = text;
  };
  p.get = [&field] { return field; };
  insert(std::move(p));
}

const Parameter& ParameterSet::find(const std::string& key) const {
  auto it = index_.find(key);
  if (it == index_.end()) throw ParameterError("unknown parameter '" + key + "'");
  return params_[it->second];
}

void ParameterSet::set(const std::string& key, const std::string& text) { find(key).set(text); }

std::string ParameterSet::get(const std::string& key) const { return find(key).get(); }

std::vector<std::string> ParameterSet::keys_with_prefix(const std::string& prefix) const {
  std::vector<std::string> out;
  for (const auto& p : params_)
    if (p.key.compare(0, prefix.size(), prefix) == 0) out.push_back(p.key);
  return out;
}

}  // namespace vp::common
