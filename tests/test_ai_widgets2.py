"""The three AI interactives of modules ai-03, ai-05 and ai-07 scored on plain data, as the
grader scores them: digit recognition, the n-gram text generator and bias from unbalanced
data. Right, wrong, partly right, a tampered answer and an author's mistake for each."""

import pytest
from leerpad.widgets import BiasTrainer, DigitRecognition, ExerciseConfigError, TextGenerator
from leerpad.widgets.ai_bias import accuracy
from leerpad.widgets.ai_digits import confusion, predict, training_data
from leerpad.widgets.ai_ngram import candidates, tokens
from test_widgets_support import assert_key_only_on_server, fresh_session  # noqa: F401

from leerpad.catalogue import Catalogue

SEVEN = ["00111110", "00000110", "00001100", "00011000", "00110000", "00110000", "00110000"]
SEVEN.append("00000000")
WIDE_THREE = ["01111100", "00000110", "00000110", "00111100", "00000110", "00000110", "01111100"]
WIDE_THREE.append("00000000")
TEXT = "De kat zit op de mat. De hond zit in de tuin. De kat speelt in de tuin met de hond."


# -- digit recognition -----------------------------------------------------------------------
def digit_config(**extra):
    return DigitRecognition.validate("x", {**extra})


def test_digit_right_when_the_model_reads_the_asked_digit():
    result = DigitRecognition.evaluate(digit_config(), {"answer": 7}, SEVEN)
    assert result.fraction == 1
    assert "Het model leest een 7" in result.messages[0]


def test_digit_wrong_explains_what_the_model_read():
    assert predict(WIDE_THREE) == 9
    result = DigitRecognition.evaluate(digit_config(), {"answer": 3}, WIDE_THREE)
    assert result.fraction == 0
    assert "leest een 9" in " ".join(result.messages)
    assert "Gevraagd was een 3" in result.messages[-1]


def test_digit_must_fail_turns_it_around():
    config = digit_config(must_fail=True)
    assert DigitRecognition.evaluate(config, {"answer": 3}, WIDE_THREE).fraction == 1
    assert DigitRecognition.evaluate(config, {"answer": 7}, SEVEN).fraction == 0


@pytest.mark.parametrize("answer", [None, ["0" * 8] * 8, ["01"] * 8, "00111110", [1] * 8])
def test_digit_empty_or_tampered_drawing_scores_nothing(answer):
    assert DigitRecognition.evaluate(digit_config(), {"answer": 7}, answer).fraction == 0


@pytest.mark.parametrize("key", [10, -1, "7", True, None])
def test_digit_key_must_be_a_digit(key):
    with pytest.raises(ExerciseConfigError, match="cijfer van 0 tot 9"):
        DigitRecognition.validate_key("x", digit_config(), {"answer": key})


def test_digit_confusion_matrix_in_the_module_is_the_models():
    matrix = confusion()
    assert sum(map(sum, matrix)) == 450 and sum(matrix[i][i] for i in range(10)) == 423
    text = Catalogue().modules["ai-07-beeldherkenning"].markdown_path.read_text(encoding="utf-8")
    for digit, row in enumerate(matrix):
        cells = " | ".join(
            f"**{n}**" if column == digit else (str(n) if n else "·")
            for column, n in enumerate(row)
        )
        assert f"| **{digit}** | {cells} | {sum(row)} |" in text
    assert len(training_data()[1]) == 1797


# -- the text generator ----------------------------------------------------------------------
def text_config(**extra):
    return TextGenerator.validate("x", {"text": TEXT, "text_file": "kat.txt", **extra})


def sentence(text, order=1):
    return {"order": order, "words": tokens(text)}


def test_ngram_counts_the_next_words():
    assert candidates(TEXT, 1, ["de"]) == [
        ("hond", 2), ("kat", 2), ("tuin", 2), ("mat", 1),
    ]  # fmt: skip
    assert candidates(TEXT, 2, ["de", "kat"]) == [("speelt", 1), ("zit", 1)]
    assert candidates(TEXT, 1, ["de", "hond", "."]) == []


def test_ngram_new_sentence_with_every_goal():
    config = text_config(order=1, start="de kat", must_contain=["tuin"], min_words=5, new=True)
    result = TextGenerator.evaluate(config, {}, sentence("De kat zit in de tuin."))
    assert result.fraction == 1
    assert "plakt stukjes aan elkaar" in result.messages[-1]


def test_ngram_partial_per_goal():
    config = text_config(order=1, start="de kat", must_contain=["tuin"], min_words=5, new=True)
    result = TextGenerator.evaluate(config, {}, sentence("De kat zit op de mat."))
    assert result.fraction == pytest.approx(2 / 4)  # copied, and no 'tuin'
    assert any("letterlijk in de tekst" in m for m in result.messages)
    assert any("'tuin' ontbreekt" in m for m in result.messages)


def test_ngram_copy_goal():
    config = text_config(order=3, new=False)
    assert TextGenerator.evaluate(config, {}, sentence("De kat zit op de mat.", 3)).fraction == 1
    assert TextGenerator.evaluate(config, {}, sentence("De kat zit in de tuin.", 1)).fraction == 0


def test_ngram_a_step_the_model_cannot_make_scores_nothing():
    config = text_config(order=1)
    result = TextGenerator.evaluate(config, {}, sentence("De kat zit op de tuin."))
    assert result.fraction == 1  # every pair of words is in the text
    result = TextGenerator.evaluate(text_config(order=2), {}, sentence("De kat zit op de tuin.", 2))
    assert result.fraction == 0 and "'Op de tuin' staat nergens" in result.messages[-1]
    unfinished = TextGenerator.evaluate(config, {}, sentence("De kat zit"))
    assert unfinished.fraction == 0 and "eindigen met een punt" in unfinished.messages[-1]


@pytest.mark.parametrize(
    "answer",
    [None, {}, {"order": 4, "words": ["de"]}, {"order": 1, "words": "de kat"}, [1, 2]],
)
def test_ngram_tampered_answer_scores_nothing(answer):
    assert TextGenerator.evaluate(text_config(), {}, answer).fraction == 0


def test_ngram_author_mistakes_are_named():
    with pytest.raises(ExerciseConfigError, match="te kort"):
        TextGenerator.validate("x", {"text": "Te kort."})
    with pytest.raises(ExerciseConfigError, match="staat niet in de tekst"):
        text_config(start="de koe")
    with pytest.raises(ExerciseConfigError, match="haalt de opdracht niet"):
        TextGenerator.validate_key("x", text_config(min_words=9), {"answer": "De kat zit."})


def test_ngram_widget_writes_word_by_word():
    widget = TextGenerator(
        id="kat-zin", text=TEXT, order=1, start="de kat", answer="De kat zit op de mat."
    )
    widget.random.seed(3)  # the model's draws, the same every run
    widget.begin()
    widget.pick("koe")  # not offered: nothing happens
    widget.pick("zit")
    widget.finish()  # the model draws until the full stop
    answer = widget.get_answer()
    assert answer["words"][:3] == ["de", "kat", "zit"] and answer["words"][-1] == "."
    assert TextGenerator.evaluate(widget.config, widget._key, answer).fraction == 1
    widget.undo()
    assert widget.get_answer()["words"][-1] != "."


# -- bias from unbalanced data ---------------------------------------------------------------
def bias_config(**extra):
    requirements = extra.pop(
        "requirements", {"volwassenen": "minstens 90", "kinderen": "minstens 90"}
    )
    return BiasTrainer.validate("x", {"requirements": requirements, **extra})


def test_bias_skewed_data_fails_one_group():
    right = accuracy("spraak", {"volwassenen": 300, "kinderen": 0})
    assert right["volwassenen"] >= 195 and right["kinderen"] <= 130
    balanced = accuracy("spraak", {"volwassenen": 50, "kinderen": 50})
    assert min(balanced.values()) >= 180


def test_bias_scores_per_requirement_and_budget():
    config = bias_config(max_total=100)
    assert BiasTrainer.evaluate(config, {}, {"volwassenen": 50, "kinderen": 50}).fraction == 1
    skewed = BiasTrainer.evaluate(config, {}, {"volwassenen": 100, "kinderen": 0})
    assert skewed.fraction == 0.5
    assert "Kinderen: 83% juist" in skewed.messages[0]
    assert any("kinderen minstens 90%" in m and "nu 83%" in m for m in skewed.messages)
    over = BiasTrainer.evaluate(config, {}, {"volwassenen": 150, "kinderen": 150})
    assert over.fraction == 0.5 and "hoogstens 100" in over.messages[-1]


def test_bias_at_most_requirement():
    config = bias_config(requirements={"kinderen": "hoogstens 70"})
    assert BiasTrainer.evaluate(config, {}, {"volwassenen": 300, "kinderen": 0}).fraction == 1
    assert BiasTrainer.evaluate(config, {}, {"volwassenen": 300, "kinderen": 50}).fraction == 0


@pytest.mark.parametrize(
    "answer",
    [None, {"volwassenen": 10}, {"volwassenen": -1, "kinderen": 0},
     {"volwassenen": 0, "kinderen": 0}, {"volwassenen": "9", "kinderen": 1}],
)  # fmt: skip
def test_bias_tampered_or_empty_set_scores_nothing(answer):
    assert BiasTrainer.evaluate(bias_config(), {}, answer).fraction == 0


def test_bias_author_mistakes_are_named():
    with pytest.raises(ExerciseConfigError, match="begrijp ik niet"):
        bias_config(requirements={"kinderen": "veel"})
    with pytest.raises(ExerciseConfigError, match="ken ik niet"):
        bias_config(scenario="gezichten")
    with pytest.raises(ExerciseConfigError, match="haalt de eisen niet"):
        BiasTrainer.validate_key(
            "x", bias_config(), {"answer": {"volwassenen": 300, "kinderen": 0}}
        )


def test_bias_widget_trains_on_click_and_restores():
    widget = BiasTrainer(
        id="bias-klik",
        requirements={"kinderen": "minstens 90"},
        answer={"volwassenen": 50, "kinderen": 50},
    )
    assert widget.get_answer() is None
    widget.sliders["kinderen"].value = 60
    assert widget.get_answer() is None  # moving a slider is not training
    widget.train()
    assert widget.get_answer() == {"volwassenen": 0, "kinderen": 60}
    assert "rode ring" in widget.plot.value and "role='img'" in widget.plot.value
    assert widget.score() == 1


# -- the key stays on the server -------------------------------------------------------------
@pytest.mark.parametrize(
    "cls, kwargs, secrets",
    [
        (DigitRecognition, {"id": "cijfer", "answer": 7, "must_fail": False}, ()),
        (
            TextGenerator,
            {"id": "zin", "text": TEXT, "order": 1, "answer": "De kat speelt in de tuin."},
            ("De kat speelt in de tuin.",),
        ),
        (
            BiasTrainer,
            {
                "id": "bias",
                "requirements": {"kinderen": "minstens 90"},
                "answer": {"volwassenen": 40, "kinderen": 70},
            },
            (),
        ),
    ],
)
def test_ai_keys_stay_on_the_server(cls, kwargs, secrets):
    assert_key_only_on_server(cls, kwargs, secrets)
