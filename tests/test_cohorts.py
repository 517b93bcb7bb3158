"""Cohorts from the command line: roster, signed personal links, class links with
pseudonyms, deadlines that nbgrader marks late, and the report."""

import csv
import json
import os
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from conftest import leerpad_var
from leerpad.grading.handin import submission_time, submit_from_app
from leerpad.grading.identity import access_from_query

from leerpad.catalogue import Catalogue
from leerpad.cli import main

MODULE = "ct-01-algoritme"
ROSTER = "id,voornaam,achternaam\nAn Peeters,An,Peeters\ntom-maes,Tom,Maes\n"


@pytest.fixture(scope="module")
def cohort(isolated_env, tmp_path_factory):
    base = tmp_path_factory.mktemp("cohorts")
    with leerpad_var(isolated_env, base / "var"):
        from leerpad.grading.cohort import Cohort
        from leerpad.grading.release import release_all

        roster = base / "cursisten.csv"
        roster.write_text(ROSTER, encoding="utf-8")
        args = ["cohort", "create", "gent", "--path", "bootcamp-basisonderwijs"]
        assert main([*args, "--roster", str(roster), "--deadline", "2099-06-30"]) == 0
        cohort = Cohort("gent")
        release_all(cohort, [Catalogue().modules[MODULE]], log=lambda *_: None)
        yield cohort


def query(link: str) -> dict:
    return {k: v[0] for k, v in parse_qs(urlparse(link).query).items()}


def test_personal_links_are_signed_for_one_learner(cohort, capsys):
    assert cohort.roster == ["an-peeters", "tom-maes"]
    site = ["--site-url", "http://127.0.0.1:9998"]
    assert main(["cohort", "links", "gent", "--apps-url", "http://127.0.0.1:9999", *site]) == 0
    out = capsys.readouterr().out
    # the link a participant gets: the learning path on the site, where their results show
    assert "an-peeters: http://127.0.0.1:9998/paden/bootcamp-basisonderwijs/?cohort=gent&" in out
    with open(cohort.dir / "links.csv", encoding="utf-8") as f:
        rows = {row["id"]: row for row in csv.DictReader(f)}
    assert set(rows) == {"an-peeters", "tom-maes"}
    assert {"leerpad", "ct-01-algoritme", "ct-02-gridrobot"} <= set(rows["an-peeters"])
    assert rows["an-peeters"][MODULE].startswith("http://127.0.0.1:9999/voila/render/")
    assert query(rows["an-peeters"]["leerpad"])["sig"] == query(rows["an-peeters"][MODULE])["sig"]
    an = query(rows["an-peeters"][MODULE])
    access = access_from_query(an, cohort.dir)
    assert (access.mode, access.learner, access.locked) == ("personal", "an-peeters", True)
    # the typed name is ignored
    assert access.check_name("tom-maes", cohort) == ("an-peeters", None)
    # An's signature under Tom's name: refused, with a Dutch message and no learner
    forged = access_from_query({**an, "leerling": "tom-maes"}, cohort.dir)
    learner, why = forged.check_name("tom-maes", cohort)
    assert forged.mode == "refused" and learner is None
    assert "niet geldig" in why and "sig=" in why


def test_without_a_link_names_are_refused_unless_the_cohort_is_open(cohort, capsys):
    access = access_from_query({}, cohort.dir)
    # a cohort with personal links is closed: no name at all hands in without a link
    for name in ("An Peeters", "Iemand Anders"):
        learner, why = access.check_name(name, cohort)
        assert learner is None and "werkt met persoonlijke links" in why
    assert main(["cohort", "create", "gent", "--open"]) == 0
    assert "Open cohort" in capsys.readouterr().out
    try:
        learner, why = access.check_name("An Peeters", cohort)
        assert learner is None and "persoonlijke link" in why and "an-peeters" not in why
        assert access.check_name("Juf Els", cohort) == ("juf-els", None)
    finally:
        assert main(["cohort", "create", "gent", "--no-open"]) == 0
    assert "Gesloten cohort" in capsys.readouterr().out and not cohort.is_open


def test_class_link_takes_only_pseudonyms_from_the_list(cohort, capsys):
    assert main(["cohort", "class-link", "gent", "--count", "25"]) == 0
    out = capsys.readouterr().out
    lines = (cohort.dir / "schuilnamen.txt").read_text().splitlines()
    names, codes = zip(*(line.split() for line in lines), strict=True)
    assert len(names) == len(set(names)) == 25 == len(cohort.pseudonyms)
    assert all(n.rsplit("-", 1)[1].isdigit() for n in names)
    assert all(f"{n:<16} code {c}" in out for n, c in zip(names, codes, strict=True))
    link = next(line.split(": ", 1)[1] for line in out.splitlines() if MODULE in line)
    access = access_from_query(query(link), cohort.dir)
    assert access.mode == "class"
    learner, why = access.check_name("An Peeters", cohort, code="ABCD")
    assert learner is None and "horen niet bij elkaar" in why and "an" not in why.split()
    assert access.check_name(names[3].upper(), cohort, code=codes[3].lower()) == (names[3], None)
    bad = access_from_query({"klas": "geen-echte-code"}, cohort.dir)
    assert bad.mode == "refused" and "klaslink is niet geldig" in bad.error
    # a second list adds names: the ones already handed out stay valid
    assert main(["cohort", "class-link", "gent", "--count", "2"]) == 0
    assert cohort.pseudonyms[:25] == list(names) and len(cohort.pseudonyms) == 27
    # no personal data: only pseudonyms, no first or last names, in the cohort settings
    assert "Peeters" not in (cohort.dir / "cohort.json").read_text()


def test_clear_messages_for_mistakes(cohort, capsys):
    from leerpad.grading.cohort import Cohort

    assert main(["cohort", "links", "bestaat-niet"]) == 2
    assert "leerpad cohort create bestaat-niet" in capsys.readouterr().err
    assert main(["cohort", "create", "gent", "--deadline", "volgende week"]) == 2
    assert "2026-12-01T18:00" in capsys.readouterr().err
    assert main(["report", "bestaat-niet"]) == 2
    assert main(["cohort", "create", "gent", "--path", "geen-pad"]) == 2
    assert "bootcamp-basisonderwijs" in capsys.readouterr().err  # the paths that do exist
    assert main(["cohort", "create", "gent", "--deadline", "ct-99=2026-12-01"]) == 2
    assert "module 'ct-99' bestaat niet" in capsys.readouterr().err
    assert main(["cohort", "import", "gent", "nergens.csv"]) == 2
    assert "nergens.csv: bestand niet gevonden" in capsys.readouterr().err
    assert Cohort("gent").settings["path"] == "bootcamp-basisonderwijs"  # nothing changed


def test_late_hand_in_is_marked_and_reported(cohort, capsys):
    with cohort.gradebook() as gb:  # the path's modules carry the deadline as due date
        assert gb.find_assignment("ct-02-gridrobot").duedate.year == 2099
    keys = json.loads((cohort.keys_dir / f"{MODULE}.json").read_text())
    right = keys["ct01-herken"]["answer"]
    on_time = submit_from_app(
        cohort.dir, MODULE, "tom-maes", {"ct01-herken": {"answer": "Maak de klas netjes."}}
    )
    # the deadline falls between the two hand-ins
    deadline = submission_time(on_time) + timedelta(microseconds=1)
    assert main(["cohort", "create", "gent", "--deadline", f"{MODULE}={deadline.isoformat()}"]) == 0
    submit_from_app(cohort.dir, MODULE, "an-peeters", {"ct01-herken": {"answer": "leeg"}})
    late = submit_from_app(cohort.dir, MODULE, "an-peeters", {"ct01-herken": {"answer": right}})
    assert cohort.is_late(MODULE, submission_time(late))
    assert not cohort.is_late(MODULE, submission_time(on_time))
    assert len(list((cohort.dir / "history" / "an-peeters" / MODULE).iterdir())) == 1
    assert main(["grade", "gent", MODULE]) == 0
    with cohort.gradebook() as gb:
        assert gb.find_submission(MODULE, "an-peeters").total_seconds_late > 0
        assert gb.find_submission(MODULE, "tom-maes").total_seconds_late == 0
        assert gb.find_assignment("ct-02-gridrobot").duedate.year == 2099  # others unchanged

    capsys.readouterr()
    assert main(["report", "gent"]) == 0
    assert "rapport/index.html" in capsys.readouterr().out
    with open(cohort.dir / "rapport" / "punten.csv", encoding="utf-8-sig") as f:
        rows = {row[0]: row for row in csv.reader(f, delimiter=";")}
    header = rows["cursist"]
    assert header == ["cursist", MODULE, "totaal", "te laat"]  # released modules only
    assert rows["an-peeters"][1] == "1" and rows["an-peeters"][-1] == MODULE
    assert rows["tom-maes"][1] == "0" and rows["tom-maes"][-1] == ""
    assert rows["maximum"][1] == "13"
    page = (cohort.dir / "rapport" / "index.html").read_text()
    assert "<script" not in page and "http" not in page.replace('href="punten.csv"', "")
    assert "te laat" in page and "<svg" in page
    # item analysis: one of two right, and Tom's wrong answer listed
    row = page[page.index("<th scope='row'>ct01-herken</th>") :].split("</tr>")[0]
    assert "50% juist" in row and "Maak de klas netjes." in row
    row = page[page.index("<th scope='row'>ct01-eindig</th>") :].split("</tr>")[0]
    assert "0% juist" in row and row.endswith("<td>2</td><td>2</td><td>—</td>")  # both blank


REMARK = "Goed begonnen. Beschrijf nog hoe je nagaat of het stappenplan precies is."
HER_CODE = "def gemiddelde(punten):\n    return sum(punten) / len(punten)\n"
# What nbgrader's own feedback page shows and the learner's must not.
NOT_FOR_LEARNERS = (
    "BEGIN HIDDEN TESTS", "END HIDDEN TESTS", "assert ", "Traceback", "score(", "Test cell",
    "Student's answer", "Written response", "In [", "Voor de trainer", "NotImplementedError",
)  # fmt: skip


def grade_by_hand(cohort, learner, cell, score, comment):
    """What a trainer does in formgrader: a manual score and a comment, in the gradebook."""
    with cohort.gradebook() as gb:
        notebook = gb.find_submission_notebook(MODULE, MODULE, learner)
        grade = next(g for g in notebook.grades if g.name == cell)
        grade.manual_score, grade.needs_manual_grade = score, False
        next(c for c in notebook.comments if c.name == cell).manual_comment = comment
        gb.db.commit()


def hand_in_code(cohort, learner, code):
    """A hand-in with code in the code exercise, as from JupyterLab."""
    import nbformat

    folder = submit_from_app(cohort.dir, MODULE, learner, {"ct01-stappen": {"answer": "7"}})
    path = folder / f"{MODULE}.ipynb"
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "ct01-code-gemiddelde-code":
            cell.source = code
    nbformat.write(nb, path)


def test_the_site_shows_a_learner_only_their_own_graded_modules(cohort, tmp_path):
    """The site's server answers a personal link with that learner's graded modules and
    the feedback on them (graded in the test above, then by the trainer), as Dutch data
    without code, hidden tests or tracebacks; and refuses a link that does not hold."""
    import subprocess
    import sys
    import time
    import urllib.error
    import urllib.request

    from leerpad.grading.identity import personal_query

    from leerpad.preview import free_port

    grade_by_hand(cohort, "an-peeters", "ct01-transfer", 1, REMARK)
    hand_in_code(cohort, "juf-code", HER_CODE)
    assert main(["grade", "gent", MODULE]) == 0
    (tmp_path / "index.html").write_text("<p>site</p>")
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "leerpad.servers.site", str(tmp_path), str(port)],
        env=dict(os.environ),
    )
    base = f"http://127.0.0.1:{port}"

    def get(path):
        for _ in range(100):
            try:
                with urllib.request.urlopen(base + path, timeout=30) as response:
                    return response.status, response.read().decode()
            except urllib.error.HTTPError as error:
                return error.code, error.read().decode()
            except OSError:  # not listening yet
                time.sleep(0.1)
        raise AssertionError("de site-server antwoordt niet")

    try:
        an = f"cohort=gent&{personal_query(cohort.dir, 'an-peeters')}"
        status, body = get(f"/api/resultaten?{an}")
        assert status == 200, body
        data = json.loads(body)
        assert data["cursist"] == "an-peeters" and set(data["modules"]) == {MODULE}
        result = data["modules"][MODULE]
        assert (result["score"], result["max"], result["te_laat"]) == (2.0, 13.0, True)
        assert result["feedback"], result

        status, body = get(f"/api/feedback?{an}&module={MODULE}")
        assert status == 200, body
        for text in NOT_FOR_LEARNERS + ("def ",):
            assert text not in body, text
        page = json.loads(body)
        assert (page["score"], page["max"], page["te_laat"]) == (2.0, 13.0, True)
        assert page["deadline"] and not page["wacht_op_trainer"]
        items = {item["id"]: item for item in page["oefeningen"]}
        assert list(items)[:2] == ["ct01-herken", "ct01-eindig"]  # the notebook's order
        right = json.loads((cohort.keys_dir / f"{MODULE}.json").read_text())["ct01-herken"]
        herken = items["ct01-herken"]
        assert herken["titel"] == "Welke beschrijving is een algoritme?"
        assert herken["antwoord"] == [right["answer"]] and herken["oordeel"] == "Juist!"
        assert (herken["punten"], herken["max"], herken["trainer"]) == (1, 1, None)
        assert items["ct01-eindig"]["antwoord"] == [] and items["ct01-eindig"]["punten"] == 0
        transfer = items["ct01-transfer"]  # graded by the trainer, with a comment
        assert transfer["trainer"] == REMARK and transfer["door_trainer"]
        assert (transfer["punten"], transfer["max"], transfer["soort"]) == (1, 4, "open-vraag")
        code = items["ct01-code-gemiddelde"]  # An wrote no code: no stub shown
        assert code["antwoord"] == [] and code["feedback"] == ["Je schreef hier geen code."]

        # Her own code is hers to see; the tests that graded it are not.
        mine = f"cohort=gent&{personal_query(cohort.dir, 'juf-code')}"
        status, body = get(f"/api/feedback?{mine}&module={MODULE}")
        assert status == 200, body
        for text in NOT_FOR_LEARNERS:
            assert text not in body, text
        code = {i["id"]: i for i in json.loads(body)["oefeningen"]}["ct01-code-gemiddelde"]
        assert code["antwoord"] == [HER_CODE.rstrip()] and code["code"]
        assert (code["punten"], code["oordeel"]) == (2, "Juist!")
        assert code["feedback"] == ["Alle testen geslaagd."]
        stappen = {i["id"]: i for i in json.loads(body)["oefeningen"]}["ct01-stappen"]
        assert stappen["antwoord"] == ["7"] and stappen["oordeel"] == "Nog niet juist."
        # nbgrader's own feedback files hold no hidden tests either
        for learner in ("an-peeters", "juf-code"):
            own = cohort.dir / "feedback" / learner / MODULE / f"{MODULE}.html"
            text = own.read_text(encoding="utf-8")
            assert "BEGIN HIDDEN TESTS" not in text and "assert gemiddelde" not in text

        assert get("/index.html") == (200, "<p>site</p>")  # the static site as before
        forged = an.replace("leerling=an-peeters", "leerling=tom-maes")
        for refused in (forged, "cohort=gent&leerling=tom-maes", f"cohort=../gent&{an[12:]}"):
            status, body = get(f"/api/resultaten?{refused}")
            assert status == 403 and "niet geldig" in body, refused
            status, body = get(f"/api/feedback?{refused}&module={MODULE}")
            assert status == 403 and "niet geldig" in body, refused
        assert get(f"/api/feedback?{an}&module=../../etc")[0] == 404
        status, body = get(f"/api/feedback?{an}&module=ct-02-gridrobot")
        assert status == 404 and "nog geen feedback" in body
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_jupyterlab_hand_ins_are_collected_with_history(cohort, tmp_path):
    """nbgrader's own learner commands (what JupyterLab's assignment list runs), twice."""
    import subprocess
    import sys

    from leerpad.grading.handin import prepare_grading

    from leerpad.paths import exchange_dir

    (tmp_path / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        "c.CourseDirectory.course_id = 'gent'\n"
        "c.CourseDirectory.student_id = 'juf-lab'\n"
        f"c.Exchange.root = {str(exchange_dir())!r}\n"
    )

    def nbgrader(*args):
        proc = subprocess.run(
            [sys.executable, "-m", "nbgrader", *args], cwd=tmp_path, capture_output=True, text=True
        )
        assert proc.returncode == 0, proc.stderr[-2000:]

    nbgrader("fetch_assignment", MODULE)
    answers = tmp_path / MODULE / "leerpad-answers.json"
    answers.write_text(json.dumps({"ct01-stappen": {"answer": "5"}}))
    nbgrader("submit", MODULE)
    assert prepare_grading(cohort) == [("juf-lab", MODULE)]
    assert prepare_grading(cohort) == []  # nothing new: nothing collected twice
    answers.write_text(json.dumps({"ct01-stappen": {"answer": "6"}}))
    nbgrader("submit", MODULE)
    assert prepare_grading(cohort) == [("juf-lab", MODULE)]
    submitted = cohort.dir / "submitted" / "juf-lab" / MODULE
    assert json.loads((submitted / "leerpad-answers.json").read_text())["ct01-stappen"] == {
        "answer": "6"
    }
    (history,) = (cohort.dir / "history" / "juf-lab" / MODULE).iterdir()
    assert json.loads((history / "leerpad-answers.json").read_text())["ct01-stappen"] == {
        "answer": "5"
    }
    assert submission_time(submitted) > submission_time(history)
