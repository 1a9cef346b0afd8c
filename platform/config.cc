#include "platform/config.h"

#include <algorithm>
#include <fstream>
#include <iomanip>
#include <sstream>

namespace vp::platform {

using vp::common::ParameterSet;
using vp::common::ParamType;

namespace {

size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] != b[j - 1])});
      diag = up;
    }
  }
  return row[b.size()];
}

std::string unknown_key_message(const ParameterSet& params, const std::string& key) {
  std::string best;
  size_t best_d = ~size_t(0);
  for (const auto& p : params.list()) {
    const size_t d = edit_distance(key, p.key);
    if (d < best_d) {
      best_d = d;
      best = p.key;
    }
  }
  std::string msg = "unknown configuration key '" + key + "'";
  if (!best.empty() && best_d <= std::max<size_t>(2, key.size() / 5))
    msg += " (did you mean '" + best + "'?)";
  return msg + "; --help-config lists every key";
}

bool ignored_key(const std::string& k) {
  return k.rfind("_comment", 0) == 0 || k == "$schema";
}

void set_key(ParameterSet& params, const std::string& key, const std::string& text) {
  if (!params.has(key)) throw ConfigError(unknown_key_message(params, key));
  try {
    params.set(key, text);
  } catch (const vp::common::ParameterError& e) {
    throw ConfigError(e.what());
  }
}

void apply_node(ParameterSet& params, const std::string& prefix, const nlohmann::json& node) {
  for (auto it = node.begin(); it != node.end(); ++it) {
    if (ignored_key(it.key())) continue;
    const std::string key = prefix.empty() ? it.key() : prefix + "." + it.key();
    const nlohmann::json& v = it.value();
    if (v.is_object()) {
      if (params.has(key))
        throw ConfigError("configuration key '" + key + "' takes a value, not an object");
      apply_node(params, key, v);
      continue;
    }
    if (!params.has(key)) throw ConfigError(unknown_key_message(params, key));
    const ParamType type = params.find(key).type;
    std::string text;
    if (v.is_string()) {
      text = v.get<std::string>();
    } else if (v.is_boolean()) {
      if (type != ParamType::kBool)
        throw ConfigError("configuration key '" + key + "': expected a " +
                          (type == ParamType::kString ? "string" : "number") + ", got a boolean");
      text = v.get<bool>() ? "true" : "false";
    } else if (v.is_number_unsigned()) {
      text = std::to_string(v.get<uint64_t>());
    } else if (v.is_number_integer()) {
      text = std::to_string(v.get<int64_t>());
    } else if (v.is_number_float()) {
      std::ostringstream os;
      os << std::setprecision(17) << v.get<double>();
      text = os.str();
    } else {
      throw ConfigError("configuration key '" + key + "': unsupported value " + v.dump());
    }
    if (type == ParamType::kBool && !v.is_boolean() && !v.is_string())
      throw ConfigError("configuration key '" + key + "': expected true or false, got " + v.dump());
    set_key(params, key, text);
  }
}

std::string type_name(ParamType t) {
  switch (t) {
    case ParamType::kUnsigned:
      return "uint";
    case ParamType::kSigned:
      return "int";
    case ParamType::kDouble:
      return "real";
    case ParamType::kBool:
      return "bool";
    case ParamType::kString:
      return "string";
  }
  return "?";
}

std::string range_text(const vp::common::Parameter& p) {
  if (!p.choices.empty()) {
    std::string s;
    for (const auto& c : p.choices) s += (s.empty() ? "" : "|") + c;
    return s;
  }
  if (p.type == ParamType::kUnsigned && p.max != double(UINT64_MAX) &&
      p.max != double(UINT32_MAX)) {
    std::ostringstream os;
    os << std::setprecision(15) << p.min << ".." << p.max;
    return os.str();
  }
  return "";
}

}  // namespace

nlohmann::json load_config_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ConfigError("cannot open configuration file '" + path + "'");
  try {
    return nlohmann::json::parse(in, nullptr, true, /*ignore_comments=*/true);
  } catch (const nlohmann::json::parse_error& e) {
    throw ConfigError("configuration file '" + path + "': " + e.what());
  }
}

void apply_config(ParameterSet& params, const nlohmann::json& config) {
  if (!config.is_object()) throw ConfigError("configuration must be a JSON object");
  apply_node(params, "", config);
}

void apply_override(ParameterSet& params, const std::string& assignment) {
  const auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0)
    throw ConfigError("--set expects key=value, got '" + assignment + "'");
  set_key(params, assignment.substr(0, eq), assignment.substr(eq + 1));
}

nlohmann::json dump_config(const ParameterSet& params) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& p : params.list()) {
    nlohmann::json* node = &out;
    std::string rest = p.key;
    for (size_t dot; (dot = rest.find('.')) != std::string::npos; rest = rest.substr(dot + 1))
      node = &(*node)[rest.substr(0, dot)];
    const std::string value = p.get();
    switch (p.type) {
      case ParamType::kUnsigned:
        // Addresses stay readable as hex strings; both forms are accepted.
        if (p.unit == "address")
          (*node)[rest] = value;
        else
          (*node)[rest] = std::stoull(value, nullptr, 0);
        break;
      case ParamType::kSigned:
        (*node)[rest] = std::stoll(value);
        break;
      case ParamType::kDouble:
        (*node)[rest] = std::stod(value);
        break;
      case ParamType::kBool:
        (*node)[rest] = value == "true";
        break;
      case ParamType::kString:
        (*node)[rest] = value;
        break;
    }
  }
  return out;
}

std::string help_config(const ParameterSet& params, bool markdown) {
  std::ostringstream os;
  if (markdown) {
    os << "| key | type | default | unit | range | description |\n";
    os << "|---|---|---|---|---|---|\n";
    for (const auto& p : params.list())
      os << "| `" << p.key << "` | " << type_name(p.type) << " | " << p.default_text << " | "
         << p.unit << " | " << range_text(p) << " | " << p.doc << " |\n";
    return os.str();
  }
  size_t kw = 3, dw = 7;
  for (const auto& p : params.list()) {
    kw = std::max(kw, p.key.size());
    dw = std::max(dw, p.default_text.size());
  }
  for (const auto& p : params.list()) {
    os << std::left << std::setw(int(kw) + 2) << p.key << std::setw(7) << type_name(p.type)
       << std::setw(int(dw) + 2) << p.default_text << std::setw(9) << p.unit << p.doc;
    const std::string r = range_text(p);
    if (!r.empty()) os << " [" << r << "]";
    os << "\n";
  }
  return os.str();
}

}  // namespace vp::platform
