// PCIe Address Translation Services on a function, as Linux drivers/pci/ats.c
// offers them to IOMMU drivers (PCIe 6.0 sec. 10.5.1): whether the function
// has an ATC, enabling it with a Smallest Translation Unit, and the depth of
// its invalidation queue.
//
// Not modeled: PRI and PASID capabilities, SR-IOV (VFs sharing the PF's
// STU).
#pragma once

#include "sw/pci/pci_dev.h"

namespace guest::pci {

bool pci_ats_supported(const pci_dev& dev);
// Enables ATS with pages of 2^ps bytes as the Smallest Translation Unit.
// 0; -EINVAL without the capability, when already enabled or ps < 12;
// -EIO when configuration access failed.
int pci_enable_ats(pci_dev& dev, int ps);
void pci_disable_ats(pci_dev& dev);
// Invalidate Queue Depth (1..32); 0 without the capability.
int pci_ats_queue_depth(const pci_dev& dev);

}  // namespace guest::pci
