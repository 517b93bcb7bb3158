"""The sandbox for learner code during grading.

nbgrader runs a hand-in's cells in a Jupyter kernel with the grader's own rights. Here the
kernel starts inside bubblewrap (``bwrap``, Debian package *bubblewrap*):

- no network (``--unshare-net``); the grader talks to the kernel over Unix sockets
  (jupyter_client's ``ipc`` transport) in a folder bound into the sandbox;
- the system, Python and leerpad's own packages read-only; nothing else of the host: no other
  hand-ins, no ``source/`` folder, no gradebook, no answer keys, no course sources;
- a writable throw-away copy of this one hand-in as working folder, a fresh ``/tmp``;
- its own process tree (``--unshare-pid``, ``--die-with-parent``, ``--new-session``), as an
  unprivileged user;
- resource limits (``prlimit``): memory, processes, file size, CPU time. The time limit per
  cell is nbgrader's ``Execute.timeout``.

The kernel starts through jupyter_client's documented extension point, a kernel provisioner
(``SandboxProvisioner``, entry point ``leerpad-sandbox`` in pyproject.toml), which every
kernelspec of ``SandboxedKernelManager`` names (``leerpad.kernelspecs``); no private method of
jupyter_client is overridden (``tests/test_private_api.py``).

``confine`` wraps any other command the same way: the fresh Python in which a CodeExercise
runs learner code, in the app and when the grader scores it.

Where bwrap is missing or cannot make namespaces the grader refuses to run learner code,
unless the trainer chooses otherwise (``LEERPAD_ZONDER_SANDBOX=1`` or
``c.SandboxProvisioner.require_sandbox = False``): then only the resource limits hold,
and every hand-in's log and notes say so, loudly and in Dutch.
"""

import asyncio
import functools
import importlib.util
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import weakref
from pathlib import Path
from queue import Empty

import zmq
from jupyter_client import protocol_version_info
from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning import LocalProvisioner
from traitlets import Bool, DottedObjectName, Integer, List, Type, Unicode, default

from leerpad.kernelspecs import ProvisionedKernelSpecManager
from leerpad.settings import settings, variable, variables

MB = 1024 * 1024
NO_SANDBOX_VARIABLE = variable("without_sandbox")
WORK_ROOT = "/werk"  # where the hand-in's copy appears inside the sandbox
SYSTEM_PATHS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc")
KERNEL_PATH = Path(__file__).resolve().parent / "kernel_path"
UID_RANGE = (200_000, 260_000)  # unprivileged ids for sandboxes when the grader is root


class SandboxUnavailable(Exception):
    """Learner code would run without the sandbox, and the trainer did not allow that."""


def process_args(nested: bool) -> list[str]:
    """A process namespace with its own /proc; or, `nested` in a sandbox that has them
    already (a hub's single-user server, leerpad.hub.spawner), that sandbox's /proc: the
    kernel cannot mount a new one there."""
    if nested:
        return ["--ro-bind", "/proc", "/proc"]
    return ["--unshare-pid", "--proc", "/proc"]


@functools.lru_cache(maxsize=8)
def bwrap_problem(bwrap: str, nested: bool = False) -> str | None:
    """Why bwrap cannot isolate a process here, or None when it can."""
    path = shutil.which(bwrap)
    if not path:
        return f"het programma '{bwrap}' ontbreekt (installeer het Debian-pakket bubblewrap)"
    probe = [path, "--ro-bind", "/", "/", "--unshare-net", *process_args(nested)]
    if os.geteuid() != 0:
        probe.append("--unshare-user")
    try:
        result = subprocess.run(
            [*probe, "--", "true"], capture_output=True, text=True, timeout=30, check=False
        )
    except OSError as err:
        return f"'{path}' start niet: {err}"
    if result.returncode != 0:
        reason = (result.stderr or "").strip().splitlines()
        return f"'{path}' kan hier geen afgeschermde omgeving maken ({': '.join(reason[-1:])})"
    return None


def sandbox_allowed_without_bwrap() -> bool:
    return settings().without_sandbox


def warning_without_sandbox(reason: str) -> str:
    return (
        f"OPGELET: leerlingcode draait ZONDER sandbox, want {reason}. Alleen de grenzen op "
        "tijd, geheugen en bestandsgrootte gelden: een inzending kan andere inzendingen, het "
        "puntenboek en de sleutels lezen of wijzigen en het netwerk gebruiken. Installeer "
        "bubblewrap (sudo apt install bubblewrap) en verbeter opnieuw."
    )


def refusal_without_sandbox(reason: str) -> str:
    return (
        f"Verbeteren geweigerd: leerlingcode kan niet in de sandbox draaien, want {reason}. "
        "Installeer bubblewrap (sudo apt install bubblewrap). Wil je toch verbeteren zonder "
        f"sandbox, alleen met grenzen op tijd en geheugen, zet dan {NO_SANDBOX_VARIABLE}=1."
    )


def sandbox_refusal(bwrap: str = "bwrap") -> str | None:
    """Before grading: the Dutch refusal when learner code cannot be sandboxed and the
    trainer did not allow grading without it (LEERPAD_ZONDER_SANDBOX=1), else None."""
    problem = bwrap_problem(bwrap)
    if problem is None or sandbox_allowed_without_bwrap():
        return None
    return refusal_without_sandbox(problem)


def leerpad_package_paths() -> list[str]:
    """The folders of leerpad's packages (an editable install points into the repository;
    bind only the packages, never the repository with its courses and ``var/``)."""
    paths = []
    for package in ("leerpad", "leerpad.grading", "leerpad.site", "leerpad.widgets"):
        # find_spec locates a package without importing it (the sandbox needs no site code)
        found = importlib.util.find_spec(package).submodule_search_locations
        paths.extend(str(Path(p).resolve()) for p in found)
    return paths


def python_paths() -> list[str]:
    """The interpreter and its libraries: the virtual environment and the Python it was made
    from."""
    paths = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    paths.add(str(Path(sys.executable).resolve().parent.parent))
    return sorted(p for p in paths if p and not p.startswith(SYSTEM_PATHS))


def count_tasks(uid: int) -> int:
    """How many processes and threads run as `uid` (RLIMIT_NPROC counts them all)."""
    total = 0
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(
                line.split(":", 1) for line in status.read_text().splitlines() if ":" in line
            )
        except OSError:
            continue
        if fields.get("Uid", "").split()[:1] == [str(uid)]:
            total += int(fields.get("Threads", "1").strip() or 1)
    return total


def bwrap_command(
    bwrap, writable, chdir, readonly=(), uid=None, network=False, nested=False
) -> list[str]:
    """bwrap with the system, Python and leerpad read-only, the `writable` (host, inside)
    folders, a fresh /tmp, no network (unless `network`: a hub's single-user server must
    answer the proxy) and its own processes (see process_args for `nested`); ends before
    ``--``."""
    args = [shutil.which(bwrap) or bwrap]
    shown = [
        path
        for path in (*SYSTEM_PATHS, *python_paths(), *leerpad_package_paths())
        if os.path.exists(path)
    ]
    shown += list(readonly)
    # A fresh /tmp first: a later mount hides an earlier one, and the venv may live under
    # /tmp (a CI clone), so its read-only bind must come after.
    args += ["--dev", "/dev", *process_args(nested), "--perms", "1777", "--tmpfs", "/tmp"]
    # Parent folders open to all (bwrap copies host modes: /root would stay closed).
    for parent in sorted({str(a) for p in shown for a in Path(p).parents} - {"/", "/tmp"}):
        args += ["--perms", "0755", "--dir", parent]
    for path in shown:
        args += ["--ro-bind", path, path]
    for host, inside in writable:
        for parent in reversed([str(a) for a in Path(inside).parents if str(a) != "/"]):
            if parent != "/tmp":
                args += ["--perms", "0755", "--dir", parent]
        args += ["--bind", host, inside]
    args += ["--chdir", chdir]
    args += [] if network else ["--unshare-net"]
    args += ["--unshare-ipc", "--unshare-uts"]
    args += ["--hostname", "sandbox", "--die-with-parent", "--new-session"]
    if uid is None:
        args += ["--unshare-user", "--cap-drop", "ALL"]
    return args


def drop_privileges(uid: int | None, gid: int | None = None) -> list[str]:
    """As root: become the box's own id inside (or a user's: her `gid` then), without any
    capability."""
    if uid is None:
        return []
    return [
        shutil.which("setpriv") or "setpriv",
        f"--reuid={uid}",
        f"--regid={uid if gid is None else gid}",
        "--clear-groups",
        "--inh-caps=-all",
        "--bounding-set=-all",
        "--no-new-privs",
    ]


def prlimit_command(memory, processes, file_size, cpu, uid=None) -> list[str]:
    """prlimit in front of a command. The process limit counts every process of the user,
    so a shared user (no private id) gets its current count on top; root (no private id,
    no sandbox) is not held by it at all, so it is left out."""
    if uid is None and os.geteuid() != 0:
        processes += count_tasks(os.geteuid())
    args = [
        shutil.which("prlimit") or "prlimit",
        f"--data={memory}",
        f"--fsize={file_size}",
        f"--cpu={cpu}",
        "--core=0",
    ]
    if uid is not None or os.geteuid() != 0:
        args.append(f"--nproc={processes}")
    return [*args, "--"]


def private_uid() -> int | None:
    """A fresh unprivileged id for one sandbox when we are root, else None (our own)."""
    if os.geteuid() != 0:
        return None
    return UID_RANGE[0] + secrets.randbelow(UID_RANGE[1] - UID_RANGE[0])


def give_to(folder: str, uid: int | None) -> None:
    if uid is None:
        return
    for path, _dirs, files in os.walk(folder):
        os.chown(path, uid, uid)
        for name in files:
            os.lchown(os.path.join(path, name), uid, uid)


def confine(cmd: list[str], folder: str, memory=512 * MB, processes=16, file_size=MB, cpu=30):
    """`cmd` to run in `folder` inside the sandbox, with limits; `cmd` itself where bwrap
    cannot isolate (the limits of the caller still apply then). Used for the code of a
    CodeExercise, in the app and when the grader scores it."""
    if bwrap_problem("bwrap") is not None:
        return cmd
    uid = private_uid()
    give_to(folder, uid)
    inside = f"{WORK_ROOT}/code"
    return [
        *bwrap_command("bwrap", [(folder, inside)], inside, (), uid),
        "--",
        *drop_privileges(uid),
        *prlimit_command(memory, processes, file_size, cpu, uid),
        *cmd,
    ]


class PromptKernelClient(AsyncKernelClient):
    """jupyter_client's client, ready as soon as the kernel is.

    Its own ``wait_for_ready`` ends by listening 0.2 s for more IOPub messages, and a
    grading run starts one kernel per hand-in: here it drains what has arrived and goes
    on. The rest is the same: ready is a kernel_info reply on the shell channel plus a
    message on IOPub (so no output of the first cell is lost). Messages that arrive later
    belong to the kernel_info request; nbclient ignores messages of other requests.
    """

    def start_channels(self, *args, **kwargs):
        # The kernel binds its sockets a moment after it starts; a socket that connects
        # before that tries again after zmq's reconnect interval (100 ms by default).
        self.context.setsockopt(zmq.RECONNECT_IVL, 10)
        super().start_channels(*args, **kwargs)

    async def wait_for_ready(self, timeout: float | None = None) -> None:
        deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
        while True:
            self.kernel_info()
            try:
                msg = await self.shell_channel.get_msg(timeout=1)
            except Empty:
                pass
            else:
                if msg["msg_type"] == "kernel_info_reply":
                    try:
                        await self.iopub_channel.get_msg(timeout=0.2)
                    except Empty:
                        pass  # IOPub not connected yet: ask again
                    else:
                        self.adapt_to(msg)
                        break
            if not await self.is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:.0f} seconds")
        while True:
            try:
                await self.iopub_channel.get_msg(timeout=0.01)
            except Empty:
                break

    def adapt_to(self, kernel_info_reply: dict) -> None:
        """Speak the kernel's major protocol version, as jupyter_client's client does."""
        major = int(kernel_info_reply["content"]["protocol_version"].split(".")[0])
        if major != protocol_version_info[0]:
            self.session.adapt_version = major


class SandboxProvisioner(LocalProvisioner):
    """Starts a kernel in bubblewrap, with resource limits: jupyter_client's kernel
    provisioner (entry point ``leerpad-sandbox``) for the kernels of the grader.

    ``pre_launch`` makes the kernel's box (its sockets and a copy of the hand-in) and wraps
    the kernel command in bwrap and prlimit; ``cleanup`` removes the box.
    """

    memory_limit = Integer(
        1024 * MB,
        help="Memory (data segment and private mappings) of each sandboxed process, in bytes.",
    ).tag(config=True)
    process_limit = Integer(
        64, help="Processes and threads the sandboxed code may have at once."
    ).tag(config=True)
    file_size_limit = Integer(
        64 * MB, help="Largest file the sandboxed code may write, in bytes."
    ).tag(config=True)
    cpu_limit = Integer(
        600, help="CPU seconds for the whole kernel (the time per cell is Execute.timeout)."
    ).tag(config=True)
    bwrap = Unicode("bwrap", help="The bubblewrap program.").tag(config=True)
    require_sandbox = Bool(
        help="Refuse to grade when bwrap cannot isolate the kernel. Default: true, unless "
        f"the environment variable {NO_SANDBOX_VARIABLE}=1."
    ).tag(config=True)
    readonly_paths = List(
        Unicode(), help="Extra host folders to show read-only inside the sandbox."
    ).tag(config=True)
    nested = Bool(
        False,
        help="The server itself runs in leerpad's sandbox (hub mode): the kernel's sandbox "
        "shares its process namespace and /proc.",
    ).tag(config=True)

    @default("require_sandbox")
    def sandbox_required_by_default(self):
        return not sandbox_allowed_without_bwrap()

    @classmethod
    def section_names(cls):
        # Cohorts configured these limits as c.SandboxedKernelManager.* before the sandbox
        # was a provisioner; the provisioner's own section comes later and wins.
        return ["SandboxedKernelManager", *super().section_names()]

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        old = [n for n in self.config.get("SandboxedKernelManager", {}) if self.has_trait(n)]
        if old:  # traitlets says the manager does not know them: say where they went
            self.log.warning(
                "De sandbox leest %s nog onder de oude naam c.SandboxedKernelManager; zet ze "
                "in nbgrader_config.py van het cohort als c.SandboxProvisioner.%s.",
                ", ".join(old),
                old[0],
            )

    sandboxed = Bool(False, help="Whether the running kernel is inside bwrap (read-only).")
    box = Unicode("", help="The host folder of this kernel's sandbox (read-only).")
    stopping = Bool(False, help="Whether the kernel was asked to stop (read-only).")

    async def pre_launch(self, **kwargs):
        self.stopping = False
        self.prepare_box(kwargs.get("cwd") or os.getcwd())
        kwargs = await super().pre_launch(**kwargs)  # the connection file, in the box
        kernel_cmd = kwargs.pop("cmd")
        problem = bwrap_problem(self.bwrap, self.nested)
        work = self.work_inside if problem is None else self.work_copy
        env = self.kernel_env(work)
        if problem is None:
            self.sandboxed = True
            uid = self.owner_for_box()
            cmd = [*self.bwrap_args(uid, work), *self.limit_args(uid), *kernel_cmd]
        elif self.require_sandbox:
            self.remove_box()
            raise SandboxUnavailable(refusal_without_sandbox(problem))
        else:
            self.sandboxed = False
            self.log.warning(warning_without_sandbox(problem))
            cmd = [*self.limit_args(None), *kernel_cmd]
        return {**kwargs, "cmd": cmd, "cwd": work if problem else self.box, "env": env}

    async def cleanup(self, restart: bool = False) -> None:
        await super().cleanup(restart=restart)
        if not restart:
            self.remove_box()

    # -- stopping fast ---------------------------------------------------------------
    async def shutdown_requested(self, restart: bool = False) -> None:
        self.stopping = True
        await super().shutdown_requested(restart=restart)

    async def kill(self, restart: bool = False) -> None:
        self.stopping = True
        await super().kill(restart=restart)

    async def poll(self) -> int | None:
        """Once the kernel is asked to stop, wait up to 0.1 s for its exit, looking every
        0.01 s: jupyter_client looks again only 0.1 s later, and a grading run stops one
        kernel per hand-in."""
        status = await super().poll()
        deadline = time.monotonic() + 0.1
        while self.stopping and status is None and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
            status = await super().poll()
        return status

    # -- the box: one throw-away folder per kernel -----------------------------------
    def make_box(self, prefix: str) -> None:
        """The throw-away folder with the kernel's sockets (ipc: no network needed)."""
        self.box = tempfile.mkdtemp(prefix=prefix)
        # Gone with the kernel; and, should a start fail halfway, with this provisioner.
        weakref.finalize(self, shutil.rmtree, self.box, True)
        os.chmod(self.box, 0o755)
        run = Path(self.box, "run")
        run.mkdir()
        # The sandbox has no network, not even loopback to the grader: the manager talks to
        # the kernel over Unix sockets in the box.
        manager = self.parent
        manager.transport = "ipc"
        manager.ip = str(run / "kernel")
        manager.connection_file = str(run / "kernel.json")

    def prepare_box(self, cwd: str) -> None:
        self.make_box("leerpad-sandbox-")
        name = Path(cwd).name or "werk"
        self.work_copy = str(Path(self.box, "werk", name))
        self.work_inside = f"{WORK_ROOT}/{name}"
        shutil.copytree(cwd, self.work_copy, symlinks=True, ignore=_skip_big_and_special)

    def owner_for_box(self) -> int | None:
        """The box belongs to the kernel: as root, a fresh unprivileged id; else our own.
        The copy of the hand-in is the kernel's to change (nbgrader made it read-only)."""
        for folder, _dirs, files in os.walk(self.work_copy):
            os.chmod(folder, 0o755)
            for name in files:
                os.chmod(os.path.join(folder, name), 0o644)
        uid = private_uid()
        give_to(self.box, uid)
        return uid

    def remove_box(self) -> None:
        if self.box:
            shutil.rmtree(self.box, ignore_errors=True)

    # -- the command line --------------------------------------------------------------
    def kernel_env(self, work: str) -> dict:
        """A clean environment: nothing of the grader's (no paths to keys or gradebook)."""
        return {
            "PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
            "HOME": work,
            "LANG": "C.UTF-8",
            "PYTHONIOENCODING": "utf-8",
            "IPYTHONDIR": "/tmp/ipython",
            "MPLCONFIGDIR": "/tmp/matplotlib",
            "MPLBACKEND": "agg",
            "OMP_NUM_THREADS": "1",
            "MALLOC_ARENA_MAX": "2",
            "OPENBLAS_NUM_THREADS": "1",
            **variables(module=Path(work).name),
            "PYTHONPATH": str(KERNEL_PATH),  # no debugger: see kernel_path/debugpy
        }

    def writable_folders(self, work: str) -> list[tuple[str, str]]:
        """(host, inside) folders the kernel may write: its sockets and its work folder."""
        run = str(Path(self.box, "run"))
        return [(run, run), (self.work_copy, work)]

    def bwrap_args(self, uid: int | None, work: str) -> list[str]:
        writable = self.writable_folders(work)
        return [
            *bwrap_command(
                self.bwrap, writable, work, self.readonly_paths, uid, nested=self.nested
            ),
            "--setenv",  # the kernel's parent is bwrap's init now: no parent polling
            "JPY_PARENT_PID",
            "1",
            "--",
            *drop_privileges(uid),
        ]

    def limit_args(self, uid: int | None) -> list[str]:
        return prlimit_command(
            self.memory_limit, self.process_limit, self.file_size_limit, self.cpu_limit, uid
        )


class SandboxedKernelManager(AsyncKernelManager):
    """jupyter_client's kernel manager for the grader: every kernelspec starts its kernel
    through the sandbox (``SandboxProvisioner``), interrupted by message (a signal to
    bwrap's process group never reaches a kernel in its own session), with a client that
    is ready as soon as the kernel is."""

    client_class = DottedObjectName("leerpad.sandbox.PromptKernelClient")
    client_factory = Type(klass=PromptKernelClient)

    @default("kernel_spec_manager")
    def sandbox_kernelspecs(self):
        return ProvisionedKernelSpecManager(
            parent=self, provisioner_name="leerpad-sandbox", interrupt_mode="message"
        )


def _skip_big_and_special(folder: str, names: list[str]) -> list[str]:
    """Copy regular files and folders only (no sockets, fifos or devices)."""
    skipped = []
    for name in names:
        path = os.path.join(folder, name)
        if not (os.path.isdir(path) or os.path.isfile(path)) or os.path.islink(path):
            skipped.append(name)
    return skipped
