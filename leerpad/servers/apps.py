"""The learner apps: a Voilà server that renders released modules and offers nothing else.

Voilà alone already refuses execute requests (only comm and info messages pass its kernel
websocket). On top of that we drop its directory tree and its contents listing: a pupil
gets the app behind the link, not a view of the server's folders.

The server is bounded, because anyone with the app's address can open a kernel websocket:

- each websocket has a budget of messages and of widget-state requests (a token bucket:
  a burst, then a steady rate); a client over budget is disconnected and its kernel shut
  down, so nothing it queued keeps running;
- a client that does not read its answers is disconnected once its unsent bytes pass a
  ceiling, so it cannot make the server hold them;
- a disconnected kernel's messages are not buffered for a later reconnect (Jupyter's buffer
  has no bound);
- each kernel gets an address-space ceiling (RLIMIT_AS), and the server watches its own
  memory: above its ceiling it drops the connections that hold the most unsent data.
"""

import json
import resource
import time
import weakref

from jupyter_client.ioloop import AsyncIOLoopKernelManager
from jupyter_server.services.kernels.connection.base import deserialize_msg_from_ws_v1
from tornado.ioloop import IOLoop, PeriodicCallback
from traitlets import Float, Int
from traitlets.config import Configurable
from voila.app import Voila
from voila.tornado.kernel_websocket_handler import VoilaKernelWebsocketHandler

BLOCKED = ("/voila/tree", "/voila/api/contents")
# What a widget-state request costs from the state budget: one widget, or all of them.
STATE_COST = {"request_state": 1, "request_states": 100}
MB = 1024 * 1024
POLICY_VIOLATION = 1008  # websocket close code


class AppLimits(Configurable):
    """The bounds of one apps server. A pupil's page sends a few dozen messages to load (one
    ``request_states`` for all widgets) and a few per click or keystroke."""

    message_burst = Int(2000, config=True, help="Messages a websocket may send at once.")
    message_rate = Float(50.0, config=True, help="Messages per second after the burst.")
    state_burst = Int(1500, config=True, help="Widget-state requests a websocket may send at once.")
    state_rate = Float(2.0, config=True, help="Widget-state requests per second after the burst.")
    unsent_mb = Int(32, config=True, help="Unsent bytes (MB) a websocket may hold on the server.")
    kernel_memory_mb = Int(2048, config=True, help="Address space of one kernel (MB); 0: none.")
    server_memory_mb = Int(1024, config=True, help="Server memory (MB) above which it sheds load.")
    watch_interval = Float(1.0, config=True, help="Seconds between two checks of server memory.")


class Budget:
    """A token bucket: ``burst`` at once, then ``rate`` per second."""

    def __init__(self, burst: int, rate: float):
        self.burst, self.rate = burst, rate
        self.tokens, self.stamp = float(burst), time.monotonic()

    def take(self, cost: int = 1) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens < cost:
            return False
        self.tokens -= cost
        return True


V1 = "v1.kernel.websocket.jupyter.org"
MAX_PARTS = 64  # channel, header, parent, metadata, content and a few binary buffers


def well_formed_v1(message) -> bool:
    """Whether a binary kernel message has a sane offset table. Jupyter's own parser trusts
    the first 8 bytes as the number of offsets: 2**63 of them hang the server."""
    if not isinstance(message, bytes) or len(message) < 8:
        return False
    count = int.from_bytes(message[:8], "little")
    if not 6 <= count <= MAX_PARTS or len(message) < 8 * (count + 1):
        return False
    offsets = [int.from_bytes(message[8 * i : 8 * (i + 1)], "little") for i in range(1, count + 1)]
    return offsets == sorted(offsets) and offsets[-1] <= len(message)


def message_kind(message, subprotocol) -> tuple[str, str]:
    """(msg_type, comm method) of a websocket message from the browser; ("", "") when it
    cannot be read."""
    try:
        if subprotocol == V1:
            if not well_formed_v1(message):
                return "", ""
            _, parts = deserialize_msg_from_ws_v1(message)
            header = json.loads(parts[0])
            content = json.loads(parts[3]) if header.get("msg_type") == "comm_msg" else {}
        else:
            msg = json.loads(message)
            header, content = msg.get("header") or {}, msg.get("content") or {}
        data = content.get("data") if isinstance(content, dict) else None
        method = data.get("method", "") if isinstance(data, dict) else ""
        return str(header.get("msg_type", "")), str(method)
    except (ValueError, TypeError, IndexError, AttributeError):
        return "", ""


class BoundedKernelWebsocket(VoilaKernelWebsocketHandler):
    """Voilà's kernel websocket with a budget per connection (see the module's docstring)."""

    open_sockets: "weakref.WeakSet[BoundedKernelWebsocket]" = weakref.WeakSet()

    @property
    def limits(self) -> AppLimits:
        return self.settings["leerpad_limits"]

    async def open(self, kernel_id):
        limits = self.limits
        self.messages = Budget(limits.message_burst, limits.message_rate)
        self.states = Budget(limits.state_burst, limits.state_rate)
        self.refused = False
        self.open_sockets.add(self)
        await super().open(kernel_id)

    def on_message(self, message):
        if self.refused:
            return
        msg_type, method = message_kind(message, self.selected_subprotocol)
        if not msg_type:
            self.refuse("een bericht dat geen kernelbericht is")
        elif not self.messages.take():
            self.refuse(f"meer dan {self.limits.message_burst} berichten")
        elif method in STATE_COST and not self.states.take(STATE_COST[method]):
            self.refuse(f"meer dan {self.limits.state_burst} vragen naar de toestand")
        else:
            super().on_message(message)

    def unsent(self) -> int:
        """Bytes written to this websocket that the client has not taken yet."""
        stream = getattr(self.ws_connection, "stream", None)
        buffer = getattr(stream, "_write_buffer", None)
        return len(buffer) if buffer is not None else 0

    def write_message(self, message, binary=False):
        if self.refused:
            return None
        if self.unsent() > self.limits.unsent_mb * MB:
            self.refuse(f"meer dan {self.limits.unsent_mb} MB niet opgehaald")
            return None
        return super().write_message(message, binary)

    def refuse(self, reason: str) -> None:
        """Disconnect an abusive client and stop its kernel, with all it queued."""
        if self.refused:
            return
        self.refused = True
        kernel_id = getattr(self, "kernel_id", None)
        self.log.warning("Kernelverbinding %s gesloten: %s.", kernel_id, reason)
        self.close(POLICY_VIOLATION, "Te veel verkeer; laad de pagina opnieuw.")
        if kernel_id and kernel_id in self.kernel_manager:
            IOLoop.current().add_callback(self.kernel_manager.shutdown_kernel, kernel_id, now=True)

    def on_close(self):
        self.open_sockets.discard(self)
        if self.connection is not None:
            super().on_close()


class BoundedKernelManager(AsyncIOLoopKernelManager):
    """A kernel with a ceiling on its address space: a widget flood fills the kernel's
    memory, not the machine's."""

    async def _async_launch_kernel(self, kernel_cmd, **kw):
        await super()._async_launch_kernel(kernel_cmd, **kw)
        megabytes = AppLimits(config=self.config).kernel_memory_mb
        pid = getattr(self.provisioner, "pid", None)
        if megabytes and pid:
            resource.prlimit(pid, resource.RLIMIT_AS, (megabytes * MB, megabytes * MB))


def resident_memory() -> int:
    """This process's resident memory in bytes (Linux)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize()


class LearnerApps(Voila):
    name = "leerpad-apps"
    description = "leerpad: de leerling-apps (Voilà), zonder mappenoverzicht, begrensd."

    def initialize(self, argv=None):
        # Defaults of a bounded server; the command line can still change them.
        kernels = self.config.MappingKernelManager
        kernels.setdefault("kernel_manager_class", f"{__name__}.BoundedKernelManager")
        kernels.setdefault("buffer_offline_messages", False)
        super().initialize(argv)
        self.limits = AppLimits(parent=self)

    def init_settings(self):
        settings = super().init_settings()
        settings["leerpad_limits"] = self.limits
        PeriodicCallback(self.watch_memory, self.limits.watch_interval * 1000).start()
        return settings

    def init_handlers(self):
        handlers = super().init_handlers()
        root = self.server_url
        kept = [h for h in handlers if h[0] != root and not any(b in h[0] for b in BLOCKED)]
        return [
            (h[0], BoundedKernelWebsocket, *h[2:]) if h[1] is VoilaKernelWebsocketHandler else h
            for h in kept
        ]

    def watch_memory(self) -> None:
        """Above the server's ceiling, drop every connection that holds unsent data (a pupil
        who reads their answers holds next to none)."""
        if resident_memory() <= self.limits.server_memory_mb * MB:
            return
        for socket in list(BoundedKernelWebsocket.open_sockets):
            if socket.unsent() >= MB:
                socket.refuse(f"servergeheugen boven {self.limits.server_memory_mb} MB")


main = LearnerApps.launch_instance

if __name__ == "__main__":
    main()
