"""The AI interactives: the k-nearest-neighbours playground, the decision-tree builder and
the overfitting explorer. Scoring runs on plain data (as the grader does); the widgets only
draw what the learner did."""

import pytest
from leerpad.widgets import ExerciseConfigError, KnnPlayground, OverfitExplorer, TreeBuilder
from leerpad.widgets.ai_knn import example_answer, predict
from leerpad.widgets.ai_overfit import accepted, scores
from leerpad.widgets.ai_tree import best_tree, correct, learned_tree, questions
from test_widgets_support import assert_key_only_on_server, fresh_session  # noqa: F401

# -- KnnPlayground ----------------------------------------------------------------------
# Apples (A) bottom right, pears (B) top left; two new points in between.
KNN = {
    "id": "buren-twee",
    "k": 3,
    "max_points": 3,
    "names": ["appel", "peer"],
    "examples": [
        [5, 3, "A"],
        [6, 4, "A"],
        [7, 3, "A"],
        [6, 6, "A"],
        [7, 5, "A"],
        [8, 4, "A"],
        [5, 5, "A"],
        [2, 4, "B"],
        [2, 6, "B"],
        [3, 7, "B"],
        [1, 5, "B"],
        [3, 5, "B"],
        [4, 8, "B"],
        [2, 8, "B"],
    ],  # fmt: skip
    "queries": [[4, 4], [4, 6]],
    "answer": ["B", "A"],
}
RIGHT = {"points": [[3, 4, "B"], [4, 3, "B"], [3, 6, "A"]], "k": 3}


def knn_config(**changes):
    fields = {k: v for k, v in {**KNN, **changes}.items() if k not in ("id", "answer")}
    return KnnPlayground.validate("buren", fields)


def test_knn_right_partial_wrong():
    config, key = knn_config(), {"answer": ["B", "A"]}
    assert [predict(config["examples"], q, 3)[0] for q in config["queries"]] == ["A", "B"]
    result = KnnPlayground.evaluate(config, key, RIGHT)
    assert result.fraction == 1
    assert result.messages == ["★1 wordt peer, zoals gevraagd.", "★2 wordt appel, zoals gevraagd."]
    half = {"points": [[3, 4, "B"], [4, 3, "B"]], "k": 3}  # ★1 turns, ★2 does not
    result = KnnPlayground.evaluate(config, key, half)
    assert result.fraction == 0.5
    assert result.messages[1].startswith("★2 wordt peer, niet appel. Kijk naar de 3 punten")
    assert KnnPlayground.evaluate(config, key, {"points": [], "k": 3}).fraction == 0


def test_knn_limits_and_tampered_answers():
    config, key = knn_config(), {"answer": ["B", "A"]}
    four = {"points": [*RIGHT["points"], [8, 8, "A"]], "k": 3}
    result = KnnPlayground.evaluate(config, key, four)
    assert result.fraction == 0
    assert result.messages == ["Je zette 4 punten, maar hoogstens 3 mag. Haal er punten weg."]
    # k is fixed here: a k in the answer changes nothing
    assert KnnPlayground.evaluate(config, key, {**RIGHT, "k": 9}).fraction == 1
    for bad in (
        {"points": [[5, 3, "B"]], "k": 3},  # on an example
        {"points": [[9, 1, "B"]], "k": 3},  # off the grid
        {"points": [[1, 1, "C"]], "k": 3},
        {"points": "alles"},
        ["niet", "goed"],
    ):
        assert KnnPlayground.evaluate(config, key, bad).fraction == 0


def test_knn_choosing_k_and_a_tie():
    # a lone pear next to the new point: k = 1 and k = 2 (a tie: the nearest decides) say
    # pear, k = 3 says apple
    examples = [[5, 2, "A"], [7, 2, "A"], [7, 4, "A"], [8, 3, "A"], [6, 4, "B"], [1, 8, "B"]]
    config = knn_config(examples=examples, queries=[[6, 3]], k=1, choose_k=True, max_points=0)
    key = {"answer": ["A"]}
    assert [predict(examples, [6, 3], k)[0] for k in (1, 2, 3)] == ["B", "B", "A"]
    assert KnnPlayground.evaluate(config, key, {"points": [], "k": 3}).fraction == 1
    result = KnnPlayground.evaluate(config, key, {"points": [], "k": 2})
    assert result.fraction == 0 and result.messages[-1].startswith("Bij een gelijke stemming")
    assert example_answer(config, key) == {"points": [], "k": 3}


def test_knn_configuration_errors_name_the_field():
    with pytest.raises(ExerciseConfigError, match="veld 'examples': \\[9, 1, 'A'\\] ligt buiten"):
        knn_config(examples=[[9, 1, "A"]])
    with pytest.raises(
        ExerciseConfigError, match="veld 'examples': twee punten liggen op hetzelfde vak"
    ):
        knn_config(examples=[[4, 4, "A"]])
    with pytest.raises(ExerciseConfigError, match="veld 'answer': met hoogstens 1 punten lukt"):
        KnnPlayground(**{**KNN, "max_points": 1})
    with pytest.raises(ExerciseConfigError, match="veld 'answer': geef één klasse per nieuw punt"):
        KnnPlayground(**{**KNN, "answer": ["B"]})


def test_knn_widget_places_points_and_says_what_it_predicts():
    knn = KnnPlayground(**KNN)
    assert knn.get_answer() is None
    knn.brush.value = "B"
    knn.place(3, 4)
    knn.place(5, 3)  # an example: stays as it is
    assert knn.get_answer() == {"points": [[3, 4, "B"]], "k": 3}
    assert knn.cells[(3, 4)].description == "△"
    assert knn.cells[(5, 3)].description == "●"
    assert "Vak (3, 4): jouw punt peer, gebied peer" == knn.cells[(3, 4)].tooltip
    assert "Nieuw punt ★1 op (4, 4) wordt appel" in knn.status.value
    assert "Rij y=4: b ▲ △ ★1 a ● a ●" in knn.text_grid.value
    knn.brush.value = None  # the eraser
    knn.place(3, 4)
    assert knn.get_answer() == {"points": [], "k": 3}
    knn.set_answer(RIGHT)
    assert knn.score() == 1
    source = assert_key_only_on_server(KnnPlayground, KNN)
    assert "answer=" not in source


# -- TreeBuilder --------------------------------------------------------------------------
COLUMNS = ["Regen", "Temperatuur", "Wind", "Speeltijd"]
ROWS = [
    ["nee", 15, "zwak", "buiten"], ["nee", 10, "matig", "buiten"], ["ja", 15, "zwak", "binnen"],
    ["nee", 0, "sterk", "binnen"], ["nee", 5, "zwak", "buiten"], ["ja", 20, "matig", "binnen"],
    ["nee", 20, "sterk", "binnen"], ["nee", 5, "matig", "buiten"], ["ja", 10, "sterk", "binnen"],
    ["nee", 15, "sterk", "binnen"], ["nee", 0, "zwak", "binnen"], ["ja", 20, "zwak", "buiten"],
]  # fmt: skip
TREE = {"id": "boom", "columns": COLUMNS, "rows": ROWS, "max_depth": 2, "answer": 10}
NADIA = {"": "Regen = ja?", "n": "Wind = sterk?"}


def tree_config(depth):
    return TreeBuilder.validate("boom", {"columns": COLUMNS, "rows": ROWS, "max_depth": depth})


def test_tree_questions_come_from_the_table():
    assert [q["text"] for q in questions(COLUMNS, ROWS)] == [
        "Regen = ja?",  # two values: one question
        "Temperatuur ≤ 2,5?",  # numbers: a limit between two values
        "Temperatuur ≤ 7,5?",
        "Temperatuur ≤ 12,5?",
        "Temperatuur ≤ 17,5?",
        "Wind = zwak?",
        "Wind = matig?",
        "Wind = sterk?",
    ]


def test_tree_scored_on_rows_right():
    config, key = tree_config(2), {"answer": 10}
    result = TreeBuilder.evaluate(config, key, NADIA)
    assert result.fraction == 1
    assert result.messages == [
        "Jouw boom zet 10 van de 12 rijen juist.",
        "Dat is genoeg: minstens 10 was gevraagd.",
    ]
    result = TreeBuilder.evaluate(config, key, {"": "Regen = ja?"})
    assert result.fraction == 0 and result.messages[0] == "Jouw boom zet 7 van de 12 rijen juist."
    assert TreeBuilder.evaluate(config, key, {}).messages[0].startswith("Jouw boom zet 7")
    # a node under a leaf is never reached; a node deeper than allowed does not count
    assert correct({"": "Regen = ja?", "nj": "Wind = zwak?", "jj": "Wind = zwak?"}, config) == 7
    for bad in ({"": "Heeft de juf zin?"}, {"x": "Regen = ja?"}, ["Regen = ja?"]):
        assert TreeBuilder.evaluate(config, key, bad).fraction == 0


def test_tree_best_and_learned():
    assert [best_tree(tree_config(d))[0] for d in (1, 2, 3)] == [9, 10, 12]
    config = tree_config(3)
    learned = learned_tree(config)  # scikit-learn chooses node by node: 11, not 12
    assert learned[""] == "Wind = sterk?" and correct(learned, config) == 11
    with pytest.raises(ExerciseConfigError, match="geen boom van diepte 2 zet 11 rijen juist"):
        TreeBuilder(**{**TREE, "answer": 11})
    with pytest.raises(ExerciseConfigError, match="veld 'rows': rij 2 heeft niet 4 waarden"):
        TreeBuilder(**{**TREE, "rows": [ROWS[0], ["ja", 3]]})


def test_tree_widget_opens_branches_and_shows_the_rows():
    tree = TreeBuilder(**TREE)
    assert tree.pickers["j"].layout.display == "none"  # under a leaf: not shown
    tree.pickers[""].value = "Regen = ja?"
    assert tree.pickers["n"].layout.display is None
    assert tree.pickers["n"].description == "Vraag na nee op 'Regen = ja?'"
    tree.pickers["n"].value = "Wind = sterk?"
    assert tree.get_answer() == NADIA and tree.score() == 1
    assert "Jouw boom zet 10 van de 12 rijen juist." in tree.status.value
    assert tree.table.value.count("✗ fout") == 2
    tree.pickers[""].value = None  # the branches below go with it
    assert tree.get_answer() == {}
    tree.learn()
    assert "De boom die scikit-learn leerde (diepte 2) zet 10 van de 12" in tree.learned.value
    assert_key_only_on_server(TreeBuilder, TREE)


# -- OverfitExplorer ----------------------------------------------------------------------
SERRE = {"n": 80, "noise": 0.15, "seed": 21, "test_share": 0.3, "max_depth": 8}
TABLE = [(62, 54), (77, 67), (84, 67), (89, 75), (93, 67), (96, 62), (100, 58), (100, 58)]


def test_overfit_scores_are_the_same_every_time():
    config = OverfitExplorer.validate("serre", SERRE)
    assert [scores(config, d) for d in range(1, 9)] == TABLE
    assert accepted(config, "beste-test") == [4]
    assert accepted(config, "eerste-100") == [7]
    assert accepted(config, [3, 4]) == [3, 4]


def test_overfit_evaluate_teaches():
    config = OverfitExplorer.validate("serre", SERRE)
    key = {"answer": "beste-test"}
    result = OverfitExplorer.evaluate(config, key, {"depth": 4})
    assert result.fraction == 1
    assert result.messages == ["Je koos diepte 4: 89% op de trainingsdata, 75% op de testdata."]
    result = OverfitExplorer.evaluate(config, key, {"depth": 8})
    assert result.fraction == 0 and "dat is overfitten" in result.messages[1]
    result = OverfitExplorer.evaluate(config, key, {"depth": 1})
    assert result.fraction == 0 and "(onderfitten)" in result.messages[1]
    for bad in ({"depth": 9}, {"depth": "4"}, 4, None):
        assert OverfitExplorer.evaluate(config, key, bad).fraction == 0
    with pytest.raises(ExerciseConfigError, match="veld 'noise': moet een deel van 0 tot 0,4"):
        OverfitExplorer(id="serre", **{**SERRE, "noise": 0.5}, answer=4)
    with pytest.raises(ExerciseConfigError, match="veld 'answer': geef een diepte van 1 tot 8"):
        OverfitExplorer(id="serre", **SERRE, answer="beste")


def test_overfit_widget_slider_plot_and_text():
    explorer = OverfitExplorer(id="serre", **SERRE, answer="eerste-100")
    assert explorer.get_answer() is None
    explorer.slider.value = 7
    assert explorer.get_answer() == {"depth": 7} and explorer.score() == 1
    assert "Diepte 7: 100% juist op de trainingsdata (56 punten), 58% op de testdata" in (
        explorer.status.value
    )
    assert "Diepte 1: training 62%, test 54%. Diepte 7: training 100%, test 58%." in (
        explorer.plots.value
    )
    explorer.choose(explorer.depth - 1)  # the button Eenvoudiger
    assert explorer.slider.value == 6 and explorer.score() == 0
    explorer.set_answer(None)
    assert explorer.get_answer() is None and explorer.slider.value == 1
    assert_key_only_on_server(OverfitExplorer, {"id": "serre", **SERRE, "answer": 7})
