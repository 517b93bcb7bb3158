"""The hub's gradebook server: a PostgreSQL cluster of leerpad's own in ``var/hub/postgres``.

initdb refuses to run as root, so as root the cluster belongs to the system user
``postgres`` (made by the Debian package). It listens on 127.0.0.1 only, on a free port, and
asks a password of every connection over TCP: on a shared server a teacher's process must
not reach the gradebook. The password lives in a file only its owner can read.
"""

import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path

USER = "leerpad"  # the cluster's superuser, the gradebook's owner


class PostgresMissing(RuntimeError):
    pass


def postgres_bin() -> Path:
    """The folder with initdb and pg_ctl (Debian keeps them out of PATH)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).parent
    raise PostgresMissing(
        "PostgreSQL ontbreekt (initdb niet gevonden in /usr/lib/postgresql/*/bin of PATH). "
        "Oplossing: sudo apt-get install postgresql, of make hub (doet dat zelf)."
    )


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


@dataclass
class Postgres:
    """One cluster: ``start()`` makes it the first time and starts it, ``stop()`` stops it."""

    folder: Path
    port: int = 0
    host: str = "127.0.0.1"

    @property
    def data(self) -> Path:
        return self.folder / "data"

    @property
    def password_file(self) -> Path:
        return self.folder.parent / "postgres-password"

    def _owner(self) -> list[str]:
        """As root: run as the system user postgres (initdb refuses root)."""
        if os.geteuid() != 0:
            return []
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            raise PostgresMissing(
                "De systeemgebruiker 'postgres' ontbreekt. Oplossing: sudo apt-get install "
                "postgresql (maakt die gebruiker)."
            ) from None
        return ["runuser", "-u", "postgres", "--"]

    def _run(self, *cmd: str) -> None:
        result = subprocess.run(
            [*self._owner(), *cmd], capture_output=True, text=True, timeout=300, check=False
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"PostgreSQL: '{Path(cmd[0]).name}' faalde (exitcode {result.returncode}): "
                f"{(result.stderr or result.stdout).strip()[-800:]}. Zie {self.folder}/server.log."
            )

    def password(self) -> str:
        if not self.password_file.exists():
            self.password_file.write_text(secrets.token_urlsafe(24))
            self.password_file.chmod(0o600)
        return self.password_file.read_text().strip()

    def _init(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        pwfile = self.folder / ".initdb-password"
        pwfile.write_text(self.password())
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            for path in (self.folder, pwfile):
                os.chown(path, owner.pw_uid, owner.pw_gid)
        self.folder.chmod(0o700)
        pwfile.chmod(0o600)
        try:
            self._run(
                str(postgres_bin() / "initdb"), "-D", str(self.data), "-U", USER, "-E", "UTF8",
                f"--pwfile={pwfile}", "--auth-host=scram-sha-256", "--auth-local=scram-sha-256",
            )  # fmt: skip
        finally:
            pwfile.unlink(missing_ok=True)

    def start(self) -> "Postgres":
        if not (self.data / "PG_VERSION").exists():
            self._init()
        self.port = self.port or free_port(self.host)
        options = f"-p {self.port} -k {self.folder} -c listen_addresses={self.host}"
        self._run(
            str(postgres_bin() / "pg_ctl"), "-D", str(self.data), "-o", options,
            "-l", str(self.folder / "server.log"), "-w", "-t", "300", "start",
        )  # fmt: skip
        return self

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._run(str(postgres_bin() / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w",
                      "stop")  # fmt: skip

    def url(self, database: str) -> str:
        return f"postgresql+psycopg2://{USER}:{self.password()}@{self.host}:{self.port}/{database}"

    def create_database(self, database: str) -> str:
        """The database (made when missing); returns its SQLAlchemy URL."""
        import psycopg2

        conn = psycopg2.connect(
            host=self.host, port=self.port, user=USER, password=self.password(), dbname="postgres"
        )
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,))
            if cur.fetchone() is None:
                cur.execute(f'CREATE DATABASE "{database}"')
        conn.close()
        return self.url(database)
