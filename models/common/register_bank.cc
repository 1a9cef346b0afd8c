#include "models/common/register_bank.h"

#include <sstream>
#include <stdexcept>
#include <systemc>

namespace vp::common {

Register& Register::field(const std::string& name, unsigned lsb, unsigned width,
                          FieldAccess access,
                          std::function<uint64_t(uint64_t, uint64_t)> legalize) {
  RegisterField f{name, lsb, width, access, std::move(legalize)};
  if (width == 0 || lsb + width > 8 * size_)
    throw std::invalid_argument("register " + name_ + ": field " + name + " out of range");
  for (const auto& other : fields_)
    if (other.mask() & f.mask())
      throw std::invalid_argument("register " + name_ + ": field " + name + " overlaps " +
                                  other.name);
  if (access == FieldAccess::kWARL && !f.legalize)
    throw std::invalid_argument("register " + name_ + ": WARL field " + name +
                                " needs a legalize hook");
  fields_.push_back(std::move(f));
  return *this;
}

const RegisterField& Register::find_field(const std::string& field) const {
  for (const auto& f : fields_)
    if (f.name == field) return f;
  throw std::invalid_argument("register " + name_ + " has no field " + field);
}

uint64_t Register::field_value(const std::string& field) const {
  const auto& f = find_field(field);
  return (value_ & f.mask()) >> f.lsb;
}

void Register::set_field(const std::string& field, uint64_t v) {
  const auto& f = find_field(field);
  value_ = (value_ & ~f.mask()) | ((v << f.lsb) & f.mask());
}

uint64_t Register::software_write(uint64_t data, uint64_t byte_mask) {
  uint64_t bits = 0;  // bits covered by the access
  for (unsigned i = 0; i < size_; ++i)
    if (byte_mask & (1ull << i)) bits |= 0xffull << (8 * i);
  const uint64_t old = value_;
  uint64_t next = old;
  for (const auto& f : fields_) {
    const uint64_t m = f.mask() & bits;
    if (!m) continue;
    switch (f.access) {
      case FieldAccess::kRW: next = (next & ~m) | (data & m); break;
      case FieldAccess::kRO: break;
      case FieldAccess::kW1C: next &= ~(data & m); break;
      case FieldAccess::kW1S: next |= data & m; break;
      case FieldAccess::kWARL: {
        // Bytes of the field outside the access keep their old value.
        const uint64_t merged = ((old & ~bits) | (data & bits)) & f.mask();
        const uint64_t legal = f.legalize((old & f.mask()) >> f.lsb, merged >> f.lsb);
        next = (next & ~f.mask()) | ((legal << f.lsb) & f.mask());
        break;
      }
    }
  }
  value_ = next & size_mask();
  if (write_hook_) write_hook_(old, value_);
  return value_;
}

Register& RegisterBank::add(const std::string& name, uint64_t offset, unsigned size,
                            uint64_t reset) {
  if (size != 4 && size != 8)
    throw std::invalid_argument(name_ + ": register " + name + " must be 4 or 8 bytes");
  if (offset % size)
    throw std::invalid_argument(name_ + ": register " + name + " is misaligned");
  if (by_name_.count(name)) throw std::invalid_argument(name_ + ": duplicate register " + name);
  // Reject overlap with neighbours.
  auto next = regs_.lower_bound(offset);
  if (next != regs_.end() && next->first < offset + size)
    throw std::invalid_argument(name_ + ": register " + name + " overlaps " + next->second.name());
  if (next != regs_.begin()) {
    auto prev = std::prev(next);
    if (prev->first + prev->second.size() > offset)
      throw std::invalid_argument(name_ + ": register " + name + " overlaps " +
                                  prev->second.name());
  }
  by_name_[name] = offset;
  return regs_.emplace(offset, Register(name, offset, size, reset)).first->second;
}

Register& RegisterBank::operator[](const std::string& name) {
  auto it = by_name_.find(name);
  if (it == by_name_.end()) throw std::invalid_argument(name_ + ": no register " + name);
  return regs_.at(it->second);
}

const Register& RegisterBank::operator[](const std::string& name) const {
  auto it = by_name_.find(name);
  if (it == by_name_.end()) throw std::invalid_argument(name_ + ": no register " + name);
  return regs_.at(it->second);
}

Register* RegisterBank::at_offset(uint64_t offset) {
  auto it = regs_.find(offset);
  return it == regs_.end() ? nullptr : &it->second;
}

Register* RegisterBank::locate(uint64_t offset, unsigned size, uint64_t* reg_offset) {
  auto it = regs_.upper_bound(offset);
  if (it == regs_.begin()) return nullptr;
  --it;
  Register& r = it->second;
  if (offset + size > r.offset() + r.size()) return nullptr;
  *reg_offset = offset - r.offset();
  return &r;
}

tlm::tlm_response_status RegisterBank::fail(const std::string& why, uint64_t offset,
                                            tlm::tlm_response_status status) {
  ++errors_;
  if (log_) {
    std::ostringstream os;
    os << why << " at offset 0x" << std::hex << offset;
    SC_REPORT_WARNING(name_.c_str(), os.str().c_str());
  }
  return status;
}

tlm::tlm_response_status RegisterBank::access(tlm::tlm_generic_payload& gp) {
  const uint64_t offset = gp.get_address();
  const unsigned len = gp.get_data_length();
  auto status = tlm::TLM_OK_RESPONSE;
  if (gp.get_streaming_width() != 0 && gp.get_streaming_width() < len) {
    status = fail("streaming access not supported", offset, tlm::TLM_BURST_ERROR_RESPONSE);
  } else if (len != 1 && len != 2 && len != 4 && len != 8) {
    status = fail("access size " + std::to_string(len) + " not supported", offset,
                  tlm::TLM_BURST_ERROR_RESPONSE);
  } else if (offset % len) {
    status = fail("misaligned " + std::to_string(len) + "-byte access", offset,
                  tlm::TLM_ADDRESS_ERROR_RESPONSE);
  } else if (gp.get_command() == tlm::TLM_IGNORE_COMMAND) {
    status = tlm::TLM_OK_RESPONSE;
  } else {
    uint64_t within = 0;
    Register* r = locate(offset, len, &within);
    unsigned char* data = gp.get_data_ptr();
    const unsigned char* be = gp.get_byte_enable_ptr();
    const unsigned be_len = gp.get_byte_enable_length();
    auto enabled = [&](unsigned i) { return !be || be[i % be_len] == TLM_BYTE_ENABLED; };
    if (!r) {
      if (strict_) {
        status = fail("no register", offset, tlm::TLM_ADDRESS_ERROR_RESPONSE);
      } else {
        if (gp.is_read())
          for (unsigned i = 0; i < len; ++i)
            if (enabled(i)) data[i] = 0;
      }
    } else if (gp.is_read()) {
      const uint64_t v = r->software_read() >> (8 * within);
      for (unsigned i = 0; i < len; ++i)
        if (enabled(i)) data[i] = static_cast<unsigned char>(v >> (8 * i));
    } else {
      uint64_t v = 0, mask = 0;
      for (unsigned i = 0; i < len; ++i) {
        if (!enabled(i)) continue;
        v |= uint64_t(data[i]) << (8 * (i + within));
        mask |= 1ull << (i + within);
      }
      if (mask) r->software_write(v, mask);
    }
  }
  gp.set_response_status(status);
  return status;
}

bool RegisterBank::read(uint64_t offset, unsigned size, uint64_t* value) {
  uint64_t v = 0;
  tlm::tlm_generic_payload gp;
  gp.set_command(tlm::TLM_READ_COMMAND);
  gp.set_address(offset);
  gp.set_data_ptr(reinterpret_cast<unsigned char*>(&v));
  gp.set_data_length(size);
  gp.set_streaming_width(size);
  if (size > 8 || access(gp) != tlm::TLM_OK_RESPONSE) return false;
  *value = v;
  return true;
}

bool RegisterBank::write(uint64_t offset, unsigned size, uint64_t value) {
  tlm::tlm_generic_payload gp;
  gp.set_command(tlm::TLM_WRITE_COMMAND);
  gp.set_address(offset);
  gp.set_data_ptr(reinterpret_cast<unsigned char*>(&value));
  gp.set_data_length(size);
  gp.set_streaming_width(size);
  return size <= 8 && access(gp) == tlm::TLM_OK_RESPONSE;
}

void RegisterBank::reset() {
  for (auto& [off, r] : regs_) r.reset();
}

}  // namespace vp::common
