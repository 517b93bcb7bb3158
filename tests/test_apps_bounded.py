"""Issue 13, attack 5: a hostile client against the apps server.

Without bounds, a client that asks the gallery app's kernel for the state of all its 729
widgets, over and over without reading, grew the Voilà server from 120 MB to 3 GB in 90 s,
and it kept growing after the client left. Here the same flood (bounded in count) meets a
real apps server: the server closes the connection, shuts the kernel down, stays under a
memory ceiling, and a pupil in Chromium gets the app and a checked answer during and after.

Every page load starts a kernel: a script that loaded the page 500 times started 500. Here
40 loads meet a server with a small ceiling: the kernels stay at the ceiling, a refused load
gets a Dutch page with HTTP 503, the pupil still gets a working app, and the flood's kernels
are freed.
"""

import json
import os
import re
import threading
import time
import uuid

import pytest
import requests
import websocket
from conftest import settle
from gallery_app import APP, gallery_app, running_gallery_app  # noqa: F401

from tests.bench.apps_server import kernel_pids

ROUNDS = 30  # at most 30 x 729 messages per connection: the old server took them all
ATTACKS = 3  # connections, each with a kernel of its own
GROWTH_MB = 150  # the server may grow this much over its start (unbounded: +1.5 GB in 30 s)

pytestmark = [pytest.mark.servers, pytest.mark.browser]


def rss_mb(pid: int) -> int:
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) // 1024
    return 0


def message(msg_type, content):
    header = {"msg_id": uuid.uuid4().hex, "msg_type": msg_type, "username": "", "version": "5.3"}
    header |= {"session": "aanval", "date": ""}
    msg = {"header": header, "parent_header": {}, "metadata": {}, "content": content}
    return json.dumps({**msg, "channel": "shell", "buffers": []})


def new_kernel(url) -> str:
    """Open the app's page as a browser would: the page names its (preheated) kernel."""
    page = requests.get(url + APP, timeout=600).text
    return re.search(r'"kernelId": "([0-9a-f-]+)"', page).group(1)


def flood(url, kernel) -> int | None:
    """Ask for every widget's state, ROUNDS times, without reading one answer; then read.
    Returns the code with which the server closed the connection (None: it never did)."""
    ws_url = url.replace("http", "ws") + f"/api/kernels/{kernel}/channels?session_id=x"
    ws = websocket.create_connection(ws_url, timeout=120)
    ws.send(message("comm_info_request", {"target_name": "jupyter.widget"}))
    while (reply := json.loads(ws.recv()))["header"]["msg_type"] != "comm_info_reply":
        pass
    comms = list(reply["content"]["comms"])
    assert len(comms) > 700, "the gallery app should have its 729 widgets"
    try:
        for _ in range(ROUNDS):
            for comm in comms:
                ws.send(message("comm_msg", {"comm_id": comm, "data": {"method": "request_state"}}))
        while True:  # what the server still sends, up to its close frame
            opcode, data = ws.recv_data(control_frame=True)
            if opcode == websocket.ABNF.OPCODE_CLOSE:
                return int.from_bytes(data[:2], "big")
    except (OSError, websocket.WebSocketException):
        return None
    finally:
        ws.close()


def check_an_answer(browser, url, keep_open=False):
    """A pupil opens the app, types a number and gets the verdict. `browser`: a browser or
    one browser context (one device, with its cookies). Returns the page if kept open."""
    page = browser.new_page()
    try:
        page.set_viewport_size({"width": 1100, "height": 900})
        page.goto(url + APP, timeout=600_000)
        ex = page.locator(".leerpad-exercise", has_text="Hoeveel is dat per leerling?").first
        ex.locator("input[type=text]").first.fill("13,76")
        ex.get_by_role("button", name="Controleer").click()
        ex.locator(".leerpad-feedback").get_by_text("Juist!", exact=True).wait_for(timeout=120_000)
    finally:
        if not keep_open:
            page.close()
    return page


def test_a_flooding_client_is_cut_off_and_pupils_carry_on(gallery_app, browser):  # noqa: F811
    url, pid = gallery_app["url"], gallery_app["pid"]
    new_kernel(url)  # warm up: the first page fills the pool
    before = rss_mb(pid)
    peak = [before]
    closed, kernels, errors = [], [], []
    done = threading.Event()

    def attack():
        try:
            for _ in range(ATTACKS):
                kernels.append(new_kernel(url))
                closed.append(flood(url, kernels[-1]))
        except Exception as error:  # reported by the main thread
            errors.append(error)
        finally:
            done.set()

    def watch():
        while not done.is_set():
            peak.append(rss_mb(pid))
            time.sleep(0.2)

    threads = [threading.Thread(target=attack), threading.Thread(target=watch)]
    for thread in threads:
        thread.start()
    try:
        check_an_answer(browser, url)  # during the attack
    finally:
        done.wait(900)
        for thread in threads:
            thread.join(60)
    assert not errors, errors
    check_an_answer(browser, url)  # and after it
    for _ in range(25):  # what the flood queued must not keep growing the server
        peak.append(rss_mb(pid))
        time.sleep(0.2)
    after = rss_mb(pid)
    print(
        f"\napps server RSS: {before} MB before, peak {max(peak)} MB, {after} MB after; "
        f"hostile connections closed with {closed}"
    )
    assert max(peak) < before + GROWTH_MB, f"de server groeide van {before} naar {max(peak)} MB"
    assert closed == [1008] * ATTACKS, "the server closes each flood (policy violation)"
    for kernel in kernels:  # the kernels of the closed connections are gone
        assert requests.get(f"{url}/api/kernels/{kernel}", timeout=60).status_code == 404
    log = gallery_app["log"].read_text()
    assert log.count("gesloten: meer dan") >= ATTACKS


def kernel_alive(url, kernel) -> bool:
    return requests.get(f"{url}/api/kernels/{kernel}", timeout=120).ok


def test_a_closed_page_loses_its_kernel_within_a_minute(gallery_app, browser):  # noqa: F811
    """Pages closed in a lesson used to keep their kernel for five idle minutes. A page that
    closes gives it back at once (its front-end's beacon, widgets/frontend); a page that
    disappears without a word (a killed tab, a laptop shut) loses it after close_grace
    (45 s). A page still open keeps its own."""
    url = gallery_app["url"]
    stays, closes, vanishes = (check_an_answer(browser, url, keep_open=True) for _ in range(3))
    kept, closed, vanished = (re.search(r'"kernelId": "([0-9a-f-]+)"', p.content()).group(1)
                              for p in (stays, closes, vanishes))  # fmt: skip
    log = gallery_app["log"]
    try:
        assert all(kernel_alive(url, k) for k in (kept, closed, vanished))
        vanishes.evaluate("navigator.sendBeacon = () => true")  # no goodbye from this one
        closes.close()
        vanishes.close()
        started = time.monotonic()
        while kernel_alive(url, vanished) and time.monotonic() - started < 900:
            time.sleep(2)
        print(f"\nkernel van de verdwenen pagina weg na {time.monotonic() - started:.0f} s")
        assert not kernel_alive(url, closed), "de kernel van de gesloten pagina leeft nog"
        assert not kernel_alive(url, vanished), "de kernel van de verdwenen pagina leeft nog"
        stopped = [line for line in log.read_text().splitlines() if "gestopt: " in line]
        assert any(vanished in line and "de pagina is gesloten" in line for line in stopped)
        assert not any(closed in line for line in stopped), stopped  # the page's own beacon
        assert kernel_alive(url, kept), "de kernel van de open pagina is gestopt"
    finally:
        stays.close()


def test_each_kernel_has_a_memory_ceiling_and_yields_the_cpu_to_the_server(gallery_app):  # noqa: F811
    from leerpad.platform import APP_LIMITS
    from leerpad.servers.apps import AppLimits

    kernel = new_kernel(gallery_app["url"])
    pids = [p for p in os.listdir("/proc") if p.isdigit()]
    limits, nice = [], None
    for p in pids:
        try:
            cmdline = open(f"/proc/{p}/cmdline").read()
        except OSError:
            continue
        if "ipykernel" in cmdline and kernel in cmdline:
            limits = [line for line in open(f"/proc/{p}/limits") if "address space" in line]
            nice = os.getpriority(os.PRIO_PROCESS, int(p))
    assert limits, f"geen kernelproces gevonden voor {kernel}"
    ceiling = APP_LIMITS["kernel_memory_mb"] * 1024 * 1024
    assert limits[0].split()[3:5] == [str(ceiling), str(ceiling)]
    server_nice = os.getpriority(os.PRIO_PROCESS, gallery_app["pid"])
    assert nice == min(19, server_nice + AppLimits().kernel_nice)


def test_a_budget_allows_its_burst_then_refuses():
    from leerpad.servers.apps import Budget

    budget = Budget(burst=3, rate=0.0)
    assert [budget.take() for _ in range(4)] == [True, True, True, False]
    assert not Budget(burst=150, rate=0.0).take(200)  # request_states costs more


def test_message_kind_reads_both_websocket_protocols():
    from jupyter_server.services.kernels.connection.base import serialize_msg_to_ws_v1

    from leerpad.servers.apps import message_kind

    text = message("comm_msg", {"comm_id": "c", "data": {"method": "request_state"}})
    assert message_kind(text, None) == ("comm_msg", "request_state")
    msg = json.loads(text)
    parts = [json.dumps(msg[k]).encode() for k in ("header", "parent_header", "metadata")]
    binary = serialize_msg_to_ws_v1([*parts, json.dumps(msg["content"]).encode()], "shell")
    assert message_kind(binary, "v1.kernel.websocket.jupyter.org") == ("comm_msg", "request_state")
    assert message_kind(b"\x00garbage", "v1.kernel.websocket.jupyter.org") == ("", "")


def test_a_malformed_binary_message_is_refused_without_hanging_the_server(gallery_app):  # noqa: F811
    """Jupyter reads the first 8 bytes of a binary message as its number of parts; a client
    that claims 2**63 parts hung the server. The apps server refuses such a message."""
    url = gallery_app["url"]
    kernel = new_kernel(url)
    ws = websocket.create_connection(
        url.replace("http", "ws") + f"/api/kernels/{kernel}/channels?session_id=x",
        subprotocols=["v1.kernel.websocket.jupyter.org"],
        timeout=120,
    )
    try:
        ws.send_binary(b"\xff" * 7 + b"\x7f" + b"x" * 64)
        while True:
            opcode, data = ws.recv_data(control_frame=True)
            if opcode == websocket.ABNF.OPCODE_CLOSE:
                break
        assert int.from_bytes(data[:2], "big") == 1008
    finally:
        ws.close()
    assert requests.get(url + APP, timeout=600).status_code == 200


# -- page loads ------------------------------------------------------------------------------

CEILING, PER_DEVICE, PER_ADDRESS = 5, 2, 4  # the pool's one preheated kernel counts too
LOADS, CLIENTS = 40, 4
SMALL = [
    f"--AppLimits.max_kernels={CEILING}",
    f"--AppLimits.kernels_per_device={PER_DEVICE}",
    f"--AppLimits.kernels_per_address={PER_ADDRESS}",
    "--AppLimits.connect_grace=20",
]


@pytest.fixture(scope="module")
def small_app(isolated_env, tmp_path_factory):
    """The apps server with a small kernel ceiling, so that 40 loads reach it."""
    var = tmp_path_factory.mktemp("vol") / "var"
    with running_gallery_app(var, isolated_env, SMALL) as app:
        yield app


def test_page_loads_stay_under_the_ceiling_and_a_pupil_carries_on(small_app, browser):
    """A script loads the app 40 times (two clients keep their cookie, two drop it on every
    load), none opening a websocket, while a pupil works in Chromium."""
    url, pid = small_app["url"], small_app["pid"]
    pupil = browser.new_context()  # one device: its cookie stays
    counts, statuses, refusals, kernels, errors = [], [], [], [], []
    done = threading.Event()

    def hammer(keeps_cookie: bool):
        session = requests.Session()
        try:
            for _ in range(LOADS // CLIENTS):
                if not keeps_cookie:
                    session.cookies.clear()
                reply = session.get(url + APP, timeout=900)
                statuses.append(reply.status_code)
                if reply.status_code == 503:
                    refusals.append(reply)
                found = re.search(r'"kernelId": "([0-9a-f-]+)"', reply.text)
                if found:
                    kernels.append(found.group(1))
        except Exception as error:  # reported by the main thread
            errors.append(error)

    def watch():
        while not done.is_set():
            counts.append(len(kernel_pids(pid)))
            time.sleep(0.2)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        first = check_an_answer(pupil, url, keep_open=True)  # she was working before
        clients = [threading.Thread(target=hammer, args=(n % 2 == 0,)) for n in range(CLIENTS)]
        for client in clients:
            client.start()
        while len(statuses) < LOADS // 2 and any(c.is_alive() for c in clients):
            time.sleep(0.5)  # the flood is well under way
        check_an_answer(pupil, url)  # another tab of hers: a working app, in the flood
        first.reload(timeout=600_000)  # and a reload of the first
        for client in clients:
            client.join(900)
        check_an_answer(pupil, url)  # and after it
    finally:
        done.set()
        watcher.join(60)
        pupil.close()
    assert not errors, errors
    print(f"\n{LOADS} loads: {statuses.count(200)} served, {statuses.count(503)} refused; "
          f"at most {max(counts)} kernels (ceiling {CEILING})")  # fmt: skip
    assert sorted(set(statuses)) == [200, 503], statuses  # refused, never a crash
    assert max(counts) <= CEILING, counts
    for reply in refusals:
        assert "De app-server is even vol: probeer het over een minuut opnieuw." in reply.text
        assert reply.headers["Retry-After"] == "60" and 'lang="nl"' in reply.text
    assert "Paginalading geweigerd" in small_app["log"].read_text()
    # the flood's kernels (never connected) are freed after the grace time
    for _ in range(600):
        alive = [k for k in kernels if requests.get(f"{url}/api/kernels/{k}", timeout=60).ok]
        if not alive:
            break
        time.sleep(1)
    assert alive == [], f"{len(alive)} kernels van de paginaladingen leven nog"
    assert len(kernel_pids(pid)) <= CEILING


def test_a_full_server_makes_room_from_unused_kernels_only():
    """The admission rules without a server: a device's budget, then the address's, then
    the server's; an unused kernel makes room, a page in use never does."""
    import asyncio
    import concurrent.futures
    import logging

    from leerpad.servers.apps import AppLimits, Seats

    class Kernels(set):  # what Seats asks of Jupyter's kernel manager
        async def shutdown_kernel(self, kernel_id, now=False):
            self.discard(kernel_id)

    limits = AppLimits(max_kernels=4, kernels_per_device=2, kernels_per_address=3)
    limits.connect_grace = 1000.0
    kernels = Kernels()
    seats = Seats(limits, kernels, logging.getLogger("test"))

    async def load(device, address="school"):
        seat = await seats.admit(device, address)
        if seat:
            seat.kernel_id = f"{device}-{len(kernels)}"
            kernels.add(seat.kernel_id)
            seats.delivered(seat)
        return seat

    async def story():
        a1, a2 = await load("a"), await load("a")
        seats.connected(a1.kernel_id, +1)  # a's first page is open; the second never connected
        assert await load("a") is None  # a's budget: 2, both in use (one within its grace)
        b1 = await load("b")
        assert await load("c") is None  # the school's budget: 3
        seats.connected(a1.kernel_id, -1)  # a closes her page: its kernel is unused
        c1 = await load("c")
        assert c1 and a1.kernel_id not in kernels  # it made room
        seats.connected(a2.kernel_id, +1)
        assert await load("d") is None  # the school is full: pages in use or within grace
        assert await load("e", "elders") is not None  # another school: the server's 4th
        assert await load("f", "elders") is None  # the server is full
        # c, once her page connected (she ran an app here), takes the place of a page that
        # never connected of a device that never did (b's); a page in use (a2) is never taken
        seats.connected(c1.kernel_id, +1)
        assert await load("c") is not None
        assert b1.kernel_id not in kernels and a2.kernel_id in kernels and len(kernels) == 4

    # a thread of its own: a browser test before may have left an event loop in this one
    with concurrent.futures.ThreadPoolExecutor(1) as worker:
        worker.submit(asyncio.run, story()).result()


def test_a_page_that_reconnects_keeps_its_kernel_and_a_closed_one_loses_it():
    """close_grace without a server: a websocket that closes and opens again within it
    keeps the kernel; once the last one is closed for longer, the sweep stops it."""
    import asyncio
    import concurrent.futures
    import logging

    from leerpad.servers.apps import AppLimits, Seats

    class Kernels(set):
        async def shutdown_kernel(self, kernel_id, now=False):
            self.discard(kernel_id)

    limits = AppLimits(max_kernels=4, close_grace=1000.0)
    kernels = Kernels({"k"})
    seats = Seats(limits, kernels, logging.getLogger("test"))

    async def story():
        seat = await seats.admit("a", "school")
        seat.kernel_id = "k"
        seats.delivered(seat)
        seats.connected("k", +1)
        seats.connected("k", -1)  # the connection drops...
        await seats.sweep()
        assert "k" in kernels  # ...within the grace time: kept
        seats.connected("k", +1)  # and comes back
        limits.close_grace = 0.0
        await seats.sweep()
        assert "k" in kernels  # an open page keeps its kernel, whatever the grace
        seats.connected("k", -1)  # the page is closed
        await asyncio.sleep(0.01)
        await seats.sweep()
        assert "k" not in kernels and not seats.seats

    with concurrent.futures.ThreadPoolExecutor(1) as worker:
        worker.submit(asyncio.run, story()).result()


def test_preheating_goes_one_at_a_time_in_path_order_and_a_learner_skips_the_line():
    """The pool's first fill through the PreheatGate: one module at a time, the path's
    first module first (not the first found on disk); a module a learner asks for starts
    at once."""
    import asyncio
    import concurrent.futures

    from leerpad.servers.apps import PreheatGate

    gate = PreheatGate(1, ["ct-01", "ct-02", "ct-03", "ai-01"])
    started = []

    async def preheat(module):
        took = await gate.enter(module)
        started.append(module)
        await asyncio.sleep(0.01)  # the kernel starts and runs its notebook
        if took:
            gate.leave()

    async def story():
        # Voilà starts the pools in the order it finds the notebooks, all at once
        tasks = [asyncio.ensure_future(preheat(m)) for m in ("ai-01", "ct-03", "ct-02", "ct-01")]
        await settle()
        assert started == ["ct-01"] and gate.running == 1  # the rest wait their turn
        gate.demand("ct-03")  # a learner opens ct-03
        await settle()
        assert started == ["ct-01", "ct-03"] and gate.running == 1  # it did not wait
        await asyncio.gather(*tasks)
        assert started == ["ct-01", "ct-03", "ct-02", "ai-01"] and gate.running == 0

    with concurrent.futures.ThreadPoolExecutor(1) as worker:
        worker.submit(asyncio.run, story()).result()


def test_a_real_server_preheats_every_module_in_path_order_before_anyone_comes(
    isolated_env, tmp_path
):
    """A preheated notebook waits in its last cell for its learner's link, so its render
    never ends before a learner comes: a kernel that held its place until then stopped the
    line after the first module. Here nobody opens a page, and still every module of the
    path gets its kernel, in the path's order (not the order found on disk)."""
    path = ["ct-01-algoritme", "ct-04-abstractie-data", "ai-01-wat-is-ai"]  # on disk: ai first
    with running_gallery_app(
        tmp_path / "var", isolated_env, modules=path, path="ai-in-de-klas-secundair"
    ) as app:
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            log = app["log"].read_text(errors="replace")
            filled = [m for m in path if f"Kernel pool of {m}/{m}.ipynb is filled" in log]
            if len(filled) == len(path):
                break
            time.sleep(1)
        preheated = re.findall(r"Voorverwarmen: een kernel voor ([\w-]+)\.", log)
        assert filled == path, f"preheated: {preheated}\n{log[-3000:]}"
        assert preheated == path, log[-3000:]
        assert "GET /voila/render" not in log  # no learner came
