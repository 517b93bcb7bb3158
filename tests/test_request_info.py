"""A preheated app kernel waits on Voilà's request-info socket for its learner's link; its
hand-in bar shows only once the link arrives. A kernel that connects twice must not make
another kernel lose its link (Voilà's own on_close deleted the last waiter in its table
when the closing socket was not in it)."""

import asyncio

from conftest import free_port, run_in_own_loop
from tornado.web import Application
from tornado.websocket import websocket_connect

from leerpad.servers.apps import PreheatedKernelWaits


def test_a_stale_socket_closing_does_not_take_another_kernels_link():
    async def story():
        port = free_port()
        server = Application([(r"/voila/query/(.*)", PreheatedKernelWaits)]).listen(
            port, "127.0.0.1"
        )
        url = f"ws://127.0.0.1:{port}/voila/query/"
        try:
            stale = await websocket_connect(url + "kernel-a")
            again = await websocket_connect(url + "kernel-a")  # the same kernel, again
            other = await websocket_connect(url + "kernel-b")
            await asyncio.sleep(0.2)
            stale.close()
            await asyncio.sleep(0.2)  # the server sees the close
            PreheatedKernelWaits.send_updates({"kernel_id": "kernel-b", "payload": "link-b"})
            PreheatedKernelWaits.send_updates({"kernel_id": "kernel-a", "payload": "link-a"})
            assert await asyncio.wait_for(other.read_message(), 10) == "link-b"
            assert await asyncio.wait_for(again.read_message(), 10) == "link-a"
            # a link that comes before its kernel connects is kept for it
            PreheatedKernelWaits.send_updates({"kernel_id": "kernel-c", "payload": "link-c"})
            late = await websocket_connect(url + "kernel-c")
            assert await asyncio.wait_for(late.read_message(), 10) == "link-c"
            for socket in (again, other, late):
                socket.close()
        finally:
            server.stop()
            PreheatedKernelWaits._waiters.clear()
            PreheatedKernelWaits._cache.clear()

    run_in_own_loop(story())
