#include "models/common/trace.h"

#include <cinttypes>
#include <cstdio>
#include <stdexcept>

namespace vp::common {

TraceWriter* TraceWriter::active_ = nullptr;

TraceWriter::TraceWriter(const std::string& path) : out_(path) {
  if (!out_) throw std::runtime_error("cannot write trace file '" + path + "'");
  out_ << "{\"displayTimeUnit\": \"ns\", \"traceEvents\": [\n"
       << "{\"ph\": \"M\", \"pid\": 1, \"name\": \"process_name\", \"args\": {\"name\": "
          "\"iommu-vp\"}}";
}

TraceWriter::~TraceWriter() {
  close();
  if (active_ == this) active_ = nullptr;
}

unsigned TraceWriter::track(const std::string& name) {
  auto it = tracks_.find(name);
  if (it != tracks_.end()) return it->second;
  const unsigned id = unsigned(tracks_.size()) + 1;
  tracks_.emplace(name, id);
  if (!closed_) {
    out_ << ",\n{\"ph\": \"M\", \"pid\": 1, \"tid\": " << id
         << ", \"name\": \"thread_name\", \"args\": {\"name\": \"" << name << "\"}}";
  }
  return id;
}

void TraceWriter::event_head(char phase, unsigned track, const char* name,
                             const sc_core::sc_time& at) {
  char ts[48];
  // Microseconds with picosecond digits: the format's unit is the us.
  std::snprintf(ts, sizeof ts, "%.6f", at.to_seconds() * 1e6);
  out_ << ",\n{\"ph\": \"" << phase << "\", \"pid\": 1, \"tid\": " << track << ", \"name\": \""
       << name << "\", \"ts\": " << ts;
  ++events_;
}

void TraceWriter::args(std::initializer_list<TraceArg> list) {
  if (list.size() == 0) return;
  out_ << ", \"args\": {";
  bool first = true;
  for (const TraceArg& a : list) {
    out_ << (first ? "" : ", ") << '"' << a.key << "\": ";
    if (a.hex) {
      char buf[24];
      std::snprintf(buf, sizeof buf, "\"0x%" PRIx64 "\"", a.value);
      out_ << buf;
    } else {
      out_ << a.value;
    }
    first = false;
  }
  out_ << '}';
}

void TraceWriter::span(unsigned track, const char* name, const sc_core::sc_time& start,
                       const sc_core::sc_time& duration, std::initializer_list<TraceArg> list) {
  if (closed_) return;
  event_head('X', track, name, start);
  char dur[48];
  std::snprintf(dur, sizeof dur, "%.6f", duration.to_seconds() * 1e6);
  out_ << ", \"dur\": " << dur;
  args(list);
  out_ << '}';
}

void TraceWriter::instant(unsigned track, const char* name, const sc_core::sc_time& at,
                          std::initializer_list<TraceArg> list) {
  if (closed_) return;
  event_head('i', track, name, at);
  out_ << ", \"s\": \"t\"";
  args(list);
  out_ << '}';
}

void TraceWriter::close() {
  if (closed_) return;
  closed_ = true;
  out_ << "\n]}\n";
  out_.flush();
}

}  // namespace vp::common
