// placeholder until the guest hal lands
