import base64

import ipywidgets as w
import pytest
from leerpad.widgets import (
    ExerciseConfigError,
    FindTheHotspot,
    Flashcards,
    ImageHotspots,
    InteractiveVideo,
)
from test_widgets_support import assert_key_only_on_server, fresh_session  # noqa: F401

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 16
HOTSPOT = {
    "id": "hotspot-hart",
    "question": "Waar zit het hart?",
    "image": "lichaam.png",
    "alt": "Schets van een bovenlichaam met longen en hart.",
    "regions": {"linkerlong": [10, 20, 30, 40], "hart": [45, 40, 10, 10], "maag": [40, 70, 20, 15]},
    "answer": "hart",
}
VIDEO = {
    "id": "video-lus",
    "src": "lus.mp4",
    "transcript": "We herhalen een stap.",
    "questions": [
        {"type": "TrueFalse", "at": 30, "question": "Een lus herhaalt.", "answer": True},
        {"type": "FillInTheBlanks", "at": 90, "text": "Een ___ herhaalt.", "answer": ["lus"]},
    ],
}


@pytest.fixture
def files(tmp_path):
    (tmp_path / "lichaam.png").write_bytes(PNG)
    (tmp_path / "lus.mp4").write_bytes(b"\0\0\0\x18ftypmp42")
    return tmp_path


def images(widget):
    found = [widget] if isinstance(widget, w.Image | w.Video) else []
    for child in getattr(widget, "children", ()):
        found += images(child)
    return found


# -- FindTheHotspot ----------------------------------------------------------------------
def test_hotspot_image_bytes_alt_and_region_buttons(files):
    exercise = FindTheHotspot(**HOTSPOT)
    image = exercise.input.children[0].children[0]
    assert base64.b64encode(PNG).decode() in image.value  # the bytes travel with the widget
    assert f"alt='{HOTSPOT['alt']}'" in image.value  # a real alt attribute for screen readers
    assert "Afbeelding: Schets" in exercise.input.children[0].children[1].value
    assert exercise.choice.options == ("linkerlong", "hart", "maag")
    assert exercise.choice.tooltips[1] == "Kies het gebied 'hart'"


def test_hotspot_right_wrong_empty_round_trip(files):
    exercise = FindTheHotspot(**HOTSPOT)
    assert exercise.get_answer() is None
    assert exercise.result().empty
    exercise.choice.value = "hart"
    assert exercise.result().fraction == 1
    exercise.set_answer("maag")
    assert exercise.get_answer() == "maag"
    assert exercise.result().fraction == 0
    assert FindTheHotspot(**HOTSPOT).get_answer() == "maag"


def test_hotspot_missing_file_is_said_not_crashed():
    exercise = FindTheHotspot(**HOTSPOT)
    assert "niet gevonden" in exercise.input.children[0].value


@pytest.mark.parametrize(
    "change, field",
    [
        ({"alt": ""}, "alt"),
        ({"alt": None}, "alt"),
        ({"image": 3}, "image"),
        ({"regions": {"hart": [1, 2, 3]}}, "regions"),
        ({"regions": {"hart": [1, 2, 3, 4]}}, "regions"),
        ({"answer": "nier"}, "answer"),
    ],
)
def test_hotspot_malformed(files, change, field):
    with pytest.raises(ExerciseConfigError) as err:
        FindTheHotspot(**{**HOTSPOT, **change})
    assert (err.value.exercise_id, err.value.field) == (HOTSPOT["id"], field)


def test_hotspot_alt_is_required(files):
    kwargs = {k: v for k, v in HOTSPOT.items() if k != "alt"}
    with pytest.raises(ExerciseConfigError) as err:
        FindTheHotspot(**kwargs)
    assert (err.value.exercise_id, err.value.field) == (HOTSPOT["id"], "alt")


def test_hotspot_key_stays_on_server(files):
    source = assert_key_only_on_server(FindTheHotspot, HOTSPOT, ['"hart"' + "]"])
    assert "answer=" not in source and "regions=" in source


# -- ImageHotspots -----------------------------------------------------------------------
def test_image_hotspots_show_their_text(files):
    exercise = ImageHotspots(
        id="verken-lichaam",
        image="lichaam.png",
        alt="Bovenlichaam",
        hotspots={"Hart": "Pompt het bloed rond.", "Long": "Neemt zuurstof op."},
    )
    assert not exercise.graded and exercise.points == 0
    buttons = exercise.input.children[1].children
    assert [b.description for b in buttons] == ["Hart", "Long"]
    buttons[1].click()
    assert "Neemt zuurstof op." in exercise.info.value
    assert exercise.get_answer() is None and exercise.result() is None


def test_image_hotspots_malformed(files):
    with pytest.raises(ExerciseConfigError) as err:
        ImageHotspots(id="verken-leeg", image="lichaam.png", alt="x", hotspots={})
    assert (err.value.exercise_id, err.value.field) == ("verken-leeg", "hotspots")


# -- Flashcards --------------------------------------------------------------------------
def test_flashcards_flip_next_previous_and_count(files):
    cards = Flashcards(
        id="kaarten-begrippen", cards=[["lus", "herhaling"], {"front": "als", "back": "keuze"}]
    )
    assert "lus" in cards.card.value and "Kaart 1 van 2" in cards.position.value
    assert cards.buttons["known"].disabled
    cards.buttons["flip"].click()
    assert "herhaling" in cards.card.value
    cards.buttons["known"].click()  # goes on to the next card
    assert "als" in cards.card.value and "Gekend: 1 van 2" in cards.position.value
    cards.buttons["previous"].click()
    assert "Kaart 1 van 2" in cards.position.value
    answer = cards.get_answer()
    assert answer == {"index": 0, "known": [0], "unknown": []}
    again = Flashcards(id="kaarten-begrippen", cards=[["lus", "herhaling"], ["als", "keuze"]])
    assert again.get_answer() == answer


def test_flashcards_malformed():
    with pytest.raises(ExerciseConfigError) as err:
        Flashcards(id="kaarten-fout", cards=[["alleen voorkant"]])
    assert (err.value.exercise_id, err.value.field) == ("kaarten-fout", "cards")


# -- InteractiveVideo --------------------------------------------------------------------
def test_video_lists_questions_at_their_time(files):
    exercise = InteractiveVideo(**VIDEO)
    (video,) = images(exercise)
    assert video.format == "mp4" and not video.autoplay
    headings = [c.value for c in exercise.input.children if isinstance(c, w.HTML)]
    assert "<h4>Bij 0:30</h4>" in headings and "<h4>Bij 1:30</h4>" in headings


def test_video_right_wrong_partial_empty(files):
    exercise = InteractiveVideo(**VIDEO)
    assert exercise.get_answer() is None
    assert exercise.result().empty
    exercise.set_answer(["Juist", ["lus"]])
    assert exercise.result().fraction == 1
    exercise.set_answer(["Fout", ["tak"]])
    assert exercise.result().fraction == 0
    exercise.set_answer(["Juist", None])
    assert exercise.result().fraction == 0.5
    assert exercise.get_answer() == ["Juist", None]


@pytest.mark.parametrize(
    "change, field",
    [
        ({"src": ""}, "src"),
        ({"questions": [{**VIDEO["questions"][0], "at": "0:30"}]}, "questions"),
        ({"questions": list(reversed(VIDEO["questions"]))}, "questions"),
    ],
)
def test_video_malformed(files, change, field):
    with pytest.raises(ExerciseConfigError) as err:
        InteractiveVideo(**{**VIDEO, **change})
    assert (err.value.exercise_id, err.value.field) == (VIDEO["id"], field)


def test_video_key_stays_on_server(files):
    source = assert_key_only_on_server(InteractiveVideo, VIDEO, ['"lus"]', "True"])
    assert "parts=" in source and "'at': 90" in source
