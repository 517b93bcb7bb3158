"""Hub mode for real: `leerpad hub` with JupyterHub, configurable-http-proxy and the cohort's
gradebook in PostgreSQL, teachers logging in through a real OpenID Connect provider
(panva's oidc-provider from npm, started here) or through an LTI 1.3 launch from a learning
platform (played here: its keys, its JWKS on 127.0.0.1 and the id_token it signs), each
handing in a module from her own JupyterLab, the trainer grading through the formgrader
service, and each teacher trying to read what is not hers from her own kernel.

Everything runs on free 127.0.0.1 ports and is stopped at the end; the Unix users the hub
made for the teachers are removed with their homes."""

import json
import re
import secrets
import subprocess

import pytest
import requests

from tests.bench.bench_hub import measure, teachers
from tests.conftest import missing
from tests.hubrun import (
    COHORT,
    MODULE,
    WAIT,
    Platform,
    Teacher,
    api_token,
    oidc_login,
    problems,
    running_hub,
)

pytestmark = pytest.mark.servers


@pytest.fixture(scope="module")
def hub():
    for problem in problems():
        missing(problem)
    suffix = secrets.token_hex(2)
    # Bert comes from the learning platform (LTI), the others log in with the school account.
    names = {"an": f"an-{suffix}", "bert": f"bert-{suffix}", "trainer": f"trainer-{suffix}"}
    accounts = {
        names["an"]: {"name": "An Peeters", "roles": ["leerkracht"]},
        names["trainer"]: {"name": "Tine Trainer", "roles": ["trainer"]},
        f"ouder-{suffix}": {"name": "Een ouder", "roles": ["ouder"]},
    }
    bench, bench_accounts = teachers(2)  # the load bench's journey, in this hub
    users = [*names.values(), f"tine-{suffix}", *bench]
    with running_hub({**accounts, **bench_accounts}, users) as info:
        yield {**info, "names": names, "extra": f"ouder-{suffix}", "lti_trainer": f"tine-{suffix}",
               "bench": bench}  # fmt: skip


@pytest.fixture(scope="module")
def logged_in(hub):
    """The two teachers and the trainer, logged in through OpenID Connect or (Bert) an LTI
    launch as a course's learner, each with a hub API token and her own running server."""
    people = {}
    for who, name in hub["names"].items():
        if who == "bert":
            session = hub["platform"].launch(hub["url"], name, [Platform.MEMBERSHIP + "Learner"])
        else:
            session = oidc_login(hub["url"], hub["provider"], name)
        assert session.last_page.url.startswith(hub["url"]), session.last_page.url
        assert session.cookies.get("jupyterhub-hub-login"), f"{name} is niet aangemeld"
        people[who] = Teacher(hub["url"], name, api_token(hub["url"], session, name))
        people[who].session = session  # her browser: the hub's login cookie
    for teacher in people.values():
        teacher.start_server()
    return people


def test_roles_from_the_login_become_hub_groups(hub, logged_in):
    groups = {}
    for who, teacher in logged_in.items():
        model = teacher.get(f"/hub/api/users/{teacher.name}").json()
        groups[who] = model["groups"]
    assert groups == {"an": ["learners"], "bert": ["learners"], "trainer": ["trainers"]}
    # a login whose roles map to no group gets no server
    refused = oidc_login(hub["url"], hub["provider"], hub["extra"])
    assert refused.last_page.status_code == 403, refused.last_page.url
    assert not refused.cookies.get("jupyterhub-hub-login")
    # LTI: the course's instructor is a trainer; a teacher of the school (an institution
    # role) who is no member of the course gets nothing
    platform, name = hub["platform"], hub["lti_trainer"]
    instructor = platform.launch(hub["url"], name, [Platform.MEMBERSHIP + "Instructor"])
    assert instructor.last_page.status_code == 200, instructor.last_page.url
    token = api_token(hub["url"], instructor, name)
    model = Teacher(hub["url"], name, token).get(f"/hub/api/users/{name}").json()
    assert model["groups"] == ["trainers"]
    school_role = "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Instructor"
    outsider = platform.launch(hub["url"], f"{name}x", [school_role])
    assert outsider.last_page.status_code == 403
    assert not outsider.cookies.get("jupyterhub-hub-login")
    # a placement of the tool that the school did not register in the hub
    learner = [Platform.MEMBERSHIP + "Learner"]
    elsewhere = platform.launch(hub["url"], f"{name}y", learner, deployment="deployment-2")
    assert elsewhere.last_page.status_code == 403
    assert not elsewhere.cookies.get("jupyterhub-hub-login")


def test_each_teacher_hands_in_and_the_trainer_grades_through_formgrader(hub, logged_in):
    an, bert, trainer = logged_in["an"], logged_in["bert"], logged_in["trainer"]
    an.hand_in()
    bert.hand_in()
    formgrader = "/services/formgrader/formgrader"
    # the formgrader service is for the group trainers only
    assert an.get(f"{formgrader}/manage_assignments").status_code == 403
    assert an.post(f"{formgrader}/api/assignment/{MODULE}/collect").status_code == 403
    page = trainer.get(f"{formgrader}/manage_assignments")
    assert page.status_code == 200 and "formgrade" in page.text
    collected = trainer.post(f"{formgrader}/api/assignment/{MODULE}/collect")
    assert collected.status_code == 200 and collected.json()["success"], collected.text
    for teacher in (an, bert):
        graded = trainer.post(f"{formgrader}/api/submission/{MODULE}/{teacher.name}/autograde")
        assert graded.status_code == 200 and graded.json()["success"], graded.text
    rows = trainer.get(f"{formgrader}/api/submissions/{MODULE}").json()
    assert {row["student"]: row["autograded"] for row in rows} == {
        an.name: True,
        bert.name: True,
    }
    # ... in the cohort's PostgreSQL gradebook
    from leerpad.grading.cohort import Cohort
    from nbgrader.api import Gradebook

    cohort = Cohort(COHORT, hub["var"] / "cohorts")
    db_url = cohort.settings["db_url"]
    assert db_url.startswith("postgresql")
    with Gradebook(db_url, course_id=COHORT) as gb:
        handed_in = {s.student.id for s in gb.find_assignment(MODULE).submissions}
    assert handed_in == {an.name, bert.name}


def test_a_teacher_reads_her_own_files_and_nothing_else(hub, logged_in):
    """An (school account) and Bert (LTI launch) each try the other's files and the
    cohort's and the hub's secrets."""
    an, bert = logged_in["an"], logged_in["bert"]
    an.write("mijn.txt", "Ans eigen notities")
    bert.write("mijn.txt", "Berts eigen notities")
    for me, other in ((an, bert), (bert, an)):
        _reads_only_her_own(hub, me, other)


def _reads_only_her_own(hub, me: Teacher, other: Teacher) -> None:
    var, home = hub["var"], hub["base"] / "home"
    keys = sorted(p for p in (var / "cohorts" / COHORT / "keys").rglob("*") if p.is_file())
    assert keys, "de sleutels van het cohort ontbreken"
    targets = {
        "eigen bestand": str(home / me.name / "mijn.txt"),
        "bestand van een collega": str(home / other.name / "mijn.txt"),
        "sleutels": str(keys[0]),
        "instellingen van het cohort": str(var / "cohorts" / COHORT / "nbgrader_config.py"),
        "wachtwoord van het puntenboek": str(var / "hub" / "postgres-password"),
        "instellingen van de hub": str(var / "hub" / "settings.json"),
    }
    code = (
        "import json\nresult = {}\n"
        f"for label, path in {targets!r}.items():\n"
        "    try:\n        open(path).read()\n        result[label] = 'gelezen'\n"
        "    except FileNotFoundError:\n        result[label] = 'niet te zien'\n"
        "    except PermissionError:\n        result[label] = 'geweigerd'\n"
        "print(json.dumps(result))\n"
    )
    found = json.loads(me.run(code).strip().splitlines()[-1])
    assert found.pop("eigen bestand") == "gelezen"
    assert set(found.values()) <= {"niet te zien", "geweigerd"}, (me.name, found)
    # Outside the kernel's sandbox too: her Unix user (her server's) cannot open them.
    for label, path in targets.items():
        if label == "eigen bestand":
            continue
        tried = subprocess.run(
            ["runuser", "-u", me.name, "--", "cat", path], capture_output=True, timeout=60
        )
        assert tried.returncode != 0 and re.search(b"Permission denied", tried.stderr), label
    # and her server's contents API does not reach the other's folder
    response = me.get(f"/user/{me.name}/api/contents/../{other.name}/mijn.txt")
    assert response.status_code in (400, 403, 404)


def test_apps_through_the_hub_know_the_teacher_from_her_login(hub, logged_in):
    """The learner apps as a hub service: a teacher opens a module's app with her hub login
    and comes back on her own personal link; a pupil's class link needs no account."""
    from leerpad.grading.cohort import Cohort, app_url

    apps = f"{hub['url']}/services/apps"
    an = logged_in["an"]
    page = an.session.get(app_url(apps, MODULE), timeout=WAIT)
    assert page.status_code == 200, (page.url, page.text[:500])
    assert f"leerling={an.name}&sig=" in page.url
    assert any("/hub/api/oauth2/authorize" in r.url for r in page.history)  # the real login
    # no login, no link: the hub's login page
    anonymous = requests.get(app_url(apps, MODULE), timeout=WAIT)
    assert "/hub/login" in anonymous.url
    # a pupil's class link: public, no account
    cohort = Cohort(COHORT, hub["var"] / "cohorts")
    link = cohort.class_links(apps)[MODULE]
    pupil = requests.get(link, timeout=WAIT, allow_redirects=False)
    assert pupil.status_code == 200, pupil.status_code


def test_an_lti_file_says_what_to_fill_in(tmp_path):
    """Bad input in the --lti file: the file, what is missing or wrong, and the fix."""
    from leerpad.hub import HubError, lti_settings

    path = tmp_path / "moodle.yml"
    path.write_text("issuer: https://moodle.voorbeeldschool.be\nclient_id: abc\n")
    with pytest.raises(HubError, match=r"moodle\.yml: vul authorize_url, jwks_url in"):
        lti_settings(path)
    path.write_text(
        "issuer: https://m.be\nclient_id: abc\nauthorize_url: https://m.be/auth\n"
        "jwks_url: https://m.be/certs\nroles:\n  Instructor: admins\n"
    )
    with pytest.raises(HubError, match=r"moodle\.yml: onder 'roles' is 'admins' geen groep"):
        lti_settings(path)
    path.write_text(path.read_text().replace("admins", "trainers"))
    path.write_text(path.read_text() + "deployment_ids: 1\n")
    assert lti_settings(path)["client_id"] == ["abc"]
    assert lti_settings(path)["deployment_ids"] == [1]


def test_with_lti_alone_the_login_page_points_to_the_platform():
    """A hub with launches only: its login page cannot start a launch, so it says where."""
    from traitlets.config import Config

    from leerpad.hub.logins import SchoolLogins

    config = Config()
    config.SchoolLogins.login_classes = ["leerpad.hub.logins.LTILogin"]
    hub = SchoolLogins(config=config)
    assert "Smartschool of Moodle" in hub.get_custom_html("/hub/")
    assert {path for path, _ in hub.get_handlers(None)} >= {"lti13/oauth_login"}


def test_the_load_bench_runs_in_this_hub(hub):
    """make bench's hub run (tests/bench/bench_hub.py) with two teachers in this hub, in
    Chromium: each figure line is produced, both log in, and no hand-in is lost."""
    number = r"\d+(\.\d+)?"
    lines = measure(hub, hub["bench"], at_once=2, within=1500)
    print("\n".join(lines))
    assert re.search(
        r"hub: 2 leerkrachten, .*: 2 ingeleverd, 0 niet gestart, .* 0 aanmeldingen mislukt",
        lines[0],
    ), lines
    assert re.search(
        rf"bruikbare app via de hub p50 {number} s, p95 {number} s \(n=2\)", lines[1]
    ), lines
    assert re.search(rf"gecontroleerd antwoord p50 {number} s, p95 {number} s \(n=2\)", lines[1]), (
        lines
    )
    handed_in = "2 geklikt, 2 bevestigd in de app, 2 in het puntenboek (PostgreSQL), 0 verloren"
    assert handed_in in lines[2], lines
    assert re.search(
        r"memory: .* RSS p50 \d+ MB, max \d+ MB, PSS p50 \d+ MB, max \d+ MB \(n=2\)", lines[3]
    ), lines
