"""Issue 13, attack 5: a hostile websocket client against the apps server.

Without bounds, a client that asks the gallery app's kernel for the state of all its 729
widgets, over and over without reading, grew the Voilà server from 120 MB to 3 GB in 90 s,
and it kept growing after the client left. Here the same flood (bounded in count) meets a
real apps server: the server closes the connection, shuts the kernel down, stays under a
memory ceiling, and a pupil in Chromium gets the app and a checked answer during and after.
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
from gallery_app import APP, gallery_app  # noqa: F401

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


def check_an_answer(browser, url):
    """A pupil opens the app, types a number and gets the verdict."""
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    try:
        page.goto(url + APP, timeout=600_000)
        ex = page.locator(".leerpad-exercise", has_text="Hoeveel is dat per leerling?").first
        ex.locator("input[type=text]").first.fill("13,76")
        ex.get_by_role("button", name="Controleer").click()
        ex.locator(".leerpad-feedback").get_by_text("Juist!", exact=True).wait_for(timeout=120_000)
    finally:
        page.close()


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


def test_each_kernel_has_a_memory_ceiling(gallery_app):  # noqa: F811
    from leerpad.platform import APP_LIMITS

    kernel = new_kernel(gallery_app["url"])
    pids = [p for p in os.listdir("/proc") if p.isdigit()]
    limits = []
    for p in pids:
        try:
            cmdline = open(f"/proc/{p}/cmdline").read()
        except OSError:
            continue
        if "ipykernel" in cmdline and kernel in cmdline:
            limits = [line for line in open(f"/proc/{p}/limits") if "address space" in line]
    assert limits, f"geen kernelproces gevonden voor {kernel}"
    ceiling = APP_LIMITS["kernel_memory_mb"] * 1024 * 1024
    assert limits[0].split()[3:5] == [str(ceiling), str(ceiling)]


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
