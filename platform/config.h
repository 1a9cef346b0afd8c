// JSON configuration: one file describes the platform; every leaf is a
// parameter key of the registry (models/common/parameters.h).
//
// Nested objects flatten to dotted keys: {"iommu": {"iotlb": {"sets": 64}}}
// sets "iommu.iotlb.sets". Keys starting with "_comment" or "$schema" are
// ignored. Unknown keys, wrong types and bad values raise ConfigError naming
// the key (with a suggestion for a near miss), before simulation starts.
#pragma once

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "models/common/parameters.h"

namespace vp::platform {

class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Reads and parses a JSON file; errors name the file (and line/column).
nlohmann::json load_config_file(const std::string& path);
// Applies every leaf of `config` to `params`.
void apply_config(vp::common::ParameterSet& params, const nlohmann::json& config);
// Applies one "key=value" override (the CLI's --set).
void apply_override(vp::common::ParameterSet& params, const std::string& assignment);
// Every key with its current value, nested; round-trips through apply_config.
nlohmann::json dump_config(const vp::common::ParameterSet& params);
// Every key with type, default, unit, range and doc: aligned text or a
// Markdown table (the README's parameter table).
std::string help_config(const vp::common::ParameterSet& params, bool markdown);

}  // namespace vp::platform
