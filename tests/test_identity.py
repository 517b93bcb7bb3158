"""Who is answering: signed personal and class links (purpose, cohort, expiry, rotation),
pseudonym codes, limited attempts, closed and open cohorts, answers kept per device."""

import time
from urllib.parse import parse_qs

import pytest
from leerpad.grading.cohort import Cohort
from leerpad.grading.identity import (
    CLASS,
    FEEDBACK,
    PERSONAL,
    Attempts,
    access_from_query,
    class_query,
    feedback_query,
    personal_query,
    pseudonym_code,
    sign_token,
)

from leerpad.cli import main


class Clock:
    """A clock the test moves by hand: the lock-out never depends on the wall clock."""

    def __init__(self):
        self.now = 1_000_000.0

    def __call__(self):
        return self.now


@pytest.fixture
def cohort(tmp_path, monkeypatch):
    monkeypatch.setenv("LEERPAD_VAR", str(tmp_path / "var"))
    cohort = Cohort("gent", root=tmp_path / "var" / "cohorts")
    cohort.dir.mkdir(parents=True)
    cohort.update_settings(roster=["an-peeters", "tom-maes"], pseudonyms=["mier-82", "uil-7"])
    return cohort


def q(text: str) -> dict:
    return {k: v[0] for k, v in parse_qs(text).items()}


def test_a_personal_link_holds_for_its_learner_cohort_and_purpose_only(cohort, tmp_path):
    an = q(personal_query(cohort.dir, "an-peeters"))
    access = access_from_query(an, cohort.dir)
    assert (access.mode, access.learner) == ("personal", "an-peeters")
    # another learner's name with An's token
    forged = access_from_query({**an, "leerling": "tom-maes"}, cohort.dir)
    assert forged.mode == "refused" and "niet geldig" in forged.error and forged.learner is None
    # a token signed for another purpose (the class link's) under An's name
    other = sign_token(cohort.dir, CLASS, "an-peeters")
    assert access_from_query({**an, "sig": other}, cohort.dir).mode == "refused"
    # the same token in another cohort with the same secret file
    twin = Cohort("brugge", root=cohort.dir.parent)
    twin.dir.mkdir()
    (twin.dir / ".leerpad-secret").write_bytes((cohort.dir / ".leerpad-secret").read_bytes())
    assert access_from_query(an, twin.dir).mode == "refused"
    # the learner part is compared as given: no 'An Peeters' for 'an-peeters'
    assert access_from_query({**an, "leerling": "An Peeters"}, cohort.dir).mode == "refused"


def test_links_expire(cohort):
    token = sign_token(cohort.dir, PERSONAL, "an-peeters", days=30, now=time.time() - 31 * 86400)
    access = access_from_query({"leerling": "an-peeters", "sig": token}, cohort.dir)
    assert access.mode == "refused" and "verlopen op" in access.error
    fresh = sign_token(cohort.dir, PERSONAL, "an-peeters", days=30, now=time.time() - 29 * 86400)
    assert access_from_query({"leerling": "an-peeters", "sig": fresh}, cohort.dir).learner
    # the trainer sets how long new links hold
    cohort.update_settings(link_days=1)
    link = cohort.personal_links("http://apps")[0]["ct-01-algoritme"]
    token = q(link.split("?", 1)[1])["sig"]
    tomorrow = time.time() + 2 * 86400
    later = access_from_query({"leerling": "an-peeters", "sig": token}, cohort.dir, now=tomorrow)
    assert later.mode == "refused" and "verlopen" in later.error


def test_old_links_get_a_clear_refusal(cohort):
    old = access_from_query(
        {"leerling": "an-peeters", "sig": "0123456789abcdef01234567"}, cohort.dir
    )
    assert old.mode == "refused" and "oudere versie van leerpad" in old.error
    old_class = access_from_query({"klas": "89abcdef0123456789abcdef"}, cohort.dir)
    assert old_class.mode == "refused" and "oudere versie van leerpad" in old_class.error


def test_rotating_the_secret_ends_every_old_link_and_code(cohort, capsys, monkeypatch):
    cohort.create()
    an = q(personal_query(cohort.dir, "an-peeters"))
    klas = q(class_query(cohort.dir))
    code = pseudonym_code(cohort.dir, "mier-82")
    assert access_from_query(an, cohort.dir).mode == "personal"
    assert main(["cohort", "new-key", "gent"]) == 0
    out = capsys.readouterr().out
    assert "werken niet meer" in out and "leerpad cohort links gent" in out
    assert access_from_query(an, cohort.dir).mode == "refused"
    assert access_from_query(klas, cohort.dir).mode == "refused"
    assert pseudonym_code(cohort.dir, "mier-82") != code
    assert access_from_query(q(personal_query(cohort.dir, "an-peeters")), cohort.dir).learner


def test_a_pseudonym_needs_its_code_and_refusals_do_not_name_it(cohort):
    klas = q(class_query(cohort.dir))
    codes = cohort.pseudonym_codes()
    assert set(codes) == {"mier-82", "uil-7"} and all(len(c) == 4 for c in codes.values())
    assert codes["mier-82"] != codes["uil-7"]
    attempts = Attempts(cohort.dir, clock=Clock())
    pupil = access_from_query(klas, cohort.dir)
    for name, code in (("mier-82", ""), ("mier-82", "AAAA"), ("mier-83", codes["mier-82"])):
        learner, why = pupil.check_name(name, cohort, code=code, attempts=attempts)
        assert learner is None and why and "mier" not in why
    # roster names are not pseudonyms, even with a pseudonym's code
    learner, _ = pupil.check_name("an-peeters", cohort, code=codes["mier-82"], attempts=attempts)
    assert learner is None
    code = codes["mier-82"].lower()[:2] + " " + codes["mier-82"][2:]  # as a pupil may type it
    assert pupil.check_name(" Mier-82 ", cohort, code=code, attempts=attempts) == ("mier-82", None)
    assert pupil.learner == "mier-82"  # bound: the answers of mier-82 may now load


def test_pseudonyms_and_roster_names_only_through_their_links(cohort):
    cohort.update_settings(open=True)
    plain = access_from_query({}, cohort.dir)
    for name in ("mier-82", "Mier 82", "an-peeters"):
        learner, why = plain.check_name(name, cohort, code=cohort.pseudonym_codes()["mier-82"])
        assert learner is None and "hoort bij een persoonlijke link of bij een klaslink" in why
        assert "mier" not in why and "an-peeters" not in why
    assert plain.check_name("Juf Els", cohort) == ("juf-els", None)


def test_a_closed_cohort_refuses_every_name_without_a_link(cohort):
    plain = access_from_query({"toestel": "a" * 24}, cohort.dir)
    assert not cohort.is_open
    assert plain.refusal(cohort) and "persoonlijke links" in plain.refusal(cohort)
    assert plain.check_name("Iemand Anders", cohort)[0] is None
    # answers are still kept under the device, so nothing is lost
    assert plain.storage == "toestel_" + "a" * 24
    # a cohort without a roster has no personal links: open by nature
    cohort.update_settings(roster=[])
    assert cohort.is_open and plain.check_name("Iemand Anders", cohort) == ("iemand-anders", None)


def test_attempts_are_limited_per_pseudonym_and_per_app_then_lock_for_a_while(cohort):
    clock = Clock()
    attempts = Attempts(cohort.dir, limit=3, lock_seconds=600, clock=clock)
    right = cohort.pseudonym_codes()["mier-82"]
    klas = q(class_query(cohort.dir))
    for _ in range(3):  # three tabs, three wrong guesses at mier-82
        tab = access_from_query(klas, cohort.dir)
        assert tab.check_name("mier-82", cohort, code="XXXX", attempts=attempts)[0] is None
    # the pseudonym is locked now, for everyone and even with the right code
    pupil = access_from_query(klas, cohort.dir)
    learner, why = pupil.check_name("mier-82", cohort, code=right, attempts=attempts)
    assert learner is None and "Te veel foute pogingen" in why and "10 minuten" in why
    # a fresh object reads the same file: a new kernel or a restart does not reset it
    again = Attempts(cohort.dir, limit=3, lock_seconds=600, clock=clock)
    assert again.wait(["schuilnaam:mier-82"]) > 0
    clock.now += 601
    assert pupil.check_name("mier-82", cohort, code=right, attempts=attempts) == ("mier-82", None)
    # one app that guesses across pseudonyms is locked too (per device, across tabs)
    guesser = {**klas, "toestel": "b" * 24}
    for name in ("uil-7", "uil-8", "uil-9"):
        tab = access_from_query(guesser, cohort.dir)
        tab.check_name(name, cohort, code="XXXX", attempts=attempts)
    tab = access_from_query(guesser, cohort.dir)
    code = cohort.pseudonym_codes()["uil-7"]
    assert "Te veel" in tab.check_name("uil-7", cohort, code=code, attempts=attempts)[1]
    assert "b" * 24 not in (cohort.dir / "pogingen.json").read_text()  # only a hash is kept


def test_an_open_name_belongs_to_the_device_that_first_handed_in(cohort):
    cohort.update_settings(open=True)
    first = access_from_query({"toestel": "c" * 24}, cohort.dir)
    assert first.check_name("Juf Els", cohort, take=True) == ("juf-els", None)
    assert first.owns_name(cohort, "juf-els")
    # the same browser in a new tab: still hers
    again = access_from_query({"toestel": "c" * 24}, cohort.dir)
    assert again.check_name("juf els", cohort) == ("juf-els", None)
    assert again.owns_name(cohort, "juf-els")
    # another browser, or no device id: refused, without repeating the name
    for query in ({"toestel": "d" * 24}, {}):
        other = access_from_query(query, cohort.dir)
        learner, why = other.check_name("Juf Els", cohort, take=True)
        assert learner is None and "ander toestel" in why and "els" not in why.lower()
        assert not other.owns_name(cohort, "juf-els")
    # a device id that is not one is ignored (answers stay in memory)
    assert access_from_query({"toestel": "../x"}, cohort.dir).storage is None


def test_a_feedback_link_reads_feedback_and_opens_no_app(cohort):
    link = q(feedback_query(cohort.dir, "mier-82"))
    assert access_from_query(link, cohort.dir).mode == "refused"  # not a way into the app
    reading = access_from_query(link, cohort.dir, purposes=(PERSONAL, FEEDBACK))
    assert (reading.mode, reading.learner) == ("personal", "mier-82")
    # a personal link reads feedback too
    an = q(personal_query(cohort.dir, "an-peeters"))
    assert access_from_query(an, cohort.dir, purposes=(PERSONAL, FEEDBACK)).learner
