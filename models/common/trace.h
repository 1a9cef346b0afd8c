// Transaction trace in Chrome trace-event JSON, readable by Perfetto
// (ui.perfetto.dev) and chrome://tracing: one track per named activity
// (e.g. "vp.iommu.walker"), spans for things that take simulated time
// (a page-table walk, a DMA descriptor), instants for events (a fault).
//
// Tracing is off unless a TraceWriter is made active (iommu-vp --trace
// FILE). Models check TraceWriter::active() (one pointer load) before
// building anything, so the hot paths pay nothing when it is off.
#pragma once

#include <cstdint>
#include <fstream>
#include <initializer_list>
#include <map>
#include <string>
#include <systemc>

namespace vp::common {

// One argument of a trace event; `hex` renders the value as "0x..." text.
struct TraceArg {
  const char* key;
  uint64_t value;
  bool hex = false;
};

class TraceWriter {
 public:
  // Opens `path` for writing; throws std::runtime_error if it cannot.
  explicit TraceWriter(const std::string& path);
  ~TraceWriter();
  TraceWriter(const TraceWriter&) = delete;
  TraceWriter& operator=(const TraceWriter&) = delete;

  // The writer models report to, or nullptr.
  static TraceWriter* active() { return active_; }
  static void set_active(TraceWriter* w) { active_ = w; }

  // Track id for a name (created on first use, named in the output).
  unsigned track(const std::string& name);
  void span(unsigned track, const char* name, const sc_core::sc_time& start,
            const sc_core::sc_time& duration, std::initializer_list<TraceArg> args = {});
  void instant(unsigned track, const char* name, const sc_core::sc_time& at,
               std::initializer_list<TraceArg> args = {});
  // Ends the JSON document; further events are dropped.
  void close();
  uint64_t events() const { return events_; }

 private:
  void event_head(char phase, unsigned track, const char* name, const sc_core::sc_time& at);
  void args(std::initializer_list<TraceArg> args);

  static TraceWriter* active_;
  std::ofstream out_;
  std::map<std::string, unsigned> tracks_;
  uint64_t events_ = 0;
  bool closed_ = false;
};

}  // namespace vp::common
