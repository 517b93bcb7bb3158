"""The whole platform as `make start` runs it: real site, real Voilà, real JupyterLabs."""

import http.client
import os
import re
import signal
import subprocess
import sys
import urllib.error
import urllib.request

import pytest
from conftest import launch_platform
from stories import leerpad

MODULE = "ct-01-algoritme"
APP = f"/voila/render/{MODULE}/{MODULE}.ipynb"

pytestmark = pytest.mark.servers


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect to the login page is an answer, not a page


OPENER = urllib.request.build_opener(NoRedirect)


def get(url, token=None):
    request = urllib.request.Request(
        url, headers={"Authorization": f"token {token}"} if token else {}
    )
    try:
        with OPENER.open(request, timeout=30) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode("utf-8", "replace")


def test_site_serves_a_learning_path_that_leads_to_an_app(platform):
    status, home = get(platform["site"] + "/")
    assert status == 200 and "leerpad" in home
    status, path_page = get(platform["site"] + "/paden/bootcamp-basisonderwijs/")
    assert status == 200
    assert "Bootcamp basisonderwijs" in path_page
    status, module_page = get(platform["site"] + f"/modules/{MODULE}/")
    assert status == 200
    links = re.findall(r'href="([^"]+voila/render[^"]+)"', module_page)
    assert links and links[0].startswith(platform["apps"])


def test_learner_server_offers_apps_only(platform):
    apps = platform["apps"]
    status, page = get(apps + APP)
    assert status == 200 and "jupyter-widgets" in page or "widget-view" in page
    for refused in (
        "/lab",
        "/tree",
        "/api/contents",
        "/api/contents/" + MODULE,
        "/voila/tree",
        "/voila/api/contents/",
        "/formgrader",
        "/api/sessions",
        "/",
        f"/voila/files/{MODULE}/{MODULE}.ipynb",
    ):
        status, _ = get(apps + refused)
        assert status in (403, 404), f"{refused} gaf {status}"


def test_app_page_fetches_nothing_from_other_hosts(platform):
    _, page = get(platform["apps"] + APP)
    assert "cdn.jsdelivr.net" not in page
    external = re.findall(r'(?:src|href)="(https?://(?!127\.0\.0\.1)[^"]+)"', page)
    assert external == []


def test_trainer_workspace_needs_the_token(platform):
    trainer, token = platform["trainer"], platform["trainer_token"]
    for path in ("/api/contents", "/formgrader/api/assignments", "/api/kernels"):
        status, _ = get(trainer + path)
        assert status in (302, 403), f"{path} zonder token gaf {status}"
    status, _ = get(trainer + "/api/contents", token)
    assert status == 200
    status, body = get(trainer + "/formgrader/api/assignments", token)
    assert status == 200 and "ct-01-algoritme" in body


def test_learner_lab_has_assignments_but_no_formgrader(platform):
    lab = platform["lab"]
    token = (platform["var"] / "servers" / "learner-lab" / "token").read_text().strip()
    status, _ = get(lab + "/formgrader", token)
    assert status == 404
    status, body = get(lab + "/assignments?course_id=demo", token)
    assert status == 200 and MODULE in body
    status, body = get(lab + "/api/contents", token)
    assert status == 200 and "source" not in body and "gradebook" not in body


# -- one place knows the addresses ---------------------------------------------------------


def urls_in(text):
    return re.findall(r"http://127\.0\.0\.1:\d+[^\s,)]*", text)


def test_printed_links_carry_the_running_platforms_ports(platform, tmp_path):
    ports = {platform[k] for k in ("site", "apps", "lab", "trainer")}
    banner = platform["log"].read_text()
    assert "leerpad draait cohort 'demo'" in banner
    banner_urls = urls_in(banner[banner.index("leerpad draait") :])
    assert len(banner_urls) >= 6 and all(u.split("/", 3)[:3] for u in banner_urls)
    for url in banner_urls:
        assert "/".join(url.split("/")[:3]) in ports, url
    roster = tmp_path / "cursisten.csv"
    roster.write_text("id\nLinde Links\n", encoding="utf-8")
    leerpad(platform, "cohort", "import", "demo", str(roster))
    out = leerpad(platform, "cohort", "links", "demo")
    links = urls_in(out)
    assert links and "Let op" not in out  # the platform runs this cohort: nothing to add
    site_link = next(u for u in links if u.startswith(platform["site"]))
    assert get(site_link)[0] == 200
    rows = (platform["var"] / "cohorts" / "demo" / "links.csv").read_text(encoding="utf-8")
    app_link = next(u for u in urls_in(rows) if u.startswith(platform["apps"] + APP))
    assert get(app_link)[0] == 200
    out = leerpad(platform, "cohort", "class-link", "demo", "--count", "2")
    class_link = next(u for u in urls_in(out) if MODULE in u)
    assert class_link.startswith(platform["apps"]) and get(class_link)[0] == 200
    out = leerpad(platform, "report", "demo")
    report = next(u for u in urls_in(out) if "/leerpad/rapport/" in u)
    assert report.startswith(platform["trainer"])
    assert get(report)[0] in (302, 403)  # behind the trainer's login
    status, page = get(report, platform["trainer_token"])
    assert status == 200 and "Rapport cohort demo" in page
    # links of a cohort that does not run: said so, with the command that runs it
    leerpad(platform, "cohort", "create", "anders")
    leerpad(platform, "cohort", "import", "anders", str(roster))
    out = leerpad(platform, "cohort", "links", "anders")
    assert "het platform draait nu cohort 'demo', niet 'anders'" in out
    assert "COHORT=anders make start" in out


def test_addresses_without_a_running_platform_are_the_configured_ports(tmp_path, monkeypatch):
    from leerpad.platform import addresses, addresses_file

    monkeypatch.setenv("LEERPAD_VAR", str(tmp_path))
    monkeypatch.setenv("APPS_PORT", "9123")
    found = addresses()
    assert not found.running and found.apps == "http://127.0.0.1:9123"
    assert "het platform draait niet" in found.cohort_note("demo")
    # left behind by a platform that was killed: not trusted
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    addresses_file().parent.mkdir(parents=True)
    addresses_file().write_text(
        f'{{"pid": {dead.pid}, "started": "1", "cohort": "demo", "urls": '
        '{"site": "http://127.0.0.1:1", "apps": "http://127.0.0.1:2", '
        '"lab": "http://127.0.0.1:3", "trainer": "http://127.0.0.1:4"}}'
    )
    assert addresses() == found


# -- Ctrl-C, then start again at once --------------------------------------------------------
def time_wait_ports() -> set[int]:
    """Local ports with a connection in TIME_WAIT (Linux /proc/net/tcp, state 06)."""
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as f:
            for line in f.readlines()[1:]:
                fields = line.split()
                if fields[3] == "06":
                    ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


def test_restart_right_after_ctrl_c_on_the_same_ports(platform):
    """Ctrl-C, then `leerpad start` again at once: the ports are free, the platform comes
    back with the same addresses (the restarted platform serves the rest of the session)."""
    ports = [int(platform[k].rsplit(":", 1)[1]) for k in ("site", "apps", "lab", "trainer")]
    # browsers keep connections open; the servers close them when they stop
    held = []
    for port in ports:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        connection.request("GET", "/")
        connection.getresponse().read()
        held.append(connection)
    proc = platform["proc"]
    os.killpg(proc.pid, signal.SIGINT)
    assert proc.wait(60) == 0
    for connection in held:
        connection.close()
    assert set(ports) & time_wait_ports()  # the case that used to say "Poort ... is bezet"
    assert "bezet" not in launch_platform(platform)
    assert get(platform["site"] + "/")[0] == 200
    out = leerpad(platform, "cohort", "links", "demo")  # the new platform's addresses
    assert platform["site"] in out and "Let op" not in out
