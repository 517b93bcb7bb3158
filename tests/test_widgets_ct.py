"""The computational-thinking interactives: grid robot, pixel editor, step counter, Bebras."""

import pytest
from leerpad.widgets import (
    BebrasTask,
    ExerciseConfigError,
    GridRobot,
    PixelEditor,
    StepCounter,
)
from leerpad.widgets.robot import block_span, flatten, unflatten
from test_widgets_support import assert_key_only_on_server, fresh_session  # noqa: F401

# -- GridRobot -------------------------------------------------------------------------
# A1 bottom left; the robot looks up; a wall on B2; the goal on C3.
ROBOT = {
    "id": "robot-rond-muur",
    "grid": [". . D", ". # .", "^ . ."],
    "max_blocks": 5,
    "answer": [{"herhaal": 2, "doe": ["vooruit"]}, "rechts", {"herhaal": 2, "doe": ["vooruit"]}],
}
LONG = ["vooruit", "vooruit", "rechts", "links", "rechts", "vooruit", "vooruit"]  # 7 blocks


def test_robot_right_partial_wrong_empty():
    robot = GridRobot(**ROBOT)
    robot.set_answer(ROBOT["answer"])
    result = robot.result()
    assert result.fraction == 1
    assert result.messages == ["De robot bereikt het doel na 5 stap(pen), met 5 blok(ken)."]
    robot.set_answer(LONG)  # reaches the goal with too many blocks
    result = robot.result()
    assert result.fraction == 0.5 and "hoogstens 5" in result.messages[1]
    robot.set_answer(["rechts", "vooruit", "links", "vooruit"])  # into the wall on B2
    result = robot.result()
    assert result.fraction == 0 and result.messages == [
        "Botsing! De robot rijdt op B1 tegen een muur of de rand."
    ]
    robot.set_answer(["vooruit"])
    assert "staat op A2, niet op het doel (C3)" in robot.result().messages[0]
    robot.set_answer(None)
    assert robot.get_answer() is None and robot.result().empty


def test_robot_if_wall_and_step_limit():
    # Follow the wall: a program with a choice solves it, within the step limit.
    program = [
        {"herhaal": 6, "doe": [{"als-muur": ["rechts"], "anders": ["vooruit"]}]},
    ]
    config = {**ROBOT, "max_blocks": None, "max_steps": 6, "answer": program}
    robot = GridRobot(**config)
    robot.set_answer(program)
    assert robot.result().fraction == 1  # up, up, turn, right, right: goal in 5 steps
    tight = GridRobot.validate("robot-krap", {"grid": ROBOT["grid"], "max_steps": 4})
    assert GridRobot.evaluate(tight, {}, program).messages == [
        "De robot stopt na 4 stappen zonder het doel te bereiken."
    ]


def test_robot_items_must_be_picked_up():
    config = {"id": "robot-bal", "grid": ["* D", "^ ."], "answer": ["vooruit", "rechts", "vooruit"]}
    robot = GridRobot(**config)
    robot.set_answer(["rechts", "vooruit", "links", "vooruit"])  # to the goal, ball left
    assert robot.result().fraction == 0
    assert "nog niet alles op" in robot.result().messages[0]


def test_robot_editor_builds_nested_program_with_buttons():
    robot = GridRobot(**ROBOT)
    robot.times.value = 2
    buttons = robot.input.children[1].children[0].children
    palette = {b.description: b for b in buttons if hasattr(b, "click")}
    palette["Herhaal 2 keer"].click()  # the repeat line is selected: next blocks go inside
    palette["Vooruit"].click()
    robot.program.value = 3  # the line "einde": next blocks go after the loop
    palette["Draai rechts"].click()
    palette["Herhaal 2 keer"].click()
    palette["Vooruit"].click()
    assert robot.get_answer() == ROBOT["answer"]
    labels = [label for label, _ in robot.program.options]
    assert labels[1:3] == ["1. herhaal 2 keer:", "2. \u00a0\u00a0\u00a0\u00a0vooruit"]
    robot.run_all()
    assert "De robot bereikt het doel na 5 stap(pen)" in robot.status.value
    robot.step()  # stepping starts over from the start
    assert "Stap 0" in robot.status.value
    robot.step()
    assert "Stap 1: de robot staat op A2" in robot.status.value
    assert "aria-label=" in robot.grid.value and "Muren op B2" in robot.grid.value
    robot.check()
    assert "Juist!" in robot.feedback.value
    again = GridRobot(**ROBOT)  # same id: the program comes back
    assert again.get_answer() == ROBOT["answer"]
    robot.program.value = 1
    robot.delete()  # deleting a loop header removes the whole loop
    assert robot.get_answer() == ROBOT["answer"][1:]


def test_robot_start_program_to_debug():
    robot = GridRobot(**{**ROBOT, "id": "robot-debug", "start": ["vooruit", "links", "vooruit"]})
    assert robot.get_answer() == ["vooruit", "links", "vooruit"]  # the bug: into the edge
    assert "Botsing! De robot rijdt op A2" in robot.result().messages[0]
    robot.program.value = 2
    robot.delete()
    palette = {b.description: b for b in robot.input.children[1].children[0].children}
    palette["Draai rechts"].click()
    robot.program.value = 3  # after the last line
    palette["Vooruit"].click()
    robot.program.value = 1  # after the first line
    palette["Vooruit"].click()
    assert robot.get_answer() == ["vooruit", "vooruit", "rechts", "vooruit", "vooruit"]
    assert robot.result().fraction == 1
    robot.retry()  # back to the author's start program
    assert robot.get_answer() == ["vooruit", "links", "vooruit"]


def test_robot_block_span_and_round_trip():
    program = [{"als-muur": ["rechts", {"herhaal": 2, "doe": ["vooruit"]}], "anders": ["links"]}]
    lines = flatten(program)
    assert unflatten(lines) == program
    assert [line[0] for line in lines] == [
        "als-muur", "rechts", "herhaal", "vooruit", "einde", "anders", "links", "einde",
    ]  # fmt: skip
    assert block_span(lines, 5) == (0, 8)  # "anders" belongs to the outer choice
    assert block_span(lines, 4) == (2, 5)  # the inner "einde"
    assert block_span(lines, 1) == (1, 2)


@pytest.mark.parametrize(
    "change, field",
    [
        ({"grid": ". . D"}, "grid"),
        ({"grid": [". D", "^ . ."]}, "grid"),
        ({"grid": ["^ x D"]}, "grid"),
        ({"grid": ["^ . ."]}, "grid"),
        ({"blocks": ["vooruit", "springen"]}, "blocks"),
        ({"max_blocks": 0}, "max_blocks"),
        ({"start": ["springen"]}, "start"),
        ({"answer": ["vooruit"]}, "answer"),  # does not reach the goal
        ({"answer": [{"herhaal": 99, "doe": []}]}, "answer"),
        ({"answer": LONG}, "answer"),  # too many blocks for the model solution
    ],
)
def test_robot_malformed(change, field):
    with pytest.raises(ExerciseConfigError) as err:
        GridRobot(**{**ROBOT, **change})
    assert (err.value.exercise_id, err.value.field) == (ROBOT["id"], field)


def test_robot_answer_with_a_forbidden_block_scores_nothing():
    robot = GridRobot(**{**ROBOT, "blocks": ["vooruit", "rechts", "herhaal"]})
    assert robot.evaluate(robot.config, robot._key, ["links"]).fraction == 0
    assert robot.evaluate(robot.config, robot._key, "vooruit").fraction == 0


def test_robot_key_stays_on_server():
    source = assert_key_only_on_server(GridRobot, ROBOT)
    assert "herhaal" not in source


# -- PixelEditor -----------------------------------------------------------------------
PIXELS = {"id": "pixels-hart", "answer": ["0110", "1111", "0110"], "code": ["0110", "1111", "0110"]}


def test_pixels_right_partial_wrong_empty():
    editor = PixelEditor(**PIXELS)
    assert (editor.config["width"], editor.config["height"]) == (4, 3)
    assert editor.get_answer() is None and editor.result().empty
    editor.set_answer(["0110", "1111", "0110"])
    assert editor.result().fraction == 1
    editor.set_answer(["0110", "1001", "0110"])
    result = editor.result()
    assert result.fraction == pytest.approx(2 / 3) and result.messages == ["Rij 2 klopt nog niet."]
    editor.set_answer(["1001", "0000", "1001"])
    assert editor.result().fraction == 0
    assert editor.evaluate(editor.config, editor._key, ["01"]).fraction == 0


def test_pixels_clicks_show_the_code_per_row_and_restore():
    editor = PixelEditor(**{**PIXELS, "code": None, "encoding": "lengtes"})
    for col in (1, 2):
        editor.toggle(0, col)
    assert editor.get_answer() == ["0110", "0000", "0000"]
    assert "Rij 1: 1,2,1" in editor.codes[0].value and "Rij 2: 4" in editor.codes[1].value
    assert editor.buttons[0][1].description == "1"
    assert editor.buttons[0][1].tooltip == "Pixel rij 1, kolom 2: zwart"
    assert PixelEditor(**{**PIXELS, "code": None}).get_answer() == ["0110", "0000", "0000"]


@pytest.mark.parametrize(
    "change, field",
    [
        ({"answer": [110, 1111]}, "answer"),
        ({"answer": ["012", "111"]}, "answer"),
        ({"answer": ["01", "111"]}, "answer"),
        ({"code": ["0110", "1110", "0110"]}, "code"),
        ({"code": ["0110"]}, "code"),
        ({"encoding": "hex"}, "encoding"),
        ({"width": 5}, "answer"),
    ],
)
def test_pixels_malformed(change, field):
    with pytest.raises(ExerciseConfigError) as err:
        PixelEditor(**{**PIXELS, **change})
    assert (err.value.exercise_id, err.value.field) == (PIXELS["id"], field)


def test_pixels_key_stays_on_server():
    source = assert_key_only_on_server(PixelEditor, {**PIXELS, "code": None}, ["1111"])
    assert "width=4" in source and "height=3" in source


# -- StepCounter -----------------------------------------------------------------------
SEARCH = {
    "id": "zoek-42",
    "mode": "zoeken",
    "target": 42,
    "max_steps": 3,
    "answer": [3, 8, 15, 23, 42, 57, 71],
}
SORT = {"id": "sorteer-gewichten", "mode": "sorteren", "max_steps": 3, "answer": [30, 10, 20]}


def test_search_right_partial_wrong_empty():
    counter = StepCounter(**SEARCH)
    assert counter.get_answer() is None and counter.result().empty
    counter.open_card(3)  # 23: too small
    assert "Kaart D: 23. Dat is kleiner dan 42." in counter.news.value
    counter.open_card(3)  # the same card again is not a step
    counter.open_card(4)
    assert "Gevonden" in counter.news.value and "Stappen: 2 (hoogstens 3)" in counter.counter.value
    assert counter.result().fraction == 1
    counter.set_answer([["open", i] for i in range(5)])  # linear search: 5 steps
    result = counter.result()
    assert result.fraction == 0.5 and result.messages[0] == "Gevonden in 5 stap(pen)."
    counter.set_answer([["open", 0], ["open", 6]])
    assert counter.result().fraction == 0
    assert counter.result().messages == ["Je hebt 42 nog niet gevonden."]


def test_sort_on_a_balance_right_partial_wrong():
    counter = StepCounter(**SORT)
    counter.cards[0].value = counter.cards[1].value = True
    assert counter.cards[0].icon == "check"  # chosen: a check mark, not only a colour
    counter.compare()
    assert "Kaart A is zwaarder dan kaart B." in counter.news.value
    counter.swap()  # B A C
    counter.cards[1].value = counter.cards[2].value = True
    counter.compare()
    counter.swap()  # B C A
    assert [c.description for c in counter.cards] == ["B", "C", "A"]
    assert counter.result().fraction == 1
    assert counter.get_answer() == [
        ["vergelijk", 0, 1], ["wissel", 0, 1], ["vergelijk", 1, 2], ["wissel", 1, 2]
    ]  # fmt: skip
    many = [["vergelijk", 0, 1]] * 4 + counter.get_answer()
    assert counter.evaluate(counter.config, counter._key, many).fraction == 0.5
    assert counter.evaluate(counter.config, counter._key, [["wissel", 0, 2]]).fraction == 0
    assert counter.evaluate(counter.config, counter._key, [["spring", 9]]).fraction == 0
    counter.cards[0].value = True
    counter.compare()
    assert "Kies eerst twee kaarten." in counter.news.value


def test_step_counter_restores_and_needs_the_key_to_play():
    counter = StepCounter(**SEARCH)
    counter.open_card(4)
    assert StepCounter(**SEARCH).get_answer() == [["open", 4]]
    learner = StepCounter(id="zoek-zonder-sleutel", mode="zoeken", target=42, max_steps=3, size=7)
    learner.open_card(1)
    assert learner.get_answer() is None
    assert "in de app" in learner.news.value


@pytest.mark.parametrize(
    "base, change, field",
    [
        (SEARCH, {"mode": "raden"}, "mode"),
        (SEARCH, {"target": None}, "target"),
        (SEARCH, {"max_steps": 0}, "max_steps"),
        (SEARCH, {"answer": [1, 2, 3]}, "answer"),  # 42 is not on a card
        (SEARCH, {"answer": ["a", "b"]}, "answer"),
        (SORT, {"answer": [10, 20, 30]}, "answer"),  # already sorted
        (SORT, {"answer": [10, 10, 30]}, "answer"),
        (SORT, {"answer": [1]}, "size"),
    ],
)
def test_step_counter_malformed(base, change, field):
    with pytest.raises(ExerciseConfigError) as err:
        StepCounter(**{**base, **change})
    assert (err.value.exercise_id, err.value.field) == (base["id"], field)


def test_step_counter_key_stays_on_server():
    source = assert_key_only_on_server(StepCounter, SEARCH, ["57"])
    assert "size=7" in source


# -- BebrasTask ------------------------------------------------------------------------
BEBRAS = {
    "id": "bebras-bevers",
    "story": "Vier bevers staan in een rij voor de dam.",
    "source": "Bebras 2021, taak 2021-BE-04",
    "type": "meerkeuze",
    "question": "Welke bever staat vooraan?",
    "options": ["Anna", "Bert", "Chris"],
    "answer": "Bert",
    "feedback": {"Anna": "Anna staat achteraan."},
    "explanation": "Bert staat vooraan: de rij begint bij de dam.",
    "informatics": "Een wachtrij: wie eerst komt, is eerst aan de beurt.",
    "age": "10-12 jaar",
    "difficulty": "gemiddeld",
}


def test_bebras_scores_like_its_question_type():
    task = BebrasTask(**BEBRAS)
    assert task.get_answer() is None and task.result().empty
    task.set_answer("Bert")
    assert task.result().fraction == 1
    task.set_answer("Anna")
    assert task.result().fraction == 0 and task.result().messages == ["Anna staat achteraan."]
    text = task.input.children[-1].value
    assert "Bebras 2021, taak 2021-BE-04" in text and "CC BY-NC-SA 4.0" in text


def test_bebras_with_fill_in_gives_partial_credit():
    task = BebrasTask(
        id="bebras-invullen",
        story="Twee bevers.",
        source="Bebras 2020",
        type="invullen",
        text="Eerst ___, dan ___.",
        answer=["Anna", "Bert"],
        explanation="Anna komt eerst.",
        informatics="Volgorde.",
        age="8-10 jaar",
        difficulty="makkelijk",
    )
    task.set_answer(["Anna", "Chris"])
    assert task.result().fraction == 0.5


@pytest.mark.parametrize(
    "change, field",
    [
        ({"source": ""}, "source"),
        ({"licence": "CC BY 4.0"}, "licence"),
        ({"type": "volgorde"}, "type"),  # shuffled items cannot live inside a Bebras task
        ({"type": "open-vraag"}, "type"),
        ({"story": None}, "story"),
        ({"options": ["Anna"]}, "options"),
        ({"answer": "Dirk"}, "answer"),
        ({"src": "bevers.png"}, "alt"),
    ],
)
def test_bebras_malformed(change, field):
    with pytest.raises(ExerciseConfigError) as err:
        BebrasTask(**{**BEBRAS, **change})
    assert (err.value.exercise_id, err.value.field) == (BEBRAS["id"], field)


def test_bebras_key_stays_on_server():
    source = assert_key_only_on_server(
        BebrasTask, BEBRAS, ["achteraan", "de rij begint bij de dam", "wachtrij"]
    )
    assert "options=" in source and "source=" in source


# -- authoring: the Dutch field names, and errors that name the line -------------------
MARKDOWN = """# Proef

```{robot} proef-robot
rooster: ["^ D"]
blokken: [vooruit, rechts]
startprogramma: [rechts]
max-blokken: 2
antwoord: [rechts, vooruit]
```

```{pixels} proef-pixels
codering: lengtes
code: ["1,1"]
antwoord: ["01"]
```

```{stappenteller} proef-zoek
modus: zoeken
zoek: 5
max-stappen: 2
antwoord: [1, 5, 9]
```

```{bebras} proef-bebras
verhaal: Een bever.
bron: Bebras 2020
leeftijd: "8-10 jaar"
moeilijkheid: makkelijk
soort: juist-fout
vraag: Bevers bouwen dammen.
antwoord: true
uitleg: Bevers bouwen dammen van takken en modder.
informatica: Een bewering is juist of fout, zoals een bit 1 of 0 is.
```
"""


def test_authoring_dutch_fields_compile_to_the_new_types():
    from leerpad.authoring import compile_markdown

    nb = compile_markdown(MARKDOWN, "proef/module.md")
    source = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    for expected in (
        "grid=['^ D']",
        "start=['rechts']",
        "max_blocks=2",
        "encoding='lengtes'",
        "mode='zoeken'",
        "target=5",
        "max_steps=2",
        "story='Een bever.'",
        "source='Bebras 2020'",
        "type='juist-fout'",
    ):
        assert expected in source
    for exercise_id in ("proef-robot", "proef-pixels", "proef-zoek", "proef-bebras"):
        assert f"score({exercise_id!r})" in source


def test_authoring_error_names_file_line_exercise_and_field():
    from leerpad.authoring import AuthoringError, compile_markdown

    wrong = MARKDOWN.replace("antwoord: [rechts, vooruit]", "antwoord: [vooruit]")
    with pytest.raises(AuthoringError) as err:
        compile_markdown(wrong, "proef/module.md")
    assert err.value.line == 3
    # the field as the author wrote it in the block (authoring maps it back to Dutch)
    assert "oefening 'proef-robot', veld 'antwoord'" in str(err.value)
    assert "proef/module.md:3" in str(err.value)
