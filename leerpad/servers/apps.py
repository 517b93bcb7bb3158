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

Every load of an app page starts a kernel, so page loads are bounded too (:class:`Seats`):

- the server runs at most ``max_kernels`` kernels, its preheated pool included (by default
  what fits in a share of the machine's memory);
- each browser gets a device cookie; a device may hold ``kernels_per_device`` kernels, and
  one network address (a school behind one IP) ``kernels_per_address``;
- a page that never opens its kernel's websocket loses its kernel after ``connect_grace``
  seconds; a page that closed its last websocket loses it after ``close_grace`` seconds
  (a page that only reconnects keeps it); Jupyter's ``cull_idle_timeout`` stays as a net;
- when a budget is full, a kernel nobody uses (its page closed, or never connected) makes
  room; a device that has run an app here before may also take the place of a page that
  has not connected yet from a device that never did. Otherwise the load is refused with a
  Dutch page and HTTP 503, without starting anything.

A class that opens a module at once finds its kernels ready: the module's preheated pool
grows for a class when it is opened twice within a short time or through a class link (a
teacher who opens her class link before the lesson prepares it), and shrinks back when
nobody opened it for a while (:class:`ClassPools`).

A client that drops its cookie is a new device on every load: it stays within the budget of
its address and the server's, and its pages, which never connect, are freed after the grace
time. Pupils behind another address do not notice it.
"""

import asyncio
import functools
import json
import os
import resource
import secrets
import time
import weakref
from dataclasses import dataclass

from jupyter_client.provisioning import LocalProvisioner
from jupyter_core.utils import ensure_async
from jupyter_server.services.kernels.connection.base import deserialize_msg_from_ws_v1
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from jupyter_server.utils import url_path_join
from tornado import web
from tornado.ioloop import IOLoop, PeriodicCallback
from traitlets import Bool, Float, Int, Unicode, default
from traitlets.config import Configurable
from voila.app import Voila
from voila.request_info_handler import RequestInfoSocketHandler
from voila.tornado.handler import TornadoVoilaHandler
from voila.tornado.kernel_websocket_handler import VoilaKernelWebsocketHandler

from leerpad.paths import ROOT
from leerpad.servers.compressed import COMPRESSED
from leerpad.settings import settings
from leerpad.templating import Templates

BLOCKED = ("/voila/tree", "/voila/api/contents")
# What a widget-state request costs from the state budget: one widget, or all of them.
STATE_COST = {"request_state": 1, "request_states": 100}
MB = 1024 * 1024
POLICY_VIOLATION = 1008  # websocket close codes
KERNEL_GONE = 1001  # "going away"


class AppLimits(Configurable):
    """The bounds of one apps server. A pupil's page sends a few dozen messages to load (one
    ``request_states`` for all widgets) and a few per click or keystroke."""

    message_burst = Int(2000, config=True, help="Messages a websocket may send at once.")
    message_rate = Float(50.0, config=True, help="Messages per second after the burst.")
    state_burst = Int(1500, config=True, help="Widget-state requests a websocket may send at once.")
    state_rate = Float(2.0, config=True, help="Widget-state requests per second after the burst.")
    unsent_mb = Int(32, config=True, help="Unsent bytes (MB) a websocket may hold on the server.")
    kernel_memory_mb = Int(2048, config=True, help="Address space of one kernel (MB); 0: none.")
    kernel_nice = Int(
        10,
        config=True,
        help="Nice value of each kernel: kernels running a notebook for the pool never take "
        "the CPU from the server sending pages and messages (0: the same as the server).",
    )
    server_memory_mb = Int(1024, config=True, help="Server memory (MB) above which it sheds load.")
    watch_interval = Float(1.0, config=True, help="Seconds between two checks of server memory.")
    max_kernels = Int(
        config=True,
        help="Kernels the server runs at most, its preheated pool included. By default: "
        "memory_share of the machine's memory, kernel_estimate_mb per kernel.",
    )
    kernel_estimate_mb = Int(250, config=True, help="Memory (MB) of one app kernel, with margin.")
    memory_share = Float(0.6, config=True, help="Share of the machine's memory for kernels.")
    kernels_per_device = Int(4, config=True, help="Kernels of one browser (its device cookie).")
    kernels_per_address = Int(
        48, config=True, help="Kernels of one network address: a class of 30 and its teacher."
    )
    connect_grace = Float(
        30.0, config=True, help="Seconds a delivered page has to open its kernel's websocket."
    )
    close_grace = Float(
        45.0,
        config=True,
        help="Seconds a kernel outlives its page's last websocket: long enough for a "
        "reconnect, short enough that a lesson's closed pages do not pile up.",
    )
    class_pool = Int(
        30,
        config=True,
        help="Preheated kernels a module's pool adds for a class (see ClassPools); 0: the "
        "pool never grows. Kept under max_kernels, with the other pools and open pages.",
    )
    class_window = Float(
        120.0, config=True, help="Seconds within which a second open of a module means a class."
    )
    class_idle = Float(
        600.0,
        config=True,
        help="Seconds without an open after which a class pool shrinks back to pool_size.",
    )

    @default("max_kernels")
    def _max_kernels_from_memory(self) -> int:
        share = machine_memory() * self.memory_share / (self.kernel_estimate_mb * MB)
        return max(4, int(share))


def machine_memory() -> int:
    """The machine's memory in bytes (Linux)."""
    with open("/proc/meminfo") as meminfo:
        for line in meminfo:
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) * 1024
    return 0


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


# --- Page loads: who holds which kernel -------------------------------------------------------

DEVICE_COOKIE = "leerpad-toestel"
FULL = "De app-server is even vol: probeer het over een minuut opnieuw."
FULL_PAGE = Templates(ROOT / "leerpad" / "page_templates").render("full.html.j2", message=FULL)
PROVEN_MEMORY = 10_000  # devices remembered as having run an app (the oldest are forgotten)


@dataclass(eq=False)
class Seat:
    """One page load and the kernel it got."""

    device: str
    address: str
    kernel_id: str | None = None
    delivered: float | None = None  # when the page was sent; None while it renders
    connections: int = 0
    connected: bool = False  # its websocket was ever open
    closing: bool = False
    left: float | None = None  # when its last websocket closed (None while one is open)

    def waiting(self) -> bool:
        """Delivered, and its page has not opened the websocket yet."""
        return self.delivered is not None and not self.connected and not self.closing

    def gone(self, now: float, grace: float) -> bool:
        """Its page closed its last websocket more than `grace` seconds ago."""
        return not self.closing and not self.connections and now - (self.left or now) > grace

    def unused(self, now: float, grace: float) -> bool:
        """Nobody uses this kernel: its page closed, or it never connected in time."""
        if self.closing or self.connections or self.delivered is None:
            return False
        return self.connected or now - self.delivered > grace


class Seats:
    """The kernels handed to pages, with the budgets of the module's docstring. Admission
    runs under one lock, and a kernel that makes room is gone before another starts: the
    count never passes the ceiling."""

    def __init__(self, limits: AppLimits, manager, log):
        self.limits, self.manager, self.log = limits, manager, log
        self.seats: list[Seat] = []
        self.proven: dict[str, float] = {}  # devices whose page opened a websocket
        self.lock = asyncio.Lock()

    def pool_capacity(self) -> int:
        """Kernels Voilà keeps preheated (pool_size per notebook); they count too."""
        pools = getattr(self.manager, "_pools", {})
        config = getattr(self.manager, "kernel_pools_config", {})
        size = config.get("default", {}).get("pool_size", 0)
        return sum(config.get(name, {}).get("pool_size", size) for name in pools)

    def capacity(self) -> int:
        return max(0, self.limits.max_kernels - self.pool_capacity())

    def prune(self) -> None:
        """Forget seats whose kernel is gone (shut down by its page, culled, refused)."""
        self.seats = [s for s in self.seats if s.kernel_id is None or s.kernel_id in self.manager]

    def scopes(self, device: str, address: str):
        """(what, its seats, its budget), from the narrowest budget to the server's."""
        limits = self.limits
        yield "toestel", [s for s in self.seats if s.device == device], limits.kernels_per_device
        yield "adres", [s for s in self.seats if s.address == address], limits.kernels_per_address
        yield "server", list(self.seats), self.capacity()

    def make_room(self, seats: list[Seat], device: str) -> Seat | None:
        """The seat to give up in a full budget: the oldest unused one; for a device that
        ran an app here before, else the oldest waiting page of a device that never did."""
        now = time.monotonic()
        unused = [s for s in seats if s.unused(now, self.limits.connect_grace)]
        if not unused and device in self.proven:
            unused = [s for s in seats if s.waiting() and s.device not in self.proven]
        return min(unused, key=lambda s: s.delivered, default=None)

    async def admit(self, device: str, address: str) -> Seat | None:
        """A seat for a new page load, or None: the load is refused."""
        async with self.lock:
            self.prune()
            for scope, seats, budget in self.scopes(device, address):
                while len(seats) >= budget:
                    room = self.make_room(seats, device)
                    if room is None:
                        self.log.warning("Paginalading geweigerd (%s vol), van %s.", scope, address)
                        return None
                    await self.release(room, f"plaats voor een nieuwe pagina ({scope} vol)")
                    seats.remove(room)
            seat = Seat(device, address)
            self.seats.append(seat)
            return seat

    async def release(self, seat: Seat, reason: str) -> None:
        """Shut a seat's kernel down (and wait for it)."""
        seat.closing = True
        kernel_id = seat.kernel_id
        self.log.info("Kernel %s gestopt: %s.", kernel_id, reason)
        try:
            if kernel_id in self.manager:
                await ensure_async(self.manager.shutdown_kernel(kernel_id, now=True))
        except Exception as error:  # already stopping: the next prune forgets it
            self.log.warning("Kernel %s stoppen lukte niet: %s", kernel_id, error)
        finally:
            if seat in self.seats:
                self.seats.remove(seat)

    def delivered(self, seat: Seat) -> None:
        """The page load ended: its grace time starts (or, without a kernel, it is gone)."""
        seat.delivered = time.monotonic()
        if seat.kernel_id is None and seat in self.seats:
            self.seats.remove(seat)

    def find(self, kernel_id: str) -> Seat | None:
        return next((s for s in self.seats if s.kernel_id == kernel_id), None)

    def connected(self, kernel_id: str, change: int) -> None:
        seat = self.find(kernel_id)
        if seat is None:
            return
        seat.connections += change
        seat.left = time.monotonic() if seat.connections == 0 else None
        if change > 0:
            seat.connected = True
            self.proven.pop(seat.device, None)
            self.proven[seat.device] = time.monotonic()
            while len(self.proven) > PROVEN_MEMORY:
                self.proven.pop(next(iter(self.proven)))

    async def sweep(self) -> None:
        """Free the kernels of pages that never connected within the grace time, and of
        pages closed for longer than theirs."""
        now, limits = time.monotonic(), self.limits
        async with self.lock:
            self.prune()
            for seat in list(self.seats):
                if seat.waiting() and now - seat.delivered > limits.connect_grace:
                    await self.release(seat, "de pagina opende geen verbinding")
                elif seat.gone(now, limits.close_grace):
                    await self.release(seat, "de pagina is gesloten")


class _HandOut:
    """The kernel manager as one page load sees it: it notes which kernel the page got."""

    def __init__(self, manager, seat: Seat):
        self._manager, self._seat = manager, seat

    def __getattr__(self, name):
        return getattr(self._manager, name)

    async def get_rendered_notebook(self, *args, **kwargs):
        task, cache, kernel_id = await self._manager.get_rendered_notebook(*args, **kwargs)
        self._seat.kernel_id = kernel_id
        return task, cache, kernel_id

    async def start_kernel(self, *args, **kwargs):
        kernel_id = await ensure_async(self._manager.start_kernel(*args, **kwargs))
        self._seat.kernel_id = kernel_id
        return kernel_id


class HubLogin:
    """In hub mode (the apps as a JupyterHub service, leerpad.hub): an app opened without a
    personal or class link belongs to the hub login. The page sends the browser to the hub's
    login (OAuth, jupyterhub.services.auth.HubOAuth) and then back to the same app with a
    personal link for that user, signed with the cohort's secret as any personal link: the
    app and the hand-in know the learner the usual way. Class links stay public and
    account-free: pupils have no hub account."""

    LINKS = {"klas", "leerling", "sig"}

    def __init__(self, cohort_dir: str):
        from jupyterhub.services.auth import HubOAuth

        # the one instance: JupyterHub's callback handler finds the login's state there
        self.auth = HubOAuth.instance(cache_max_age=60)
        self.cohort_dir = cohort_dir

    @staticmethod
    def active() -> bool:
        return bool(os.environ.get("JUPYTERHUB_API_TOKEN"))

    def login_url(self, handler) -> str:
        from tornado.httputil import url_concat

        params = {}
        verifier = None
        if self.auth.pkce_enabled:
            verifier, challenge, method = self.auth.generate_pkce_code_challenge()
            params.update(code_challenge=challenge, code_challenge_method=method)
        params["state"] = self.auth.set_state_cookie(
            handler, next_url=handler.request.uri, code_verifier=verifier
        )
        return url_concat(self.auth.login_url, params)

    async def redirected(self, handler) -> bool:
        """Whether the page went elsewhere: to the hub's login, or to its personal link."""
        from tornado.web import HTTPError

        from leerpad.grading.identity import personal_query

        if self.LINKS & set(handler.request.query_arguments):
            return False
        user = await self.auth.get_user(handler, sync=False)
        if not user:
            handler.redirect(self.login_url(handler))
            return True
        if not self.auth.check_scopes(self.auth.access_scopes, user):
            raise HTTPError(403, f"{user['name']} heeft geen toegang tot de apps van dit cohort")
        uri = handler.request.uri
        joiner = "&" if "?" in uri else "?"
        handler.redirect(f"{uri}{joiner}{personal_query(self.cohort_dir, user['name'])}")
        return True


class XRPageHandler(web.RequestHandler):
    """The WebXR page of a scene a learner exported (``leerpad.widgets.xr_export``): open to
    whoever has its unguessable address, as a headset's browser has no login. It holds the
    scene's shapes and numbers only, no key and nothing about the learner."""

    def get(self, token):
        from leerpad.widgets import xr_export

        scene = xr_export.load(token)
        if scene is None:
            raise web.HTTPError(404)
        for name, value in xr_export.HEADERS.items():
            self.set_header(name, value)
        self.finish(xr_export.page(scene, xr_export.say("webxr_title")))


class BoundedPageHandler(TornadoVoilaHandler):
    """Voilà's app page, once a seat is free for this browser (see :class:`Seats`)."""

    seat: Seat | None = None

    @property
    def seats(self) -> Seats:
        return self.settings["leerpad_seats"]

    @property
    def kernel_manager(self):
        manager = self.settings["kernel_manager"]
        return _HandOut(manager, self.seat) if self.seat else manager

    def device(self) -> str:
        """This browser's id for the budgets: a signed cookie the server hands out."""
        value = self.get_signed_cookie(DEVICE_COOKIE, max_age_days=365)
        if value:
            return value.decode()
        device = secrets.token_hex(12)
        self.set_signed_cookie(
            DEVICE_COOKIE, device, expires_days=365, httponly=True, samesite="Lax"
        )
        return device

    def class_link(self) -> bool:
        """Whether the page is opened through a valid class link of the apps' cohort."""
        from leerpad.grading.identity import CLASS, LinkRefused, verify_token

        token, cohort = self.get_query_argument("klas", ""), settings().cohort
        if not token or not cohort:
            return False
        try:
            verify_token(cohort, CLASS, token, "klas")
        except LinkRefused:
            return False
        return True

    async def get(self, path=None):
        hub = self.settings.get("leerpad_hub")
        if hub and await hub.redirected(self):
            return
        gate = getattr(self.settings["kernel_manager"], "preheat_gate", None)
        if gate and path:  # a learner waits for this module: its kernel skips the line
            gate.demand(os.path.dirname(path))
        self.seat = await self.seats.admit(self.device(), self.request.remote_ip)
        if self.seat is None:
            self.set_status(503)
            self.set_header("Retry-After", "60")
            self.set_header("Content-Type", "text/html; charset=utf-8")
            self.set_header("Cache-Control", "no-store")
            self.finish(FULL_PAGE)
            return
        # the _xsrf cookie: a closed page gives its kernel back with a POST that carries it
        # (voila/api/shutdown, from the page's front-end), else it waits for close_grace
        self.xsrf_token  # noqa: B018
        pools: ClassPools = self.settings["leerpad_class_pools"]
        if path in getattr(pools.manager, "_pools", {}):  # a preheated module
            pools.opened(path, class_link=self.class_link())
        try:
            await super().get(path)
        finally:
            self.seats.delivered(self.seat)


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
        self.counted = False
        self.open_sockets.add(self)
        await super().open(kernel_id)
        self.settings["leerpad_seats"].connected(kernel_id, +1)
        self.counted = True

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
        if getattr(self, "counted", False):
            self.counted = False
            self.settings["leerpad_seats"].connected(self.kernel_id, -1)
        if self.connection is not None:
            super().on_close()


class BoundedProvisioner(LocalProvisioner):
    """A kernel with a ceiling on its address space (a widget flood fills the kernel's
    memory, not the machine's) and a lower CPU priority than the server. jupyter_client's
    kernel provisioner (entry point ``leerpad-bounded``), named by every kernelspec of the
    apps server."""

    async def launch_kernel(self, cmd, **kwargs):
        info = await super().launch_kernel(cmd, **kwargs)
        limits = AppLimits(config=self.config)
        if limits.kernel_memory_mb and self.pid:
            ceiling = limits.kernel_memory_mb * MB
            resource.prlimit(self.pid, resource.RLIMIT_AS, (ceiling, ceiling))
        if limits.kernel_nice and self.pid:  # relative to the server's, as nice(1) is
            own = os.getpriority(os.PRIO_PROCESS, 0)
            os.setpriority(os.PRIO_PROCESS, self.pid, min(19, own + limits.kernel_nice))
        return info


class PreheatGate:
    """Voilà preheats a kernel for every module at once at start: sixteen kernels running
    their notebooks on two cores, and the first learners wait behind all of them. Through
    this gate preheated kernels start ``parallel`` at a time, in the order of the cohort's
    learning path, each holding its place until its notebook has run up to its learner.

    A module a learner asks for skips the line, without flooding the machine: a kernel of it
    starts at once while none is ``ready`` or ``starting`` (the next ones, a class pool's
    (:class:`ClassPools`), wait their turn like any other), and each learner who comes while
    none is ready lets one more of its waiting kernels go (as many start as learners wait)."""

    def __init__(self, parallel: int, order: list[str], ready=lambda module: False, starting=None):
        self.parallel, self.running = max(1, parallel), 0
        self.rank = {module: n for n, module in enumerate(order)}
        self.waiting: list[tuple[str, asyncio.Future]] = []
        self.demanded: set[str] = set()
        self.ready, self.starting = ready, starting or (lambda module: False)

    def urgent(self, module: str) -> bool:
        """A learner waits for this module and no kernel of it is ready or on its way."""
        return module in self.demanded and not self.ready(module) and not self.starting(module)

    def key(self, module: str):
        return (self.rank.get(module, len(self.rank)), module)

    async def enter(self, module: str) -> bool:
        """Wait for a place; True when one was taken (give it back with :meth:`leave`)."""
        if self.urgent(module):
            return False
        turn = asyncio.get_running_loop().create_future()
        self.waiting.append((module, turn))
        # Voilà asks for all modules in one go: hand out places once they are all in line,
        # so the path's first module goes first, not the first one found on disk.
        asyncio.get_running_loop().call_soon(self._dispatch)
        return await turn

    def leave(self) -> None:
        self.running -= 1
        self._dispatch()

    def _dispatch(self) -> None:
        self.waiting.sort(key=lambda item: self.key(item[0]))
        while self.running < self.parallel and self.waiting:
            _, turn = self.waiting.pop(0)
            if not turn.done():
                self.running += 1
                turn.set_result(True)

    def demand(self, module: str) -> None:
        """A learner opens `module`: with no kernel of it ready, one of its waiting kernels
        goes (the one she will get, or the next learner's)."""
        self.demanded.add(module)
        if self.ready(module):
            return
        for item in [w for w in self.waiting if w[0] == module and not w[1].done()][:1]:
            self.waiting.remove(item)
            item[1].set_result(False)


class PreheatingKernelManager(AsyncMappingKernelManager):
    """Jupyter's kernel manager, under Voilà's pool: preheated kernels pass the
    :class:`PreheatGate` (see there). A kernel gives its place back once its notebook
    waits for a learner (it opens Voilà's request-info socket, see
    :class:`PreheatedKernelWaits`), once its notebook has run, or once it stops."""

    preheat_parallel = Int(
        1, config=True, help="Preheated kernels that start and run their notebook at once."
    )

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.starting: dict[str, int] = {}  # module: preheated kernels past the gate, starting
        self.preheat_gate = PreheatGate(
            self.preheat_parallel, path_order(), self.kernel_ready, self.starting.get
        )
        self.holding_place: set[str] = set()  # kernel ids

    def kernel_ready(self, module: str) -> bool:
        """Whether a preheated kernel of `module` is ready in its pool."""
        pools = getattr(self, "_pools", {})
        return any(
            task.done() and not task.cancelled() and task.exception() is None
            for notebook, pool in pools.items()
            if os.path.dirname(notebook) == module
            for task in pool
        )

    async def start_kernel(self, *args, **kwargs):
        preheat = (kwargs.get("env") or {}).get("VOILA_PREHEAT") == "True"
        module = kwargs.get("path") or ""
        took = preheat and await self.preheat_gate.enter(module)
        if preheat:
            self.log.info("Voorverwarmen: een kernel voor %s.", module or "/")
            self.starting[module] = self.starting.get(module, 0) + 1
        try:
            kernel_id = await super().start_kernel(*args, **kwargs)
        except BaseException:
            if took:
                self.preheat_gate.leave()
            raise
        finally:
            if preheat:
                self.starting[module] -= 1
        if took:
            self.holding_place.add(kernel_id)
            # Called from Voilà's pool task: its result holds the task that runs the notebook.
            asyncio.current_task().add_done_callback(
                lambda pool_task: self._give_back_after_render(pool_task, kernel_id)
            )
        return kernel_id

    def give_back_place(self, kernel_id: str) -> None:
        """The preheated kernel is ready (or gone): the next module's kernel may start."""
        if kernel_id in self.holding_place:
            self.holding_place.discard(kernel_id)
            self.preheat_gate.leave()

    def _give_back_after_render(self, pool_task: asyncio.Task, kernel_id: str) -> None:
        render = None
        if not pool_task.cancelled() and pool_task.exception() is None:
            render = (pool_task.result() or {}).get("task")
        if isinstance(render, asyncio.Future):
            render.add_done_callback(lambda _: self.give_back_place(kernel_id))
        else:
            self.give_back_place(kernel_id)

    async def shutdown_kernel(self, kernel_id, *args, **kwargs):
        self.give_back_place(kernel_id)
        try:
            return await super().shutdown_kernel(kernel_id, *args, **kwargs)
        finally:
            # Jupyter leaves the page's websocket open to a kernel that is gone: close it,
            # so that the page says so (widgets/frontend) instead of ignoring every click.
            for socket in list(BoundedKernelWebsocket.open_sockets):
                if getattr(socket, "kernel_id", None) == kernel_id:
                    socket.close(KERNEL_GONE, "De kernel is gestopt; laad de pagina opnieuw.")


class PreheatedKernelWaits(RequestInfoSocketHandler):
    """Voilà's request-info socket: a preheated kernel opens it when its notebook has run up
    to the cell that waits for its learner (the app's hand-in bar reads the link). That
    kernel is as ready as it gets, so its place in the :class:`PreheatGate` is free."""

    def open(self, kernel_id: str) -> None:
        super().open(kernel_id)
        give_back = getattr(self.settings.get("kernel_manager"), "give_back_place", None)
        if give_back:
            give_back(kernel_id)

    def on_close(self) -> None:
        """Forget this socket only. Voilà's own on_close deletes the last waiter in its table
        when this socket is not in it (a kernel that connected twice): another kernel then
        never gets its learner's link, and its app never shows the hand-in bar."""
        waiters = RequestInfoSocketHandler._waiters
        for kernel_id, waiter in list(waiters.items()):
            if waiter is self:
                del waiters[kernel_id]


@dataclass(eq=False)
class ClassDemand:
    """How a module is asked for: when it was last opened, and whether its pool is grown
    for a class (``left``: preheated kernels the class still gets)."""

    last: float = float("-inf")
    grown: bool = False
    left: int = 0
    own_config: dict | None = None  # the notebook's own pool configuration, if it had one


class ClassPools:
    """A module's preheated pool, sized to its demand. Voilà keeps ``pool_size`` kernels per
    notebook ready (one here) and refills after a kernel is handed out; a class that opens a
    module within seconds then waits for kernels that start one after another.

    A module is asked for by a class when it is opened twice within ``class_window`` seconds,
    or through a valid class link (a teacher who opens it before the lesson prepares it).
    Its pool then grows by ``class_pool`` kernels, started one by one through the
    :class:`PreheatGate`. Every open after that takes one of them, and the pool shrinks with
    it: a class of ``class_pool`` gets ready kernels, and the pool refills only its own
    ``pool_size`` after them (no second class pool during the lesson). After ``class_idle``
    seconds without an open, kernels left in the pool beyond ``pool_size`` are stopped.
    The growth is kept under ``max_kernels`` (:meth:`Seats.pool_capacity` counts it)."""

    def __init__(self, limits: AppLimits, manager, seats: Seats, log):
        self.limits, self.manager, self.seats, self.log = limits, manager, seats, log
        self.demand: dict[str, ClassDemand] = {}

    @property
    def config(self) -> dict:
        return self.manager.kernel_pools_config

    def base_size(self, notebook: str, state: ClassDemand) -> int:
        """The notebook's pool size without a class: its own or the default one."""
        own = state.own_config or self.config.get("default", {})
        return own.get("pool_size", 0)

    def pool_size(self, notebook: str) -> int:
        return self.config.get(notebook, self.config.get("default", {})).get("pool_size", 0)

    def opened(self, notebook: str, class_link: bool = False) -> None:
        """A page of `notebook` is opened (before it gets its kernel)."""
        now = time.monotonic()
        state = self.demand.setdefault(notebook, ClassDemand())
        recent, state.last = now - state.last <= self.limits.class_window, now
        if state.left:  # a learner of the class: one kernel less to keep ready
            state.left -= 1
            self.resize(notebook, state)
        elif not state.grown and (class_link or recent):
            self.grow(notebook, state)

    def grow(self, notebook: str, state: ClassDemand) -> None:
        limits = self.limits
        room = limits.max_kernels - self.seats.pool_capacity() - len(self.seats.seats) - 1
        extra = max(0, min(limits.class_pool, room))
        if not extra:
            return
        state.grown, state.left = True, extra
        state.own_config = self.config.get(notebook)
        self.resize(notebook, state)
        self.manager.fill_if_needed(delay=0, notebook_name=notebook)
        self.log.info("Klaspool voor %s: %d kernels extra worden klaargezet.", notebook, extra)
        if extra < limits.class_pool:
            self.log.warning(
                "Klaspool voor %s: %d in plaats van %d kernels, want AppLimits.max_kernels "
                "(%d) is bereikt. Zet max_kernels hoger als het geheugen het toelaat.",
                notebook,
                extra,
                limits.class_pool,
                limits.max_kernels,
            )

    def resize(self, notebook: str, state: ClassDemand) -> None:
        size = self.base_size(notebook, state) + state.left
        self.config[notebook] = {**(state.own_config or {}), "pool_size": size}

    async def sweep(self) -> None:
        """Shrink the pools of modules nobody opened for ``class_idle`` seconds."""
        now, limits = time.monotonic(), self.limits
        for notebook, state in list(self.demand.items()):
            if any(not task.done() for task in self.pool(notebook)):
                state.last = now  # still filling: its newest kernels get their time too
            idle = now - state.last
            if idle <= limits.class_idle:
                continue
            if state.grown:
                state.grown, state.left = False, 0
                if state.own_config is None:
                    self.config.pop(notebook, None)
                else:
                    self.config[notebook] = state.own_config
            stopped = await self.trim(notebook)
            if stopped:
                self.log.info(
                    "Klaspool van %s kleiner: %d kernels gestopt (%.0f s niet geopend).",
                    notebook,
                    stopped,
                    idle,
                )
            if idle > limits.class_window:
                del self.demand[notebook]

    def pool(self, notebook: str) -> list:
        """Voilà's pool of the notebook: tasks that start a kernel and run the notebook."""
        return getattr(self.manager, "_pools", {}).get(notebook, [])

    async def trim(self, notebook: str) -> int:
        """Stop the pool's kernels beyond its size, the newest first (every one has started:
        see :meth:`sweep`). Returns how many were stopped."""
        pool, stopped = self.pool(notebook), 0
        while len(pool) > self.pool_size(notebook):
            task = pool.pop()
            if task.cancelled() or task.exception() is not None:
                continue  # a kernel that never started: nothing to stop
            kernel_id = task.result()["kernel_id"]
            await ensure_async(self.manager.shutdown_kernel(kernel_id, now=True))
            stopped += 1
        return stopped


def path_order() -> list[str]:
    """The modules of the apps' cohort in the order of its learning path (first first)."""
    from leerpad.grading.cohort import Cohort

    folder = settings().cohort
    try:
        return Cohort.at(folder).path_modules() if folder else []
    except Exception:  # no catalogue or path here: alphabetical order
        return []


def resident_memory() -> int:
    """This process's resident memory in bytes (Linux)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize()


class LearnerApps(Voila):
    name = "leerpad-apps"
    description = "leerpad: de leerling-apps (Voilà), zonder mappenoverzicht, begrensd."
    certfile = Unicode("", help="HTTPS: the certificate (PEM), in classroom mode.").tag(config=True)
    keyfile = Unicode("", help="HTTPS: the certificate's key (PEM).").tag(config=True)
    static_cache = Bool(
        True,
        help="Static files gzip-compressed once (leerpad.servers.compressed), and the "
        "JupyterLab extensions' files kept by the browser (their names hold a hash).",
    ).tag(config=True)
    light_frontend = Bool(
        True,
        help="The app's own front-end (widgets/frontend: a kernel connection, the widget "
        "manager and the controls, one bundle) instead of Voilà's JupyterLab application "
        "(the template leerpad-voila).",
    ).tag(config=True)

    def initialize(self, argv=None):
        # Defaults of a bounded server; the command line can still change them.
        kernels = self.config.MappingKernelManager
        # Every kernel starts through BoundedProvisioner, whatever kernelspec it asks for.
        self.config.VoilaConfiguration.setdefault(
            "kernel_spec_manager_class", "leerpad.kernelspecs.ProvisionedKernelSpecManager"
        )
        self.config.ProvisionedKernelSpecManager.setdefault("provisioner_name", "leerpad-bounded")
        self.config.VoilaConfiguration.setdefault(
            "multi_kernel_manager_class", f"{__name__}.PreheatingKernelManager"
        )
        kernels.setdefault("buffer_offline_messages", False)
        # An app needs the widgets only: nbgrader's and Jupyter Notebook's JupyterLab bundles
        # would load on every learner's device and each log an error in its console.
        self.config.VoilaConfiguration.setdefault(
            "extension_denylist",
            [
                "@jupyter/nbgrader",
                "@jupyter-notebook/lab-extension",
                # its highlighting CSS is in the page already (nbconvert puts it there)
                "jupyterlab_pygments",
            ],
        )
        # A kernel whose page is gone (no websocket) is stopped after 5 idle minutes.
        kernels.setdefault("cull_idle_timeout", 300)
        kernels.setdefault("cull_interval", 60)
        super().initialize(argv)
        if not self.light_frontend and self.voila_configuration.template == "leerpad":
            self.voila_configuration.template = "leerpad-voila"
            self.setup_template_dirs()
        self.limits = AppLimits(parent=self)

    def init_settings(self):
        app_settings = super().init_settings()
        app_settings["leerpad_limits"] = self.limits
        if self.static_cache:
            # The extensions' files carry a hash of their content in their names: a learner's
            # browser keeps them instead of asking again on every open (Voilà: "no-cache").
            app_settings["static_immutable_cache"] = [
                url_path_join(self.server_url, "voila/labextensions/")
            ]
        self.seats = Seats(self.limits, self.kernel_manager, self.log)
        app_settings["leerpad_seats"] = self.seats
        self.class_pools = ClassPools(self.limits, self.kernel_manager, self.seats, self.log)
        app_settings["leerpad_class_pools"] = self.class_pools
        if HubLogin.active():
            hub = HubLogin(settings().cohort)
            app_settings.update(leerpad_hub=hub, hub_auth=hub.auth)
        self.log.info(
            "Hoogstens %d kernels; %d per toestel, %d per adres.",
            self.limits.max_kernels,
            self.limits.kernels_per_device,
            self.limits.kernels_per_address,
        )
        if self.seats.capacity() < self.limits.kernels_per_address:
            self.log.warning(
                "De voorverwarmde kernels (%d) laten maar %d kernels over voor pagina's: "
                "zet AppLimits.max_kernels hoger of --pool_size lager.",
                self.seats.pool_capacity(),
                self.seats.capacity(),
            )
        interval = self.limits.watch_interval * 1000
        PeriodicCallback(self.watch_memory, interval).start()
        PeriodicCallback(self.seats.sweep, interval).start()
        PeriodicCallback(self.class_pools.sweep, interval).start()
        return app_settings

    def init_handlers(self):
        handlers = super().init_handlers()
        root = self.server_url
        kept = [h for h in handlers if h[0] != root and not any(b in h[0] for b in BLOCKED)]
        bounded = {
            VoilaKernelWebsocketHandler: BoundedKernelWebsocket,
            TornadoVoilaHandler: BoundedPageHandler,
            RequestInfoSocketHandler: PreheatedKernelWaits,
        }
        served = {**bounded, **(COMPRESSED if self.static_cache else {})}
        handlers = [(h[0], served.get(h[1], h[1]), *h[2:]) for h in kept]
        # the WebXR pages of exported scenes (before Voilà's catch-all routes)
        handlers.insert(0, (url_path_join(self.server_url, r"xr/([0-9a-f]{32})"), XRPageHandler))
        if HubLogin.active():
            from jupyterhub.services.auth import HubOAuthCallbackHandler

            callback = url_path_join(self.server_url, "oauth_callback")
            handlers.insert(0, (callback, HubOAuthCallbackHandler))
        return handlers

    def listen(self):
        # Voilà's own listen() has no TLS (its "TODO: https / certfile"): hand Tornado the
        # certificate of classroom mode (leerpad.classroom) through the app's listen().
        if self.certfile:
            from leerpad.classroom import server_context

            self.app.listen = functools.partial(
                self.app.listen, ssl_options=server_context(self.certfile, self.keyfile)
            )
        super().listen()

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
