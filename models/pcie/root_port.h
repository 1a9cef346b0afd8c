// A PCIe root port: a downstream port of the root complex (Device/Port Type
// 0100b, PCIe Base 6.0 sec. 7.5.3.2) sitting on the root bus.
//
// Everything it does is a DownstreamPort's: type 1 header, windows, bus
// numbers, ACS, the link below. Requests it passes up go to the root
// complex. Not modeled: Root Control/Status (PME, error reporting to the
// root complex event collector), slot registers.
#pragma once

#include "models/pcie/downstream_port.h"

namespace vp::pcie {

class RootPort : public DownstreamPort {
 public:
  static constexpr uint16_t kDefaultDeviceId = 0x000c;

  RootPort(sc_core::sc_module_name name, const PcieLinkParams& link, uint8_t port_number,
           UpstreamRouter& root_complex, uint16_t vendor_id = 0x1b36,
           uint16_t device_id = kDefaultDeviceId)
      : DownstreamPort(name, make_config(link, port_number, vendor_id, device_id), root_complex) {}

 private:
  static DownstreamPortConfig make_config(const PcieLinkParams& link, uint8_t port_number,
                                          uint16_t vendor_id, uint16_t device_id) {
    DownstreamPortConfig c;
    c.port_type = cfg::kPortTypeRootPort;
    c.vendor_id = vendor_id;
    c.device_id = device_id;
    c.port_number = port_number;
    c.link = link;
    return c;
  }
};

}  // namespace vp::pcie
