"""The gallery module (``courses/galerij/galerij-oefentypes``) as test data: its exercises as
the author wrote them, as the learner gets them, and answers that are right, wrong or partly
right for each. Imported by the gallery tests; it holds no tests itself."""

import ast
import json

from leerpad.grading.cells import exercise_calls, split_keys

from leerpad.catalogue import Catalogue

MODULE = "galerij-oefentypes"
ORDER = [
    "Je hangt je jas aan de kapstok.",
    "Je zet je boekentas naast je bank.",
    "Je legt je agenda open op je bank.",
    "Je luistert naar het dagplan van de juf.",
]
MATCH = {
    "Computerklas": "programmeren met blokjes",
    "Bibliotheek": "boeken ontlenen",
    "Muzieklokaal": "samen zingen",
}
FRUIT, HOME = "Mag mee op fruitdag", "Blijft thuis"
SORT = {"Appel": FRUIT, "Mandarijn": FRUIT, "Chocoladereep": HOME, "Chips": HOME}
CODE_RIGHT = "def aanwezig(lijst):\n    return lijst.count(True)\n"


def scene(cube, arrow_turn):
    """The learner's 3D scene of galerij-ruimte (as the view sends it): the red cube at
    `cube`, the blue arrow turned `arrow_turn` degrees around y."""

    def thing(id, shape, position, scale, color, rotation=(0, 0, 0)):
        return {
            "id": id, "shape": shape, "name": id, "position": list(position),
            "rotation": list(rotation), "scale": list(scale), "color": color,
        }  # fmt: skip

    return {
        "objects": [
            thing("tafel", "balk", (2, 0.35, -1), (1.5, 0.7, 1), "#8b5a2b"),
            thing("bord", "balk", (0, 1.5, -3), (3, 1.2, 0.1), "#2a9d46"),
            thing("kubus", "kubus", cube, (0.5, 0.5, 0.5), "#d62828"),
            thing("pijl", "pijl", (0, 0.3, 1.5), (1, 1, 1), "#1d4ed8", (0, arrow_turn, 0)),
        ],
        "camera": {"position": [4, 3.5, 5.5], "target": [0, 0, 0]},
    }


# exercise id -> {outcome: (answer as the widget's set_answer takes it, expected fraction)}
ANSWERS = {
    "galerij-meerkeuze": {
        "right": ("Na het tweede lesuur, bij de bel van de speeltijd.", 1),
        "wrong": ("Wanneer iemand klaar is met zijn werk.", 0),
    },
    "galerij-meerdere": {
        "right": (["Zwembroek of badpak", "Handdoek", "Badmuts"], 1),
        "wrong": (["Voetbal"], 0),
        "partial": (["Zwembroek of badpak", "Handdoek"], 2 / 3),
    },
    "galerij-juistfout": {"right": ("Juist", 1), "wrong": ("Fout", 0)},
    "galerij-invullen": {
        "right": (["  Bordwisser ", "doekje"], 1),  # case and spacing do not count
        "wrong": (["krijt", "papier"], 0),
        "partial": (["Natte  spons", "papier"], 0.5),
    },
    "galerij-sleep": {
        "right": (["speeltijd", "turnzaal"], 1),
        "wrong": (["mediatheek", "speeltijd"], 0),
        "partial": (["speeltijd", "mediatheek"], 0.5),
    },
    "galerij-markeer": {  # word positions: "leest" is 2, "luisteren" is 9
        "right": ([2, 9], 1),
        "wrong": ([1, 4], 0),
        "partial": ([2], 0.5),
    },
    "galerij-volgorde": {
        "right": (ORDER, 1),
        "wrong": ([ORDER[1], ORDER[0], ORDER[3], ORDER[2]], 0),
        "partial": ([ORDER[1], ORDER[0], *ORDER[2:]], 0.5),
    },
    "galerij-koppelen": {
        "right": (MATCH, 1),
        "wrong": ({k: "boterhammen eten" for k in MATCH}, 0),
        "partial": ({**MATCH, "Bibliotheek": "samen zingen", "Muzieklokaal": None}, 1 / 3),
    },
    "galerij-sorteren": {
        "right": (SORT, 1),
        "wrong": ({k: HOME if v == FRUIT else FRUIT for k, v in SORT.items()}, 0),
        "partial": ({**SORT, "Chips": FRUIT}, 0.75),
    },
    "galerij-getal": {"right": ("13,76 euro", 1), "wrong": ("14", 0)},
    "galerij-hotspot": {"right": ("gele ruimte", 1), "wrong": ("rode ruimte", 0)},
    "galerij-video": {
        "right": (["Fout", "Drie keer"], 1),
        "wrong": (["Juist", "Eén keer"], 0),
        "partial": (["Fout", "Eén keer"], 0.5),
    },
    "galerij-reeks": {
        "right": (["50 minuten", "Fout", ["Ziektebriefje"]], 1),
        "wrong": (["30 minuten", "Juist", ["rapport"]], 0),
        "partial": (["50 minuten", "Juist", ["doktersattest"]], 2 / 3),
    },
    "galerij-scenario": {
        "right": (["begin", "bellen"], 1),
        "wrong": (["begin", "klas", "niets"], 0),
        "partial": (["begin", "klas", "afspraak"], 0.5),
    },
    "galerij-ruimte": {
        "right": (scene((2.1, 1.0, -0.95), 450), 1),  # within 0.2 m; 450° is 90°
        "wrong": (scene((-2, 0.25, 1), -90), 0),
        "partial": (scene((2, 0.25, -1), 95), 0.5),  # the cube sits inside the table
    },
    "galerij-panorama": {"right": ({"hotspot": "blusser"}, 1), "wrong": ({"hotspot": "deur"}, 0)},
    "galerij-code": {
        "right": (CODE_RIGHT, 1),
        "wrong": ("def aanwezig(lijst):\n    return -1\n", 0),
        "partial": ("def aanwezig(lijst):\n    return len(lijst)\n", 1 / 3),
    },
}


def module():
    return Catalogue().modules[MODULE]


def calls(nb) -> dict:
    """{exercise id: (class, keyword arguments)} for every exercise in the notebook."""
    found = {}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for call, cls in exercise_calls(cell.source):
            kwargs = {k.arg: ast.literal_eval(k.value) for k in call.keywords}
            found[kwargs["id"]] = (cls, kwargs)
    return found


def released(nb) -> tuple[dict, dict]:
    """What the learner's notebook declares and what goes to the server's key store:
    ({id: (class, public kwargs)}, {id: key}), both made by ``split_keys`` as at release."""
    public, keys = {}, {}
    for cell in nb.cells:
        if cell.cell_type == "code":
            source, found = split_keys(cell.source)
            keys.update(found)
            for call, cls in exercise_calls(source):
                kwargs = {k.arg: ast.literal_eval(k.value) for k in call.keywords}
                public[kwargs["id"]] = (cls, kwargs)
    return public, keys


def _leaves(value, parent=None):
    """(field name, scalar) for every scalar inside a key, with the field that holds it.
    Dict keys only name fields here; they are no secret on their own."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _leaves(v, k)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _leaves(v, parent)
    else:
        yield parent, value


def _forms(value) -> set[str]:
    """How Python source and JSON write a value."""
    return {repr(value), json.dumps(value), json.dumps(value, ensure_ascii=False)}


def secrets(key, public_source, min_length=5) -> set[str]:
    """The strings that would give away the key of one exercise if a learner could read them.

    Anything derived from the key that the learner's own notebook (``public_source``, made by
    ``split_keys``) does not show: text the learner never sees as it stands (feedback per
    option, accepted alternatives, solutions, hidden tests), numbers, each key value under its
    field name (``answer='gele ruimte'``: an option by itself is no secret, marking it as the
    answer is) and each key field as a whole (the right order, the pairs).
    """
    shown = set()  # (field, value) pairs the learner's notebook declares itself
    for call, _cls in exercise_calls(public_source):
        for keyword in call.keywords:
            shown.update(_leaves(ast.literal_eval(keyword.value), keyword.arg))
    found = set()
    for field, value in _leaves(key):
        if isinstance(value, str):
            found.add(value)
            found.update(line.strip() for line in value.splitlines())
        elif isinstance(value, int | float) and not isinstance(value, bool):
            found.update({f"{value:g}", f"{value:g}".replace(".", ",")})
        if field and (field, value) not in shown:
            for form in _forms(value):
                found.update({f"{field}={form}", f"'{field}': {form}", f'"{field}": {form}'})
    for name, value in key.items():
        found.update(f"{name}={form}" for form in _forms(value))
        if isinstance(value, list | dict) and len(value) > 1:
            found.update(_forms(value))
    return {s for s in found if len(s) >= min_length and s not in public_source}


def all_secrets(nb) -> dict[str, set[str]]:
    """{exercise id: its secret strings} for every exercise with a key in the notebook."""
    found = {}
    for cell in nb.cells:
        if cell.cell_type == "code":
            source, keys = split_keys(cell.source)
            found.update({eid: secrets(key, source) for eid, key in keys.items()})
    return found


def graded_ids(nb) -> list[str]:
    return [eid for eid, (cls, _) in calls(nb).items() if cls.graded and cls.key_fields]
