"""Issue 15: the two XR types beyond the gallery's table (tests/test_widgets_types.py).

``{ruimte}`` in the mode ``bouwen`` (conditions on shapes, colours, boxes and the camera),
tolerances and turns, answers of the wrong shape, the public scene that holds no key, the
exported WebXR page; ``{panorama}`` with a direction instead of hotspots; and the panorama
that ships with leerpad (drawn by widgets/panorama_image.py, under 500 kB).
"""

import copy
import json
import re

import pytest
from leerpad.widgets import ExerciseConfigError, Panorama360, Scene3D, xr_export
from leerpad.widgets.panorama import SHIPPED
from leerpad.widgets.panorama_image import LANDMARKS, draw
from test_widgets_support import fresh_session  # noqa: F401

CUBE = {"id": "kubus", "vorm": "kubus", "naam": "rode kubus", "positie": [0, 0.25, 0]}
BUILD = dict(
    id="xr-bouw",
    mode="bouwen",
    objects=[{"id": "muur", "vorm": "balk", "positie": [0, 1.5, -3], "schaal": [8, 3, 0.1]}],
    palette=["balk", "cilinder"],
    max_objects=4,
    answer=[
        {
            "vorm": "balk",
            "kleur": "bruin",
            "tussen": [[-2, 0, -3], [2, 1.5, 0]],
            "uitleg": "Tafel!",
        },
        {"vorm": "cilinder", "aantal": 2, "uitleg": "Twee stoelen."},
        {"camera": {"kijkt-naar": [0, 0.75, -1.5], "tolerantie": 20}, "uitleg": "Camera!"},
    ],
)


def added(id, shape, position, color="#1d4ed8"):
    return {
        "id": id, "shape": shape, "name": id, "position": position,
        "rotation": [0, 0, 0], "scale": [1, 1, 1], "color": color,
    }  # fmt: skip


def built(*objects, camera=((0, 2, 4), (0, 0.75, -1.5))):
    wall = added("muur", "balk", [0, 1.5, -3], "#9ca3af") | {"scale": [8, 3, 0.1]}
    return {
        "objects": [wall, *objects],
        "camera": {"position": list(camera[0]), "target": list(camera[1])},
    }


def test_building_is_graded_by_conditions():
    exercise = Scene3D(**BUILD)
    table = added("nieuw-1", "balk", [0, 0.4, -1.5], "#8b5a2b")
    chairs = [added(f"nieuw-{n}", "cilinder", [n - 3, 0.25, -0.5]) for n in (2, 3)]
    check = exercise.evaluate
    assert check(exercise.config, exercise._key, built(table, *chairs)).fraction == 1
    result = check(exercise.config, exercise._key, built(table, chairs[0]))
    assert result.fraction == pytest.approx(2 / 3) and result.messages == ["Twee stoelen."]
    # a brown beam outside the box, and a camera that looks away
    away = built(
        added("nieuw-1", "balk", [5, 0.4, 3], "#8b5a2b"), *chairs, camera=((0, 2, 4), (0, 2, 9))
    )
    result = check(exercise.config, exercise._key, away)
    assert result.fraction == pytest.approx(1 / 3)
    assert result.messages == ["Tafel!", "Camera!"]
    solution = exercise.solution_html(exercise.config, exercise._key)
    assert "Minstens 2 × cilinder" in solution and "kijkt naar (0; 0,75; -1,5)" in solution


def test_a_scene_with_more_objects_than_allowed_scores_nothing():
    exercise = Scene3D(**BUILD)
    many = [added(f"nieuw-{n}", "cilinder", [0, 0.5, 0]) for n in range(5)]
    result = exercise.evaluate(exercise.config, exercise._key, built(*many))
    assert result.fraction == 0 and "kan ik niet lezen" in result.messages[0]


@pytest.mark.parametrize(
    "answer",
    [
        "kubus",
        {"objects": "kubus"},
        {"objects": [{"shape": "draak"}]},
        {"objects": [added("a", "bol", [0, "1", 0])]},
        {"objects": [added("a", "bol", [0, 1, 0], color="</script>")]},
        {"objects": [added("a", "bol", [0, 1, 0]) | {"scale": [1, 0, 1]}]},
        {"objects": [], "camera": {"position": [0, 1], "target": [0, 0, 0]}},
    ],
)
def test_a_malformed_scene_scores_nothing_and_restores_as_empty(answer):
    exercise = Scene3D(**BUILD)
    result = exercise.evaluate(exercise.config, exercise._key, answer)
    assert result.fraction == 0
    exercise.restore({"answer": answer, "attempts": 1, "checked": True})
    assert exercise.get_answer() is None and exercise.score() == 0


def test_arranging_tolerances_turns_and_any_axis():
    exercise = Scene3D(
        id="xr-schik",
        objects=[{**CUBE, "aanpasbaar": True}],
        answer={
            "kubus": {"positie": [2, None, -1], "rotatie": [None, 90, None], "schaal": [1, 2, 1]}
        },
        tolerance={"positie": 0.3, "rotatie": 5, "schaal": 0.2},
    )
    state = exercise.start_state()

    def score(position, rotation, scale):
        cube = state["objects"][0] | {"position": position, "rotation": rotation, "scale": scale}
        return exercise.evaluate(exercise.config, exercise._key, {**state, "objects": [cube]})

    assert score([2.2, 9, -0.8], [45, -266, 0], [1.1, 1.9, 0.9]).fraction == 1  # -266° is 94°
    result = score([2.3, 0, -0.7], [0, 90, 0], [1, 2, 1])  # 0.42 m off
    assert result.fraction == pytest.approx(2 / 3)
    assert result.messages == ["rode kubus: de positie klopt nog niet."]


@pytest.mark.parametrize(
    "change, field",
    [
        ({"objects": []}, "objects"),
        ({"objects": [{**CUBE, "vorm": "draak"}]}, "objecten (object 1)"),
        ({"objects": [{**CUBE, "kleur": "mauve"}]}, "objecten (object 1), kleur"),
        ({"objects": [{**CUBE, "positie": [0, 1]}]}, "objecten (object 1), positie"),
        ({"objects": [CUBE]}, "objects"),  # nothing the learner may change
        ({"answer": {"kubus": {"rotatie": [0, 90, 0]}}}, "answer"),  # not aanpasbaar
        ({"answer": {"bol": {"positie": [0, 1, 0]}}}, "answer"),
        ({"tolerance": "ruim"}, "tolerance"),
        ({"feedback": {"bol": "Nee."}}, "feedback"),
        ({"mode": "spelen"}, "mode"),
        ({"camera": {"positie": [1, 2, 3], "hoek": 40}}, "camera"),
    ],
)
def test_a_malformed_scene_configuration_names_the_field(change, field):
    kwargs = dict(
        id="xr-fout",
        objects=[{**CUBE, "aanpasbaar": ["positie"]}],
        answer={"kubus": {"positie": [1, 0.25, 0]}},
    )
    with pytest.raises(ExerciseConfigError) as caught:
        Scene3D(**{**kwargs, **change})
    assert caught.value.field == field


def test_the_browser_gets_the_scene_but_no_key():
    exercise = Scene3D(
        id="xr-geheim",
        objects=[{**CUBE, "aanpasbaar": ["positie"]}],
        answer={"kubus": {"positie": [1.75, 0.25, -2.5]}},
        feedback={"kubus": "Een geheime uitleg."},
    )
    synced = json.dumps(exercise.view.get_state(), default=str)
    assert "1.75" not in synced and "-2.5" not in synced and "geheime" not in synced
    assert "rode kubus" in synced  # the scene itself is there
    labels = exercise.view.labels
    assert all(labels.values()) and labels["export"] == "Exporteer als WebXR-pagina"


def test_the_scene_in_words_follows_the_learner():
    exercise = Scene3D(id="xr-woorden", objects=[{**CUBE, "aanpasbaar": ["positie"]}], answer={
        "kubus": {"positie": [1, 0.25, 0]}
    })  # fmt: skip
    state = copy.deepcopy(exercise.view.state)
    state["objects"][0]["position"] = [1.5, 0.25, -2]
    exercise.view.state = state  # as the view sends it
    assert exercise.get_answer() == state
    assert "rode kubus (kubus) staat op (1,5; 0,25; -2)" in exercise.description.value
    assert "aria-live='polite'" in exercise.description.value


def test_the_webxr_page_holds_the_scene_and_three_but_nothing_else(fresh_session, monkeypatch):  # noqa: F811
    monkeypatch.setenv("LEERPAD_DATA", str(fresh_session / "data"))
    scene = built(added("nieuw-1", "bol", [0, 0.5, 0]))
    scene["objects"][1]["name"] = "</script><script>alert(1)</script>"
    page = xr_export.page(scene, "Mijn scène")
    data = re.search(r'<script id="xr-data" type="application/json">(.*?)</script>', page, re.S)
    assert page.count("</script>") == 2  # the data cannot close its element early
    loaded = json.loads(data.group(1))
    assert loaded["scene"] == scene
    assert set(loaded["files"]) == {p.name for p in xr_export.FILES}
    assert "https://" not in page.split('id="xr-data"')[0]  # no CDN
    token = xr_export.save(scene)
    assert xr_export.save(scene) == token and xr_export.load(token) == scene
    assert (fresh_session / "data" / "xr-export" / f"{token}.json").is_file()
    assert xr_export.load("../../etc/passwd") is None and xr_export.load("0" * 32) is None


def test_the_panorama_with_a_direction():
    exercise = Panorama360(id="xr-richting", answer={"yaw": 104, "pitch": -14}, tolerance=15)
    config, key = exercise.config, exercise._key
    assert exercise.evaluate(config, key, {"yaw": 110, "pitch": -5}).fraction == 1
    result = exercise.evaluate(config, key, {"yaw": -90, "pitch": 12})
    assert result.fraction == 0 and "naast" in result.messages[0]
    assert exercise.evaluate(config, key, {"yaw": "rechts"}).fraction == 0
    assert exercise.evaluate(config, key, ["blusser"]).fraction == 0
    assert "104° naar rechts, 14° omlaag" in exercise.solution_html(config, key)
    view = exercise.view.get_state()
    synced = json.dumps([{**view["scene"], "image": ""}, view["state"], view["labels"]])
    assert "104" not in synced and "14" not in synced


@pytest.mark.parametrize(
    "change, field",
    [
        ({"answer": "kast"}, "answer"),
        ({"hotspots": [{"id": "a", "yaw": 200}]}, "hotspots (hotspot 1)"),
        ({"hotspots": [{"id": "a", "yaw": 0}, {"id": "a", "yaw": 9}]}, "hotspots"),
        ({"image": "eigen-360.jpg"}, "alt"),
        ({"tolerance": 0}, "tolerance"),
        ({"feedback": {"kast": "Nee."}}, "feedback"),
    ],
)
def test_a_malformed_panorama_names_the_field(change, field):
    kwargs = dict(
        id="xr-pano", hotspots=[{"id": "a", "yaw": 0}, {"id": "b", "yaw": 90}], answer="a"
    )
    with pytest.raises(ExerciseConfigError) as caught:
        Panorama360(**{**kwargs, **change})
    assert caught.value.field == field


def test_the_shipped_panorama_is_small_and_shows_its_landmarks():
    path = SHIPPED["werkplaats"]
    assert path.stat().st_size <= 500 * 1024
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    image = draw()
    height, width, _ = image.shape
    assert width == 2 * height

    def pixel(name):
        spot = LANDMARKS[name]
        return tuple(
            image[int((0.5 - spot["pitch"] / 180) * height), int((0.5 + spot["yaw"] / 360) * width)]
        )

    assert pixel("brandblusser") == (205, 30, 35)  # red
    assert pixel("nooduitgang") == (0, 140, 70)  # green
    assert pixel("bord") == (34, 87, 60)
