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

int pci_enable_pri(pci_dev& dev, uint32_t reqs) {
  if (!dev.pri_cap || dev.pri_enabled) return -EINVAL;
  uint16_t status = 0;
  uint32_t max_requests = 0;
  if (pci_read_config_word(dev, dev.pri_cap + PCI_PRI_STATUS, &status) != 0 ||
      pci_read_config_dword(dev, dev.pri_cap + PCI_PRI_MAX_REQ, &max_requests) != 0)
    return -EIO;
  if (!(status & PCI_PRI_STATUS_STOPPED)) return -EINVAL;
  const uint32_t alloc = reqs < max_requests ? reqs : max_requests;
  if (pci_write_config_dword(dev, dev.pri_cap + PCI_PRI_ALLOC_REQ, alloc) != 0 ||
      pci_write_config_word(dev, dev.pri_cap + PCI_PRI_CTRL, PCI_PRI_CTRL_ENABLE) != 0)
    return -EIO;
  dev.pri_reqs_alloc = alloc;
  dev.pri_enabled = true;
  return 0;
}

void pci_disable_pri(pci_dev& dev) {
  if (!dev.pri_enabled) return;
  pci_write_config_word(dev, dev.pri_cap + PCI_PRI_CTRL, 0);
  dev.pri_enabled = false;
}

int pci_reset_pri(pci_dev& dev) {
  if (!dev.pri_cap || dev.pri_enabled) return -EINVAL;
  return pci_write_config_word(dev, dev.pri_cap + PCI_PRI_CTRL, PCI_PRI_CTRL_RESET) ? -EIO : 0;
}

bool pci_prg_resp_pasid_required(const pci_dev& dev) {
  uint16_t status = 0;
  return dev.pri_cap && pci_read_config_word(dev, dev.pri_cap + PCI_PRI_STATUS, &status) == 0 &&
         (status & PCI_PRI_STATUS_PASID);
}

}  // namespace guest::pci
