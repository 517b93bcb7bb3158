# JupyterHub's configuration in leerpad's hub mode. Start it with `leerpad hub` (or
# `make hub`): that writes the settings this file reads (see leerpad/hub/config.py).
from leerpad.hub.config import configure

configure(get_config())  # noqa: F821 - JupyterHub provides get_config
