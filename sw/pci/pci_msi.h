// MSI setup for a PCI function (PCI 3.0 sec. 6.8.1, PCIe 6.0 sec. 7.7.1).
//
// Programs one vector: the Message Address the platform gives (its MSI
// doorbell, hal::Hal::msi_doorbell()) and the Message Data the device will
// write there (the interrupt identity), then enables MSI and disables INTx,
// like Linux pci_enable_msi() after the irq domain picked the message.
//
// Not modeled: multiple vectors (Multiple Message Enable stays 0), MSI-X
// table programming, extended message data.
#pragma once

#include <cstdint>

#include "sw/pci/pci_dev.h"

namespace guest::pci {

// 0; -EINVAL without an MSI capability, for an address that is not DWORD
// aligned or above 4 GiB on a 32-bit-only function, or data above 16 bits;
// -EIO when configuration access failed.
int pci_enable_msi(pci_dev& dev, uint64_t address, uint32_t data);
void pci_disable_msi(pci_dev& dev);

}  // namespace guest::pci
