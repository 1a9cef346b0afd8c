#include "sw/pci/pci_msi.h"

#include <cerrno>

namespace guest::pci {

int pci_enable_msi(pci_dev& dev, uint64_t address, uint32_t data) {
  const unsigned cap = dev.msi_cap;
  if (!cap || (uint32_t(address) & ~PCI_MSI_ADDRESS_LO_MASK) || data > 0xffff) return -EINVAL;
  uint16_t flags = 0;
  if (pci_read_config_word(dev, cap + PCI_MSI_FLAGS, &flags) || flags == 0xffff) return -EIO;
  const bool is_64 = flags & PCI_MSI_FLAGS_64BIT;
  if (!is_64 && (address >> 32)) return -EINVAL;

  // Off while the message changes, so the device never sends half of it.
  flags = static_cast<uint16_t>(flags & ~(PCI_MSI_FLAGS_ENABLE | PCI_MSI_FLAGS_QSIZE));
  int err = pci_write_config_word(dev, cap + PCI_MSI_FLAGS, flags);
  err = err ? err : pci_write_config_dword(dev, cap + PCI_MSI_ADDRESS_LO, uint32_t(address));
  if (is_64) {
    err =
        err ? err : pci_write_config_dword(dev, cap + PCI_MSI_ADDRESS_HI, uint32_t(address >> 32));
    err = err ? err : pci_write_config_word(dev, cap + PCI_MSI_DATA_64, uint16_t(data));
  } else {
    err = err ? err : pci_write_config_word(dev, cap + PCI_MSI_DATA_32, uint16_t(data));
  }
  if (!err && (flags & PCI_MSI_FLAGS_MASKBIT)) {
    // Unmask vector 0 (the only one enabled).
    const unsigned mask_at = cap + (is_64 ? PCI_MSI_MASK_64 : PCI_MSI_MASK_32);
    uint32_t mask = 0;
    err = pci_read_config_dword(dev, mask_at, &mask);
    err = err ? err : pci_write_config_dword(dev, mask_at, mask & ~1u);
  }
  // Sec. 7.7.1: with MSI enabled the function must not use INTx; say so too.
  uint16_t cmd = 0;
  err = err ? err : pci_read_config_word(dev, PCI_COMMAND, &cmd);
  err = err ? err : pci_write_config_word(dev, PCI_COMMAND, cmd | PCI_COMMAND_INTX_DISABLE);
  err = err ? err : pci_write_config_word(dev, cap + PCI_MSI_FLAGS, flags | PCI_MSI_FLAGS_ENABLE);
  if (err) return -EIO;
  dev.msi_enabled = true;
  dev.msi_address = address;
  dev.msi_data = data;
  return 0;
}

void pci_disable_msi(pci_dev& dev) {
  if (!dev.msi_cap) return;
  uint16_t flags = 0;
  if (!pci_read_config_word(dev, dev.msi_cap + PCI_MSI_FLAGS, &flags))
    pci_write_config_word(dev, dev.msi_cap + PCI_MSI_FLAGS,
                          static_cast<uint16_t>(flags & ~PCI_MSI_FLAGS_ENABLE));
  uint16_t cmd = 0;
  if (!pci_read_config_word(dev, PCI_COMMAND, &cmd))
    pci_write_config_word(dev, PCI_COMMAND, static_cast<uint16_t>(cmd & ~PCI_COMMAND_INTX_DISABLE));
  dev.msi_enabled = false;
}

}  // namespace guest::pci
