// PCIe Address Translation Services and the Page Request Interface on a
// function, as Linux drivers/pci/ats.c offers them to IOMMU drivers (PCIe
// 6.0 sec. 10.5.1-10.5.2): whether the function has an ATC, enabling it with
// a Smallest Translation Unit, the depth of its invalidation queue; enabling
// PRI with a number of outstanding page requests, resetting it.
//
// Not modeled: the PASID capability, SR-IOV (VFs sharing the PF's STU).
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

// Enables PRI allowing `reqs` outstanding page requests (capped at the
// function's capacity). 0; -EINVAL without the capability, when already
// enabled, or while the interface has not stopped; -EIO on config errors.
int pci_enable_pri(pci_dev& dev, uint32_t reqs);
void pci_disable_pri(pci_dev& dev);
// Clears the interface's state (only while disabled). 0 or -EINVAL.
int pci_reset_pri(pci_dev& dev);
// Whether PRG responses to this function must carry the PASID.
bool pci_prg_resp_pasid_required(const pci_dev& dev);

}  // namespace guest::pci
