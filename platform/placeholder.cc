// placeholder until the platform lands
