"""A real hub for the tests and the load bench (tests/test_hub.py, tests/bench/bench_hub.py):
`leerpad hub` with JupyterHub, configurable-http-proxy and the cohort's gradebook in
PostgreSQL, teachers logging in through a real OpenID Connect provider (panva's
oidc-provider from npm, started here) or through an LTI 1.3 launch from a learning platform
(played here: its keys, its JWKS on 127.0.0.1 and the id_token it signs).

Everything runs on free 127.0.0.1 ports and is stopped at the end (``running_hub``); the Unix
users the hub made for the teachers are removed with their homes."""

import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlparse

import jwt
import requests
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.conftest import ROOT, free_port, stop_process_group
from tests.stories import execute

MODULE = "ct-01-algoritme"
COHORT = "hubtest"
NODE_MODULES = ROOT / "tests" / "node_modules"
PROXY = ROOT / "leerpad" / "hub" / "node_modules" / ".bin" / "configurable-http-proxy"
WAIT = 900  # seconds: a loaded machine starts servers slowly
PASSWORD = "wachtwoord-van-de-school"  # any password: the provider's dev login checks none


def problems() -> list[str]:
    """What this machine lacks to run a hub (each with its fix); empty when all is there."""
    found = []
    if os.geteuid() != 0:
        found.append("hub mode maakt Unix-gebruikers aan: de test moet als root draaien")
    if shutil.which("node") is None:
        found.append("node ontbreekt (make test installeert npm)")
    if not (NODE_MODULES / "oidc-provider").exists():
        found.append("tests/node_modules: make test (npm ci)")
    if not PROXY.exists():
        found.append("configurable-http-proxy ontbreekt: make test (npm ci leerpad/hub)")
    return found


class Forms(HTMLParser):
    """The forms of a page: action and the names and values of their inputs."""

    def __init__(self):
        super().__init__()
        self.forms = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"action": attrs.get("action", ""), "fields": {}})
        elif tag == "input" and self.forms and attrs.get("name"):
            self.forms[-1]["fields"][attrs["name"]] = attrs.get("value", "")


def oidc_login(hub_url: str, provider_url: str, login: str) -> requests.Session:
    """Log in as a browser does, following the real redirects: the hub sends the browser
    to the provider, whose login and consent pages are filled in and sent, and the
    provider sends it back to the hub with a code."""
    session = requests.Session()
    page = session.get(f"{hub_url}/hub/oauth_login", timeout=WAIT)
    for _ in range(5):
        if not page.url.startswith(provider_url):
            break
        parser = Forms()
        parser.feed(page.text)
        assert parser.forms, f"geen formulier op {page.url}: {page.text[:500]}"
        form = parser.forms[0]
        fields = dict(form["fields"])
        if "login" in fields:
            fields.update(login=login, password=PASSWORD)
        page = session.post(urljoin(page.url, form["action"]), data=fields, timeout=WAIT)
    session.last_page = page
    return session


class Platform:
    """A learning platform (Smartschool, Moodle) as the hub meets it in an LTI 1.3 launch:
    its signing key, its JWKS served on 127.0.0.1, and the browser it sends to the hub."""

    CLIENT_ID, DEPLOYMENT = "leerpad-tool", "deployment-1"
    LTI = "https://purl.imsglobal.org/spec/lti/claim/"
    MEMBERSHIP = "http://purl.imsglobal.org/vocab/lis/v2/membership#"

    def __init__(self):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        jwk.update(kid="platform-key", alg="RS256", use="sig")
        body = json.dumps({"keys": [jwk]}).encode()

        class JWKS(BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), JWKS)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def settings(self) -> str:
        """The hub's LTI file (leerpad hub --lti), as the guide describes it."""
        return (
            f"issuer: {self.url}\nclient_id: {self.CLIENT_ID}\nauthorize_url: {self.url}/auth\n"
            f"jwks_url: {self.url}/jwks\nusername_claim: custom_username\n"
            f"deployment_ids: [{self.DEPLOYMENT}]\n"
        )

    def launch(
        self, hub_url: str, login: str, roles: list[str], deployment: str = DEPLOYMENT
    ) -> requests.Session:
        """A launch as the platform does it: the OIDC-initiated login at the hub, whose
        redirect to the platform carries state and nonce, then the id_token signed with the
        platform's key, posted to the hub's launch URL."""
        session = requests.Session()
        target = f"{hub_url}/hub/home"
        start = session.post(
            f"{hub_url}/hub/lti13/oauth_login",
            data={"iss": self.url, "login_hint": login, "target_link_uri": target,
                  "client_id": self.CLIENT_ID, "lti_deployment_id": deployment},
            allow_redirects=False, timeout=WAIT,
        )  # fmt: skip
        assert start.status_code == 302, start.text
        location = urlparse(start.headers["Location"])
        assert f"{location.scheme}://{location.netloc}{location.path}" == f"{self.url}/auth"
        asked = {key: values[0] for key, values in parse_qs(location.query).items()}
        assert asked["login_hint"] == login and asked["client_id"] == self.CLIENT_ID
        now = int(time.time())
        claims = {
            "iss": self.url, "aud": self.CLIENT_ID, "sub": f"platform-{login}",
            "iat": now, "exp": now + 300, "nonce": asked["nonce"], "name": login,
            self.LTI + "version": "1.3.0",
            self.LTI + "message_type": "LtiResourceLinkRequest",
            self.LTI + "deployment_id": deployment,
            self.LTI + "target_link_uri": target,
            self.LTI + "resource_link": {"id": MODULE},
            self.LTI + "roles": roles,
            self.LTI + "custom": {"username": login},
        }  # fmt: skip
        token = jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": "platform-key"})
        page = session.post(
            asked["redirect_uri"],
            data={"id_token": token, "state": asked["state"]},
            allow_redirects=False,
            timeout=WAIT,
        )
        if page.status_code == 302:
            assert page.headers["Location"] == "/hub/home", page.headers["Location"]
            page = session.get(urljoin(hub_url, page.headers["Location"]), timeout=WAIT)
        session.last_page = page
        return session


def api_token(hub_url: str, session: requests.Session, name: str) -> str:
    """A hub API token of the logged-in user, as she makes one on the hub's token page."""
    response = session.post(
        f"{hub_url}/hub/api/users/{name}/tokens",
        json={"note": "test", "expires_in": 3600},
        headers={"X-XSRFToken": session.cookies.get("_xsrf", path="/hub/")},
        timeout=WAIT,
    )
    assert response.status_code == 201, response.text
    return response.json()["token"]


class Teacher:
    def __init__(self, hub_url: str, name: str, token: str):
        self.hub_url, self.name = hub_url, name
        self.headers = {"Authorization": f"token {token}"}
        self.server = f"{hub_url}/user/{name}"

    def get(self, path, **kw):
        return requests.get(self.hub_url + path, headers=self.headers, timeout=WAIT, **kw)

    def post(self, path, **kw):
        return requests.post(self.hub_url + path, headers=self.headers, timeout=WAIT, **kw)

    def start_server(self) -> None:
        """Her single-user server, started (or already started by the login) and ready."""
        self.post(f"/hub/api/users/{self.name}/server")
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            model = self.get(f"/hub/api/users/{self.name}").json()
            server = model.get("servers", {}).get("")
            if server and server.get("ready"):
                return
            if not server and not model.get("pending"):
                self.post(f"/hub/api/users/{self.name}/server")
            time.sleep(2)
        raise AssertionError(f"de server van {self.name} startte niet binnen {WAIT} s")

    def hand_in(self) -> None:
        """Fetch the released module and hand it in, as JupyterLab's assignment list does."""
        data = {"course_id": COHORT, "assignment_id": MODULE}
        for action in ("fetch", "submit"):
            response = self.post(f"/user/{self.name}/assignments/{action}", data=data)
            assert response.status_code == 200, response.text
            assert response.json()["success"], response.json()

    def write(self, name: str, text: str) -> None:
        response = requests.put(
            f"{self.server}/api/contents/{name}",
            json={"type": "file", "format": "text", "content": text},
            headers=self.headers,
            timeout=WAIT,
        )
        assert response.status_code in (200, 201), response.text

    def run(self, code: str) -> str:
        """Run `code` in a kernel of her own server; what it printed."""
        import websocket

        started = self.post(f"/user/{self.name}/api/kernels", json={"name": "python3"})
        assert started.status_code == 201, started.text
        kernel = started.json()
        url = self.server.replace("http", "ws", 1) + f"/api/kernels/{kernel['id']}/channels"
        ws = websocket.create_connection(
            url, header=[f"Authorization: {self.headers['Authorization']}"], timeout=WAIT
        )
        try:
            out, errors = execute(ws, code, username=self.name)
        finally:
            ws.close()
        assert not errors, errors
        return out


def _open_to_teachers(base: Path) -> None:
    """Not under /tmp or pytest's tmp_path (closed to other users): the teachers' Unix users
    must reach their homes and the released modules. The checkout itself must be readable
    for them anyway (their servers run its Python)."""
    base.mkdir(parents=True)
    for folder in (base, *[p for p in base.parents if p.is_relative_to(ROOT)]):
        folder.chmod(folder.stat().st_mode | 0o755)


def _start_provider(base: Path, accounts: dict, port: int, hub_url: str, secret: str):
    log = open(base / "oidc.log", "w")  # noqa: SIM115 - closed by the caller
    proc = subprocess.Popen(
        ["node", str(ROOT / "tests" / "oidc_provider.mjs")],
        env={
            **os.environ,
            "NODE_PATH": str(NODE_MODULES),
            "OIDC_PORT": str(port),
            "OIDC_ACCOUNTS": json.dumps(accounts),
            "OIDC_CLIENT_ID": "leerpad-hub",
            "OIDC_CLIENT_SECRET": secret,
            "OIDC_REDIRECT_URI": f"{hub_url}/hub/oauth_callback",
        },
        cwd=ROOT / "tests",
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    return proc, log


def _wait_for_hub(proc: subprocess.Popen, base: Path, log_path: Path) -> None:
    deadline = time.monotonic() + 1800
    while "leerpad hub draait" not in log_path.read_text():
        if proc.poll() is not None or time.monotonic() > deadline:
            hub_log = base / "var" / "logs" / "hub.log"
            extra = hub_log.read_text()[-3000:] if hub_log.exists() else ""
            raise RuntimeError(
                f"leerpad hub startte niet:\n{log_path.read_text()[-3000:]}\n{extra}"
            )
        time.sleep(1)


@contextmanager
def running_hub(accounts: dict, users: list[str], name: str = "hub", options=()):
    """`leerpad hub` for cohort COHORT on MODULE, with its logins: the school account
    (OpenID Connect, `accounts`: {login: {name, roles}}) and a learning platform (LTI 1.3).
    Yields a dict with the hub's url, the provider's url, the platform, the folder and var/.
    Afterwards everything is stopped and the Unix users `users` are removed."""
    base = ROOT / "var" / "tests" / f"{name}-{secrets.token_hex(3)}"
    _open_to_teachers(base)
    hub_port, provider_port = free_port(), free_port()
    hub_url = f"http://127.0.0.1:{hub_port}"
    provider_url = f"http://127.0.0.1:{provider_port}"
    secret = secrets.token_hex(16)
    provider, provider_log = _start_provider(base, accounts, provider_port, hub_url, secret)
    oidc = base / "oidc.yml"
    oidc.write_text(
        f"issuer: {provider_url}\nclient_id: leerpad-hub\nclient_secret: {secret}\n"
        "role_claim: roles\nroles:\n  trainer: trainers\n  leerkracht: learners\n"
    )
    platform = Platform()
    lti = base / "lti.yml"
    lti.write_text(platform.settings())
    log_path = base / "hub.log"
    env = {
        **os.environ,
        "LEERPAD_VAR": str(base / "var"),
        "LEERPAD_BUILD": str(base / "build"),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    proc = None
    try:
        _wait_for(provider_url + "/.well-known/openid-configuration", provider, base / "oidc.log")
        with open(log_path, "w") as log:
            proc = subprocess.Popen(
                [sys.executable, "-m", "leerpad", "hub", "--cohort", COHORT, "--port",
                 str(hub_port), "--oidc", str(oidc), "--lti", str(lti), "--module", MODULE,
                 "--home-base", str(base / "home"), *options],
                env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        _wait_for_hub(proc, base, log_path)
        yield {"url": hub_url, "provider": provider_url, "platform": platform, "base": base,
               "var": base / "var", "process": proc}  # fmt: skip
    finally:
        if proc is not None:
            stop_process_group(proc)
        if provider.poll() is None:
            os.killpg(provider.pid, signal.SIGTERM)
            provider.wait(30)
        provider_log.close()
        platform.stop()
        from leerpad.hub.users import remove_unix_user

        for user in users:
            remove_unix_user(user)
        _keep_logs(base, name)
        shutil.rmtree(base, ignore_errors=True)


def _keep_logs(base: Path, name: str) -> None:
    """The hub's log (with its services' and the teachers' servers') and the provider's,
    kept in build/<name>-logs/ (git ignores build/) to read after a run."""
    kept = ROOT / "build" / f"{name}-logs"
    kept.mkdir(parents=True, exist_ok=True)
    for log in (base / "var" / "logs" / "hub.log", base / "oidc.log", base / "hub.log"):
        if log.exists():
            shutil.copy(log, kept / f"{log.parent.name}-{log.name}")


def _wait_for(url: str, proc: subprocess.Popen, log: Path) -> None:
    from leerpad.hub import wait_until_answering

    def raise_if_stopped():
        if proc.poll() is not None:
            raise RuntimeError(f"{url} startte niet:\n{log.read_text()[-2000:]}")

    wait_until_answering(url, WAIT, raise_if_stopped)
