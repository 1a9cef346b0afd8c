// Parameter registry: every model parameter has a key, a type, a unit, a
// doc string and a default in one place (STYLE.md practice 9).
//
// A model keeps its parameters in a plain struct with default member values
// and a `declare(ParameterSet&, prefix)` method that binds each field to a
// key. The platform binds all structs of a VP into one set, then applies the
// JSON config and `--set key=value` overrides; `--help-config` and the
// README table are generated from the same set. A model used in another
// SystemC platform can ignore this and fill its struct directly.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace vp::common {

// Raised for an unknown key or a value that does not parse or is out of range.
// The message always names the key.
class ParameterError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class ParamType { kUnsigned, kSigned, kDouble, kBool, kString };

struct Parameter {
  std::string key;
  ParamType type;
  std::string unit;  // "ns", "cycles", "bytes", "entries", "" ...
  std::string doc;
  std::string default_text;
  std::vector<std::string> choices;  // strings only; empty = any
  double min = 0, max = 0;           // numbers only; min > max = unbounded
  std::function<void(const std::string&)> set;  // parses and stores
  std::function<std::string()> get;             // current value as text
};

class ParameterSet {
 public:
  // Integers accept decimal, 0x hex, and for unit "bytes" the suffixes
  // K, M, G, T (powers of 1024), e.g. "64G".
  void add(const std::string& key, uint64_t& field, const std::string& unit,
           const std::string& doc, uint64_t min = 0, uint64_t max = UINT64_MAX);
  void add(const std::string& key, uint32_t& field, const std::string& unit,
           const std::string& doc, uint32_t min = 0, uint32_t max = UINT32_MAX);
  void add(const std::string& key, int64_t& field, const std::string& unit,
           const std::string& doc);
  void add(const std::string& key, double& field, const std::string& unit,
           const std::string& doc, double min = 0, double max = 1e300);
  void add(const std::string& key, bool& field, const std::string& doc);
  void add(const std::string& key, std::string& field, const std::string& doc,
           std::vector<std::string> choices = {});

  bool has(const std::string& key) const { return index_.count(key) != 0; }
  // Throws ParameterError naming the key.
  void set(const std::string& key, const std::string& text);
  std::string get(const std::string& key) const;
  const Parameter& find(const std::string& key) const;
  // In declaration order.
  const std::vector<Parameter>& list() const { return params_; }
  // Keys that start with `prefix`.
  std::vector<std::string> keys_with_prefix(const std::string& prefix) const;

  static uint64_t parse_unsigned(const std::string& key, const std::string& text, bool bytes);
  static double parse_double(const std::string& key, const std::string& text);
  static bool parse_bool(const std::string& key, const std::string& text);

 private:
  Parameter& insert(Parameter p);
  std::vector<Parameter> params_;
  std::map<std::string, size_t> index_;
};

}  // namespace vp::common
