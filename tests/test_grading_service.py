"""The grading service (leerpad.grading.service): the process `leerpad start` runs for the
apps' "Inleveren". Real workers, real gradebook, real sandbox for code; hand-ins sent at
once from threads as a class sends them."""

import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from leerpad.grading.engine import pending
from leerpad.grading.service import ServiceFull, grade_by_service

from tests.course_grading import fill_code_cells, hand_in, released_cohort, solve

WIDGETS = "ct-03-decompositie"  # widget-only: the fast path, no kernel
CODE = "ct-07-python-eerste-stappen"  # code cells: a sandboxed kernel


@pytest.fixture(scope="module")
def cohort(isolated_env, tmp_path_factory):
    base = tmp_path_factory.mktemp("service")
    with released_cohort(isolated_env, base, "dienst", [WIDGETS, CODE]) as cohort:
        yield cohort


def start_service(cohort, *options):
    """The service as `leerpad start` starts it; (process, socket path) once it listens."""
    # a short private folder: a Unix socket's path has at most 107 bytes
    path = Path(tempfile.mkdtemp(prefix="leerpad-dienst-")) / "verbeter.sock"
    proc = subprocess.Popen(
        [sys.executable, "-m", "leerpad.grading.service", str(cohort.dir), f"--socket={path}",
         *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 300  # a loaded machine starts the workers slowly
    while not path.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"de verbeterdienst startte niet:\n{proc.stdout.read()}")
        time.sleep(0.2)
    return proc, path


def stop(proc):
    proc.terminate()
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def submit(cohort, path, module, learner):
    """Grade by the service, noting every piece of news the learner would see."""
    news = []
    try:
        score = grade_by_service(path, module, learner, on_wait=news.append, timeout=600)
    except ServiceFull as full:
        score = full
    return learner, score, news


def test_a_class_hands_in_at_once_and_every_score_comes_back(cohort):
    learners = [f"leerling-{n}" for n in range(6)]
    for learner in learners[:-1]:
        hand_in(cohort, WIDGETS, learner, solve)
    hand_in(cohort, WIDGETS, learners[-1], lambda widget: None)  # answers nothing
    hand_in(cohort, CODE, "codeur", solve)
    assert fill_code_cells(cohort, CODE, "codeur")
    hand_in(cohort, CODE, "niets", lambda widget: None)
    proc, path = start_service(cohort, "--workers=2")
    try:
        jobs = [(WIDGETS, learner) for learner in learners] + [(CODE, "codeur"), (CODE, "niets")]
        with ThreadPoolExecutor(len(jobs)) as pool:
            results = list(pool.map(lambda job: submit(cohort, path, *job), jobs))
    finally:
        stop(proc)
    scores = {learner: score for learner, score, _ in results}
    with cohort.gradebook() as gb:
        for module, learner in jobs:
            stored = gb.find_submission(module, learner)
            assert scores[learner] == (stored.score, stored.max_score), learner
            assert (cohort.dir / "feedback" / learner / module).is_dir(), learner
    assert scores[learners[0]][0] > scores[learners[-1]][0] == 0
    assert scores["codeur"][0] > scores["niets"][0]
    # eight hand-ins on two workers: some waited in line, and each was told so
    news = [n for _, _, seen in results for n in seen]
    assert None in news and any(isinstance(n, int) and n > 0 for n in news), news
    assert not pending(cohort.dir, cohort.settings["db_url"], cohort.name)


def test_a_full_queue_says_so_and_loses_nothing(cohort):
    learners = [f"vol-{n}" for n in range(4)]
    for learner in learners:
        hand_in(cohort, WIDGETS, learner, solve)
    proc, path = start_service(cohort, "--workers=1", "--queue-size=1")
    try:
        with ThreadPoolExecutor(len(learners)) as pool:
            results = list(pool.map(lambda who: submit(cohort, path, WIDGETS, who), learners))
    finally:
        stop(proc)
    refused = [learner for learner, score, _ in results if isinstance(score, ServiceFull)]
    graded = [learner for learner, score, _ in results if isinstance(score, tuple)]
    assert refused and graded and len(refused) + len(graded) == len(learners)
    assert "te veel werk" in str(results[learners.index(refused[0])][1])
    # the refused hand-ins are stored, waiting for a click again or for leerpad grade
    left = pending(cohort.dir, cohort.settings["db_url"], cohort.name, WIDGETS)
    assert {job.learner for job in left} == set(refused)
