"""Hub mode for real: `leerpad hub` with JupyterHub, configurable-http-proxy and the cohort's
gradebook in PostgreSQL, teachers logging in through a real OpenID Connect provider
(panva's oidc-provider from npm, started here) or through an LTI 1.3 launch from a learning
platform (played here: its keys, its JWKS on 127.0.0.1 and the id_token it signs), each
handing in a module from her own JupyterLab, the trainer grading through the formgrader
service, and each teacher trying to read what is not hers from her own kernel.

Everything runs on free 127.0.0.1 ports and is stopped at the end; the Unix users the hub
made for the teachers are removed with their homes."""

import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlparse

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.conftest import ROOT, free_port, missing, stop_process_group
from tests.stories import execute

pytestmark = pytest.mark.servers

MODULE = "ct-01-algoritme"
COHORT = "hubtest"
NODE_MODULES = ROOT / "tests" / "node_modules"
PROXY = ROOT / "leerpad" / "hub" / "node_modules" / ".bin" / "configurable-http-proxy"
WAIT = 900  # seconds: a loaded machine starts servers slowly


def _need(condition: bool, reason: str) -> None:
    if not condition:
        missing(reason)


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
            fields.update(login=login, password="wachtwoord-van-de-school")
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
        pytest.fail(f"de server van {self.name} startte niet binnen {WAIT} s")

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


@pytest.fixture(scope="module")
def hub():
    _need(os.geteuid() == 0, "hub mode maakt Unix-gebruikers aan: de test moet als root draaien")
    _need(shutil.which("node") is not None, "node ontbreekt (make test installeert npm)")
    _need((NODE_MODULES / "oidc-provider").exists(), "tests/node_modules: make test (npm ci)")
    _need(PROXY.exists(), "configurable-http-proxy ontbreekt: make test (npm ci leerpad/hub)")
    # Not under /tmp or pytest's tmp_path (closed to other users): the teachers' Unix users
    # must reach their homes and the released modules. The checkout itself must be
    # readable for them anyway (their servers run its Python).
    base = ROOT / "var" / "tests" / f"hub-{secrets.token_hex(3)}"
    base.mkdir(parents=True)
    for folder in (base, *[p for p in base.parents if p.is_relative_to(ROOT)]):
        folder.chmod(folder.stat().st_mode | 0o755)
    suffix = secrets.token_hex(2)
    # Bert comes from the learning platform (LTI), the others log in with the school account.
    names = {"an": f"an-{suffix}", "bert": f"bert-{suffix}", "trainer": f"trainer-{suffix}"}
    accounts = {
        names["an"]: {"name": "An Peeters", "roles": ["leerkracht"]},
        names["trainer"]: {"name": "Tine Trainer", "roles": ["trainer"]},
        f"ouder-{suffix}": {"name": "Een ouder", "roles": ["ouder"]},
    }
    hub_port, provider_port = free_port(), free_port()
    hub_url = f"http://127.0.0.1:{hub_port}"
    provider_url = f"http://127.0.0.1:{provider_port}"
    secret = secrets.token_hex(16)
    provider_log = open(base / "oidc.log", "w")  # noqa: SIM115 - closed at the end
    provider = subprocess.Popen(
        ["node", str(ROOT / "tests" / "oidc_provider.mjs")],
        env={
            **os.environ,
            "NODE_PATH": str(NODE_MODULES),
            "OIDC_PORT": str(provider_port),
            "OIDC_ACCOUNTS": json.dumps(accounts),
            "OIDC_CLIENT_ID": "leerpad-hub",
            "OIDC_CLIENT_SECRET": secret,
            "OIDC_REDIRECT_URI": f"{hub_url}/hub/oauth_callback",
        },
        cwd=ROOT / "tests",
        stdout=provider_log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
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
    info = {"url": hub_url, "provider": provider_url, "names": names, "base": base,
            "var": base / "var", "extra": f"ouder-{suffix}", "platform": platform,
            "lti_trainer": f"tine-{suffix}"}  # fmt: skip
    proc = None
    try:
        _wait_for(provider_url + "/.well-known/openid-configuration", provider, base / "oidc.log")
        with open(log_path, "w") as log:
            proc = subprocess.Popen(
                [sys.executable, "-m", "leerpad", "hub", "--cohort", COHORT, "--port",
                 str(hub_port), "--oidc", str(oidc), "--lti", str(lti), "--module", MODULE,
                 "--home-base", str(base / "home")],
                env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        deadline = time.monotonic() + 1800
        while "leerpad hub draait" not in log_path.read_text():
            if proc.poll() is not None or time.monotonic() > deadline:
                hub_log = base / "var" / "logs" / "hub.log"
                extra = hub_log.read_text()[-3000:] if hub_log.exists() else ""
                pytest.fail(f"leerpad hub startte niet:\n{log_path.read_text()[-3000:]}\n{extra}")
            time.sleep(1)
        yield info
    finally:
        if proc is not None:
            stop_process_group(proc)
        if provider.poll() is None:
            os.killpg(provider.pid, signal.SIGTERM)
            provider.wait(30)
        provider_log.close()
        platform.stop()
        from leerpad.hub.users import remove_unix_user

        for name in names.values():
            remove_unix_user(name)
        shutil.rmtree(base, ignore_errors=True)


def _wait_for(url: str, proc: subprocess.Popen, log: Path) -> None:
    from leerpad.hub import wait_until_answering

    def raise_if_stopped():
        if proc.poll() is not None:
            pytest.fail(f"{url} startte niet:\n{log.read_text()[-2000:]}")

    try:
        wait_until_answering(url, WAIT, raise_if_stopped)
    except RuntimeError as error:
        pytest.fail(str(error))


@pytest.fixture(scope="module")
def logged_in(hub):
    """The two teachers and the trainer, logged in through OpenID Connect or (Bert) an LTI
    launch as a course's learner, each with a hub API token and her own running server."""
    people = {}
    for who, name in hub["names"].items():
        if who == "bert":
            session = hub["platform"].launch(hub["url"], name, [Platform.MEMBERSHIP + "Learner"])
        else:
            session = oidc_login(hub["url"], hub["provider"], name)
        assert session.last_page.url.startswith(hub["url"]), session.last_page.url
        assert session.cookies.get("jupyterhub-hub-login"), f"{name} is niet aangemeld"
        people[who] = Teacher(hub["url"], name, api_token(hub["url"], session, name))
        people[who].session = session  # her browser: the hub's login cookie
    for teacher in people.values():
        teacher.start_server()
    return people


def test_roles_from_the_login_become_hub_groups(hub, logged_in):
    groups = {}
    for who, teacher in logged_in.items():
        model = teacher.get(f"/hub/api/users/{teacher.name}").json()
        groups[who] = model["groups"]
    assert groups == {"an": ["learners"], "bert": ["learners"], "trainer": ["trainers"]}
    # a login whose roles map to no group gets no server
    refused = oidc_login(hub["url"], hub["provider"], hub["extra"])
    assert refused.last_page.status_code == 403, refused.last_page.url
    assert not refused.cookies.get("jupyterhub-hub-login")
    # LTI: the course's instructor is a trainer; a teacher of the school (an institution
    # role) who is no member of the course gets nothing
    platform, name = hub["platform"], hub["lti_trainer"]
    instructor = platform.launch(hub["url"], name, [Platform.MEMBERSHIP + "Instructor"])
    assert instructor.last_page.status_code == 200, instructor.last_page.url
    token = api_token(hub["url"], instructor, name)
    model = Teacher(hub["url"], name, token).get(f"/hub/api/users/{name}").json()
    assert model["groups"] == ["trainers"]
    school_role = "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Instructor"
    outsider = platform.launch(hub["url"], f"{name}x", [school_role])
    assert outsider.last_page.status_code == 403
    assert not outsider.cookies.get("jupyterhub-hub-login")
    # a placement of the tool that the school did not register in the hub
    learner = [Platform.MEMBERSHIP + "Learner"]
    elsewhere = platform.launch(hub["url"], f"{name}y", learner, deployment="deployment-2")
    assert elsewhere.last_page.status_code == 403
    assert not elsewhere.cookies.get("jupyterhub-hub-login")


def test_each_teacher_hands_in_and_the_trainer_grades_through_formgrader(hub, logged_in):
    an, bert, trainer = logged_in["an"], logged_in["bert"], logged_in["trainer"]
    an.hand_in()
    bert.hand_in()
    formgrader = "/services/formgrader/formgrader"
    # the formgrader service is for the group trainers only
    assert an.get(f"{formgrader}/manage_assignments").status_code == 403
    assert an.post(f"{formgrader}/api/assignment/{MODULE}/collect").status_code == 403
    page = trainer.get(f"{formgrader}/manage_assignments")
    assert page.status_code == 200 and "formgrade" in page.text
    collected = trainer.post(f"{formgrader}/api/assignment/{MODULE}/collect")
    assert collected.status_code == 200 and collected.json()["success"], collected.text
    for teacher in (an, bert):
        graded = trainer.post(f"{formgrader}/api/submission/{MODULE}/{teacher.name}/autograde")
        assert graded.status_code == 200 and graded.json()["success"], graded.text
    rows = trainer.get(f"{formgrader}/api/submissions/{MODULE}").json()
    assert {row["student"]: row["autograded"] for row in rows} == {
        an.name: True,
        bert.name: True,
    }
    # ... in the cohort's PostgreSQL gradebook
    from leerpad.grading.cohort import Cohort
    from nbgrader.api import Gradebook

    cohort = Cohort(COHORT, hub["var"] / "cohorts")
    db_url = cohort.settings["db_url"]
    assert db_url.startswith("postgresql")
    with Gradebook(db_url, course_id=COHORT) as gb:
        handed_in = {s.student.id for s in gb.find_assignment(MODULE).submissions}
    assert handed_in == {an.name, bert.name}


def test_a_teacher_reads_her_own_files_and_nothing_else(hub, logged_in):
    """An (school account) and Bert (LTI launch) each try the other's files and the
    cohort's and the hub's secrets."""
    an, bert = logged_in["an"], logged_in["bert"]
    an.write("mijn.txt", "Ans eigen notities")
    bert.write("mijn.txt", "Berts eigen notities")
    for me, other in ((an, bert), (bert, an)):
        _reads_only_her_own(hub, me, other)


def _reads_only_her_own(hub, me: Teacher, other: Teacher) -> None:
    var, home = hub["var"], hub["base"] / "home"
    keys = sorted(p for p in (var / "cohorts" / COHORT / "keys").rglob("*") if p.is_file())
    assert keys, "de sleutels van het cohort ontbreken"
    targets = {
        "eigen bestand": str(home / me.name / "mijn.txt"),
        "bestand van een collega": str(home / other.name / "mijn.txt"),
        "sleutels": str(keys[0]),
        "instellingen van het cohort": str(var / "cohorts" / COHORT / "nbgrader_config.py"),
        "wachtwoord van het puntenboek": str(var / "hub" / "postgres-password"),
        "instellingen van de hub": str(var / "hub" / "settings.json"),
    }
    code = (
        "import json\nresult = {}\n"
        f"for label, path in {targets!r}.items():\n"
        "    try:\n        open(path).read()\n        result[label] = 'gelezen'\n"
        "    except FileNotFoundError:\n        result[label] = 'niet te zien'\n"
        "    except PermissionError:\n        result[label] = 'geweigerd'\n"
        "print(json.dumps(result))\n"
    )
    found = json.loads(me.run(code).strip().splitlines()[-1])
    assert found.pop("eigen bestand") == "gelezen"
    assert set(found.values()) <= {"niet te zien", "geweigerd"}, (me.name, found)
    # Outside the kernel's sandbox too: her Unix user (her server's) cannot open them.
    for label, path in targets.items():
        if label == "eigen bestand":
            continue
        tried = subprocess.run(
            ["runuser", "-u", me.name, "--", "cat", path], capture_output=True, timeout=60
        )
        assert tried.returncode != 0 and re.search(b"Permission denied", tried.stderr), label
    # and her server's contents API does not reach the other's folder
    response = me.get(f"/user/{me.name}/api/contents/../{other.name}/mijn.txt")
    assert response.status_code in (400, 403, 404)


def test_apps_through_the_hub_know_the_teacher_from_her_login(hub, logged_in):
    """The learner apps as a hub service: a teacher opens a module's app with her hub login
    and comes back on her own personal link; a pupil's class link needs no account."""
    from leerpad.grading.cohort import Cohort, app_url

    apps = f"{hub['url']}/services/apps"
    an = logged_in["an"]
    page = an.session.get(app_url(apps, MODULE), timeout=WAIT)
    assert page.status_code == 200, (page.url, page.text[:500])
    assert f"leerling={an.name}&sig=" in page.url
    assert any("/hub/api/oauth2/authorize" in r.url for r in page.history)  # the real login
    # no login, no link: the hub's login page
    anonymous = requests.get(app_url(apps, MODULE), timeout=WAIT)
    assert "/hub/login" in anonymous.url
    # a pupil's class link: public, no account
    cohort = Cohort(COHORT, hub["var"] / "cohorts")
    link = cohort.class_links(apps)[MODULE]
    pupil = requests.get(link, timeout=WAIT, allow_redirects=False)
    assert pupil.status_code == 200, pupil.status_code


def test_an_lti_file_says_what_to_fill_in(tmp_path):
    """Bad input in the --lti file: the file, what is missing or wrong, and the fix."""
    from leerpad.hub import HubError, lti_settings

    path = tmp_path / "moodle.yml"
    path.write_text("issuer: https://moodle.voorbeeldschool.be\nclient_id: abc\n")
    with pytest.raises(HubError, match=r"moodle\.yml: vul authorize_url, jwks_url in"):
        lti_settings(path)
    path.write_text(
        "issuer: https://m.be\nclient_id: abc\nauthorize_url: https://m.be/auth\n"
        "jwks_url: https://m.be/certs\nroles:\n  Instructor: admins\n"
    )
    with pytest.raises(HubError, match=r"moodle\.yml: onder 'roles' is 'admins' geen groep"):
        lti_settings(path)
    path.write_text(path.read_text().replace("admins", "trainers"))
    path.write_text(path.read_text() + "deployment_ids: 1\n")
    assert lti_settings(path)["client_id"] == ["abc"]
    assert lti_settings(path)["deployment_ids"] == [1]


def test_with_lti_alone_the_login_page_points_to_the_platform():
    """A hub with launches only: its login page cannot start a launch, so it says where."""
    from traitlets.config import Config

    from leerpad.hub.logins import SchoolLogins

    config = Config()
    config.SchoolLogins.login_classes = ["leerpad.hub.logins.LTILogin"]
    hub = SchoolLogins(config=config)
    assert "Smartschool of Moodle" in hub.get_custom_html("/hub/")
    assert {path for path, _ in hub.get_handlers(None)} >= {"lti13/oauth_login"}
