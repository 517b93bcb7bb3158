"""The learner record under concurrency: many tabs of one learner, double hand-ins of one
learner, many learners at once; nothing lost, nothing half-written, every refusal in Dutch;
and a hand-in that vanishes during grading is a failure the trainer sees, never a zero.

Real components throughout: the widgets' own classes and sessions, real processes and
threads, a released cohort with nbgrader's gradebook, and the real grading engine."""

import importlib
import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from conftest import leerpad_var

MODULE = "ct-02-gridrobot"  # widget exercises only: the grader's fast path
session_module = importlib.import_module("leerpad.widgets.session")

TABS, SAVES = 10, 100


# -- the record: many tabs of one learner --------------------------------------------------


@pytest.fixture
def app_kernel(tmp_path, monkeypatch):
    """The environment of a Voilà app kernel: answers in memory until the learner is known,
    then in the learner's record under $LEERPAD_DATA."""
    monkeypatch.setenv("LEERPAD_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("VOILA_KERNEL_ID", "test")
    monkeypatch.setenv("LEERPAD_MODULE", "mod-tabs")
    for name in ("LEERPAD_ANSWERS", "LEERPAD_KEYS", "LEERPAD_COHORT", "LEERPAD_LANG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(session_module, "_session", None)
    return tmp_path / "data"


def _tab(tab: int, learner: str) -> None:
    """One browser tab: a fresh app kernel that builds its exercises, learns who answers
    halfway, and saves an answer to each exercise as the learner types it."""
    from leerpad.widgets import NumericAnswer

    session_module._session = None
    built = []
    for i in range(SAVES):
        if i == SAVES // 2:
            session_module.session().identify(learner)  # the hand-in bar binds the app
        exercise = NumericAnswer(id=f"tab{tab}-ex{i:03d}", question="?", answer=i)
        exercise.field.value = f"{tab},{i}"  # typing saves (ipywidgets' observe)
        built.append(exercise)


def test_ten_tabs_of_one_learner_keep_every_save(app_kernel):
    from leerpad.widgets import NumericAnswer
    from leerpad.widgets.store import LearnerRecord

    context = multiprocessing.get_context("fork")
    tabs = [context.Process(target=_tab, args=(n, "juf-an")) for n in range(TABS)]
    for tab in tabs:
        tab.start()
    for tab in tabs:
        tab.join(timeout=600)
    assert [tab.exitcode for tab in tabs] == [0] * TABS
    saved = LearnerRecord("juf-an", "mod-tabs").read()
    assert len(saved) == TABS * SAVES  # 1,000 of 1,000 (106 before the lock and merge)
    for n in range(TABS):
        for i in range(SAVES):
            assert saved[f"tab{n}-ex{i:03d}"]["answer"] == f"{n},{i}"
    # another device of the same learner gets every answer back in its widgets
    session_module._session = None
    again = [NumericAnswer(id=f"tab{n}-ex007", question="?", answer=7) for n in range(TABS)]
    session_module.session().identify("juf-an")
    assert [e.field.value for e in again] == [f"{n},7" for n in range(TABS)]
    leftovers = [p.name for p in LearnerRecord("juf-an", "mod-tabs").folder.iterdir()]
    assert sorted(leftovers) == [".leerpad-answers.json.lock", "leerpad-answers.json"]


def test_threads_of_one_process_merge_too(tmp_path):
    from leerpad.widgets.store import AnswerStore

    path = tmp_path / "leerpad-answers.json"

    def tab(n):
        store = AnswerStore(path)
        for i in range(50):
            store.put(f"t{n}-{i}", {"answer": i})

    threads = [threading.Thread(target=tab, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(json.loads(path.read_text())) == 8 * 50


def test_a_reload_brings_back_answer_check_state_and_attempts(app_kernel):
    """What the learner saw comes back exactly: the answer, the check and its feedback,
    the attempts (also the ones that are used up), a shown solution; and restoring writes
    nothing (another tab's newer save is never overwritten by a reload)."""
    from leerpad.widgets import NumericAnswer, OpenAnswer, SingleChoice
    from leerpad.widgets.store import LearnerRecord

    def build():
        return (
            NumericAnswer(id="getal", question="7 x 6?", answer=42, max_attempts=3),
            SingleChoice(id="keuze", question="?", options=["a", "b", "c"], answer="b"),
            NumericAnswer(id="oplossing", question="1 + 1?", answer=2),
            OpenAnswer(id="open", question="Waarom?"),
        )

    number, choice, solved, open_ = build()
    open_.text.value = "Omdat het kan."
    open_.check()
    assert "bewaard" in open_.feedback.value
    session_module.session().identify("meester-tom")
    number.field.value = "41"
    number.check()
    number.field.value = "40"
    number.check()  # two wrong tries: one attempt left
    choice.choice.value = "b"
    choice.check()
    solved.show_solution()
    seen = [w.feedback.value for w in (number, choice, solved)]
    assert "Nog 1 poging" in seen[0] and "poging" in seen[0]
    record = LearnerRecord("meester-tom", "mod-tabs")
    before = record.answers_path.read_bytes()

    session_module._session = None  # the reload: a new kernel, the same learner
    number, choice, solved, open_ = build()
    session_module.session().identify("meester-tom")
    assert open_.text.value == "Omdat het kan." and "bewaard" in open_.feedback.value
    assert number.field.value == "40" and number.attempts == 2 and number.checked
    assert choice.choice.value == "b" and choice.attempts == 1 and choice.checked
    assert solved.solution_shown and not solved.checked
    assert [number.feedback.value, choice.feedback.value] == seen[:2]
    assert record.answers_path.read_bytes() == before  # the reload wrote nothing
    number.field.value = "42"
    number.check()  # the third and last attempt counts on from the restored two
    assert number.attempts == 3 and number.score() == 1
    number.check()
    assert number.attempts == 3 and "pogingen zijn op" in number.feedback.value
    assert record.read()["getal"] == {
        "type": "NumericAnswer",
        "answer": "42",
        "attempts": 3,
        "checked": True,
        "solution_shown": False,
        "solution_answer": None,  # no solution shown, so no answer checked before it
    }


def test_a_damaged_record_is_set_aside_not_fatal(tmp_path):
    from leerpad.widgets.store import AnswerStore, read_answers

    path = tmp_path / "leerpad-answers.json"
    path.write_text('{"half": ')
    assert read_answers(tmp_path) == {}  # the grader: no answers, no error
    store = AnswerStore(path)
    store.put("ex", {"answer": 1})
    assert json.loads(path.read_text()) == {"ex": {"answer": 1}}
    assert (tmp_path / "leerpad-answers.damaged.json").read_text() == '{"half": '


# -- one record per cohort ---------------------------------------------------------------------


def _answer_in_cohort(monkeypatch, cohort: str, learner: str, typed: str | None) -> str:
    """A fresh app kernel of `cohort` (the platform names its folder in $LEERPAD_COHORT):
    the hand-in bar binds `learner`; returns what the widget shows, then types `typed`."""
    from leerpad.widgets import NumericAnswer

    monkeypatch.setenv("LEERPAD_COHORT", f"/ergens/cohorts/{cohort}")
    session_module._session = None
    exercise = NumericAnswer(id="getal", question="7 x 6?", answer=42)
    session_module.session().identify(learner)
    shown = exercise.field.value
    if typed is not None:
        exercise.field.value = typed
    return shown


def test_the_same_learner_in_two_cohorts_keeps_two_records(app_kernel, monkeypatch):
    """'an-declercq' in two bootcamps, and pseudonym 'mier-82' in two classes, are two
    people each: neither sees nor overwrites the other's answers."""
    from leerpad.widgets.store import LearnerRecord, record_root

    for learner in ("an-declercq", "mier-82", "toestel_" + "a" * 24):
        assert _answer_in_cohort(monkeypatch, "bootcamp-a", learner, "41") == ""
        assert _answer_in_cohort(monkeypatch, "bootcamp-b", learner, "40") == ""  # not A's
        assert _answer_in_cohort(monkeypatch, "bootcamp-a", learner, None) == "41"
        assert _answer_in_cohort(monkeypatch, "bootcamp-b", learner, None) == "40"
        for cohort, answer in (("bootcamp-a", "41"), ("bootcamp-b", "40")):
            record = LearnerRecord(learner, "mod-tabs", cohort=cohort)
            assert record.read()["getal"]["answer"] == answer
            assert record.folder == record_root(cohort, learner) / "mod-tabs"
            assert record.folder == app_kernel / "answers" / cohort / learner / "mod-tabs"
    for bad in ("../a", "A", ""):
        with pytest.raises(ValueError, match="cohort"):
            record_root(bad, "an-declercq")


def test_a_record_from_before_cohorts_is_still_found(app_kernel, monkeypatch):
    """Answers kept before the cohort level (answers/<learner>/<module>/) come back in the
    cohort that opens them first, and move there once; nothing stays behind to mix up."""
    from leerpad.widgets.store import LearnerRecord, legacy_record_root

    old = legacy_record_root("juf-an")
    for module, answer in (("mod-tabs", "39"), ("mod-twee", "7")):
        (old / module).mkdir(parents=True)
        state = {"type": "NumericAnswer", "answer": answer, "attempts": 1, "checked": True}
        (old / module / "leerpad-answers.json").write_text(json.dumps({"getal": state}))
    # the app of cohort A: the widget shows the old answer, checked, and saves on top of it
    assert _answer_in_cohort(monkeypatch, "bootcamp-a", "juf-an", "42") == "39"
    assert not (old / "mod-tabs").exists()
    record = LearnerRecord("juf-an", "mod-tabs", cohort="bootcamp-a")
    assert record.read()["getal"]["answer"] == "42" and record.read()["getal"]["attempts"] == 1
    # a read alone (the grader, a report) finds an old record too
    assert LearnerRecord("juf-an", "mod-twee", cohort="bootcamp-a").read()["getal"]["answer"] == "7"
    assert not old.exists()  # everything moved: the old folder is gone
    # it moved once: another cohort's 'juf-an' is somebody else and starts empty
    assert _answer_in_cohort(monkeypatch, "bootcamp-b", "juf-an", None) == ""


# -- hand-ins in a real cohort ----------------------------------------------------------------


@pytest.fixture(scope="module")
def cohort(isolated_env, tmp_path_factory):
    base = tmp_path_factory.mktemp("record")
    with leerpad_var(isolated_env, base / "var"):
        from leerpad.grading.cohort import Cohort
        from leerpad.grading.release import release_all

        from leerpad.catalogue import Catalogue

        cohort = Cohort("samen").create()
        release_all(cohort, [Catalogue().modules[MODULE]], log=lambda *_: None)
        yield cohort


def kept_hand_ins(cohort, learner: str) -> list[Path]:
    current = cohort.dir / "submitted" / learner / MODULE
    history = cohort.dir / "history" / learner / MODULE
    return [current, *sorted(history.iterdir())] if history.is_dir() else [current]


def assert_whole(folder: Path) -> dict:
    """A hand-in with its notebook, its answers and its time; returns the answers."""
    assert (folder / f"{MODULE}.ipynb").is_file(), folder
    assert (folder / "timestamp.txt").read_text().strip(), folder
    return json.loads((folder / "leerpad-answers.json").read_text())


def _hand_in_many(cohort_dir: str, learner: str, numbers: list[int]) -> list[str]:
    """Hand in once per number (a process of its own: another kernel of the learner)."""
    from leerpad.grading.handin import submit_from_app

    errors = []
    for n in numbers:
        try:
            submit_from_app(cohort_dir, MODULE, learner, {"nummer": {"answer": n}})
        except Exception as error:
            errors.append(repr(error))
    return errors


def test_double_hand_ins_of_one_learner_are_all_kept_whole(cohort):
    """Threads and processes hand in for one learner at once, while the real engine grades
    that learner in another process: every hand-in ends current or in history, each with
    its notebook and answers; no call fails; grading never sees half a hand-in."""
    learner = "dubbel"
    numbers = list(range(40))
    errors: list = []
    threads = [
        threading.Thread(target=lambda part=numbers[k::4]: errors.extend(_hand_in_many(
            str(cohort.dir), learner, part)))
        for k in range(2)
    ]  # fmt: skip
    context = multiprocessing.get_context("fork")
    with context.Pool(2) as pool:
        waiting = [
            pool.apply_async(_hand_in_many, (str(cohort.dir), learner, numbers[k::4]))
            for k in (2, 3)
        ]
        for thread in threads:
            thread.start()
        _hand_in_many(str(cohort.dir), learner, [100])  # make sure one exists to grade
        grading = subprocess.run(
            [sys.executable, "-m", "leerpad.grading.engine", str(cohort.dir), MODULE,
             "--learner", learner, "--jobs", "1"],
            capture_output=True, text=True, timeout=900,
        )  # fmt: skip
        for thread in threads:
            thread.join()
        for task in waiting:
            errors.extend(task.get(timeout=600))
    assert errors == []
    assert grading.returncode == 0, grading.stdout + grading.stderr
    kept = [assert_whole(folder)["nummer"]["answer"] for folder in kept_hand_ins(cohort, learner)]
    assert sorted(kept) == [*numbers, 100]  # none lost, none twice
    parent = cohort.dir / "submitted" / learner
    assert [p.name for p in parent.iterdir() if p.name.startswith(f".{MODULE}.new")] == []


def test_many_learners_at_once(cohort):
    """Twenty learners save and hand in at the same time; each record and each hand-in
    holds exactly that learner's answers."""
    from leerpad.grading.handin import submit_from_app
    from leerpad.widgets.store import LearnerRecord

    learners = [f"cursist-{n}" for n in range(20)]
    errors = []

    def work(learner):
        try:
            store = LearnerRecord(learner, MODULE).answers()
            for i in range(20):
                store.put(f"oef-{i}", {"answer": f"{learner}:{i}"})
                if i in (9, 19):
                    submit_from_app(cohort.dir, MODULE, learner, store.reload())
        except Exception as error:
            errors.append(repr(error))

    threads = [threading.Thread(target=work, args=(learner,)) for learner in learners]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    for learner in learners:
        record = LearnerRecord(learner, MODULE).read()
        assert record == {f"oef-{i}": {"answer": f"{learner}:{i}"} for i in range(20)}
        current, first = kept_hand_ins(cohort, learner)
        assert assert_whole(current) == record
        assert len(assert_whole(first)) == 10


def test_every_refusal_is_dutch_and_names_no_server_path(cohort):
    from leerpad.grading.handin import HandInError, submit_from_app
    from leerpad.widgets.store import LearnerRecord

    from leerpad.i18n import t

    refusals = []
    for learner, module in (("../x", MODULE), ("Juf An", MODULE), ("juf-an", "bestaat-niet")):
        with pytest.raises(HandInError) as caught:
            submit_from_app(cohort.dir, module, learner, {})
        refusals.append(str(caught.value))
    assert "ongeldige naam" in refusals[0] and "niet vrijgegeven" in refusals[2]
    # a failure on the server: the learner's folder of hand-ins cannot be made
    (cohort.dir / "submitted" / "kapot").write_text("geen map")
    with pytest.raises(HandInError) as caught:
        submit_from_app(cohort.dir, MODULE, "kapot", {"a": {"answer": 1}})
    refusals.append(str(caught.value))
    assert "Je antwoorden zijn bewaard" in refusals[-1]
    with pytest.raises(ValueError) as caught:
        LearnerRecord("../../etc", MODULE)
    refusals.append(str(caught.value))
    refusals.append(t("handin_grading_failed"))
    for text in refusals:
        assert str(cohort.dir) not in text and "/var/" not in text and "Error" not in text
        assert "Traceback" not in text and "No such file" not in text


# -- grading: a missing hand-in is a failure, never a zero ----------------------------------


def test_a_hand_in_deleted_during_grading_is_failed_not_zero(cohort, monkeypatch, capsys):
    from leerpad.grading.handin import submit_from_app
    from leerpad.grading.record import grading_failures
    from leerpad.grading.reports import collect, write_report
    from leerpad.grading.worker import Grader
    from nbgrader.api import MissingEntry

    from leerpad.cli import main

    for learner in ("blijft", "weg", "leeg"):
        submit_from_app(cohort.dir, MODULE, learner, {})
    (cohort.dir / "submitted" / "leeg" / MODULE / f"{MODULE}.ipynb").unlink()
    original = Grader._grade_notebook

    def vanishing(self, nb, staging, learner, assignment, name):
        if learner == "weg":  # the trainer (or anything) removes it while it is graded
            shutil.rmtree(cohort.dir / "submitted" / learner / assignment)
        return original(self, nb, staging, learner, assignment, name)

    monkeypatch.setattr(Grader, "_grade_notebook", vanishing)
    saved_env = dict(os.environ)
    try:
        code = main(["grade", cohort.name, MODULE])
    finally:
        os.environ.clear()
        os.environ.update(saved_env)
    out = capsys.readouterr().out
    assert code == 1  # `leerpad grade` says something failed
    assert "blijft" in out and "weg " + MODULE + ": MISLUKT" in out and "verdween" in out
    assert "leeg " + MODULE + ": MISLUKT" in out and "geen notebook" in out
    with cohort.gradebook() as gb:
        gb.find_submission(MODULE, "blijft")
        for learner in ("weg", "leeg"):
            with pytest.raises(MissingEntry):
                gb.find_submission(MODULE, learner)  # no score at all, not a zero
    assert set(grading_failures(cohort.dir)) == {("weg", MODULE), ("leeg", MODULE)}
    write_report(cohort)
    page = (cohort.dir / "rapport" / "index.html").read_text()
    row = page[page.index("<th scope='row'>weg</th>") :].split("</tr>")[0]
    assert "verbeteren mislukt" in row and "verdween" in row
    csv = (cohort.dir / "rapport" / "punten.csv").read_text(encoding="utf-8-sig")
    assert "weg;;" in csv  # an empty cell, never 0

    # the next run grades nothing of "weg" (it is gone) but still names it
    try:
        assert main(["grade", cohort.name, MODULE]) == 1
    finally:
        os.environ.clear()
        os.environ.update(saved_env)
    assert f"weg {MODULE}: MISLUKT (eerder): " in capsys.readouterr().out

    # handed in again and graded: the failure is gone, the score is there
    monkeypatch.setattr(Grader, "_grade_notebook", original)
    submit_from_app(cohort.dir, MODULE, "weg", {})
    try:
        assert main(["grade", cohort.name, MODULE]) == 1  # "leeg" still has no notebook
    finally:
        os.environ.clear()
        os.environ.update(saved_env)
    assert set(grading_failures(cohort.dir)) == {("leeg", MODULE)}
    data = collect(cohort)
    assert ("weg", MODULE) in data.results and ("weg", MODULE) not in data.failed
