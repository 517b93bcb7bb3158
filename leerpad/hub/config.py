"""JupyterHub's configuration in hub mode, from the settings ``leerpad hub`` writes.

The hub in front of everything (configurable-http-proxy from npm, bound to 127.0.0.1
unless the trainer chooses otherwise):

- each teacher a single-user JupyterLab as her own Unix user (LocalProcessSpawner), made
  at her first start, with a home only she can read; its kernels in leerpad's sandbox, as
  in the laptop's learner Lab (leerpad.servers.lab);
- the cohort's formgrader as a hub service, for the hub group ``trainers`` only; it runs
  as the hub's user, who alone can read the cohort folder (keys, gradebook settings);
- logins through OpenID Connect (oauthenticator's GenericOAuthenticator) and launches from
  a learning platform (LTI 1.3), side by side (leerpad.hub.logins), the roles of each login
  mapped to the hub groups ``trainers`` and ``learners``; or, to try it on a laptop, demo
  accounts with one shared password;
- the idle culler stops servers nobody used for an hour.
"""

import json
import sys
from pathlib import Path

from leerpad.hub.logins import LEARNERS, TRAINERS
from leerpad.settings import settings, variable

FORMGRADER, APPS = "formgrader", "apps"
SERVICE_TIMEOUT = 1800  # seconds for a service to answer: the apps run every module first


def load_settings() -> dict:
    path = settings().hub_settings
    if not path:
        raise RuntimeError(
            f"{variable('hub_settings')} is niet gezet: start de hub met 'leerpad hub' "
            "(of make hub), niet met jupyterhub zelf."
        )
    return json.loads(Path(path).read_text())


def prepare_user(spawner) -> None:
    """Before a teacher's server starts: her Unix user and her Lab's configuration."""
    from leerpad.hub.users import prepare_learner

    settings = spawner.leerpad_settings
    prepare_learner(spawner.user.name, settings)


def configure_auth(c, settings: dict) -> None:
    from leerpad.hub.users import USERNAME_PATTERN

    auth, lti = settings["auth"], settings.get("lti")
    c.Authenticator.username_pattern = USERNAME_PATTERN
    if auth and auth["kind"] == "demo":
        c.JupyterHub.authenticator_class = "shared-password"
        c.SharedPasswordAuthenticator.user_password = auth["password"]
        c.Authenticator.allowed_users = set(auth["trainers"]) | set(auth["learners"])
        c.JupyterHub.load_groups = {
            TRAINERS: {"users": auth["trainers"]},
            LEARNERS: {"users": auth["learners"]},
        }
        return
    # Who may log in follows from the roles of each login: one without a mapped role gets
    # no server, and the roles are read again at every login.
    c.JupyterHub.authenticator_class = "leerpad.hub.logins.SchoolLogins"
    c.SchoolLogins.manage_groups = True
    logins = []
    if auth:
        logins.append("leerpad.hub.logins.SchoolAccount")
        configure_oidc(c.SchoolAccount, auth, settings["public_url"])
    if lti:
        logins.append("leerpad.hub.logins.LTILogin")
        configure_lti(c.LTILogin, lti)
    c.SchoolLogins.login_classes = logins


def configure_oidc(g, auth: dict, public_url: str) -> None:
    """The school account (leerpad.hub.logins.SchoolAccount)."""
    g.client_id = auth["client_id"]
    g.client_secret = auth["client_secret"]
    g.oauth_callback_url = f"{public_url}/hub/oauth_callback"
    g.authorize_url = auth["authorize_url"]
    g.token_url = auth["token_url"]
    g.userdata_url = auth["userdata_url"]
    g.scope = auth["scopes"]
    g.username_claim = auth.get("username_claim", "preferred_username")
    g.enable_pkce = True
    g.login_service = auth.get("name", "schoolaccount")
    g.manage_groups = True
    g.role_claim, g.roles = auth["role_claim"], auth["roles"]
    g.allowed_groups = {TRAINERS, LEARNERS}


def configure_lti(g, lti: dict) -> None:
    """A learning platform's launches (leerpad.hub.logins.LTILogin)."""
    g.issuer = lti["issuer"]
    g.client_id = set(lti["client_id"])
    g.authorize_url = lti["authorize_url"]
    g.jwks_endpoint = lti["jwks_url"]
    g.username_key = lti["username_claim"]
    g.roles = lti["roles"]
    g.deployment_ids = [str(d) for d in lti.get("deployment_ids", [])]
    g.manage_groups = True
    g.tool_name = lti.get("name", "leerpad")


def configure_services(c, settings: dict) -> None:
    bin_dir = Path(sys.executable).parent
    formgrader = settings["formgrader"]
    c.JupyterHub.services = [
        {
            "name": FORMGRADER,
            "url": f"http://127.0.0.1:{formgrader['port']}",
            "command": [
                str(bin_dir / "jupyterhub-singleuser"),
                f"--ServerApp.root_dir={formgrader['root']}",
                "--ServerApp.default_url=/formgrader",
                "--ServerApp.terminals_enabled=False",
                "--allow-root",
            ],
            "cwd": formgrader["root"],
            "environment": formgrader["environment"],
            "oauth_no_confirm": True,
            "timeout": SERVICE_TIMEOUT,
        },
        {
            "name": APPS,
            "url": f"http://127.0.0.1:{settings['apps']['port']}",
            "command": settings["apps"]["command"],
            "cwd": settings["hub_dir"],
            "environment": settings["apps"]["environment"],
            "oauth_no_confirm": True,
            "timeout": SERVICE_TIMEOUT,
        },
        {
            "name": "idle-culler",
            "command": [
                sys.executable,
                "-m",
                "jupyterhub_idle_culler",
                f"--timeout={settings.get('idle_timeout', 3600)}",
            ],
        },
    ]
    c.JupyterHub.load_roles = [
        {
            "name": "cohort-trainer",
            "description": "De trainers van het cohort: formgrader en de trainerpagina's.",
            "scopes": [f"access:services!service={FORMGRADER}"],
            "groups": [TRAINERS],
        },
        {
            "name": "cohort-apps",
            "description": "De apps van het cohort, met de cursist gekend uit de login.",
            "scopes": [f"access:services!service={APPS}"],
            "groups": [TRAINERS, LEARNERS],
        },
        {
            "name": "idle-culler",
            "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
            "services": ["idle-culler"],
        },
    ]


def configure_spawner(c, settings: dict) -> None:
    bin_dir = Path(sys.executable).parent
    c.JupyterHub.spawner_class = "leerpad.hub.spawner.SandboxedSpawner"
    c.SandboxedSpawner.config_dir = settings["users_dir"]
    c.SandboxedSpawner.exchange = settings["exchange"]
    c.Spawner.cmd = [str(bin_dir / "jupyterhub-singleuser")]
    # The learner Lab of the laptop, per teacher: no terminal (code runs in the sandboxed
    # kernels), the formgrader switched off (leerpad.servers.lab).
    c.Spawner.args = ["--ServerApp.terminals_enabled=False", "--LearnerProvisioner.nested=True"]
    c.Spawner.default_url = "/lab"
    c.Spawner.notebook_dir = "~"
    users = Path(settings["users_dir"])
    c.Spawner.environment = {
        "JUPYTER_CONFIG_DIR": lambda spawner: str(users / spawner.user.name / "config"),
        "PATH": f"{bin_dir}:/usr/local/bin:/usr/bin:/bin",
    }
    c.Spawner.pre_spawn_hook = prepare_user
    c.Spawner.start_timeout = 300  # a loaded school server starts slowly
    c.Spawner.http_timeout = 300

    from jupyterhub.spawner import Spawner

    Spawner.leerpad_settings = settings  # read by prepare_user, in the hub's process


def configure(c, settings: dict | None = None) -> None:
    settings = settings or load_settings()
    hub = Path(settings["hub_dir"])
    c.JupyterHub.bind_url = settings["public_url"]
    c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{settings['hub_port']}"
    c.JupyterHub.db_url = f"sqlite:///{hub / 'jupyterhub.sqlite'}"
    c.JupyterHub.cookie_secret_file = str(hub / "cookie_secret")
    c.JupyterHub.pid_file = str(hub / "jupyterhub.pid")
    c.ConfigurableHTTPProxy.command = [settings["proxy"]]
    c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{settings['proxy_api_port']}"
    c.ConfigurableHTTPProxy.pid_file = str(hub / "proxy.pid")
    c.JupyterHub.cleanup_servers = True
    configure_auth(c, settings)
    configure_spawner(c, settings)
    configure_services(c, settings)
