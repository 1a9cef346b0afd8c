// Scenario "dma-copy": the guest programs the DMA engine to copy a buffer,
// sleeps on its MSI and verifies every byte.
#include <cerrno>
#include <cstring>

#include "models/common/parameters.h"
#include "platform/scenario.h"
#include "sw/drivers/dma_engine_driver.h"

namespace vp::platform {

namespace {

class DmaCopyScenario : public Scenario {
 public:
  std::string name() const override { return "dma-copy"; }
  std::string description() const override {
    return "guest copies a buffer with the DMA engine, waits for the MSI, verifies the bytes";
  }
  void declare(vp::common::ParameterSet& p) override {
    p.add("scenario.dma_copy.bytes", bytes_, "bytes", "total bytes to copy", 1, 1ull << 34);
    p.add("scenario.dma_copy.descriptor_bytes", descriptor_bytes_, "bytes",
          "bytes per COPY descriptor", 1, 1ull << 31);
    p.add("scenario.dma_copy.ring_entries", ring_entries_, "entries",
          "descriptor ring size (power of two)", 2, 65536);
    p.add("scenario.dma_copy.timeout_us", timeout_us_, "us", "give up waiting after this long");
  }
  void run(guest::hal::Hal& hal, const PlatformInfo& info, ScenarioResult& r) override {
    guest::drivers::DmaEngineDriver drv(hal, info.dma_regs, info.dma_irq, ring_entries_);
    if (drv.probe() != 0) {
      r.ok = false;
      r.message = "DMA engine not found at its register address";
      return;
    }
    const uint64_t pages = (bytes_ + 4095) / 4096;
    const uint64_t src = hal.pages().alloc_pages(pages), dst = hal.pages().alloc_pages(pages);
    std::vector<uint8_t> data(bytes_);
    for (uint64_t i = 0; i < bytes_; ++i) data[i] = uint8_t(i * 7 + (i >> 12));
    hal.mem_write(src, data.data(), bytes_);
    hal.mem_fill(dst, 0, bytes_);

    const sc_core::sc_time timeout(timeout_us_, sc_core::SC_US);
    r.start = hal.now();
    uint64_t done = 0;
    while (done < bytes_) {
      // Fill the ring (all but one slot), interrupt on the last descriptor.
      unsigned queued = 0;
      while (done < bytes_ && drv.free_slots() > 0) {
        const uint32_t n =
            static_cast<uint32_t>(std::min<uint64_t>(descriptor_bytes_, bytes_ - done));
        const bool last = done + n == bytes_ || drv.free_slots() == 1;
        if (drv.queue_copy(src + done, dst + done, n, last) != 0) break;
        done += n;
        ++queued;
        ++r.operations;
      }
      drv.kick();
      if (const int err = drv.wait(timeout)) {
        r.ok = false;
        r.message = err == -ETIMEDOUT
                        ? "timed out waiting for the DMA engine"
                        : "DMA engine reported error code " + std::to_string(drv.error_code());
        return;
      }
    }
    r.end = hal.now();
    r.bytes = bytes_;
    std::vector<uint8_t> back(bytes_);
    hal.mem_read(dst, back.data(), bytes_);
    if (back != data) {
      uint64_t i = 0;
      while (back[i] == data[i]) ++i;
      r.ok = false;
      r.message = "data mismatch at byte " + std::to_string(i);
      return;
    }
    r.message = "copied and verified";
  }

 private:
  uint64_t bytes_ = 1ull << 20;
  uint64_t descriptor_bytes_ = 64 << 10;
  uint32_t ring_entries_ = 64;
  double timeout_us_ = 10000;
};

}  // namespace

std::unique_ptr<Scenario> make_dma_copy_scenario() {
  return std::make_unique<DmaCopyScenario>();
}

}  // namespace vp::platform
