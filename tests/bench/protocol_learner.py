"""A learner's open of an app at the protocol level: what the server does for one page, as
Voilà's front-end asks for it, without a browser. The page (HTML with its kernel id), the
kernel's model, the kernel websocket (binary v1 protocol), ``kernel_info`` and the state of
every widget (the ``jupyter.widget.control`` comm's ``request_states``), as ipywidgets'
manager asks for it before it draws the first widget.

A class of these measures the server's part of a class opening a module, with each learner
on her own device: thirty Chromiums on the machine's two cores would measure the browsers.
"""

import asyncio
import json
import re
import time
import uuid
from dataclasses import dataclass

from jupyter_client.session import Session
from jupyter_server.services.kernels.connection.base import (
    deserialize_msg_from_ws_v1,
    serialize_msg_to_ws_v1,
)
from tornado.httpclient import AsyncHTTPClient, HTTPRequest
from tornado.websocket import websocket_connect

from leerpad.servers.apps import V1

CONFIG = re.compile(r'<script id="jupyter-config-data"[^>]*>(.*?)</script>', re.S)
TIMEOUT = 600.0


@dataclass
class Opened:
    """Seconds from the first request: the whole page received, and the widgets' state."""

    page: float
    state: float


def kernel_id(html: str) -> str:
    """The kernel id Voilà put in the page's config."""
    found = CONFIG.search(html)
    if not found:
        raise ValueError("geen jupyter-config-data in de pagina")
    return json.loads(found.group(1))["kernelId"]


class Client:
    """One page's kernel websocket: send a request, wait for the message it is after."""

    def __init__(self, socket):
        self.socket = socket
        self.session = Session(username="leerling")

    async def send(self, msg_type: str, content: dict, metadata=None) -> None:
        """Send `msg_type` on the shell channel."""
        msg = self.session.msg(msg_type, content=content, metadata=metadata or {})
        await self.socket.write_message(
            serialize_msg_to_ws_v1(msg, "shell", self.session.pack), binary=True
        )

    async def request(self, msg_type: str, content: dict, wanted) -> dict:
        """Send `msg_type`; the first message that `wanted` (type, content) accepts."""
        await self.send(msg_type, content)
        while True:
            raw = await asyncio.wait_for(self.socket.read_message(), TIMEOUT)
            if raw is None:
                raise ConnectionError("de kernelverbinding werd gesloten")
            _, parts = deserialize_msg_from_ws_v1(raw)
            header, content = json.loads(parts[0]), json.loads(parts[3])
            if wanted(header["msg_type"], content):
                return content


def is_states(msg_type: str, content: dict) -> bool:
    return msg_type == "comm_msg" and content.get("data", {}).get("method") == "update_states"


async def open_app(url: str) -> tuple[Opened, object]:
    """(timings, the open websocket) of a learner opening `url` on a device of her own (no
    cookie yet). Close the websocket when the learner leaves."""
    # a client of her own: Tornado's shared one holds all but 10 requests in its queue
    http = AsyncHTTPClient(force_instance=True)
    started = time.monotonic()
    try:
        page = await http.fetch(HTTPRequest(url, request_timeout=TIMEOUT))
        page_done = time.monotonic() - started
        kernel = kernel_id(page.body.decode())
        base = url.split("/voila/render/")[0]
        await http.fetch(f"{base}/api/kernels/{kernel}", request_timeout=TIMEOUT)
    finally:
        http.close()
    address = base.replace("http", "ws", 1)
    socket = await websocket_connect(
        f"{address}/api/kernels/{kernel}/channels?session_id={uuid.uuid4()}",
        subprotocols=[V1],
        connect_timeout=TIMEOUT,
    )
    client = Client(socket)
    await client.request("kernel_info_request", {}, wanted=lambda t, c: t == "kernel_info_reply")
    comm = str(uuid.uuid4())
    # as the front-end: the control comm's open and its request, without waiting between
    control = {"comm_id": comm, "target_name": "jupyter.widget.control", "data": {}}
    await client.send("comm_open", control, metadata={"version": "1.0.0"})
    await client.request(
        "comm_msg", {"comm_id": comm, "data": {"method": "request_states"}}, wanted=is_states
    )
    return Opened(page_done, time.monotonic() - started), socket


async def class_opens(url: str, count: int, within: float) -> tuple[list[Opened], list]:
    """`count` learners opening `url` spread over `within` seconds: their timings and the
    failures. Their websockets stay open until all are in (a class with its pages open)."""

    async def learner(n):
        await asyncio.sleep(n * within / count)
        return await open_app(url)

    results = await asyncio.gather(*(learner(n) for n in range(count)), return_exceptions=True)
    opened = [r for r in results if not isinstance(r, BaseException)]
    for _, socket in opened:
        socket.close()
    return [timing for timing, _ in opened], [r for r in results if isinstance(r, BaseException)]
