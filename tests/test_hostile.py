"""Hostile hand-ins: each one is contained by the sandbox and noted in Dutch for the trainer,
while the honest hand-ins of the same grading run get their right scores.

Every hand-in below (two honest learners and one learner per attack) is graded in one run,
with low limits (3 s per cell, 256 MB, 16 MB per file), twice: by ``leerpad grade`` (the
engine, where only the learner's code meets a kernel) and by stock ``nbgrader autograde``
with the cohort's configuration (what formgrader's own autograde button runs).
"""

import json
import os
import re
import socket
import sqlite3
import threading
from pathlib import Path

import nbformat
import pytest
from conftest import leerpad_var, run_in_own_loop
from leerpad.grading.handin import submit_from_app
from leerpad.grading.nbgrader_run import NbgraderError, run_nbgrader
from leerpad.grading.preprocessors import grading_notes
from stories import execute
from traitlets.config import Config

from leerpad.catalogue import Module
from leerpad.sandbox import (
    SandboxedKernelManager,
    SandboxProvisioner,
    SandboxUnavailable,
    bwrap_problem,
)

MODULE = "sandbox-proef"
MARKDOWN = """# Proefmodule voor de sandbox

```{juist-fout} sb-juist
punten: 1
vraag: "Juist of fout? Een algoritme stopt altijd."
antwoord: true
```

```{getal} sb-getal
punten: 1
vraag: "Hoeveel is 2 + 4?"
antwoord: 6
```

```{code} sb-som
punten: 2
opdracht: Schrijf een functie `som(a, b)` die a en b optelt.
start: |
  def som(a, b):
oplossing: |
      return a + b
testen: |
  assert som(1, 2) == 3
  assert som(-1, 1) == 0
```
"""
GOOD_CODE = "def som(a, b):\n    return a + b\n"
RIGHT = {"sb-juist": {"answer": "Juist"}, "sb-getal": {"answer": "6"}}
WRONG = {"sb-juist": {"answer": "Fout"}, "sb-getal": {"answer": "7"}}
LIMITS = """
from leerpad.grading.nbgrader_config import configure_sandbox
configure_sandbox(c, cell_timeout=3)
c.SandboxProvisioner.memory_limit = 256 * 1024 * 1024
c.SandboxProvisioner.file_size_limit = 16 * 1024 * 1024
c.SandboxProvisioner.process_limit = 48
c.SandboxProvisioner.cpu_limit = 60
"""


def hostile_cases(cohort_dir, port):
    """learner: (code in the learner's code cell, widget answers, score, note pattern)."""
    other = cohort_dir / "submitted" / "goed-1" / MODULE / "leerpad-answers.json"
    return {
        "lus": (GOOD_CODE + "while True:\n    pass\n", RIGHT, 4, "tijdslimiet"),
        "fork": (
            GOOD_CODE
            + "import os, time\nwhile True:\n    if os.fork() == 0:\n        time.sleep(60)\n",
            RIGHT,
            4,
            "te veel processen",
        ),
        "geheugen": (
            GOOD_CODE + "blokken = []\nwhile True:\n    blokken.append(bytearray(50_000_000))\n",
            RIGHT,
            4,
            "geheugen",
        ),
        "uitvoer": (
            GOOD_CODE + "for _ in range(100):\n    print('x' * 100_000)\n",
            RIGHT,
            4,
            "zeer veel uitvoer",
        ),
        "schijf": (
            GOOD_CODE
            + "with open('groot.bin', 'wb') as f:\n"
            + "    for _ in range(64):\n        f.write(b'0' * 1_000_000)\n",
            RIGHT,
            4,
            "te groot bestand",
        ),
        "spieken": (
            GOOD_CODE + f"print(open({str(other)!r}).read())\n",
            RIGHT,
            4,
            "buiten de eigen inzending",
        ),
        "bron": (
            GOOD_CODE
            + f"print(open({str(cohort_dir / 'source' / MODULE / f'{MODULE}.ipynb')!r}).read())\n",
            RIGHT,
            4,
            "buiten de eigen inzending",
        ),
        "sleutels": (
            GOOD_CODE + f"print(open({str(cohort_dir / 'keys' / (MODULE + '.json'))!r}).read())\n",
            WRONG,
            2,
            "buiten de eigen inzending",
        ),
        "puntenboek": (
            GOOD_CODE
            + "import sqlite3\n"
            + f"db = sqlite3.connect({str(cohort_dir / 'gradebook.db')!r})\n"
            + "db.execute('update grade set manual_score = 100')\ndb.commit()\n",
            RIGHT,
            4,
            "puntenboek",
        ),
        "netwerk": (
            GOOD_CODE
            + "import socket\n"
            + f"socket.create_connection(('127.0.0.1', {port}), timeout=2).sendall(b'geheim')\n",
            RIGHT,
            4,
            "geen netwerk",
        ),
        "kernel": (
            GOOD_CODE + "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n",
            RIGHT,
            2,  # the code's tests never ran; the widgets are scored on the grader
            "Python-kernel gestopt",
        ),
        "onderbreken": (
            GOOD_CODE
            + "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
            + "while True:\n    pass\n",
            RIGHT,
            2,
            "liet zich niet onderbreken",
        ),
        "vals": (
            GOOD_CODE,  # and a cell of its own, right after the imports:
            WRONG,
            2,  # the code is right; the widget answers are wrong whatever score() says
            "die score telt|telt niet mee",
        ),
    }


@pytest.fixture(scope="module")
def listener():
    """A server on loopback that records whatever reaches it."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.5)
    received = []
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            received.append(conn.recv(100))
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1], received
    stop.set()
    thread.join()
    server.close()


def make_cohort(base, name, extra_config=LIMITS):
    from leerpad.grading.cohort import Cohort
    from leerpad.grading.release import release_module

    folder = base / "module"
    folder.mkdir(exist_ok=True)
    (folder / "module.md").write_text(MARKDOWN, encoding="utf-8")
    module = Module(folder, {"id": MODULE, "title": "Proefmodule"})
    cohort = Cohort(name, base / "cohorts").create()
    with open(cohort.dir / "nbgrader_config.py", "a", encoding="utf-8") as config:
        config.write(extra_config)
    release_module(cohort, module)
    return cohort


FAKE_SCORES = (
    "import leerpad.widgets as w\n"
    "w.score = score = lambda exercise_id: 1\n"
    "w.session().exercises.clear()\n"
)


def hand_in(cohort, learner, code, answers, change_locked=False, extra_cell=""):
    """A hand-in as nbgrader collects it: the released notebook with the learner's code in the
    code cell (and an extra cell of the learner's after the imports), and the widget answers
    beside it."""
    folder = submit_from_app(cohort.dir, MODULE, learner, answers)
    path = folder / f"{MODULE}.ipynb"
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade_id") == "sb-som-code":
            cell.source = code
        if change_locked and meta.get("grade_id") == "sb-som":
            cell.source = "assert True"
    if extra_cell:
        nb.cells.insert(1, nbformat.v4.new_code_cell(extra_cell))
    nbformat.write(nb, path)


def grade_with_leerpad(cohort) -> str:
    """``leerpad grade`` on the cohort: its summary and per hand-in score and notes."""
    import io

    from leerpad.grading.engine import grade
    from leerpad.grading.grade import print_results

    out = io.StringIO()
    summary = grade(cohort.dir, jobs=2, out=out)
    assert summary.ok, summary.failed
    print_results(cohort.dir, summary, None, None, out)
    return out.getvalue()


def grade_with_nbgrader(cohort) -> str:
    output = run_nbgrader(cohort.dir, "autograde", MODULE, "--create", "--force")
    return output + run_nbgrader(cohort.dir, "generate_feedback", MODULE, "--force")


@pytest.fixture(scope="module", params=[grade_with_leerpad, grade_with_nbgrader])
def graded(request, tmp_path_factory, isolated_env, listener):
    """Every hand-in graded in one run; (cohort, cases, scores, output of the run)."""
    base = tmp_path_factory.mktemp("hostile")
    with leerpad_var(isolated_env, base / "var"):
        os.environ.pop("LEERPAD_ZONDER_SANDBOX", None)
        cohort = make_cohort(base, "hostile")
        cases = hostile_cases(cohort.dir, listener[0])
        # both tests fail on this code: a score above 2 means the tampered test cell counted
        cases["slot"] = ("def som(a, b):\n    return a - b\n", RIGHT, 2, "vergrendelde cel")
        cases["goed-1"] = (GOOD_CODE, RIGHT, 4, None)
        cases["goed-2"] = (GOOD_CODE, WRONG, 2, None)
        for learner, (code, answers, _score, _note) in cases.items():
            hand_in(
                cohort,
                learner,
                code,
                answers,
                change_locked=learner == "slot",
                extra_cell=FAKE_SCORES if learner == "vals" else "",
            )
        with sqlite3.connect(cohort.dir / "gradebook.db") as db:
            before = db.execute("select count(*) from grade").fetchone()[0]
        output = request.param(cohort)
        scores = {}
        with cohort.gradebook() as gb:
            for learner in cases:
                submission = gb.find_submission(MODULE, learner)
                scores[learner] = (submission.score, submission.max_score)
        yield cohort, cases, scores, output, before


CASES = [
    "lus",
    "fork",
    "geheugen",
    "uitvoer",
    "schijf",
    "spieken",
    "bron",
    "sleutels",
    "puntenboek",
    "netwerk",
    "kernel",
    "onderbreken",
    "vals",
    "slot",
]


def autograded_notebook(cohort, learner):
    return cohort.dir / "autograded" / learner / MODULE / f"{MODULE}.ipynb"


def test_bubblewrap_can_isolate_here():
    # .ci/run installs bubblewrap; without it every case below would be refused.
    assert bwrap_problem("bwrap") is None


def test_honest_hand_ins_are_graded_right(graded):
    cohort, _cases, scores, _output, _before = graded
    assert scores["goed-1"] == (4, 4)
    assert scores["goed-2"] == (2, 4)
    for learner in ("goed-1", "goed-2"):
        assert grading_notes(autograded_notebook(cohort, learner)) == []


@pytest.mark.parametrize("learner", CASES)
def test_hostile_hand_in_is_contained_and_noted(graded, learner):
    cohort, cases, scores, output, _before = graded
    _code, _answers, expected, pattern = cases[learner]
    assert scores[learner] == (expected, 4), learner
    notes = grading_notes(autograded_notebook(cohort, learner))
    assert any(re.search(pattern, note) for note in notes), notes
    # in the command output, and on top of the feedback the learner and trainer open
    assert any(re.search(pattern, line) for line in output.splitlines())
    feedback = cohort.dir / "feedback" / learner / MODULE / f"{MODULE}.html"
    assert "Opmerkingen bij het verbeteren" in feedback.read_text(encoding="utf-8")


def test_no_secret_reaches_a_hostile_notebook(graded):
    cohort, _cases, _scores, _output, _before = graded
    keys = json.loads((cohort.dir / "keys" / f"{MODULE}.json").read_text())
    assert keys["sb-getal"]["answer"] == 6
    for learner in ("spieken", "bron", "sleutels"):
        nb = nbformat.read(autograded_notebook(cohort, learner), as_version=4)
        code = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution"))
        outputs = json.dumps(code.outputs)
        assert "FileNotFoundError" in outputs  # the file is not there in the sandbox
        for secret in ('\\"answer\\"', "som(-1, 1)", "sb-getal"):
            assert secret not in outputs, (learner, secret)


def test_the_gradebook_is_untouched(graded):
    cohort, cases, _scores, _output, before = graded
    with sqlite3.connect(cohort.dir / "gradebook.db") as db:
        assert db.execute("select count(*) from grade where manual_score = 100").fetchone()[0] == 0
        graded_rows = db.execute("select count(*) from grade").fetchone()[0]
    assert graded_rows > before  # the run itself wrote its grades


def test_nothing_reached_the_network(graded, listener):
    _port, received = listener
    assert received == []


def test_the_kernel_talks_over_unix_sockets_in_its_own_box(tmp_path):
    (tmp_path / "mijn.txt").write_text("van mij")

    async def run():
        manager = SandboxedKernelManager(kernel_name="python3")
        await manager.start_kernel(cwd=str(tmp_path))
        try:
            info = manager.get_connection_info()
            box = manager.provisioner.box
            assert isinstance(manager.provisioner, SandboxProvisioner)
            assert manager.provisioner.sandboxed and info["transport"] == "ipc"
            assert info["ip"].startswith(box)
            assert Path(box, "werk", tmp_path.name, "mijn.txt").read_text() == "van mij"
        finally:
            await manager.shutdown_kernel(now=True)
        assert not Path(box).exists()  # the box goes with the kernel

    run_in_own_loop(run())


def test_without_bubblewrap_grading_is_refused(tmp_path, monkeypatch):
    monkeypatch.delenv("LEERPAD_ZONDER_SANDBOX", raising=False)
    config = Config({"SandboxProvisioner": {"bwrap": "/bestaat-niet/bwrap"}})
    manager = SandboxedKernelManager(kernel_name="python3", config=config)
    with pytest.raises(SandboxUnavailable, match="bubblewrap.*LEERPAD_ZONDER_SANDBOX=1"):
        run_in_own_loop(manager.start_kernel(cwd=str(tmp_path)))
    assert not Path(manager.provisioner.box).exists()


def test_without_bubblewrap_the_trainer_may_grade_with_limits_only(graded, monkeypatch):
    """With LEERPAD_ZONDER_SANDBOX=1 a hand-in is graded without bwrap, and its graded
    notebook says so, in Dutch, on top. Without it, nbgrader refuses."""
    cohort = graded[0]
    # the section older cohort configurations use for the sandbox still holds
    missing = "--SandboxedKernelManager.bwrap=/bestaat-niet/bwrap"
    hand_in(cohort, "zonder-1", GOOD_CODE, RIGHT)
    monkeypatch.setenv("LEERPAD_ZONDER_SANDBOX", "1")
    output = run_nbgrader(cohort.dir, "autograde", MODULE, "--student", "zonder-1", missing)
    assert "ZONDER sandbox" in output
    with cohort.gradebook() as gb:
        assert gb.find_submission(MODULE, "zonder-1").score == 4
    notes = grading_notes(autograded_notebook(cohort, "zonder-1"))
    assert any("ZONDER sandbox" in note and "bubblewrap" in note for note in notes)
    monkeypatch.delenv("LEERPAD_ZONDER_SANDBOX")
    hand_in(cohort, "zonder-2", GOOD_CODE, RIGHT)
    with pytest.raises(NbgraderError, match="Verbeteren geweigerd"):
        run_nbgrader(cohort.dir, "autograde", MODULE, "--student", "zonder-2", missing)


def test_code_exercise_code_runs_in_the_sandbox_too(tmp_path, listener):
    """A CodeExercise runs learner code in a fresh Python, in the app and when the grader
    scores it: that Python is confined the same way."""
    from leerpad.widgets.coding import run_python

    secret = tmp_path / "geheim.txt"
    secret.write_text("geheim")
    port, received = listener
    code = f"import socket\ndata = open({str(secret)!r}).read()\n"
    outcome = run_python(code, [], timeout=10)
    assert outcome["error"]["type"] == "FileNotFoundError", outcome
    code = f"import socket\nsocket.create_connection(('127.0.0.1', {port}), timeout=2)\n"
    outcome = run_python(code, [], timeout=10)
    assert outcome["error"]["type"] == "ConnectionRefusedError", outcome
    assert received == []
    assert run_python("x = 6 * 7", ["assert x == 42"], timeout=10)["tests"] == [None]


def test_leerpad_grade_refuses_once_without_bubblewrap(tmp_path, monkeypatch, capsys):
    from leerpad.grading.cohort import Cohort
    from leerpad.grading.grade import grade_cohort

    monkeypatch.setenv("LEERPAD_VAR", str(tmp_path / "var"))
    monkeypatch.delenv("LEERPAD_ZONDER_SANDBOX", raising=False)
    Cohort("zonder-bwrap").create()
    no_bwrap = tmp_path / "bin"
    no_bwrap.mkdir()
    monkeypatch.setenv("PATH", str(no_bwrap))  # bwrap cannot be found
    bwrap_problem.cache_clear()
    try:
        assert grade_cohort("zonder-bwrap") == 2
    finally:
        bwrap_problem.cache_clear()
    message = capsys.readouterr().err
    assert message.startswith("Verbeteren geweigerd") and "apt install bubblewrap" in message


# -- attack 1: the learner's JupyterLab ----------------------------------------------------


def lab_token(platform) -> str:
    return (platform["var"] / "servers" / "learner-lab" / "token").read_text().strip()


def lab_run(platform, code: str, timeout=300) -> str:
    """Start a kernel through the learner Lab's REST API with the learner's token, run `code`
    over the kernel's websocket, and return what it printed (and any error)."""
    import requests
    import websocket

    lab, token = platform["lab"], lab_token(platform)
    reply = requests.post(f"{lab}/api/kernels", params={"token": token}, json={}, timeout=timeout)
    assert reply.status_code == 201, reply.text
    kernel = reply.json()["id"]
    url = lab.replace("http://", "ws://") + f"/api/kernels/{kernel}/channels?token={token}"
    try:
        ws = websocket.create_connection(url, timeout=timeout)
        printed, errors = execute(ws, code)
        ws.close()
        return printed + "".join(errors)
    finally:
        requests.delete(f"{lab}/api/kernels/{kernel}", params={"token": token}, timeout=60)


def probe_targets(platform):
    import reach_probe
    from leerpad.grading.identity import cohort_secret

    var = platform["var"]
    cohort_secret(var / "cohorts" / "demo")  # made when the first personal link is
    other = var / "learners" / "ander-1"
    other.mkdir(parents=True, exist_ok=True)
    (other / "werk.txt").write_text("van iemand anders")
    (var / "data" / "ander-1").mkdir(parents=True, exist_ok=True)
    (var / "data" / "ander-1" / "antwoord.json").write_text("{}")
    return reach_probe.targets(
        var, Path(__file__).parent.parent, var / "cohorts" / "demo", "ander-1"
    )


def site_port(platform) -> int:
    return int(platform["site"].rsplit(":", 1)[1])


@pytest.mark.servers
def test_a_learner_lab_kernel_reaches_no_key_secret_token_or_other_learner(platform):
    """Attack 1: a kernel started with the learner token walks the file system and the
    environment. Before, it ran as root with LEERPAD_KEYS and read every key, the gradebook,
    the cohort secret and the trainer token."""
    import reach_probe

    targets = probe_targets(platform)
    secrets = reach_probe.host_secrets(platform["var"], platform["var"] / "cohorts" / "demo")
    assert len(secrets) == 3  # the probe looks for real secrets
    code = reach_probe.call(targets, reach_probe.skipped(), site_port(platform))
    report = reach_probe.parse(lab_run(platform, code))
    print("\n" + reach_probe.summary("JupyterLab van de cursist", report, secrets))
    assert reach_probe.leaks(report, secrets) == []
    assert report["uid"] != 0


@pytest.mark.servers
def test_a_learner_lab_kernel_works_in_the_learners_own_folder(platform):
    """The sandbox keeps the learner's work: files the kernel writes are in the learner's
    folder, as the Lab's file browser shows it."""
    import requests

    out = lab_run(
        platform, "open('eigen.txt', 'w').write('van mij'); print(open('eigen.txt').read())"
    )
    assert out.strip() == "van mij"
    reply = requests.get(
        f"{platform['lab']}/api/contents/eigen.txt",
        params={"token": lab_token(platform)},
        timeout=60,
    )
    assert reply.status_code == 200 and reply.json()["content"] == "van mij"


@pytest.mark.servers
def test_the_learner_lab_follows_no_link_out_of_the_learners_folder(platform):
    """A kernel cannot read the keys, but it can leave a link to them in the learner's
    folder: the Lab server (with more rights) must not follow it."""
    import requests

    keys = sorted((platform["var"] / "cohorts" / "demo" / "keys").glob("*.json"))
    secret = platform["var"] / "cohorts" / "demo" / ".leerpad-secret"
    code = (
        "import os\n"
        f"os.symlink({str(keys[0])!r}, 'sleutel.json')\n"
        f"os.symlink({str(secret)!r}, 'geheim.txt')\n"
        f"os.symlink({str(keys[0].parent)!r}, 'sleutels')\n"
        "print(sorted(os.listdir('.')))\n"
    )
    assert "sleutel.json" in lab_run(platform, code)
    lab, token = platform["lab"], lab_token(platform)
    for path in ("sleutel.json", "geheim.txt", "sleutels", "sleutels/" + keys[0].name):
        for api in ("/api/contents/", "/files/"):
            reply = requests.get(lab + api + path, params={"token": token}, timeout=60)
            assert reply.status_code in (403, 404), (api, path, reply.status_code)
            assert secret.read_text().strip() not in reply.text
    listing = requests.get(lab + "/api/contents", params={"token": token}, timeout=60)
    assert listing.status_code == 200
    assert "sleutel.json" not in listing.text


# -- attacks 3, 4 and 7: forged results, links in a hand-in, always-equal objects -----------

CODE_MODULE = "sandbox-code"
CODE_MARKDOWN = """# Proefmodule voor codeoefeningen

```{code-oefening} sc-tel
punten: 2
vraag: "Schrijf `tel(lijst)`: hoeveel elementen de lijst heeft."
start: |
  def tel(lijst):
      ...
testen:
  - assert tel([1, 2]) == 2
oplossing: |
  def tel(lijst):
      return len(lijst)
verborgen-testen:
  - assert tel([]) == 0
  - assert tel([5, 5, 5]) == 3
```

```{code} sc-som
punten: 2
opdracht: Schrijf een functie `som(a, b)` die a en b optelt.
start: |
  def som(a, b):
oplossing: |
      return a + b
testen: |
  assert gelijk(som(1, 2), 3)
  assert gelijk(som(-1, 1), 0)
```
"""
RIGHT_TEL = "def tel(lijst):\n    return len(lijst)\n"
RIGHT_SOM = "def som(a, b):\n    return a + b\n"
# The attack of issue 13: the runner's nonce from the caller's frame, then its own result
# line (with the hidden tests packed into the count), and exit before the real one.
FORGE = """import json, os, sys
def tel(lijst):
    return -1
data = sys._getframe(1).f_locals.get("data") or {}
if "nonce" in data:
    n = len(data["tests"])
    if data["show_output"]:
        result = {"error": None, "tests": [None] * n, "output": ""}
    else:
        result = {"error": False, "tests": [10 ** 100] * n}
    sys.__stdout__.write("\\n" + data["nonce"] + " " + json.dumps(result) + "\\n")
    sys.__stdout__.flush()
    os._exit(0)
"""
# Whatever channel a child of the new runner reports on: write a verdict on every open
# descriptor and leave before the test runs.
CHANNEL = """import os
def tel(lijst):
    return -1
for fd in range(0, 64):
    try:
        os.write(fd, b'{"problem": null, "passed": true, "value": ["int", 2]}\\n')
    except OSError:
        pass
os._exit(0)
"""
ALWAYS = "class Altijd:\n    def __eq__(self, other):\n        return True\n"
WRONG_TEL = "def tel(lijst):\n    return -1\n"
# wrong on both tests of sc-som (a code test earns its own share of the points)
WRONG_SOM = "def som(a, b):\n    return a - b\n"
# nbgrader runs a test cell in the kernel that ran the learner's code: that code can make
# the asserts of the tests after it vanish, or replace what they use. (A handler of its own
# for the failed assert, ``set_custom_exc``, is not enough: nbgrader adds the error of the
# execute reply to the cell's outputs.)
SWALLOW = (
    WRONG_SOM + "import ast\n"
    "class Stil(ast.NodeTransformer):\n"
    "    def visit_Assert(self, node):\n"
    "        return ast.Pass()\n"
    "get_ipython().ast_transformers.append(Stil())\n"
    "get_ipython().set_custom_exc((BaseException,), lambda *a, **k: None)\n"
)
REDEFINE = (
    WRONG_SOM + "import builtins, leerpad.equality\n"
    "leerpad.equality.gelijk = lambda *a, **k: True\n"
    "builtins.AssertionError = type('Stil', (Exception,), {})\n"
)


def code_cases(cohort_dir):
    """learner: (answer of sc-tel, code of sc-som, files to link into the hand-in, score)."""
    keys = cohort_dir / "keys" / f"{CODE_MODULE}.json"
    links = {
        "sleutel.json": keys,
        "geheim.txt": cohort_dir / ".leerpad-secret",
        "puntenboek.db": cohort_dir / "gradebook.db",
        "bron": cohort_dir / "source" / CODE_MODULE,
    }
    read_links = "".join(
        f"try:\n    print(open({name!r}).read())\nexcept OSError as err:\n    print(err)\n"
        for name in ("sleutel.json", "geheim.txt", "puntenboek.db")
    )
    return {
        "eerlijk": (RIGHT_TEL, RIGHT_SOM, {}, 4),
        "nonce": (FORGE, "def som(a, b):\n    return a - b\n", {}, 0),
        "kanaal": (CHANNEL, "def som(a, b):\n    return a - b\n", {}, None),
        "altijd": (
            ALWAYS + "def tel(lijst):\n    return Altijd()\n",
            ALWAYS + "def som(a, b):\n    return Altijd()\n",
            {},
            0,
        ),
        "slikken": (WRONG_TEL, SWALLOW, {}, 0),
        "herdefinitie": (WRONG_TEL, REDEFINE, {}, 0),
        "links": (RIGHT_TEL, RIGHT_SOM + read_links, links, 4),
        "probe": (RIGHT_TEL, RIGHT_SOM + probe_code(cohort_dir), {}, 4),
        "link-notebook": (
            RIGHT_TEL,
            RIGHT_SOM,
            {f"{CODE_MODULE}.ipynb": cohort_dir / "source" / CODE_MODULE / f"{CODE_MODULE}.ipynb"},
            0,
        ),
    }


def probe_code(cohort_dir) -> str:
    """The reach probe, as learner code in a code cell the grader runs."""
    import reach_probe

    var = cohort_dir.parent.parent / "var"
    for server in ("trainer", "learner-lab"):
        (var / "servers" / server).mkdir(parents=True, exist_ok=True)
        (var / "servers" / server / "token").write_text(f"token-van-{server}-0123456789")
    targets = reach_probe.targets(var, Path(__file__).parent.parent, cohort_dir, "goed-1")
    return reach_probe.call(targets, reach_probe.skipped(), 9)


def code_hand_in(cohort, learner, tel, som, links, fifo=False):
    folder = submit_from_app(cohort.dir, CODE_MODULE, learner, {"sc-tel": {"answer": tel}})
    path = folder / f"{CODE_MODULE}.ipynb"
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "sc-som-code":
            cell.source = som
    nbformat.write(nb, path)
    for name, target in links.items():
        (folder / name).unlink(missing_ok=True)
        (folder / name).symlink_to(target)
    if fifo:
        os.mkfifo(folder / "pijp")


@pytest.fixture(scope="module", params=[grade_with_leerpad, grade_with_nbgrader])
def code_graded(request, tmp_path_factory, isolated_env):
    """The code attacks graded in one run; (cohort, cases, scores, output)."""
    from leerpad.grading.cohort import Cohort
    from leerpad.grading.identity import cohort_secret
    from leerpad.grading.release import release_module

    base = tmp_path_factory.mktemp("hostile-code")
    with leerpad_var(isolated_env, base / "var"):
        os.environ.pop("LEERPAD_ZONDER_SANDBOX", None)
        folder = base / "module"
        folder.mkdir()
        (folder / "module.md").write_text(CODE_MARKDOWN, encoding="utf-8")
        cohort = Cohort("hostile-code", base / "cohorts").create()
        with open(cohort.dir / "nbgrader_config.py", "a", encoding="utf-8") as config:
            config.write(LIMITS)
        release_module(cohort, Module(folder, {"id": CODE_MODULE, "title": "Code"}))
        cohort_secret(cohort.dir)
        cases = code_cases(cohort.dir)
        if request.param is grade_with_leerpad:
            # leerpad grade reads no notebook through a link: with no notebook left the
            # hand-in is a failure the trainer sees (HandInMissing), not a score
            cases.pop("link-notebook")
        for learner, (tel, som, links, _score) in cases.items():
            # stock nbgrader refuses a hand-in with a fifo outright (SpecialFileError)
            fifo = learner == "links" and request.param is grade_with_leerpad
            code_hand_in(cohort, learner, tel, som, links, fifo)
        grade = grade_with_leerpad if request.param is grade_with_leerpad else None
        if grade:
            output = grade(cohort)
        else:
            output = run_nbgrader(cohort.dir, "autograde", CODE_MODULE, "--create", "--force")
            output += run_nbgrader(cohort.dir, "generate_feedback", CODE_MODULE, "--force")
        scores = {}
        with cohort.gradebook() as gb:
            for learner in cases:
                submission = gb.find_submission(CODE_MODULE, learner)
                scores[learner] = submission.score
        yield cohort, cases, scores, output


def code_feedback(cohort, learner) -> str:
    path = cohort.dir / "feedback" / learner / CODE_MODULE / f"{CODE_MODULE}.html"
    return path.read_text(encoding="utf-8") if path.exists() else ""


def test_an_honest_code_hand_in_gets_full_marks(code_graded):
    _cohort, _cases, scores, _output = code_graded
    assert scores["eerlijk"] == 4


def test_a_forged_result_line_scores_nothing(code_graded):
    """Attack 3: the runner's nonce read from the caller's frame and a result line of the
    learner's own (hidden tests packed in a huge count) gave a wrong answer 2 of 2."""
    _cohort, _cases, scores, _output = code_graded
    assert scores["nonce"] == 0


def test_writing_on_every_channel_wins_no_hidden_test(code_graded):
    """Learner code in a child may write anything anywhere: the runner trusts no verdict it
    cannot check. At most the one visible test (whose answer is public) can be faked."""
    _cohort, _cases, scores, _output = code_graded
    assert scores["kanaal"] <= round(2 / 3, 2)


def test_an_always_equal_object_passes_no_test(code_graded):
    """Attack 7: an object whose __eq__ always says True, in a code exercise of the app and
    in a code cell graded by nbgrader's tests (which use gelijk)."""
    _cohort, _cases, scores, _output = code_graded
    assert scores["altijd"] == 0


@pytest.mark.parametrize("learner", ["slikken", "herdefinitie"])
def test_a_code_cell_cannot_overrule_its_tests(code_graded, learner):
    """A wrong ``som`` whose cell makes the asserts of the test cell after it vanish (an AST
    transformer of IPython's) or replaces ``gelijk`` and ``AssertionError``: the test cell
    is judged by the code runner from values, not in that kernel, and earns nothing."""
    cohort, _cases, scores, _output = code_graded
    assert scores[learner] == 0
    nb = autograded_code_notebook(cohort, learner)
    tests = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "sc-som")
    # the cell fails (beside it, the per-test report of the code runner)
    assert [o.ename for o in tests.outputs if o.output_type == "error"] == ["TestNietGeslaagd"]
    assert "Niet alle testen slaagden" in code_feedback(cohort, learner)


def test_the_tests_of_a_code_cell_never_enter_the_kernel(code_graded):
    """The honest hand-in scores full marks without its test cell running in the kernel:
    the cell has no execution count and only the runner's verdict (none: passed)."""
    cohort, _cases, _scores, _output = code_graded
    nb = autograded_code_notebook(cohort, "eerlijk")
    tests = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "sc-som")
    assert tests.outputs == [] and tests.execution_count is None


def autograded_code_notebook(cohort, learner):
    path = cohort.dir / "autograded" / learner / CODE_MODULE / f"{CODE_MODULE}.ipynb"
    return nbformat.read(path, as_version=4)


def test_links_in_a_hand_in_bring_nothing_along(code_graded):
    """Attack 4: links named sleutel.json, geheim.txt and puntenboek.db (and a folder of
    sources) in a hand-in arrived in the sandbox as real files; their content came back in
    the feedback."""
    cohort, _cases, scores, output = code_graded
    assert scores["links"] == 4  # the honest work in it still counts
    notes = grading_notes(
        cohort.dir / "autograded" / "links" / CODE_MODULE / f"{CODE_MODULE}.ipynb"
    )
    note = next(n for n in notes if n.startswith("Niet meegenomen uit de inzending"))
    fifo = cohort.dir / "submitted" / "links" / CODE_MODULE / "pijp"
    for name in ("sleutel.json", "geheim.txt", "puntenboek.db", "bron"):
        assert f"'{name}'" in note
    assert ("'pijp'" in note) == fifo.exists()
    assert "Niet meegenomen uit de inzending" in output
    graded = cohort.dir / "autograded" / "links" / CODE_MODULE
    assert not any((graded / name).exists() for name in ("sleutel.json", "geheim.txt", "bron"))
    secret = (cohort.dir / ".leerpad-secret").read_text().strip()
    keys = (cohort.dir / "keys" / f"{CODE_MODULE}.json").read_text()
    nb = (graded / f"{CODE_MODULE}.ipynb").read_text()
    feedback = code_feedback(cohort, "links")
    for text in (nb, feedback):
        assert secret not in text and "SQLite format" not in text
        assert "tel([5, 5, 5])" not in text  # a hidden test
    assert "hidden_tests" in keys  # the key was there to leak


def test_a_notebook_that_is_a_link_is_not_graded(code_graded):
    """A hand-in whose notebook links to the source notebook (with the solutions) gets no
    points, and none of the source comes back."""
    cohort, cases, scores, _output = code_graded
    if "link-notebook" not in cases:  # leerpad grade: see code_graded
        return
    assert scores["link-notebook"] == 0
    assert "return a + b" not in code_feedback(cohort, "link-notebook")


def test_no_hidden_test_travels_back(code_graded):
    cohort, cases, _scores, _output = code_graded
    for learner in cases:
        feedback = code_feedback(cohort, learner)
        assert "tel([5, 5, 5])" not in feedback and "tel([])" not in feedback, learner


def test_a_result_is_a_share_between_0_and_1():
    from leerpad.widgets.base import Result

    assert Result(6.6e150).fraction == 1
    assert Result(-3).fraction == 0
    assert Result(float("nan")).fraction == 0


def test_the_code_runner_and_its_children_reach_nothing(tmp_path, monkeypatch, listener):
    """The probe inside a code exercise's runner, called as the Voilà app's kernel calls it:
    with that kernel's environment (keys folder, cohort, answers, tokens)."""
    import reach_probe
    from leerpad.grading.identity import cohort_secret
    from leerpad.widgets.coding import run_python

    var = tmp_path / "var"
    monkeypatch.setenv("LEERPAD_VAR", str(var))
    cohort = make_cohort(tmp_path, "probe")
    cohort_secret(cohort.dir)
    for server in ("trainer", "learner-lab"):
        (var / "servers" / server).mkdir(parents=True, exist_ok=True)
        (var / "servers" / server / "token").write_text(f"token-van-{server}-0123456789")
    secrets = reach_probe.host_secrets(var, cohort.dir)
    for name, value in {
        "LEERPAD_KEYS": str(cohort.keys_dir),
        "LEERPAD_COHORT": str(cohort.dir),
        "LEERPAD_DATA": str(var / "data"),
        "JUPYTER_TOKEN": secrets[0],
    }.items():
        monkeypatch.setenv(name, value)
    targets = reach_probe.targets(var, Path(__file__).parent.parent, cohort.dir, "b")
    code = reach_probe.call(targets, reach_probe.skipped(), listener[0])
    outcome = run_python(code, [], timeout=60)
    report = reach_probe.parse(outcome.get("output", "") + "\n" + json.dumps(outcome))
    print("\n" + reach_probe.summary("code-oefening (runner van de app)", report, secrets))
    assert reach_probe.leaks(report, secrets) == []


def test_a_grading_kernel_reaches_nothing(code_graded):
    """The probe as a learner's code cell, run by the grader in its sandboxed kernel."""
    import reach_probe

    cohort, _cases, scores, _output = code_graded
    nb = nbformat.read(
        cohort.dir / "autograded" / "probe" / CODE_MODULE / f"{CODE_MODULE}.ipynb", as_version=4
    )
    printed = "".join(out.get("text", "") for cell in nb.cells for out in cell.get("outputs", []))
    report = reach_probe.parse(printed)
    secrets = reach_probe.host_secrets(cohort.dir.parent.parent / "var", cohort.dir)
    assert len(secrets) == 3
    print("\n" + reach_probe.summary("verbeteren (kernel van de grader)", report, secrets))
    assert reach_probe.leaks(report, secrets) == []
    assert scores["probe"] == 4


@pytest.mark.servers
def test_links_in_the_learners_folder_never_reach_a_hand_in(platform, monkeypatch):
    """Attack 4 through JupyterLab: the learner's kernel leaves links to the keys and the
    cohort secret in a fetched module, the learner hands it in with nbgrader's assignment
    list, the trainer collects. Before, the Lab server (root) copied what the links point
    to into the exchange."""
    import requests
    from leerpad.grading.cohort import Cohort
    from leerpad.grading.handin import collect_from_exchange

    module, var = "ct-01-algoritme", platform["var"]
    lab = platform["lab"]
    auth = {"Authorization": f"token {lab_token(platform)}"}
    data = {"course_id": "demo", "assignment_id": module}
    home = var / "learners" / "leerkracht-demo"
    if not (home / module).exists():
        reply = requests.post(f"{lab}/assignments/fetch", data=data, headers=auth, timeout=300)
        assert reply.json()["success"], reply.text
    keys = var / "cohorts" / "demo" / "keys" / f"{module}.json"
    secret = var / "cohorts" / "demo" / ".leerpad-secret"
    code = (
        f"import os\nos.chdir({module!r})\n"
        f"os.symlink({str(keys)!r}, 'sleutel.json')\n"
        f"os.symlink({str(secret)!r}, 'geheim.txt')\n"
        f"os.symlink({str(keys.parent)!r}, 'sleutels')\n"
    )
    lab_run(platform, code)
    reply = requests.post(f"{lab}/assignments/submit", data=data, headers=auth, timeout=300)
    assert reply.json()["success"], reply.text
    inbound = sorted((var / "exchange" / "demo" / "inbound").glob(f"leerkracht-demo+{module}+*"))
    monkeypatch.setenv("LEERPAD_VAR", str(var))
    collect_from_exchange(Cohort("demo"))
    submitted = var / "cohorts" / "demo" / "submitted" / "leerkracht-demo" / module
    for folder in (inbound[-1], submitted):
        names = {p.name for p in folder.rglob("*")}
        assert f"{module}.ipynb" in names  # the hand-in itself arrived
        assert not names & {"sleutel.json", "geheim.txt", "sleutels"}, folder
        for path in folder.rglob("*"):
            if path.is_file():
                assert secret.read_text().strip() not in path.read_text(errors="replace")
    log = (var / "logs" / "lab.log").read_text()
    assert "Niet meegenomen uit de inzending" in log
