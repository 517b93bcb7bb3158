"""``leerpad preview MODULE``: the module as its learner sees it, before it is published.

The module is checked, released to a preview cohort (nbgrader, answer keys on the server
side, exactly as for learners) and served by the same Voilà apps server as ``leerpad start``.
Ctrl-C stops it.
"""

import os
import socket
import sys
import webbrowser

from leerpad.catalogue import Catalogue
from leerpad.check import check
from leerpad.grading.cohort import Cohort
from leerpad.grading.release import release_module
from leerpad.package import PackageError, find_module
from leerpad.platform import HOST, Platform, Ports

COHORT = "voorbeeld"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def app_url(port: int, module_id: str) -> str:
    return f"http://{HOST}:{port}/voila/render/{module_id}/{module_id}.ipynb"


def can_open_browser() -> bool:
    """A graphical browser, not a text browser that would take over this terminal."""
    if os.environ.get("BROWSER"):
        return True
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def preview(name: str, port: int | None = None, open_browser=True) -> int:
    catalogue = Catalogue()
    try:
        module = find_module(catalogue, name)
    except PackageError as err:
        print(err, file=sys.stderr)
        return 2
    problems = [p for p in check(module.folder, catalogue) if not p.warning]
    if problems:
        for problem in problems:
            print(problem, file=sys.stderr)
        print("Los deze problemen eerst op; dan toont preview de module.", file=sys.stderr)
        return 1
    ports = Ports(apps=port or free_port())
    with socket.socket() as s:
        try:
            s.bind((HOST, ports.apps))
        except OSError:
            print(
                f"Poort {ports.apps} is bezet. Oplossing: kies een andere met --port.",
                file=sys.stderr,
            )
            return 2
    cohort = Cohort(COHORT)
    if not cohort.exists():
        cohort.create()
    print(f"  {module.id} vrijgeven voor het voorbeeld...", flush=True)
    release_module(cohort, module)
    platform = Platform(ports, cohort=COHORT)

    def up():
        platform.start_apps(cohort, name="preview")
        platform.wait_until_listening(names=("apps",))
        url = app_url(ports.apps, module.id)
        print(f"\nVoorbeeld van '{module.title}': {url}\nStoppen: Ctrl-C.\n", flush=True)
        if open_browser and can_open_browser():
            webbrowser.open(url)

    return platform.serve(
        up, "De app-server stopte; zie var/logs/preview.log.", "\nVoorbeeld gestopt."
    )
