"""The grading engine: parallel grading equals nbgrader's own, the widget fast path equals
nbgrader's full run cell by cell, a killed grader resumes without grading anything twice,
and the gradebook can live in PostgreSQL."""

import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from conftest import leerpad_var

from tests.bench.submissions import clone_cohort, grades, hand_ins
from tests.conftest import missing

WIDGETS = "ct-02-gridrobot"  # widget exercises only
CODE = "ct-01-algoritme"  # widgets, an open answer and a code exercise


@pytest.fixture(scope="module")
def released(isolated_env, tmp_path_factory):
    """A cohort with both modules released and hand-ins of every kind, nothing graded."""
    base = tmp_path_factory.mktemp("engine")
    with leerpad_var(isolated_env, base / "var"):
        from leerpad.grading.cohort import Cohort
        from leerpad.grading.release import release_all

        from leerpad.catalogue import Catalogue

        catalogue = Catalogue()
        cohort = Cohort("basis").create()
        release_all(cohort, [catalogue.modules[m] for m in (WIDGETS, CODE)], log=lambda *_: None)
        hand_ins(cohort.dir, WIDGETS, [f"juf-{i}" for i in range(8)], seed=3)
        hand_ins(cohort.dir, CODE, ["meester-a", "meester-b"], seed=3, from_lab=True)
        hand_ins(cohort.dir, CODE, ["meester-c"], seed=3)
        yield cohort


@pytest.fixture(scope="module")
def both_graded(released):
    """Copies of the cohort graded by stock nbgrader and by leerpad on two processes."""
    from leerpad.grading.engine import grade
    from leerpad.grading.nbgrader_run import run_nbgrader

    root = released.dir.parent
    reference = clone_cohort(released.dir, root, "nbgrader")
    for module in (WIDGETS, CODE):
        run_nbgrader(reference.dir, "autograde", module, "--create")
    ours = clone_cohort(released.dir, root, "leerpad")
    summary = grade(ours.dir, jobs=2)
    return reference, ours, summary


def test_parallel_grading_equals_nbgrader(both_graded):
    reference, ours, summary = both_graded
    assert summary.ok, summary.failed
    assert len(summary.graded) == 11
    expected = grades(reference.settings["db_url"], reference.name)
    found = grades(ours.settings["db_url"], ours.name)
    assert len(expected) > 100
    assert found == expected
    # some hand-ins earned points, some not: the comparison is not between empty grades
    scores = {v[0] for k, v in expected.items() if isinstance(v, tuple) and v[0] is not None}
    assert len(scores) > 2
    for learner, module, _ in summary.graded:
        assert (ours.dir / "feedback" / learner / module / f"{module}.html").exists()


def test_widget_only_notebooks_take_the_fast_path_with_nbgrader_grades(both_graded):
    reference, ours, summary = both_graded
    fast = {(learner, module) for learner, module, is_fast in summary.graded if is_fast}
    assert fast == {(f"juf-{i}", WIDGETS) for i in range(8)}  # code notebooks never
    expected = grades(reference.settings["db_url"], reference.name)
    found = grades(ours.settings["db_url"], ours.name)
    cells = [k for k in expected if k[1] == WIDGETS and len(k) == 4 and k[3] != "late"]
    assert len(cells) == 8 * grade_cells(reference.dir, WIDGETS)  # eight hand-ins, every cell
    for key in cells:
        assert found[key] == expected[key], key


def test_late_hand_ins_get_the_penalties_of_nbgrader(released):
    """A due date in the past and nbgrader's 'zero' penalty: leerpad stores the penalties
    (and grades) stock nbgrader stores, for first hand-ins and for hand-ins graded again."""
    from datetime import datetime

    from leerpad.grading.engine import grade
    from leerpad.grading.nbgrader_run import run_nbgrader

    clones = []
    for name in ("nbgrader-laat", "leerpad-laat"):
        clone = clone_cohort(released.dir, released.dir.parent, name)
        with clone.gradebook() as gb:
            gb.update_or_create_assignment(WIDGETS, duedate=datetime(2020, 1, 1))
        with open(clone.dir / "nbgrader_config.py", "a", encoding="utf-8") as config:
            config.write('c.LateSubmissionPlugin.penalty_method = "zero"\n')
        clones.append(clone)
    reference, ours = clones
    again = ["juf-1", "juf-2"]
    for round_ in (1, 2):
        if round_ == 2:  # two learners hand in again, with other answers
            for clone in clones:
                hand_ins(clone.dir, WIDGETS, again, seed=4)
        run_nbgrader(reference.dir, "autograde", WIDGETS, "--create", "--force")
        summary = grade(ours.dir, WIDGETS, jobs=1, feedback=False)
        assert summary.ok, summary.failed
        assert len(summary.graded) == (8 if round_ == 1 else 2)
        expected = grades(reference.settings["db_url"], reference.name)
        assert grades(ours.settings["db_url"], ours.name) == expected
    penalties = {v for k, v in expected.items() if k[-1] == "late"}
    assert len(penalties) > 1 and None not in penalties  # scores taken, not just zero


def test_fast_path_starts_no_kernel(released, monkeypatch):
    """The point of the fast path: a widget-only hand-in is graded without a kernel."""
    from leerpad.grading.worker import Grader

    from leerpad.sandbox import SandboxProvisioner

    started = []

    async def launch(self, *args, **kwargs):
        started.append(args)
        raise RuntimeError("het snelle pad startte toch een kernel")

    monkeypatch.setattr(SandboxProvisioner, "pre_launch", launch)
    cohort = clone_cohort(released.dir, released.dir.parent, "zonder-kernel")
    result = Grader(cohort.dir).grade("juf-1", WIDGETS)
    assert result["fast"] is True
    assert started == []
    grades_ = result["notebooks"][WIDGETS]["grades"]
    assert len(grades_) == grade_cells(cohort.dir, WIDGETS)


def grade_cells(cohort_dir, module) -> int:
    import nbformat

    nb = nbformat.read(cohort_dir / "release" / module / f"{module}.ipynb", as_version=4)
    return sum(1 for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade"))


def test_fast_path_refuses_a_notebook_with_code_of_the_learner(released):
    import nbformat
    from leerpad.grading.worker import Grader

    cohort = clone_cohort(released.dir, released.dir.parent, "extra-cel")
    path = cohort.dir / "submitted" / "juf-0" / WIDGETS / f"{WIDGETS}.ipynb"
    nb = nbformat.read(path, as_version=4)
    # a learner adds a cell that tries to fake every widget's score
    nb.cells.insert(2, nbformat.v4.new_code_cell("import leerpad.widgets as w\nw.score = 1"))
    nbformat.write(nb, path)
    result = Grader(cohort.dir).grade("juf-0", WIDGETS)
    assert result["fast"] is False


def _graded(cohort) -> dict:
    """{learner: (inode, mtime)} of every hand-in that the gradebook and folders call graded."""
    from leerpad.grading.engine import pending

    jobs = pending(cohort.dir, cohort.settings["db_url"], cohort.name)
    todo = {j.learner for j in jobs if j.grade}
    done = {}
    for folder in (cohort.dir / "submitted").iterdir():
        if folder.name not in todo:
            stat = (cohort.dir / "autograded" / folder.name / WIDGETS / f"{WIDGETS}.ipynb").stat()
            done[folder.name] = (stat.st_ino, stat.st_mtime_ns)
    return done


def _session_processes(session_id: int) -> list[int]:
    found = []
    for stat in glob.glob("/proc/[0-9]*/stat"):
        try:
            fields = Path(stat).read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == session_id and fields[0] != "Z":
            found.append(int(Path(stat).parent.name))
    return found


def test_killed_grader_resumes_and_grades_everything_exactly_once(released, isolated_env):
    from leerpad.grading.engine import grade

    root = released.dir.parent
    source = clone_cohort(released.dir, root, "tweehonderd")
    shutil.rmtree(source.dir / "submitted")
    learners = [f"cursist-{i:03d}" for i in range(200)]
    hand_ins(source.dir, WIDGETS, learners, seed=5)
    cohort = clone_cohort(source.dir, root, "onderbroken")
    engine = [sys.executable, "-m", "leerpad.grading.engine", str(cohort.dir), "--jobs", "2"]
    # feedback is tested above; here it costs time. Small batches: a kill after the first
    # one lands halfway, however fast the grading is.
    command = [*engine, "--no-feedback", "--commit-every", "0.05"]
    env = {**isolated_env, "LEERPAD_VAR": os.environ["LEERPAD_VAR"]}
    first = subprocess.Popen(
        command,
        env=env,
        stderr=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        for line in first.stderr:
            if "ingeleverd werk verbeterd" in line:
                break  # the first batch is stored: kill it now
        os.kill(first.pid, signal.SIGKILL)
        first.wait(30)
        deadline = time.monotonic() + 15
        while _session_processes(first.pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        orphans = _session_processes(first.pid)
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
    for pid in orphans:
        os.kill(pid, signal.SIGKILL)
    assert not orphans, "workers of a killed grader must stop too"

    before = _graded(cohort)
    assert 0 < len(before) < 200, len(before)
    second = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    assert second.returncode == 0, second.stderr[-2000:]
    assert second.stdout.startswith(f"{200 - len(before)} verbeterd"), second.stdout
    after = _graded(cohort)
    assert set(after) == set(learners)
    # what the first run stored was not graded again: the same files, untouched
    assert {k: after[k] for k in before} == before

    uninterrupted = clone_cohort(source.dir, root, "in-een-keer")
    grade(uninterrupted.dir, jobs=2, feedback=False)
    expected = grades(uninterrupted.settings["db_url"], uninterrupted.name)
    assert grades(cohort.settings["db_url"], cohort.name) == expected
    with cohort.gradebook() as gb:
        submissions = gb.find_assignment(WIDGETS).submissions
        assert sorted(s.student.id for s in submissions) == learners  # one each


# -- PostgreSQL ---------------------------------------------------------------------------
def _postgres_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def postgres():
    """A throwaway PostgreSQL cluster on a free port, as a user that is not root."""
    bin_dir = _postgres_bin()
    try:
        import psycopg2  # noqa: F401
    except ImportError:
        bin_dir = None
    if bin_dir is None:
        missing("PostgreSQL (initdb) of psycopg2 ontbreekt; make test installeert ze")
    folder = Path(tempfile.mkdtemp(prefix="leerpad-pg-"))
    folder.chmod(0o777)
    run_as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    data, port = folder / "data", _free_port()

    def run(*cmd):
        subprocess.run([*run_as, *cmd], check=True, capture_output=True, timeout=120)

    run(str(bin_dir / "initdb"), "-D", str(data), "-U", "leerpad", "--auth=trust", "-E", "UTF8")
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
    log = folder / "server.log"
    run(str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(log), "-w", "start")
    try:
        run(
            str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "leerpad", "punten"
        )
        yield f"postgresql+psycopg2://leerpad@127.0.0.1:{port}/punten"
    finally:
        run(str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(folder, ignore_errors=True)


def test_gradebook_in_postgresql_gets_the_same_grades(released, both_graded, postgres):
    from leerpad.grading.cohort import Cohort
    from leerpad.grading.release import release_all

    from leerpad.catalogue import Catalogue

    cohort = Cohort("postgres", released.dir.parent).create(db_url=postgres)
    release_all(cohort, [Catalogue().modules[WIDGETS]], log=lambda *_: None)
    learners = [f"juf-{i}" for i in range(8)]
    hand_ins(cohort.dir, WIDGETS, learners, seed=3)  # the same answers as in `released`
    env = {**os.environ, "PATH": str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"]}
    proc = subprocess.run(
        [sys.executable, "-m", "leerpad", "grade", "postgres", "--jobs", "2"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.startswith("8 verbeterd"), proc.stdout
    found = grades(postgres, "postgres")
    reference, _, _ = both_graded
    expected = {
        k: v
        for k, v in grades(reference.settings["db_url"], reference.name).items()
        if k[1] == WIDGETS
    }
    assert found == expected
    assert not (cohort.dir / "gradebook.db").exists()  # nothing went to SQLite
