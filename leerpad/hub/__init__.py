"""``leerpad hub``: a cohort on many devices, through JupyterHub.

It releases the cohort's modules, starts the cohort's PostgreSQL gradebook, writes the
settings that ``jupyterhub_config.py`` (beside this file) turns into JupyterHub's
configuration (leerpad.hub.config), starts JupyterHub with configurable-http-proxy and
stops it all on Ctrl-C. It runs as root: every teacher becomes a Unix user of her own.
"""

import json
import os
import secrets
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from leerpad.hub.config import LEARNERS, TRAINERS
from leerpad.hub.postgres import Postgres, free_port
from leerpad.paths import ROOT, exchange_dir, var_dir
from leerpad.settings import variables

HERE = Path(__file__).resolve().parent
PROXY = HERE / "node_modules" / ".bin" / "configurable-http-proxy"
APPS_PREFIX = "/services/apps/"
DEMO = {TRAINERS: ["demo-trainer"], LEARNERS: ["demo-an", "demo-bert"]}
OIDC_DEFAULTS = {
    "role_claim": "roles",
    "roles": {"trainer": TRAINERS, "leerkracht": LEARNERS},
    "username_claim": "preferred_username",
    "scopes": ["openid", "profile", "roles"],
    "name": "schoolaccount",
}
LTI_DEFAULTS = {
    # A custom parameter of the tool in the platform (Moodle: username=$User.username).
    "username_claim": "custom_username",
    "roles": {"Instructor": TRAINERS, "Learner": LEARNERS},
}


class HubError(RuntimeError):
    pass


def hub_dir() -> Path:
    return var_dir() / "hub"


def _problem_if_not_root() -> None:
    if os.geteuid() != 0:
        raise HubError(
            "leerpad hub moet als root draaien: elke leerkracht krijgt een eigen "
            "Unix-gebruiker (useradd), zodat niemand de bestanden van een ander leest. "
            "Oplossing: sudo make hub (of sudo .venv/bin/leerpad hub)."
        )
    if not PROXY.exists():
        raise HubError(
            f"configurable-http-proxy ontbreekt ({PROXY}). Oplossing: make hub installeert "
            "het (npm ci --prefix leerpad/hub)."
        )


def _problem_if_closed(folder: Path) -> None:
    """PostgreSQL runs as the user postgres: it must reach its folder under var/."""
    for parent in [folder, *folder.parents]:
        if parent.exists() and not parent.stat().st_mode & 0o001:
            raise HubError(
                f"De map {parent} is dicht voor andere gebruikers, maar de gebruiker postgres "
                f"moet er door naar {folder}. Oplossing: chmod o+x {parent}, of zet leerpad "
                "(of LEERPAD_VAR) in een open map zoals /srv/leerpad."
            )


def _login_file(path: Path, required: tuple[str, ...]) -> dict:
    """A login's settings from its YAML file (see the deploy guide), with what it needs."""
    try:
        given = yaml.safe_load(Path(path).read_text()) or {}
    except (OSError, yaml.YAMLError) as err:
        raise HubError(f"{path}: niet leesbaar als YAML ({err}).") from None
    if not isinstance(given, dict):
        raise HubError(f"{path}: verwacht 'sleutel: waarde'-regels (zie de deploy-gids).")
    missing = [key for key in required if not given.get(key)]
    if missing:
        raise HubError(f"{path}: vul {', '.join(missing)} in (zie de deploy-gids).")
    return given


def oidc_settings(path: Path) -> dict:
    """The login settings of a school's identity provider (a YAML file, see the deploy
    guide), with the endpoints from the provider's discovery document."""
    import requests

    given = _login_file(path, ("issuer", "client_id"))
    if "client_secret" not in given and "client_secret_file" not in given:
        raise HubError(f"{path}: vul client_secret of client_secret_file in (zie de deploy-gids).")
    auth = {**OIDC_DEFAULTS, **given, "kind": "oidc"}
    if "client_secret_file" in auth:
        auth["client_secret"] = Path(auth.pop("client_secret_file")).read_text().strip()
    issuer = auth["issuer"].rstrip("/")
    discovery = f"{issuer}/.well-known/openid-configuration"
    try:
        endpoints = requests.get(discovery, timeout=30).json()
    except (requests.RequestException, ValueError) as err:
        raise HubError(
            f"{path}: de identiteitsprovider antwoordt niet op {discovery} ({err}). "
            "Oplossing: kijk 'issuer' na en of de provider bereikbaar is."
        ) from None
    auth["authorize_url"] = endpoints["authorization_endpoint"]
    auth["token_url"] = endpoints["token_endpoint"]
    auth["userdata_url"] = endpoints["userinfo_endpoint"]
    return auth


def lti_settings(path: Path) -> dict:
    """The launches of a learning platform (LTI 1.3, a YAML file, see the deploy guide)."""
    lti = {
        **LTI_DEFAULTS,
        **_login_file(path, ("issuer", "client_id", "authorize_url", "jwks_url")),
    }
    for key in ("client_id", "deployment_ids"):  # one, or a list
        if isinstance(lti.get(key), str | int):
            lti[key] = [lti[key]]
    unknown = sorted(set(lti["roles"].values()) - {TRAINERS, LEARNERS})
    if unknown:
        raise HubError(
            f"{path}: onder 'roles' is '{unknown[0]}' geen groep van de hub. "
            f"Oplossing: kies {TRAINERS} of {LEARNERS}."
        )
    return lti


def demo_settings() -> dict:
    """Demo accounts to try hub mode: two teachers and a trainer, one password."""
    password = hub_dir() / "demo-password"
    if not password.exists():
        password.write_text(secrets.token_urlsafe(12))  # at least 8 characters
        password.chmod(0o600)
    return {"kind": "demo", "password": password.read_text().strip(), **DEMO}


@dataclass
class Hub:
    cohort: str = "demo"
    ip: str = "127.0.0.1"
    port: int = 8000
    oidc: Path | None = None
    lti: Path | None = None
    modules: list = field(default_factory=list)
    home_base: Path = Path("/home")

    @property
    def public_url(self) -> str:
        return f"http://{self.ip}:{self.port}"

    def prepare(self, postgres: Postgres, log=print):
        """The cohort with its gradebook in PostgreSQL and its modules released; its folder
        (keys, settings with the gradebook's password) for the hub's user alone."""
        from leerpad.catalogue import Catalogue
        from leerpad.check import gate
        from leerpad.grading.cohort import Cohort
        from leerpad.grading.release import release_all

        catalogue = gate("leerpad hub", Catalogue())
        unknown = [m for m in self.modules if m not in catalogue.modules]
        if unknown:
            raise HubError(f"Module '{unknown[0]}' bestaat niet: geef de id uit module.yml.")
        cohort = Cohort(self.cohort)
        db_url = postgres.create_database(f"cohort_{self.cohort.replace('-', '_')}")
        cohort.create(db_url=db_url)
        chosen = [catalogue.modules[m] for m in self.modules] or catalogue.modules.values()
        release_all(cohort, chosen, log=log)
        cohort.dir.chmod(0o700)
        var_dir().chmod(0o755)
        exchange_dir().chmod(0o777)  # teachers hand in there; nbgrader guards each course
        return cohort

    def apps_service(self, cohort) -> dict:
        """The learner apps of the laptop (leerpad start), as a hub service under
        /services/apps/: the hub login tells who answers (leerpad.servers.apps.HubLogin)."""
        from leerpad.platform import Platform, Ports

        port = free_port()
        command, env = Platform(Ports(apps=port), cohort.name).apps_command(
            cohort, [f"--Voila.base_url={APPS_PREFIX}"]
        )
        bin_dir = str(Path(sys.executable).parent)
        env.update(variables(var=var_dir()), PATH=f"{bin_dir}:/usr/local/bin:/usr/bin:/bin")
        return {"port": port, "command": command, "environment": env}

    def auth_settings(self) -> dict | None:
        """The school account; the demo accounts when the hub has no school login at all."""
        if self.oidc:
            return oidc_settings(self.oidc)
        return None if self.lti else demo_settings()

    def settings(self, cohort) -> dict:
        from leerpad.servers.lab import trainer_lab

        bin_dir = str(Path(sys.executable).parent)
        return {
            "apps": self.apps_service(cohort),
            "cohort": cohort.name,
            "hub_dir": str(hub_dir()),
            "public_url": self.public_url,
            "hub_port": free_port(),
            "proxy_api_port": free_port(),
            "proxy": str(PROXY),
            "home_base": str(self.home_base),
            "users_dir": str(hub_dir() / "users"),
            "exchange": str(exchange_dir()),
            "auth": self.auth_settings(),
            "lti": lti_settings(self.lti) if self.lti else None,
            "formgrader": {
                "port": free_port(),
                "root": str(cohort.dir),
                "environment": {
                    "JUPYTER_CONFIG_DIR": str(trainer_lab(cohort)),
                    **variables(keys=cohort.keys_dir, var=var_dir()),
                    "PATH": f"{bin_dir}:/usr/local/bin:/usr/bin:/bin",
                },
            },
        }

    def write_settings(self, settings: dict) -> Path:
        path = hub_dir() / "settings.json"
        path.write_text(json.dumps(settings, indent=1))
        path.chmod(0o600)  # the login's client secret
        return path

    def banner(self, settings: dict) -> str:
        from leerpad.grading.cohort import Cohort, app_url

        auth = settings["auth"]
        module = (self.modules or Cohort(settings["cohort"]).path_modules() or ["?"])[0]
        lines = [
            "",
            f"leerpad hub draait cohort '{settings['cohort']}'. Stoppen: Ctrl-C.",
            f"  Aanmelden:                      {self.public_url}/hub/login",
            f"  Formgrader (trainers):          {self.public_url}/services/formgrader/",
            f"  Leerling-apps (met login):      {app_url(self.public_url + APPS_PREFIX, module)}",
            f"  Klaslinks (zonder account):     leerpad cohort class-link {settings['cohort']} "
            f"--apps-url {self.public_url}{APPS_PREFIX}",
        ]
        if settings["lti"]:
            lines += [
                f"  LTI 1.3 van:                    {settings['lti']['issuer']}",
                f"  LTI-loginadres (initiatie):     {self.public_url}/hub/lti13/oauth_login",
                f"  LTI-terugkeeradres (launch):    {self.public_url}/hub/lti13/oauth_callback",
            ]
        if auth and auth["kind"] == "demo":
            lines += [
                f"  Demo-trainer:                   {', '.join(auth[TRAINERS])}",
                f"  Demo-leerkrachten:              {', '.join(auth[LEARNERS])}",
                f"  Wachtwoord (alle demo-accounts): {auth['password']}",
            ]
        elif auth:
            lines.append(f"  Aanmelden via:                  {auth['issuer']}")
        return "\n".join([*lines, ""])


def wait_until_answering(url: str, timeout: float, raise_if_stopped) -> None:
    """A server listens before it answers (the proxy before the hub behind it): wait for
    HTTP 200 on `url`; `raise_if_stopped` raises once the server behind it has stopped."""
    import requests

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        raise_if_stopped()
        try:
            if requests.get(url, timeout=30).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{url} antwoordde niet binnen {timeout:.0f} s.")


def start_hub(hub: Hub) -> int:
    from leerpad.platform import Platform, Ports

    _problem_if_not_root()
    hub_dir().mkdir(parents=True, exist_ok=True)
    hub_dir().chmod(0o711)  # the teachers' Lab settings below it; the secrets closed
    _problem_if_closed(hub_dir())
    postgres = Postgres(hub_dir() / "postgres")
    platform = Platform(Ports(), hub.cohort)
    try:
        postgres.start()
        cohort = hub.prepare(postgres)
        settings = hub.settings(cohort)
        path = hub.write_settings(settings)

        def up():
            platform._spawn(
                "hub",
                [sys.executable, "-m", "jupyterhub", "-f", str(HERE / "jupyterhub_config.py")],
                env=variables(hub_settings=path, var=var_dir(), root=ROOT),
                cwd=hub_dir(),
            )
            platform.ports.site = hub.port  # the one public port
            platform.wait_until_listening(timeout=1800, names=("site",), host=hub.ip)
            wait_until_answering(f"{hub.public_url}/hub/api", 1800, platform.raise_if_stopped)
            print(hub.banner(settings), flush=True)

        return platform.serve(up, "De hub stopte; leerpad stopt alles.", "\nleerpad hub stopt...")
    except HubError:
        raise
    except RuntimeError as error:  # a server that stopped while starting, or PostgreSQL
        print(error, file=sys.stderr)
        return 1
    finally:
        postgres.stop()
