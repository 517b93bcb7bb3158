"""Issue 20, opening: a class that opens a module at once finds preheated kernels ready.
With ``--pool_size=1`` a module keeps one kernel ready and starts the next one after it is
handed out: of five learners opening at once, two got a ready kernel. A module asked for by
a class (opened twice within ``class_window``, or through a class link) gets a pool of a
class's size; it shrinks back after ``class_idle`` seconds without an open (ClassPools)."""

import asyncio
import concurrent.futures
import logging
import re
import time

import pytest
import requests
from conftest import settle
from gallery_app import running_gallery_app

from tests.bench.apps_server import kernel_pids, page_of

NOTEBOOK = "m/m.ipynb"
MODULE = "ct-01-algoritme"  # lighter than the gallery: three of its kernels start sooner


class VoilaPool:
    """What ClassPools and Seats use of Voilà's preheating kernel manager, with Voilà's own
    rules: ``fill_if_needed`` starts kernels up to the notebook's configured pool size, a
    handed-out kernel is refilled, ``shutdown_kernel`` takes a kernel out of its pool."""

    def __init__(self):
        self.kernel_pools_config = {"default": {"pool_size": 1}}
        self._pools = {NOTEBOOK: []}
        self.kernels: set[str] = set()
        self.started = 0

    def __contains__(self, kernel_id):
        return kernel_id in self.kernels

    def fill_if_needed(self, delay=None, notebook_name=None, **kwargs):
        config = self.kernel_pools_config
        size = config.get(notebook_name, config["default"])["pool_size"]
        pool = self._pools.setdefault(notebook_name, [])
        for _ in range(size - len(pool)):
            self.started += 1
            kernel_id = f"k{self.started}"
            self.kernels.add(kernel_id)
            ready = asyncio.get_running_loop().create_future()
            ready.set_result({"kernel_id": kernel_id})
            pool.append(ready)

    def hand_out(self, notebook=NOTEBOOK) -> str:
        """A learner's page takes the first kernel; Voilà refills."""
        kernel_id = self._pools[notebook].pop(0).result()["kernel_id"]
        self.fill_if_needed(notebook_name=notebook)
        return kernel_id

    async def shutdown_kernel(self, kernel_id, now=False):
        for pool in self._pools.values():
            pool[:] = [t for t in pool if t.result()["kernel_id"] != kernel_id]
        self.kernels.discard(kernel_id)


def in_a_loop(story):
    # a thread of its own: a browser test before may have left an event loop in this one
    with concurrent.futures.ThreadPoolExecutor(1) as worker:
        worker.submit(asyncio.run, story()).result()


def test_a_class_pool_grows_on_demand_is_used_up_by_the_class_and_shrinks_when_idle():
    from leerpad.servers.apps import AppLimits, ClassPools, Seats

    limits = AppLimits(max_kernels=20, class_pool=4, class_window=1000.0, class_idle=1000.0)
    voila = VoilaPool()
    seats = Seats(limits, voila, logging.getLogger("test"))
    pools = ClassPools(limits, voila, seats, logging.getLogger("test"))

    def learner_opens(class_link=False) -> str:
        pools.opened(NOTEBOOK, class_link)
        return voila.hand_out()

    def pool() -> int:
        return len(voila._pools[NOTEBOOK])

    async def story():
        voila.fill_if_needed(notebook_name=NOTEBOOK)  # the start: one kernel preheated
        learner_opens()
        assert pool() == 1 and seats.pool_capacity() == 1  # one open is no class
        learner_opens()  # a second one within class_window: a class is coming
        assert pool() == 1 + 4 and seats.pool_capacity() == 5
        class_kernels = {learner_opens() for _ in range(4)}
        assert pool() == 1 and seats.pool_capacity() == 1  # the class used its kernels up
        assert class_kernels <= voila.kernels
        started = voila.started
        for _ in range(3):  # later learners: the pool refills its own size, no second class
            learner_opens()
        assert pool() == 1 and voila.started == started + 3

        # a teacher opens her class link before the lesson; two pupils come, then nobody
        limits.class_window = 0.0  # no open is recent: only the class link grows the pool
        await pools.sweep()  # not idle yet: nothing changes
        assert pool() == 1
        limits.class_idle = 0.0
        await asyncio.sleep(0.01)
        await pools.sweep()  # idle: the demand is forgotten, the next class starts anew
        limits.class_idle = 1000.0
        learner_opens(class_link=False)
        assert pool() == 1
        learner_opens(class_link=True)
        assert pool() == 5
        learner_opens(class_link=True), learner_opens(class_link=True)
        assert pool() == 3 and seats.pool_capacity() == 3
        alive = set(voila.kernels)
        limits.class_idle = 0.0
        await asyncio.sleep(0.01)
        await pools.sweep()
        assert pool() == 1 and seats.pool_capacity() == 1  # shrunk back to pool_size
        assert len(alive - voila.kernels) == 2  # the spare kernels were stopped
        assert NOTEBOOK not in voila.kernel_pools_config  # the default applies again

    in_a_loop(story)


def test_a_class_pool_stays_under_max_kernels():
    from leerpad.servers.apps import AppLimits, ClassPools, Seat, Seats

    limits = AppLimits(max_kernels=8, class_pool=30, class_window=1000.0)
    voila = VoilaPool()
    seats = Seats(limits, voila, logging.getLogger("test"))
    pools = ClassPools(limits, voila, seats, logging.getLogger("test"))
    seats.seats = [Seat("a", "school", kernel_id=f"page{n}") for n in range(3)]  # open pages
    voila.kernels.update(seat.kernel_id for seat in seats.seats)

    async def story():
        voila.fill_if_needed(notebook_name=NOTEBOOK)
        pools.opened(NOTEBOOK, class_link=True)
        # 8 kernels: 3 pages, the pool, and room for the page that opens now
        assert seats.pool_capacity() == 1 + 3 and seats.capacity() == 4
        assert await seats.admit("b", "school") is not None

    in_a_loop(story)


def test_a_class_pool_fills_one_kernel_at_a_time_and_a_learner_still_skips_the_line():
    """Growing a pool by 30 must not start 30 kernels at once on two cores: while a kernel
    of the module is ready or starting, the next ones wait their turn at the PreheatGate.
    A learner who comes while none is ready lets one waiting kernel go: as many start as
    learners wait."""
    from leerpad.servers.apps import PreheatGate

    ready: list[int] = []
    starting: list[int] = []
    gate = PreheatGate(1, ["ct-01"], lambda m: bool(ready), lambda m: bool(starting))
    started = []

    async def preheat(n):
        took = await gate.enter("ct-01")
        started.append(n)
        starting.append(n)
        await asyncio.sleep(0.01)  # the kernel starts and runs its notebook
        starting.remove(n)
        ready.append(n)
        if took:
            gate.leave()

    async def story():
        gate.demand("ct-01")  # a learner asks; nothing of ct-01 is ready: her kernel skips
        first = asyncio.ensure_future(preheat(0))
        await settle()
        assert started == [0] and gate.running == 0
        await first
        spares = [asyncio.ensure_future(preheat(n)) for n in range(1, 5)]  # the class pool
        await settle()
        assert started == [0, 1] and gate.running == 1  # one at a time, in line
        ready.clear()  # the class took every ready kernel: two more learners come
        gate.demand("ct-01")
        await settle()
        assert started == [0, 1, 2] and gate.running == 1  # her kernel went
        gate.demand("ct-01")
        await settle()
        assert started == [0, 1, 2, 3] and gate.running == 1  # and the next learner's
        await asyncio.gather(*spares)
        assert sorted(started) == [0, 1, 2, 3, 4] and gate.running == 0

    in_a_loop(story)


@pytest.mark.servers
def test_a_real_server_grows_a_demanded_modules_pool_and_shrinks_it_when_idle(
    isolated_env, tmp_path
):
    """Two opens of the app within class_window: its pool grows by class_pool preheated
    kernels; nobody opens it for class_idle seconds once they all started: the extra
    kernels are stopped. The two pages (which never connect) keep theirs for
    connect_grace, longer than the test."""
    options = [
        "--AppLimits.class_pool=3",
        "--AppLimits.class_idle=20",
        "--AppLimits.connect_grace=3600",
    ]
    with running_gallery_app(tmp_path / "var", isolated_env, options, modules=[MODULE]) as app:
        url, pid = app["url"], app["pid"]

        def kernels_become(count: int, timeout=600) -> int:
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                now = len(kernel_pids(pid))
                if now == count:
                    return now
                time.sleep(1)
            return now

        for _ in range(2):
            page = requests.get(url + page_of(MODULE), timeout=600)
            assert re.search(r'"kernelId": "[0-9a-f-]+"', page.text), page.text[-2000:]
        log = app["log"]
        # two pages, the pool's own kernel and the class's three
        assert kernels_become(2 + 1 + 3) == 6, log.read_text(errors="replace")[-3000:]
        assert "Klaspool voor" in log.read_text(errors="replace")
        # nobody opens the app for class_idle seconds: back to the pool's own kernel
        assert kernels_become(2 + 1) == 3, log.read_text(errors="replace")[-3000:]
        # the sweep logs after its last shutdown returns, a moment after the kernel exits
        deadline = time.monotonic() + 60
        while "3 kernels gestopt" not in log.read_text(errors="replace"):
            assert time.monotonic() < deadline, log.read_text(errors="replace")[-3000:]
            time.sleep(1)
