"""The five modules of the course "XR in de klas", end to end: each passes `leerpad check`
without a warning, is released to one cohort with no key or trainer text in the released
notebook, and is handed in by a strong learner (every exercise right; the 3D scenes and the
360° viewers answered by setting the view's state, as the browser does) and a weak one (a few
wrong or half-right answers, the rest left open). One real nbgrader run grades both: the
strong learner gets every automatic point, the weak one exactly what the widgets showed."""

import json
import re

import nbformat
import pytest
from course_grading import CATALOGUE, hand_in, released_cohort, solve
from leerpad.grading.nbgrader_run import run_nbgrader
from test_trainer_material import notebook_text, trainer_phrases

from leerpad.check import check
from leerpad.paths import courses_dir

COURSE = "xr-in-de-klas"
MODULES = [m.id for c in CATALOGUE.courses if c.id == COURSE for m in c.modules]
STRONG, WEAK = "juf-alles-juist", "meester-twijfel"
GREY = "#9ca3af"


def middle(box, default):
    return [(lo + hi) / 2 for lo, hi in zip(*box, strict=True)] if box else list(default)


def scene_state(widget, targets):
    """The state the 3D view sends back after the learner moved objects: the start scene
    with `targets` ({object id: {position/rotation/scale: [x, y, z], None = keep}})."""
    state = widget.start_state()
    for item in state["objects"]:
        for name, wanted in targets.get(item["id"], {}).items():
            item[name] = [h if t is None else t for h, t in zip(item[name], wanted, strict=True)]
    return state


def build_state(widget, conditions):
    """The state the 3D view sends back in build mode: for every condition on objects, as
    many primitives as it asks, in the middle of its box; the camera where a condition
    wants it."""
    state = widget.start_state()
    for n, condition in enumerate(conditions):
        if "camera" in condition:
            camera = condition["camera"]
            state["camera"] = {
                "position": middle(camera["between"], state["camera"]["position"]),
                "target": camera["looks_at"] or state["camera"]["target"],
            }
            continue
        shape = condition["shape"] or widget.config["palette"][0]
        for k in range(condition["count"]):
            state["objects"].append(
                {
                    "id": f"nieuw-{n}-{k}",
                    "shape": shape,
                    "position": middle(condition["between"], [0, 0.5, 0]),
                    "rotation": [0, 0, 0],
                    "scale": [0.3, 0.3, 0.3],
                    "color": condition["color"] or GREY,
                    "name": shape,
                }
            )
    return state


def solve_xr(widget):
    """Answer right; the 3D scene and the 360° viewer through their view's state."""
    name, key = type(widget).__name__, widget._key
    if name == "Scene3D" and widget.config["mode"] == "bouwen":
        widget.view.state = build_state(widget, key["answer"])
    elif name == "Scene3D":
        widget.view.state = scene_state(widget, key["answer"])
    elif name == "Panorama360":
        answer = key["answer"]
        widget.view.state = {"hotspot": answer} if isinstance(answer, str) else dict(answer)
    else:
        solve(widget)
    return widget


def view(state):
    def answer(widget):
        widget.view.state = state(widget)

    return answer


# exercise id -> how the weak learner answers it; exercises not named stay open (0 points)
WEAK_ANSWERS = {
    "xr01-ar-zorg": lambda w: w.set_answer("VR"),
    "xr01-vrijheidsgraden": lambda w: w.set_answer("6"),  # thinks of a headset
    "xr01-uitleen-gratis": lambda w: w.set_answer("Fout"),  # right
    "xr01-begrippen": lambda w: w.set_answer(["VR", "MR", "AR"]),  # 1 of 3 blanks
    "xr02-op-de-tafel": lambda w: w.set_answer("1,3"),  # the whole cube on top
    # the box in the bench: its centre on the top (0.2 too low)
    "xr02-kist-op-werkbank": view(lambda w: scene_state(w, {"kist": {"position": [2, 0.9, -1]}})),
    # the right size, the centre on the top instead of half a thickness lower: half
    "xr02-blad-schalen": view(
        lambda w: scene_state(
            w, {"blad": {"scale": [1.6, 0.05, 0.8], "position": [None, 0.9, None]}}
        )
    ),
    "xr02-pijl-nooduitgang": view(lambda w: scene_state(w, {"pijl": {"rotation": [0, -90, 0]}})),
    "xr02-volume": lambda w: w.set_answer("Fout"),  # right
    "xr03-blad-hoogte": lambda w: w.set_answer("0,75"),
    # only the bench, the camera left where it was: 1 of 4 conditions
    "xr03-werkhoek": view(
        lambda w: build_state(
            w,
            [
                {
                    "shape": "balk",
                    "color": "#8b5a2b",
                    "count": 1,
                    "between": [[-1, 0.45, -2.5], [1, 0.45, -2.5]],
                }
            ],
        )
    ),  # fmt: skip
    "xr03-camera-headset": lambda w: w.set_answer("Juist"),
    "xr04-hoogte": lambda w: w.set_answer("5760"),
    "xr04-graden-pixels": lambda w: w.set_answer("2090"),
    "xr04-brandblusser": view(lambda w: {"hotspot": "deur"}),
    "xr04-nooduitgang": view(lambda w: {"yaw": -88, "pitch": 10}),  # right, within 15°
    "xr05-carrousel": lambda w: w.set_answer("32"),  # forgot the time to change over
    "xr05-cybersickness": lambda w: w.set_answer(w.config["options"][1]),  # carry on
    "xr05-leeftijd": lambda w: w.set_answer("Fout"),  # right
}
WEAK_TOTALS = {
    "xr-01-wat-is-xr": 2,
    "xr-02-de-3d-ruimte": 2,
    "xr-03-een-scene-bouwen": 1,
    "xr-04-360-uitstappen": 1,
    "xr-05-xr-lessen-ontwerpen": 1,
}


def weak(widget):
    if widget.id in WEAK_ANSWERS:
        WEAK_ANSWERS[widget.id](widget)


@pytest.fixture(scope="module")
def cohort(isolated_env, tmp_path_factory):
    base = tmp_path_factory.mktemp("xr-grading")
    with released_cohort(isolated_env, base, "xr", MODULES) as cohort:
        yield cohort


def secrets(key):
    """The teaching texts a key holds: feedback per answer, and the explanation of each
    condition of a build exercise."""
    feedback = key.get("feedback") if isinstance(key.get("feedback"), dict) else {}
    texts = [v for v in feedback.values() if isinstance(v, str)]
    answer = key.get("answer")
    if isinstance(answer, list):
        texts += [c["explain"] for c in answer if isinstance(c, dict) and c.get("explain")]
    return [t for t in texts if len(t.split()) >= 4]


def test_the_course_has_its_five_modules_in_order_and_checks_clean():
    assert MODULES == [
        "xr-01-wat-is-xr",
        "xr-02-de-3d-ruimte",
        "xr-03-een-scene-bouwen",
        "xr-04-360-uitstappen",
        "xr-05-xr-lessen-ontwerpen",
    ]
    problems = check(courses_dir() / COURSE, CATALOGUE)
    assert [str(p) for p in problems] == []  # no error and no warning
    # the new types are used where the issue asks for them
    sources = {m: CATALOGUE.modules[m].markdown_path.read_text(encoding="utf-8") for m in MODULES}
    assert "```{ruimte}" in sources["xr-02-de-3d-ruimte"]
    assert "modus: bouwen" in sources["xr-03-een-scene-bouwen"]
    assert "```{panorama}" in sources["xr-04-360-uitstappen"]


def test_released_notebooks_hold_no_key_and_no_trainer_text(cohort):
    for module in MODULES:
        released = nbformat.read(cohort.release_dir / module / f"{module}.ipynb", as_version=4)
        text = notebook_text(released)
        keys = json.loads((cohort.keys_dir / f"{module}.json").read_text())
        texts = [t for k in keys.values() for t in secrets(k)]
        assert len(texts) >= 5, module  # the feedback that teaches lives in the key
        for secret in texts:
            assert " ".join(secret.split()) not in text, (module, secret)
        phrases = trainer_phrases(CATALOGUE.modules[module])
        assert len(phrases) >= 5, module
        for phrase in phrases:
            assert phrase not in text, (module, phrase)
        assert not re.search(r"\{trainer\}|Bronnen\.", text), module


def test_strong_and_weak_learners_are_graded_to_the_points_shown(cohort):
    from nbgrader.api import Gradebook

    shown, maximum = {}, {}
    for module in MODULES:
        strong = hand_in(cohort, module, STRONG, solve_xr)
        graded = [w for w in strong.values() if w.graded and w.key_fields]
        assert len(graded) >= 5, module
        assert {w.id: w.score() for w in graded} == {w.id: w.points for w in graded}
        assert [type(w).__name__ for w in strong.values()].count("OpenAnswer") == 1
        maximum[module] = sum(w.points for w in graded)
        weak_widgets = hand_in(cohort, module, WEAK, weak)
        shown[module] = {w.id: w.score() for w in weak_widgets.values() if w.graded}
    assert set(WEAK_ANSWERS) <= {eid for scores in shown.values() for eid in scores}

    run_nbgrader(cohort.dir, "autograde", "*", "--create", "--force")

    with Gradebook(cohort.settings["db_url"], course_id=cohort.name) as gb:
        for module in MODULES:
            transfer = f"xr{module[3:5]}-transfer"
            notebook = gb.find_submission_notebook(module, module, STRONG)
            manual = [g.name for g in notebook.grades if g.needs_manual_grade]
            assert manual == [transfer]
            auto = [g for g in notebook.grades if not g.needs_manual_grade]
            assert {g.name: g.score for g in auto} == {g.name: g.max_score for g in auto}
            assert notebook.score == pytest.approx(maximum[module]) and maximum[module] >= 10

            notebook = gb.find_submission_notebook(module, module, WEAK)
            grades = {g.name: g.score for g in notebook.grades}
            assert grades == pytest.approx(shown[module]), module
            assert notebook.score == pytest.approx(WEAK_TOTALS[module]), module
            assert notebook.score <= 0.2 * maximum[module], module  # a weak hand-in scores low
