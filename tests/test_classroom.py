"""Classroom mode (`leerpad start --classroom`, issue 16): from the Wi-Fi side a pupil
reaches the apps and the site over HTTPS and nothing else; the trainer's workspace, the
learner's JupyterLab and grading stay on 127.0.0.1. The Wi-Fi side is a non-loopback
address of this machine; on a machine with loopback only it is 127.0.0.2, which stands for
it (a server on 127.0.0.1 does not answer there either)."""

import re
import socket
import ssl
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from conftest import free_port, launch_platform, small_class_pools, stop_process_group
from stories import MODULE, RIGHT, leerpad

from leerpad.classroom import SELF_SIGNED_NOTE, UNENCRYPTED_WARNING, classroom_network
from leerpad.platform import descendants

pytestmark = [pytest.mark.servers]
APP = f"/voila/render/{MODULE}/{MODULE}.ipynb"


def wifi_address() -> str:
    """A non-loopback IPv4 address of this machine, else 127.0.0.2 (see the docstring)."""
    out = subprocess.run(["ip", "-4", "-o", "addr"], capture_output=True, text=True).stdout
    found = [a for a in re.findall(r"inet (\d+\.\d+\.\d+\.\d+)/", out) if not a.startswith("127.")]
    return found[0] if found else "127.0.0.2"


@pytest.fixture(scope="module")
def classroom(isolated_env, tmp_path_factory):
    """`leerpad start --classroom --host <Wi-Fi side>` on data and ports of its own."""
    base = tmp_path_factory.mktemp("klaslokaal")
    ports = {name: free_port() for name in ("PORT", "APPS_PORT", "LAB_PORT", "TRAINER_PORT")}
    env = {
        **isolated_env,
        "LEERPAD_VAR": str(base / "var"),
        "LEERPAD_BUILD": str(base / "build"),
        **{k: str(v) for k, v in ports.items()},
    }
    wifi = wifi_address()
    info = {
        "wifi": wifi,
        "ports": ports,
        "site": f"https://{wifi}:{ports['PORT']}",
        "apps": f"https://{wifi}:{ports['APPS_PORT']}",
        "var": base / "var",
        "env": env,
        "log": base / "start.log",
    }
    small_class_pools(info["var"])
    launch_platform(info, options=("--classroom", "--host", wifi))
    info["cert"] = info["var"] / "servers" / "klaslokaal" / "klaslokaal.crt"
    yield info
    stop_process_group(info["proc"])


def pupil_context(classroom) -> ssl.SSLContext:
    """A client that trusts exactly the platform's own certificate, checking its address."""
    return ssl.create_default_context(cafile=str(classroom["cert"]))


def fetch(url: str, context) -> tuple[int, str]:
    with urllib.request.urlopen(url, context=context, timeout=300) as response:
        return response.status, response.read().decode("utf-8", errors="replace")


def refused(host: str, port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(5)
        return s.connect_ex((host, port)) == 111  # ECONNREFUSED: nobody listens there


# First, on a fresh platform: run after the plain fetch of the app below, the phone's hand-in
# bar did not switch to the class link (seen twice, not understood yet; see the report).
@pytest.mark.browser
def test_a_pupil_on_a_phone_checks_an_answer_over_https(classroom, browser):
    out = leerpad(classroom, "cohort", "class-link", "demo", "--count", "1")
    link = next(line.split(": ", 1)[1] for line in out.splitlines() if f"{MODULE}:" in line)
    assert link.startswith(classroom["apps"])
    pseudonym, code = (
        (classroom["var"] / "cohorts" / "demo" / "schuilnamen.txt").read_text().split()[:2]
    )
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
        ignore_https_errors=True,
    )  # fmt: skip
    page = context.new_page()
    page.goto(link, timeout=180_000)
    assert page.url.startswith("https://")
    page.locator(".leerpad-handin").wait_for(timeout=180_000)
    exercise = page.locator(".leerpad-exercise", has_text="Welke beschrijving is een algoritme?")
    exercise.wait_for(timeout=180_000)
    # the bar learns from the kernel that this is a class link: slow on a loaded machine
    page.get_by_label("Je schuilnaam (van je leerkracht)").wait_for(timeout=180_000)
    page.get_by_label("Je schuilnaam (van je leerkracht)").fill(pseudonym)
    page.get_by_label("Je code").fill(code)
    page.get_by_label("Je code").press("Enter")
    page.get_by_text(f"Aangemeld als {pseudonym}").wait_for(timeout=60_000)
    exercise.get_by_label(RIGHT).check()
    exercise.get_by_role("button", name="Controleer").click()
    exercise.get_by_text("Juist!").wait_for(timeout=60_000)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    context.close()


def test_the_wifi_reaches_apps_and_site_over_https(classroom):
    context = pupil_context(classroom)
    status, page = fetch(classroom["site"] + "/", context)
    assert status == 200 and "<html" in page.lower()
    status, page = fetch(classroom["apps"] + APP, context)
    assert status == 200
    # the site's app buttons lead to the apps on the Wi-Fi, not to 127.0.0.1
    built = Path(classroom["env"]["LEERPAD_BUILD"]) / "site"
    pages = "".join(p.read_text(errors="replace") for p in built.rglob("*.html"))
    assert classroom["apps"] in pages
    assert f"127.0.0.1:{classroom['ports']['APPS_PORT']}" not in pages
    # plain HTTP gets no page: the answers do not travel unencrypted
    with pytest.raises((urllib.error.URLError, ConnectionError, OSError)):
        fetch(classroom["apps"].replace("https:", "http:") + APP, None)


def test_the_trainers_servers_refuse_the_wifi(classroom):
    ports, wifi = classroom["ports"], classroom["wifi"]
    for variable in ("LAB_PORT", "TRAINER_PORT"):
        assert refused(wifi, ports[variable]), f"{variable} antwoordt op {wifi}"
        assert not refused("127.0.0.1", ports[variable]), f"{variable} draait niet"
    # Every TCP port the platform and its kernels listen on, beyond 127.0.0.1 and ::1: apps
    # and site on the Wi-Fi side only (no wildcard address either).
    public = {
        (address, port)
        for address, port in listening_sockets(classroom["proc"].pid)
        if address not in ("127.0.0.1", "::1")
    }
    assert public == {(wifi, ports["PORT"]), (wifi, ports["APPS_PORT"])}
    # the grading service is a Unix socket, in a folder of the trainer's alone
    grading = classroom["var"] / "servers" / "grading" / "demo.sock"
    assert grading.is_socket()


def listening_sockets(pid: int) -> set[tuple[str, int]]:
    """(address, port) of each listening IPv4 socket held by ``pid`` or a process below it."""
    inodes = set()
    for proc in [pid, *(child for child, _ in descendants(pid))]:
        for fd in Path(f"/proc/{proc}/fd").glob("*"):
            try:
                target = fd.readlink().name
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    found = set()
    for table in ("tcp", "tcp6"):
        for line in Path(f"/proc/net/{table}").read_text().splitlines()[1:]:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state == "0A" and inode in inodes:  # 0A: LISTEN
                address, port = local.split(":")
                found.add((readable(address), int(port, 16)))
    return found


def readable(address: str) -> str:
    """An address as /proc/net/tcp{,6} writes it (hex, in 32-bit words of host order)."""
    raw = b"".join(bytes.fromhex(address[i : i + 8])[::-1] for i in range(0, len(address), 8))
    return socket.inet_ntop(socket.AF_INET if len(raw) == 4 else socket.AF_INET6, raw)


def test_links_and_trainer_page_use_the_wifi_address(classroom):
    start = classroom["log"].read_text(errors="replace")
    assert f"Klaslink {MODULE}:" in start
    assert f"{classroom['apps']}{APP}?klas=" in start
    assert "▀" in start or "▄" in start  # the QR code, in text blocks
    assert "Geavanceerd" in start  # what pupils click at the browser's warning
    out = leerpad(classroom, "cohort", "class-link", "demo", "--count", "2")
    assert f"{classroom['apps']}{APP}?klas=" in out
    token = (classroom["var"] / "servers" / "trainer" / "token").read_text().strip()
    trainer = f"http://127.0.0.1:{classroom['ports']['TRAINER_PORT']}"
    request = urllib.request.Request(
        f"{trainer}/leerpad/klas/", headers={"Authorization": f"token {token}"}
    )
    with urllib.request.urlopen(request, timeout=120) as response:
        page = response.read().decode()
    assert page.count("<svg") >= 1 and f"{classroom['apps']}{APP}?klas=" in page
    key = classroom["cert"].with_suffix(".key")
    assert key.stat().st_mode & 0o077 == 0  # the trainer's alone


def run_start(isolated_env, tmp_path, *options) -> subprocess.CompletedProcess:
    env = {**isolated_env, "LEERPAD_VAR": str(tmp_path / "var")}
    return subprocess.run(
        [sys.executable, "-m", "leerpad", "start", *options],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("options", "says"),
    [
        (("--classroom", "--host", "laptop.local"), "geen IPv4-adres"),
        (("--classroom", "--host", "127.0.0.5", "--certfile", "a.crt"), "horen samen"),
        (("--classroom", "--host", "127.0.0.5", "--certfile", "nergens.crt", "--keyfile", "k"),
         "bestaat niet"),
        (("--classroom", "--host", "192.0.2.254"), "hoort niet bij deze laptop"),
        (("--host", "10.0.0.5"), "voeg --classroom toe"),
    ],
)  # fmt: skip
def test_bad_classroom_options_say_how_to_fix_them(isolated_env, tmp_path, options, says):
    result = run_start(isolated_env, tmp_path, *options)
    assert result.returncode == 2, result.stdout + result.stderr
    assert says in result.stderr and "Oplossing" in result.stderr
    assert not (tmp_path / "var" / "cohorts").exists()  # nothing was started or made


def test_the_certificate_fits_its_address_and_is_made_once(tmp_path):
    from cryptography import x509

    network, notes = classroom_network("127.0.0.5", True, "", "", tmp_path / "tls")
    assert network.url(8866) == "https://127.0.0.5:8866" and SELF_SIGNED_NOTE in notes
    cert = Path(network.certfile).read_bytes()
    assert classroom_network("127.0.0.5", True, "", "", tmp_path / "tls")[0] == network
    assert Path(network.certfile).read_bytes() == cert  # the same: pupils accepted it once
    assert Path(network.keyfile).stat().st_mode & 0o077 == 0
    moved, _ = classroom_network("127.0.0.6", True, "", "", tmp_path / "tls")
    names = x509.load_pem_x509_certificate(Path(moved.certfile).read_bytes()).extensions
    san = names.get_extension_for_class(x509.SubjectAlternativeName).value
    assert [str(ip) for ip in san.get_values_for_type(x509.IPAddress)] == ["127.0.0.6"]


def test_without_https_the_trainer_is_warned(tmp_path):
    network, notes = classroom_network("127.0.0.5", False, "", "", tmp_path / "tls")
    assert network.url(8000) == "http://127.0.0.5:8000"
    assert UNENCRYPTED_WARNING in notes and not (tmp_path / "tls").exists()
