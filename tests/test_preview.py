"""`leerpad preview MODULE`: the real Voilà apps server on a free port, stopped with Ctrl-C."""

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from authoring_fixtures import make_catalogue
from conftest import free_port, stop_process_group

pytestmark = pytest.mark.servers

MODULE = "mod-a"  # the small module of authoring_fixtures: quick to release and render


def test_preview_serves_the_module_as_its_app(isolated_env, tmp_path):
    port = free_port()
    courses = make_catalogue(tmp_path)
    env = {
        **isolated_env,
        "LEERPAD_COURSES": str(courses),
        "LEERPAD_VAR": str(tmp_path / "var"),
        "BROWSER": "",
    }
    env.pop("DISPLAY", None)
    log_path = tmp_path / "preview.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "leerpad", "preview", MODULE, "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 300
            while "Voorbeeld van" not in log_path.read_text():
                assert proc.poll() is None, log_path.read_text()
                assert time.monotonic() < deadline, log_path.read_text()
                time.sleep(0.3)
            url = re.search(r"http://127\.0\.0\.1:\d+/\S+", log_path.read_text())[0]
            assert url == f"http://127.0.0.1:{port}/voila/render/{MODULE}/{MODULE}.ipynb"
            with urllib.request.urlopen(url, timeout=120) as response:
                assert response.status == 200
                page = response.read().decode("utf-8")
            assert "application/vnd.jupyter.widget-view+json" in page
            assert "Een robot op een rooster" in page  # the module's text and image
            assert "BEGIN HIDDEN TESTS" not in page
            # Ctrl-C stops the preview and its server.
            os.killpg(proc.pid, signal.SIGINT)
            assert proc.wait(60) == 0, log_path.read_text()
        finally:
            stop_process_group(proc)
    assert "Voorbeeld gestopt." in log_path.read_text()
    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", port)) != 0, "the apps server still listens"


def test_preview_refuses_an_unknown_module(isolated_env, tmp_path):
    env = {**isolated_env, "LEERPAD_VAR": str(tmp_path / "var")}
    proc = subprocess.run(
        [sys.executable, "-m", "leerpad", "preview", "bestaat-niet", "--no-browser"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert "geen module met deze id of map" in proc.stderr
    assert not (tmp_path / "var").exists()
