"""The modules of the course "AI in de klas", end to end: each passes `leerpad check`
without a warning, is released to one cohort, and is handed in by a strong learner (every
exercise right, through the widgets' controls) and a weak one (a few wrong or half-right
answers, the rest left open). One real nbgrader run grades both; each gets exactly the points
its widgets showed, and the totals the answers below are worth."""

import pytest
from course_grading import CATALOGUE, build_tree, hand_in, place_points, released_cohort, solve
from leerpad.grading.nbgrader_run import run_nbgrader
from leerpad.widgets.ai_tree import learned_tree

from leerpad.check import check
from leerpad.paths import courses_dir

COURSE = "ai-in-de-klas"
MODULES = [m.id for c in CATALOGUE.courses if c.id == COURSE for m in c.modules]
STRONG, WEAK = "juf-alles-juist", "meester-twijfel"
NOT_AI = "Geen AI: vaste stappen, niets om te herkennen"
NADIA = {"": "Regen = ja?", "n": "Wind = sterk?"}  # the worked example: 10 of 12 days

# exercise id -> how the weak learner answers it; exercises not named stay open (0 points)
WEAK_ANSWERS = {
    # 2 of the 7 applications are "no AI": 2/7 of 3 points
    "ai01-ai-of-niet": lambda w: w.set_answer(dict.fromkeys(w.config["items"], NOT_AI)),
    "ai01-waarom-spamfilter": lambda w: w.set_answer("De spamfilter maakt nooit fouten."),
    "ai01-regels-meer-data": lambda w: w.set_answer("Juist"),
    "ai02-label": lambda w: w.set_answer("De breedte en de hoogte"),
    # two pears are one too few for k = 5
    "ai02-buren-peer": lambda w: place_points(w, {"k": 5, "points": [[4, 6, "B"], [5, 7, "B"]]}),
    # k = 2: a tie, and the nearest neighbour is the odd pear
    "ai02-buren-k": lambda w: place_points(w, {"k": 2, "points": []}),
    # ★1 becomes a pear, ★2 stays a pear: half of 3 points
    "ai02-buren-twee": lambda w: place_points(w, {"k": 3, "points": [[3, 4, "B"], [4, 3, "B"]]}),
    "ai04-regen-tellen": lambda w: w.set_answer("9"),
    "ai04-boom-een": lambda w: build_tree(w, {"": "Regen = ja?"}),  # 7 of the 9 asked
    "ai04-boom-twee": lambda w: build_tree(w, NADIA),  # 10: right
    "ai04-boom-drie": lambda w: build_tree(w, learned_tree(w.config)),  # the greedy 11 of 12
    "ai06-diepte-kiezen": lambda w: w.choose(8),  # overfits
    "ai06-perfect-op-training": lambda w: w.choose(7),  # right
    "ai06-aflezen": lambda w: w.set_answer("75"),
    "ai06-honderd": lambda w: w.set_answer("Juist"),
}
WEAK_TOTALS = {
    "ai-01-wat-is-ai": 0.86,
    "ai-02-leren-uit-data": 1.5,
    "ai-04-beslissingsbomen": 2,
    "ai-06-overfitten": 2,
}


def weak(widget):
    if widget.id in WEAK_ANSWERS:
        WEAK_ANSWERS[widget.id](widget)


@pytest.fixture(scope="module")
def cohort(isolated_env, tmp_path_factory):
    base = tmp_path_factory.mktemp("ai-grading")
    with released_cohort(isolated_env, base, "ai", MODULES) as cohort:
        yield cohort


def test_the_course_lists_its_modules_in_teaching_order():
    assert MODULES[:4] == [
        "ai-01-wat-is-ai",
        "ai-02-leren-uit-data",
        "ai-04-beslissingsbomen",
        "ai-06-overfitten",
    ]
    problems = check(courses_dir() / COURSE, CATALOGUE)
    assert [str(p) for p in problems] == []  # no error and no warning


def test_strong_and_weak_learners_are_graded_to_the_points_shown(cohort):
    from nbgrader.api import Gradebook

    shown = {}
    for module in WEAK_TOTALS:
        strong = hand_in(cohort, module, STRONG, solve)
        graded = [w for w in strong.values() if w.graded and w.key_fields]
        assert len(graded) >= 6, module
        assert {w.id: w.score() for w in graded} == {w.id: w.points for w in graded}
        assert [type(w).__name__ for w in strong.values()].count("OpenAnswer") == 1
        weak_widgets = hand_in(cohort, module, WEAK, weak)
        shown[module] = {w.id: w.score() for w in weak_widgets.values() if w.graded}
    assert set(WEAK_ANSWERS) <= {eid for scores in shown.values() for eid in scores}

    run_nbgrader(cohort.dir, "autograde", "*", "--create", "--force")

    with Gradebook(cohort.settings["db_url"], course_id=cohort.name) as gb:
        for module, total in WEAK_TOTALS.items():
            transfer = f"ai{module[3:5]}-transfer"
            notebook = gb.find_submission_notebook(module, module, STRONG)
            manual = [g.name for g in notebook.grades if g.needs_manual_grade]
            assert manual == [transfer]
            auto = [g for g in notebook.grades if not g.needs_manual_grade]
            assert {g.name: g.score for g in auto} == {g.name: g.max_score for g in auto}
            assert sum(g.max_score for g in auto) > 0
            assert notebook.score == pytest.approx(sum(g.max_score for g in auto))

            notebook = gb.find_submission_notebook(module, module, WEAK)
            # the transfer task left open: nbgrader itself gives 0 and needs no trainer
            grades = {g.name: g.score for g in notebook.grades}
            assert grades == pytest.approx(shown[module]), module
            assert notebook.score == pytest.approx(total), module
