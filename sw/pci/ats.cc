#include "sw/pci/ats.h"

#include <cerrno>

namespace guest::pci {

bool pci_ats_supported(const pci_dev& dev) {
  return dev.ats_cap != 0;
}

int pci_enable_ats(pci_dev& dev, int ps) {
  if (!pci_ats_supported(dev) || dev.ats_enabled || ps < int(PCI_ATS_MIN_STU)) return -EINVAL;
  const uint8_t stu = static_cast<uint8_t>(ps - int(PCI_ATS_MIN_STU));
  const uint16_t ctrl = PCI_ATS_CTRL_ENABLE | (stu & PCI_ATS_CTRL_STU_MASK);
  if (pci_write_config_word(dev, dev.ats_cap + PCI_ATS_CTRL, ctrl) != 0) return -EIO;
  uint16_t back = 0;
  if (pci_read_config_word(dev, dev.ats_cap + PCI_ATS_CTRL, &back) != 0 ||
      !(back & PCI_ATS_CTRL_ENABLE))
    return -EIO;
  dev.ats_stu = static_cast<uint8_t>(ps);
  dev.ats_enabled = true;
  return 0;
}

void pci_disable_ats(pci_dev& dev) {
  if (!dev.ats_enabled) return;
  pci_write_config_word(dev, dev.ats_cap + PCI_ATS_CTRL, 0);
  dev.ats_enabled = false;
}

int pci_ats_queue_depth(const pci_dev& dev) {
  if (!pci_ats_supported(dev)) return 0;
  uint16_t cap = 0;
  if (pci_read_config_word(dev, dev.ats_cap + PCI_ATS_CAP, &cap) != 0) return 0;
  const int qdep = cap & PCI_ATS_CAP_QDEP_MASK;
  return qdep ? qdep : 32;
}

}  // namespace guest::pci
