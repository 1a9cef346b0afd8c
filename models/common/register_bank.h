// Register bank: memory-mapped registers described as data (STYLE.md 5).
//
// Each register has a name, an offset, a width (4 or 8 bytes), a reset value
// and fields with an access policy. One rule serves every write:
//   RW   written bits are stored
//   RO   writes ignored (hardware updates through set())
//   W1C  writing 1 clears, 0 leaves
//   W1S  writing 1 sets, 0 leaves
//   WARL written value passes through the field's legalize hook, which
//        returns the legal value to store (for instance the old one)
// Bits not covered by any field are read-only zero (reserved).
//
// An access may cover part of a register (e.g. a 4-byte access to the upper
// half of a 64-bit register, RISC-V IOMMU 6: "registers may be accessed with
// 32-bit or 64-bit accesses") but must be naturally aligned, lie inside one
// register and use a power-of-two size. Byte enables are honoured. A bad
// access (misaligned, spanning registers, unmapped offset when the bank is
// strict, bad size) returns a TLM error response and logs one line; it never
// asserts.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <tlm>
#include <vector>

namespace vp::common {

enum class FieldAccess : uint8_t { kRW, kRO, kW1C, kW1S, kWARL };

struct RegisterField {
  std::string name;
  unsigned lsb = 0;
  unsigned width = 1;
  FieldAccess access = FieldAccess::kRW;
  // WARL only: (old field value, written field value) -> stored field value.
  std::function<uint64_t(uint64_t, uint64_t)> legalize;
  uint64_t mask() const { return (width >= 64 ? ~0ull : ((1ull << width) - 1)) << lsb; }
};

class Register {
 public:
  Register(std::string name, uint64_t offset, unsigned size, uint64_t reset)
      : name_(std::move(name)), offset_(offset), size_(size), reset_(reset), value_(reset) {}

  // Builder-style field declaration.
  Register& field(const std::string& name, unsigned lsb, unsigned width, FieldAccess access,
                  std::function<uint64_t(uint64_t, uint64_t)> legalize = nullptr);
  // Called after a software write changed the stored value: (old, new).
  Register& on_write(std::function<void(uint64_t, uint64_t)> hook) {
    write_hook_ = std::move(hook);
    return *this;
  }
  // Called on a software read; returns the value software sees (e.g. a live
  // counter). The stored value is passed in.
  Register& on_read(std::function<uint64_t(uint64_t)> hook) {
    read_hook_ = std::move(hook);
    return *this;
  }

  const std::string& name() const { return name_; }
  uint64_t offset() const { return offset_; }
  unsigned size() const { return size_; }
  uint64_t reset_value() const { return reset_; }
  const std::vector<RegisterField>& fields() const { return fields_; }

  // Hardware-side access: no policy, no hooks.
  uint64_t get() const { return value_; }
  void set(uint64_t v) { value_ = v & size_mask(); }
  uint64_t field_value(const std::string& field) const;
  void set_field(const std::string& field, uint64_t v);
  void reset() { value_ = reset_; }

  // Software access through the policy. `byte_mask` selects the bytes
  // written (bit i = byte i of the register). Returns the new value.
  uint64_t software_write(uint64_t data, uint64_t byte_mask);
  uint64_t software_read() const { return read_hook_ ? read_hook_(value_) : value_; }

 private:
  const RegisterField& find_field(const std::string& field) const;
  uint64_t size_mask() const { return size_ >= 8 ? ~0ull : ((1ull << (8 * size_)) - 1); }

  std::string name_;
  uint64_t offset_;
  unsigned size_;
  uint64_t reset_;
  uint64_t value_;
  std::vector<RegisterField> fields_;
  std::function<void(uint64_t, uint64_t)> write_hook_;
  std::function<uint64_t(uint64_t)> read_hook_;
};

class RegisterBank {
 public:
  // strict: unmapped offsets give TLM_ADDRESS_ERROR_RESPONSE; otherwise they
  // read as zero and ignore writes (logged once per offset either way).
  explicit RegisterBank(std::string name, bool strict = true)
      : name_(std::move(name)), strict_(strict) {}
  RegisterBank(const RegisterBank&) = delete;
  RegisterBank& operator=(const RegisterBank&) = delete;

  Register& add(const std::string& name, uint64_t offset, unsigned size, uint64_t reset = 0);
  Register& operator[](const std::string& name);
  const Register& operator[](const std::string& name) const;
  Register* at_offset(uint64_t offset);
  bool contains(const std::string& name) const { return by_name_.count(name) != 0; }

  // Completes a TLM transaction addressed relative to the bank base. Sets the
  // response status and returns it.
  tlm::tlm_response_status access(tlm::tlm_generic_payload& gp);
  // Convenience for models and tests: software-visible access of `size`
  // bytes. Returns false (and leaves *value unchanged) on a bad access.
  bool read(uint64_t offset, unsigned size, uint64_t* value);
  bool write(uint64_t offset, unsigned size, uint64_t value);

  void reset();
  const std::string& name() const { return name_; }
  uint64_t error_count() const { return errors_; }
  // Enables the one-line log on bad accesses (on by default).
  void set_logging(bool on) { log_ = on; }

 private:
  // Finds the register covering [offset, offset+size); nullptr if none or
  // the access is not inside exactly one register.
  Register* locate(uint64_t offset, unsigned size, uint64_t* reg_offset);
  tlm::tlm_response_status fail(const std::string& why, uint64_t offset,
                                tlm::tlm_response_status status);

  std::string name_;
  bool strict_;
  bool log_ = true;
  uint64_t errors_ = 0;
  std::map<uint64_t, Register> regs_;  // by offset
  std::map<std::string, uint64_t> by_name_;
};

}  // namespace vp::common
