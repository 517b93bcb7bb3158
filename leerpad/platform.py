"""``leerpad start``: prepare what changed, start every server, print where they are, and
stop them all on Ctrl-C."""

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from leerpad.catalogue import Catalogue
from leerpad.check import gate
from leerpad.classroom import LAPTOP, LOOPBACK, Network, qr_terminal
from leerpad.grading.cohort import Cohort, app_url
from leerpad.grading.release import release_all
from leerpad.paths import ROOT, build_dir, data_dir, var_dir
from leerpad.servers.lab import TRAINER_PAGES, learner_lab, trainer_lab
from leerpad.settings import variables
from leerpad.site_build import build_site

HOST = LOOPBACK  # the trainer workspace, the learner JupyterLab and grading: always
# The servers a learner uses; in classroom mode they listen on the network (leerpad.classroom).
PUBLIC = ("site", "apps")
# Memory ceilings of the apps server (MB): one kernel, and the server before it sheds load.
APP_LIMITS = {"kernel_memory_mb": 2048, "server_memory_mb": 1024}


class PortBusy(RuntimeError):
    pass


@dataclass
class Ports:
    site: int = 8000
    apps: int = 8866
    lab: int = 8888
    trainer: int = 8890

    @classmethod
    def from_env(cls) -> "Ports":
        names = {"site": "PORT", "apps": "APPS_PORT", "lab": "LAB_PORT", "trainer": "TRAINER_PORT"}
        values = {}
        for attr, var in names.items():
            raw = os.environ.get(var)
            if raw:
                if not raw.isdigit() or not 0 < int(raw) < 65536:
                    raise PortBusy(
                        f"{var}={raw} is geen geldige poort. Kies een getal, bv. {var}=9000."
                    )
                values[attr] = int(raw)
        return cls(**values)

    VARIABLES = {"site": "PORT", "apps": "APPS_PORT", "lab": "LAB_PORT", "trainer": "TRAINER_PORT"}

    def check_free(self, network: Network = LAPTOP) -> None:
        for attr, var in self.VARIABLES.items():
            port = getattr(self, attr)
            with socket.socket() as s:
                # As the servers themselves bind (tornado sets SO_REUSEADDR): a port whose
                # last connections wait in TIME_WAIT after Ctrl-C is free, not busy.
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                try:
                    s.bind((network.bind if attr in PUBLIC else HOST, port))
                except OSError as err:
                    raise PortBusy(
                        f"Poort {port} is bezet (nodig voor {attr}). Stop wat die poort gebruikt, "
                        f"of kies een andere: {var}={port + 1} make start"
                    ) from err


def _proc_stat(pid: int) -> list[str] | None:
    """Fields of /proc/<pid>/stat after the command name, or None."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def descendants(pid: int) -> list[tuple[int, str]]:
    """Every process below ``pid`` with its start time (Linux /proc; elsewhere none)."""
    children: dict[int, list[tuple[int, str]]] = {}
    for entry in Path("/proc").glob("[0-9]*"):
        fields = _proc_stat(int(entry.name))
        if fields:
            children.setdefault(int(fields[1]), []).append((int(entry.name), fields[19]))
    found, todo = [], [pid]
    while todo:
        below = children.get(todo.pop(), [])
        found += below
        todo += [child for child, _ in below]
    return found


def kill_if_same(pid: int, started: str) -> None:
    """SIGKILL ``pid`` only if it is still the process we saw (same start time)."""
    fields = _proc_stat(pid)
    if fields and fields[19] == started:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


def process_alive(pid: int, started: str) -> bool:
    """Whether ``pid`` still runs and is the process that started at ``started``."""
    fields = _proc_stat(pid)
    return bool(fields) and fields[19] == started


LOG_KEEP = 5 * 1024 * 1024  # bytes of a server log kept from earlier starts


def open_log(path: Path):
    """A server's log, appended to: a restart keeps what happened before it (the trainer
    looks back after a Ctrl-C). Past LOG_KEEP the old part moves to ``<name>.log.1``."""
    if path.exists() and path.stat().st_size > LOG_KEEP:
        path.replace(path.with_name(path.name + ".1"))
    log = open(path, "a")  # noqa: SIM115 - closed with the process
    log.write(f"\n=== leerpad start {time.strftime('%Y-%m-%d %H:%M:%S')} ===\n")
    log.flush()
    return log


def listening(where: int | Path, host: str = HOST) -> bool:
    """Whether a server answers on this port of ``host`` (or on this Unix socket)."""
    if isinstance(where, Path):
        with socket.socket(socket.AF_UNIX) as s:
            return s.connect_ex(str(where)) == 0
    with socket.socket() as s:
        return s.connect_ex((host, where)) == 0


def addresses_file() -> Path:
    return var_dir() / "servers" / "addresses.json"


@dataclass(frozen=True)
class Addresses:
    """Where the platform answers. ``leerpad start`` writes them while it runs; every
    command that prints a link or URL reads them with :func:`addresses`."""

    site: str
    apps: str
    lab: str
    trainer: str
    cohort: str = ""
    running: bool = False

    @classmethod
    def of(
        cls, ports: Ports, cohort: str = "", running: bool = False, network: Network = LAPTOP
    ) -> "Addresses":
        def url(port):
            return f"http://{HOST}:{port}"

        return cls(network.url(ports.site), network.url(ports.apps), url(ports.lab),
                   url(ports.trainer), cohort, running)  # fmt: skip

    def not_running_note(self) -> str:
        """Empty while the platform runs; otherwise what a printed link is worth."""
        if self.running:
            return ""
        return (
            "Let op: het platform draait niet; deze adressen gebruiken de ingestelde poorten "
            f"({self.site}, {self.apps}). Start het met: leerpad start (of make start)."
        )

    def cohort_note(self, cohort: str) -> str:
        """Empty when links of ``cohort`` work now; otherwise how to make them work."""
        if not self.running:
            return self.not_running_note()
        if self.cohort == cohort:
            return ""
        return (
            f"Let op: het platform draait nu cohort '{self.cohort}', niet '{cohort}'. Deze "
            f"links werken pas na: COHORT={cohort} make start (of leerpad start --cohort "
            f"{cohort})."
        )


def addresses() -> Addresses:
    """The platform's addresses: the ones in use while it runs, else the configured ports
    (``PORT``, ``APPS_PORT``, ``LAB_PORT``, ``TRAINER_PORT`` or their defaults)."""
    try:
        data = json.loads(addresses_file().read_text())
        if process_alive(data["pid"], data["started"]):
            return Addresses(**data["urls"], cohort=data["cohort"], running=True)
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return Addresses.of(Ports.from_env())


@dataclass
class Platform:
    ports: Ports
    cohort: str = "demo"
    learner: str = "leerkracht-demo"
    processes: list = field(default_factory=list)
    grading_socket: Path | None = None  # where the grading service listens, once started
    network: Network = field(default_factory=Network)  # where apps and site listen
    notes: list = field(default_factory=list)  # what the trainer must read about the network

    def urls(self) -> dict:
        a = Addresses.of(self.ports, self.cohort, network=self.network)
        return {"site": a.site + "/", "apps": a.apps, "lab": a.lab, "trainer": a.trainer}

    def write_addresses(self) -> None:
        """Tell every other command where this platform answers (see :func:`addresses`)."""
        a = Addresses.of(self.ports, network=self.network)
        me = os.getpid()
        data = {
            "pid": me,
            "started": _proc_stat(me)[19],
            "cohort": self.cohort,
            "urls": {"site": a.site, "apps": a.apps, "lab": a.lab, "trainer": a.trainer},
        }
        from leerpad.widgets.store import write_json_atomic

        write_json_atomic(addresses_file(), data)

    def forget_addresses(self) -> None:
        try:
            if json.loads(addresses_file().read_text()).get("pid") == os.getpid():
                addresses_file().unlink()
        except (OSError, ValueError):
            pass

    @staticmethod
    def _token(server: str, nbytes: int) -> str:
        """A server's token, made once and kept private in var/servers/<server>/token."""
        path = var_dir() / "servers" / server / "token"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_hex(nbytes))
            path.chmod(0o600)
        return path.read_text().strip()

    def trainer_token(self) -> str:
        return self._token("trainer", 24)

    def learner_token(self) -> str:
        return self._token("learner-lab", 16)

    def prepare(self, log=print) -> Cohort:
        # the same check as `leerpad check`: what it refuses is never released or shown
        catalogue = gate("leerpad start", Catalogue())
        cohort = Cohort(self.cohort)
        if not cohort.exists():
            cohort.create()
        release_all(cohort, catalogue.modules.values(), log=log)
        urls = self.urls()
        build_site(apps_url=urls["apps"], lab_url=urls["lab"], log=log, catalogue=catalogue)
        return cohort

    def _spawn(self, name, args, env=None, cwd=None):
        environment = {**os.environ, **(env or {})}
        bin_dir = str(Path(sys.executable).parent)
        environment["PATH"] = bin_dir + os.pathsep + environment.get("PATH", "")
        log_dir = var_dir() / "logs"
        log_dir.mkdir(parents=True, exist_ok=True)
        log = open_log(log_dir / f"{name}.log")
        proc = subprocess.Popen(
            args,
            env=environment,
            cwd=cwd,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes.append((name, proc, log))
        return proc

    def start_servers(self, cohort: Cohort) -> None:
        p, py = self.ports, sys.executable
        root_flag = ["--allow-root"] if os.geteuid() == 0 else []  # CI and containers run as root
        site_dir = build_dir() / "site"
        self._spawn(
            "site",
            [py, "-m", "leerpad.servers.site", str(site_dir), str(p.site),
             f"--host={self.network.bind}", *self.tls_options("--")],
            cwd=var_dir(),
        )  # fmt: skip
        self.start_grading(cohort)
        self.start_apps(cohort)
        self._start_labs(cohort, root_flag)

    def start_grading(self, cohort: Cohort) -> None:
        """The grading service the apps hand in to (leerpad.grading.service): warm workers
        and a bounded queue, on a Unix socket that apps started after it are told about."""
        from leerpad.grading.service import socket_path

        self.grading_socket = socket_path(cohort.name)
        self._spawn(
            "grading",
            [sys.executable, "-m", "leerpad.grading.service", str(cohort.dir),
             f"--socket={self.grading_socket}"],
            cwd=cohort.dir,
        )  # fmt: skip

    def start_apps(self, cohort: Cohort, name="apps", options=()) -> None:
        """The learner apps: Voilà on the cohort's released notebooks (``options``: more
        command-line options for it, e.g. other limits)."""
        args, env = self.apps_command(cohort, options)
        self._spawn(name, args, env=env, cwd=var_dir())

    def apps_command(self, cohort: Cohort, options=()) -> tuple[list, dict]:
        """The apps server's command line and the environment it adds (also for the apps
        as a hub service, leerpad.hub)."""
        p, py = self.ports, sys.executable
        kernel_env = {
            **variables(
                cohort=cohort.dir,
                keys=cohort.keys_dir,
                data=data_dir(),
                # the app links to the feedback page; urls() is the addresses' one source
                site_url=self.urls()["site"],
                # "Inleveren" asks the service; without it, a process each
                grading_socket=self.grading_socket,
            ),
            "JUPYTER_PATH": str(ROOT / "leerpad" / "share" / "jupyter"),
        }
        return (
            [
                py,
                "-m",
                "leerpad.servers.apps",
                str(cohort.release_dir),
                "--no-browser",
                f"--port={p.apps}",
                f"--Voila.ip={self.network.bind}",
                *self.tls_options("--LearnerApps."),
                "--template=leerpad",
                "--preheat_kernel=True",
                "--pool_size=1",
                # The pool runs every notebook at once at start-up: on a busy machine a
                # kernel's output can lag behind its reply by more than nbclient's 4 s, and
                # the first pupil's page then lacks those exercises. Wait for the output.
                "--VoilaExecutor.iopub_timeout=120",
                # A closed page's kernel is stopped after AppLimits.close_grace (45 s); this
                # cull is the net behind it (Voilà never culls its preheated pool).
                "--MappingKernelManager.cull_idle_timeout=300",
                "--MappingKernelManager.cull_interval=60",
                # Bounds against a hostile client (leerpad.servers.apps): per-connection
                # message budgets, and memory ceilings for each kernel and for the server.
                f"--AppLimits.kernel_memory_mb={APP_LIMITS['kernel_memory_mb']}",
                f"--AppLimits.server_memory_mb={APP_LIMITS['server_memory_mb']}",
                *options,
                "--Voila.tornado_settings={'headers': {'Referrer-Policy': 'no-referrer'}}",
            ],
            kernel_env,
        )

    def tls_options(self, prefix: str) -> list[str]:
        """The certificate options of a learner-facing server (none without HTTPS)."""
        n = self.network
        return (
            [f"{prefix}certfile={n.certfile}", f"{prefix}keyfile={n.keyfile}"] if n.certfile else []
        )

    def _start_labs(self, cohort: Cohort, root_flag: list) -> None:
        p, py = self.ports, sys.executable
        config, home = learner_lab(cohort, self.learner)
        # No keys: the Lab's kernels run learner code (in the sandbox, see servers/learner.py)
        lab_env = {"JUPYTER_CONFIG_DIR": str(config)}
        self._spawn(
            "lab",
            [
                py,
                "-m",
                "jupyterlab",
                "--no-browser",
                f"--ServerApp.ip={HOST}",
                f"--ServerApp.port={p.lab}",
                "--ServerApp.port_retries=0",
                f"--ServerApp.root_dir={home}",
                f"--IdentityProvider.token={self.learner_token()}",
                "--ServerApp.terminals_enabled=False",
                *root_flag,
            ],
            env=lab_env,
            cwd=home,
        )
        self.start_trainer(cohort, root_flag)

    def start_trainer(self, cohort: Cohort, root_flag: list | None = None) -> None:
        """The trainer's JupyterLab: formgrader and leerpad's trainer pages, with a token."""
        p, py = self.ports, sys.executable
        if root_flag is None:
            root_flag = ["--allow-root"] if os.geteuid() == 0 else []
        trainer_config = trainer_lab(cohort)
        self._spawn(
            "trainer",
            [
                py,
                "-m",
                "jupyterlab",
                "--no-browser",
                f"--ServerApp.ip={HOST}",
                f"--ServerApp.port={p.trainer}",
                "--ServerApp.port_retries=0",
                f"--ServerApp.root_dir={cohort.dir}",
                f"--IdentityProvider.token={self.trainer_token()}",
                *root_flag,
            ],
            env={"JUPYTER_CONFIG_DIR": str(trainer_config), **variables(keys=cohort.keys_dir)},
            cwd=cohort.dir,
        )

    def raise_if_stopped(self) -> None:
        """While starting: a server that stopped already, named with the end of its log."""
        for name, proc, _ in self.processes:
            if proc.poll() is not None:
                log = var_dir() / "logs" / f"{name}.log"
                tail = "\n".join(log.read_text().splitlines()[-20:])
                raise RuntimeError(f"De server '{name}' stopte meteen. Zie {log}:\n{tail}")

    def wait_until_listening(
        self, timeout=120, names=("site", "apps", "lab", "trainer", "grading"), host=None
    ) -> None:
        """Wait for the servers ``names``, each on its own address (or all on ``host``)."""
        deadline = time.monotonic() + timeout
        pending = {name: getattr(self.ports, name) for name in names if name != "grading"}
        if "grading" in names and self.grading_socket:
            pending["grading"] = self.grading_socket
        while pending and time.monotonic() < deadline:
            self.raise_if_stopped()
            for name, port in list(pending.items()):
                if listening(port, host or self.host_of(name)):
                    del pending[name]
            time.sleep(0.2)
        if pending:
            raise RuntimeError(f"Niet op tijd gestart: {', '.join(pending)}")

    def host_of(self, name: str) -> str:
        """Where this machine reaches the server ``name``."""
        return self.network.reach() if name in PUBLIC else HOST

    def stop(self) -> None:
        # Kernels run in sessions of their own: remember them, in case a server dies before
        # it shut them down.
        kernels = [child for _, proc, _ in self.processes for child in descendants(proc.pid)]
        for _, proc, _ in self.processes:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        for _, proc, log in self.processes:
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
            log.close()
        self.processes.clear()
        for pid, started in kernels:
            kill_if_same(pid, started)
        self.forget_addresses()

    def serve(self, up, crashed: str, stopping: str) -> int:
        """Run ``up()`` (start and announce), then wait while every server runs. Ctrl-C or
        SIGTERM stops them all (exit 0); a server that stops on its own stops the rest (1)."""

        def on_signal(signum, frame):
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, on_signal)
        # Ctrl-C stops everything, even when started from a shell that ignores SIGINT.
        signal.signal(signal.SIGINT, signal.default_int_handler)
        try:
            up()
            while all(proc.poll() is None for _, proc, _ in self.processes):
                time.sleep(0.5)
            print(crashed, file=sys.stderr)
            for name, proc, log in self.processes:
                if proc.poll() is not None:  # which one, and where to look
                    print(f"  {name}: exitcode {proc.returncode}; zie {log.name}", file=sys.stderr)
            return 1
        except KeyboardInterrupt:
            print(stopping, flush=True)
            return 0
        finally:
            self.stop()

    def banner(self, cohort: Cohort) -> str:
        a = addresses()  # what every other command prints too
        path_id = cohort.settings.get("path", "")
        path = path_title(path_id) if path_id else "geen leerpad: alle modules"
        module = (cohort.path_modules() or ["ct-01-algoritme"])[0]
        page = f"paden/{path_id}/" if path_id else ""
        token = self.trainer_token()
        trainer = f"{a.trainer}/lab?token={token}"
        return "\n".join(
            [
                "",
                f"leerpad draait cohort '{cohort.name}' ({path}). Stoppen: Ctrl-C.",
                f"  Website (leerpad):              {a.site}/{page}",
                f"  Leerling-apps (Voilà):          {app_url(a.apps, module)}",
                f"  JupyterLab voor cursisten:      {a.lab}/lab?token={self.learner_token()}",
                f"  Trainerwerkplek (JupyterLab):   {trainer}",
                f"  Open vragen beoordelen:         {a.trainer}{TRAINER_PAGES['grading']}",
                f"  Rapport van het cohort:         {a.trainer}{TRAINER_PAGES['report']}",
                f"  Formgrader (nbgrader):          {a.trainer}/formgrader",
                f"  Trainertoken:                   {token}",
                "  (Open eerst de trainerwerkplek: daarna werken de andere trainerlinks zonder "
                "token.)",
                f"  Een ander cohort: COHORT=<naam> make start. Links: leerpad cohort links "
                f"{cohort.name}",
                "",
                *self.classroom_lines(cohort, a),
            ]
        )

    def classroom_lines(self, cohort: Cohort, a: Addresses) -> list[str]:
        """In classroom mode: what the class reaches, and each module's class link as a QR
        code to scan from the screen (the trainer's page shows them too)."""
        if self.network.bind == HOST:
            return []
        lines = [
            f"Klaslokaal: de leerlingen bereiken de apps en de website op {self.network.host} "
            "(wifi). De trainerwerkplek, JupyterLab en het verbeteren blijven op 127.0.0.1.",
            *self.notes,
            f"QR-codes op groot scherm: {a.trainer}{TRAINER_PAGES['classroom']}",
        ]
        if not cohort.pseudonyms and not cohort.is_open:
            lines.append(
                "Nog geen schuilnamen: maak ze met leerpad cohort class-link "
                f"{cohort.name} (of open het cohort)."
            )
        for module, link in cohort.class_links(a.apps).items():
            lines += ["", f"Klaslink {module}:", link, qr_terminal(link)]
        return lines


def path_title(path_id: str) -> str:
    """'Bootcamp basisonderwijs (bootcamp-basisonderwijs)', or the id when it is unknown."""
    for learning_path in Catalogue().paths:
        if learning_path.id == path_id:
            return f"leerpad {learning_path.meta['title']} ({path_id})"
    return f"leerpad {path_id}"


def start(cohort="demo", network: Network = LAPTOP, notes=()) -> int:
    try:
        ports = Ports.from_env()
        ports.check_free(network)
    except PortBusy as err:
        print(err, file=sys.stderr)
        return 2
    platform = Platform(ports, cohort, network=network, notes=list(notes))
    cohort_obj = platform.prepare()

    def up():
        platform.start_servers(cohort_obj)
        platform.wait_until_listening()
        platform.write_addresses()
        print(platform.banner(cohort_obj), flush=True)

    return platform.serve(up, "Een server stopte; leerpad stopt alles.", "\nleerpad stopt...")
