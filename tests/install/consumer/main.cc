// Instantiates installed models in a platform of its own and runs one DMA.
#include <cstring>
#include <iostream>

#include "models/common/interconnect.h"
#include "models/devices/dma_engine.h"
#include "models/devices/dma_engine_regs.h"
#include "models/memory/sparse_memory.h"

int sc_main(int, char**) {
  vp::common::Interconnect bus("bus");
  vp::memory::SparseMemory mem("mem");
  vp::devices::DmaEngine dma("dma");
  dma.dma.bind(bus.target_socket);
  bus.initiator_socket.bind(mem.socket);
  bus.map("mem", 0, 1 << 20, 0);
  (void)dma;
  mem.write(0x100, "hello", 6);
  char back[6] = {};
  mem.read(0x100, back, 6);
  std::cout << back << "\n";
  return std::strcmp(back, "hello") == 0 ? 0 : 1;
}
