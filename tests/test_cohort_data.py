"""A pupil's data can be deleted and exported (issue 19; GDPR, pupils are minors).

A real cohort: two learners from a roster and a pseudonym from the class list work in the
app, hand in and are graded by nbgrader; links, the class list, a failed pseudonym attempt
and the report are made. ``leerpad cohort forget`` then removes one learner, and a grep of
the whole data folder (LEERPAD_VAR, the gradebook's bytes included) finds nothing of them,
while the other learner is intact. ``leerpad cohort export`` gives the points per exercise
and a copy of the gradebook; ``leerpad cohort delete`` removes the whole cohort.
"""

import csv
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import leerpad_var
from leerpad.grading.cohort import Cohort
from leerpad.grading.handin import submit_from_app
from leerpad.grading.identity import Attempts
from leerpad.grading.release import release_all
from leerpad.widgets.store import LearnerRecord

from leerpad.catalogue import Catalogue
from leerpad.cli import main

MODULE = "ct-01-algoritme"
ROSTER = "id,voornaam,achternaam\nZoe Vergeetmij,Zoe,Vergeetmij\nBert Blijft,Bert,Blijft\n"
GONE, KEPT = "zoe-vergeetmij", "bert-blijft"
# What may not remain anywhere of the forgotten learner: her id and her surname.
TRACES = (GONE.encode(), b"Vergeetmij")


def grep(folder: Path, needles) -> list[str]:
    """Every file under `folder` whose bytes or path hold one of `needles`."""
    hits = []
    for path in sorted(folder.rglob("*")):
        text = str(path.relative_to(folder)).encode()
        if path.is_file() and not path.is_symlink():
            text += path.read_bytes()
        if any(n.lower() in text.lower() for n in needles):
            hits.append(str(path.relative_to(folder)))
    return hits


@pytest.fixture(scope="module")
def cohort(isolated_env, tmp_path_factory):
    """Cohort 'privacy': handed in, graded, linked and reported, as a trainer leaves it."""
    base = tmp_path_factory.mktemp("privacy")
    with leerpad_var(isolated_env, base / "var"):
        roster = base / "cursisten.csv"
        roster.write_text(ROSTER, encoding="utf-8")
        assert main(["cohort", "create", "privacy", "--roster", str(roster)]) == 0
        cohort = Cohort("privacy")
        release_all(cohort, [Catalogue().modules[MODULE]], log=lambda *_: None)
        apps = ["--apps-url", "http://127.0.0.1:9999"]
        assert (
            main(["cohort", "links", "privacy", *apps, "--site-url", "http://127.0.0.1:9998"]) == 0
        )
        assert main(["cohort", "class-link", "privacy", "--count", "1", *apps]) == 0
        pseudonym = cohort.pseudonyms[0]
        keys = json.loads((cohort.keys_dir / f"{MODULE}.json").read_text())
        right = keys["ct01-herken"]["answer"]
        answers = {GONE: right, KEPT: "Maak de klas netjes.", pseudonym: right}
        for learner, answer in answers.items():
            state = {"ct01-herken": {"answer": answer, "attempts": 1, "checked": True}}
            LearnerRecord(learner, MODULE, cohort="privacy").answers().put_many(state)  # as the app
            submit_from_app(cohort.dir, MODULE, learner, state)
        Attempts(cohort.dir).failed([f"schuilnaam:{GONE}", f"schuilnaam:{pseudonym}"])
        logs = base / "var" / "logs"  # a server log that names learners, as an app's does
        logs.mkdir(parents=True, exist_ok=True)
        (logs / "apps.log").write_text(
            f"09:00 ingeleverd door {GONE}\n09:01 ingeleverd door {KEPT}\n", encoding="utf-8"
        )
        assert main(["grade", "privacy", MODULE]) == 0
        assert main(["report", "privacy"]) == 0
        yield {"cohort": cohort, "var": base / "var", "base": base, "pseudonym": pseudonym}


def run(args, env_var: Path, stdin: str = "") -> subprocess.CompletedProcess:
    env = {**os.environ, "LEERPAD_VAR": str(env_var)}
    return subprocess.run(
        [sys.executable, "-m", "leerpad", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_the_data_folder_holds_the_learner_before(cohort):
    """The grep can find her: in every place the issue names."""
    hits = grep(cohort["var"], TRACES)
    for place in (
        "cohort.json",
        "links.csv",
        "gradebook.db",
        f"submitted/{GONE}",
        f"autograded/{GONE}",
        f"feedback/{GONE}",
        "rapport/punten.csv",
        "pogingen.json",
        "logs/apps.log",
    ):
        assert any(place in hit for hit in hits), (place, hits)
    assert any(hit.startswith("data/answers/") and GONE in hit for hit in hits), hits


def test_export_gives_points_per_exercise_and_a_copy_of_the_gradebook(cohort, tmp_path):
    out = tmp_path / "export"
    proc = run(["cohort", "export", "privacy", str(out)], cohort["var"])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "ct-01-algoritme.csv" in proc.stdout and "gradebook.db" in proc.stdout
    with open(out / f"{MODULE}.csv", encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f, delimiter=";"))
    assert set(rows[0]) == {"cursist", "oefening", "punten", "maximum"}
    points = {
        (r["cursist"], r["oefening"]): (float(r["punten"]), float(r["maximum"])) for r in rows
    }
    assert points[GONE, "ct01-herken"] == (1.0, 1.0)
    assert points[KEPT, "ct01-herken"] == (0.0, 1.0)
    assert points[cohort["pseudonym"], "ct01-herken"] == (1.0, 1.0)
    assert {learner for learner, _ in points} == {GONE, KEPT, cohort["pseudonym"]}
    # the same totals as the gradebook, read from the copy
    copy = sqlite3.connect(out / "gradebook.db")
    (count,) = copy.execute("select count(*) from submitted_assignment").fetchone()
    copy.close()
    assert count == 3
    for learner in (GONE, KEPT):
        total = sum(p for (who, _), (p, _) in points.items() if who == learner)
        with cohort["cohort"].gradebook() as gb:
            assert gb.find_submission(MODULE, learner).score == pytest.approx(total)


def test_forget_asks_first_and_refusing_removes_nothing(cohort):
    before = grep(cohort["var"], TRACES)
    proc = run(["cohort", "forget", "privacy", "Zoe Vergeetmij"], cohort["var"], stdin="n\n")
    assert proc.returncode == 1
    assert "Dit verwijdert alles van 'zoe-vergeetmij'" in proc.stdout
    assert "puntenboek" in proc.stdout and f"submitted/{GONE}" in proc.stdout
    assert "Niets verwijderd." in proc.stdout
    assert grep(cohort["var"], TRACES) == before


def test_forget_a_learner_leaves_nothing_of_them_and_keeps_the_others(cohort):
    pseudonym = cohort["pseudonym"]
    proc = run(["cohort", "forget", "privacy", "Zoe Vergeetmij", "--yes"], cohort["var"])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "'zoe-vergeetmij' is vergeten in cohort 'privacy'. Verwijderd:" in proc.stdout
    assert grep(cohort["var"], TRACES) == []
    # the other learner and the pupil are intact: roster, links, gradebook, hand-ins, record
    c = cohort["cohort"]
    assert c.roster == [KEPT] and c.pseudonyms == [pseudonym]
    with c.gradebook() as gb:
        assert {s.id for s in gb.students} == {KEPT, pseudonym}
        assert gb.find_submission(MODULE, KEPT).max_score == 13
    for folder in ("submitted", "autograded", "feedback"):
        assert (c.dir / folder / KEPT / MODULE).is_dir(), folder
    kept = LearnerRecord(KEPT, MODULE, cohort="privacy").read()
    assert kept["ct01-herken"]["answer"] == "Maak de klas netjes."
    with open(c.dir / "links.csv", encoding="utf-8") as f:
        assert [row["id"] for row in csv.DictReader(f)] == [KEPT]
    assert f"schuilnaam:{pseudonym}" in json.loads((c.dir / "pogingen.json").read_text())
    log = (cohort["var"] / "logs" / "apps.log").read_text(encoding="utf-8")
    assert log == f"09:01 ingeleverd door {KEPT}\n"
    with open(c.dir / "rapport" / "punten.csv", encoding="utf-8-sig") as f:
        learners = [row[0] for row in csv.reader(f, delimiter=";")]
    assert KEPT in learners and pseudonym in learners
    # a pupil's pseudonym is forgotten the same way
    proc = run(["cohort", "forget", "privacy", pseudonym, "--yes"], cohort["var"])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert grep(cohort["var"], [pseudonym.encode()]) == []
    assert grep(cohort["var"], [KEPT.encode()]) != []
    # someone the cohort never knew: said so, nothing removed
    proc = run(["cohort", "forget", "privacy", "niemand-hier", "--yes"], cohort["var"])
    assert proc.returncode == 1 and "bewaart niets van 'niemand-hier'" in proc.stdout


def test_delete_a_cohort_removes_it_everywhere(cohort):
    var = cohort["var"]
    assert run(["cohort", "delete", "privacy"], var, stdin="\n").returncode == 1
    assert (var / "cohorts" / "privacy" / "gradebook.db").exists()
    proc = run(["cohort", "delete", "privacy", "--yes"], var)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Cohort 'privacy' is verwijderd." in proc.stdout
    assert grep(var, [KEPT.encode(), b"privacy"]) == []
    proc = run(["cohort", "delete", "privacy", "--yes"], var)
    assert proc.returncode == 2 and "bestaat niet" in proc.stderr
