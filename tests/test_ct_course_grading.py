"""Every module of the computational-thinking course, graded end to end: compiled from
Markdown, released to one cohort, answered from the answer keys through the widgets' own
API (as a learner in the app would), handed in, and autograded by real nbgrader with full
points for everything that is graded automatically."""

import pytest
from course_grading import CATALOGUE, fill_code_cells, hand_in, released_cohort, solve
from leerpad.grading.nbgrader_run import run_nbgrader

COURSE = "computationeel-denken"
LEARNER = "juf-alles-juist"
MODULES = sorted(m for m in CATALOGUE.modules if m.startswith("ct-"))


@pytest.fixture(scope="module")
def cohort(isolated_env, tmp_path_factory):
    base = tmp_path_factory.mktemp("ct-grading")
    with released_cohort(isolated_env, base, "ct", MODULES) as cohort:
        yield cohort


def test_every_module_is_fully_graded(cohort):
    from nbgrader.api import Gradebook

    for module in MODULES:
        widgets = hand_in(cohort, module, LEARNER, solve)
        graded = [w for w in widgets.values() if w.key_fields]
        for widget in graded:
            assert widget.score() == widget.points, (module, widget.id)
        assert len(graded) + fill_code_cells(cohort, module, LEARNER) >= 5, module
        kinds = {type(w).__name__ for w in widgets.values()}
        assert "OpenAnswer" in kinds, f"{module}: a transfer task graded by the trainer"

    # One nbgrader run grades the hand-ins of all modules ("*" is nbgrader's own glob).
    run_nbgrader(cohort.dir, "autograde", "*", "--student", LEARNER, "--create", "--force")

    with Gradebook(cohort.settings["db_url"], course_id=cohort.name) as gb:
        for module in MODULES:
            notebook = gb.find_submission_notebook(module, module, LEARNER)
            manual = [g for g in notebook.grades if g.needs_manual_grade]
            assert [g.name for g in manual] == [f"ct{module[3:5]}-transfer"]
            lost = {
                g.name: (g.score, g.max_score)
                for g in notebook.grades
                if not g.needs_manual_grade and g.score != g.max_score
            }
            assert lost == {}, module
            auto = sum(g.max_score for g in notebook.grades if g not in manual)
            assert notebook.score == pytest.approx(auto) and auto > 0
