"""The feedback a learner reads, per exercise type: the gallery module (one exercise of each
type) released in a real cohort, her answers scored as the widgets score them, with the
keys on the server. What comes out is Dutch plain text, and a wrong answer does not give
away the right one. (A real graded hand-in, the site's API and the page in Chromium: see
test_cohorts.py and test_e2e_cohort.py.)"""

import json

import nbformat
import pytest
from course_grading import released_cohort
from gallery import ANSWERS, MODULE
from leerpad.grading.feedback import answer_lines, plain, widget_feedback

VERDICTS = {"right": "Juist!", "wrong": "Nog niet juist.", "partial": "Gedeeltelijk juist."}


@pytest.fixture(scope="module")
def released(isolated_env, tmp_path_factory):
    base = tmp_path_factory.mktemp("feedback")
    with released_cohort(isolated_env, base, "feedback", [MODULE]) as cohort:
        notebook = nbformat.read(cohort.release_dir / MODULE / f"{MODULE}.ipynb", as_version=4)
        yield cohort, notebook


@pytest.mark.parametrize("outcome", ["right", "wrong", "partial"])
def test_each_type_says_in_dutch_how_her_answer_did(released, outcome):
    cohort, notebook = released
    cases = {eid: c[outcome][0] for eid, c in ANSWERS.items() if outcome in c}
    answers = {eid: {"answer": answer, "checked": True} for eid, answer in cases.items()}
    found = widget_feedback(notebook, cohort.keys_dir, answers)
    assert set(cases) <= set(found)
    # The module's {trainer} block reaches no feedback (see test_trainer_material.py).
    assert "alle types proberen" not in json.dumps(found, ensure_ascii=False)
    for eid in cases:
        item = found[eid]
        assert item["antwoord"], eid  # her answer, as text
        if item["code"]:
            # the code exercise is not run again here: its tests spoke when it was graded
            assert item["oordeel"] is None and item["antwoord"] == [cases[eid]]
            continue
        assert item["oordeel"] == VERDICTS[outcome], (eid, item)
        text = json.dumps(item, ensure_ascii=False)
        assert "<" not in text.replace("<=", ""), (eid, text)  # plain text, no markup
        right = ANSWERS[eid]["right"][0]
        if outcome == "wrong" and isinstance(right, str) and len(right.strip()) > 5:
            # a wrong answer's feedback does not name the right one
            told = json.dumps([item["antwoord"], item["feedback"]], ensure_ascii=False)
            assert right.strip() not in told, (eid, told)


def test_answers_read_as_text():
    class Words:
        config = {"words": ["De", "juf", "leest", "voor"]}

    Words.__name__ = "MarkTheWords"
    assert answer_lines(Words(), [1, 2, 9]) == ["juf", "leest"]
    assert answer_lines(object(), {"Appel": "Fruit"}) == ["Appel: Fruit"]
    assert answer_lines(object(), None) == []
    assert plain("<p>Juist!</p><p>Score: 1 van 1 &amp; <code>x</code></p>") == (
        "Juist!\nScore: 1 van 1 & x"
    )
