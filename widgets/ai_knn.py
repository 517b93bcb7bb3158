"""Classifier playground: the learner places labelled points on a small grid and sees a
k-nearest-neighbours classifier colour every cell with the class it would get.

The author gives the grid, fixed example points and one or more new points (``★``) to
classify; the key is the class each new point must get. The learner may add at most
``max-punten`` points and, when allowed, change k. Scoring runs the same classifier on the
stored points: the share of new points that get their class, and nothing when the learner
placed too many points.
"""

import itertools

import ipywidgets as w
import numpy as np

from leerpad.i18n import phrases

from .base import Exercise, ExerciseConfigError, Result, escape, require
from .helpers import status_line

CLASSES = ("A", "B")
COLOURS = {"A": ("#fde2e1", "#b91c1c"), "B": ("#dbeafe", "#1d4ed8")}  # region, point
# a shape per class as well as a colour: an example (filled) or the learner's (hollow)
SYMBOLS = {"A": ("●", "○"), "B": ("▲", "△")}
say = phrases("knn")


def predict(points, cell, k):
    """(class, votes) for one cell: the k nearest points vote. Equal distances keep the
    order of `points` (examples first); an equal vote goes to the nearest point's class."""
    if not points:
        return None, {}
    xy = np.array([[p[0], p[1]] for p in points], dtype=float)
    distance = np.hypot(xy[:, 0] - cell[0], xy[:, 1] - cell[1])
    nearest = np.argsort(distance, kind="stable")[: max(1, min(k, len(points)))]
    labels = [points[i][2] for i in nearest]
    votes = {c: labels.count(c) for c in CLASSES}
    best = max(votes.values())
    winners = [c for c in CLASSES if votes[c] == best]
    return (winners[0] if len(winners) == 1 else labels[0]), votes


def example_answer(config, key) -> dict | None:
    """A right answer, found by trying k first and then the fewest points on the free cells
    nearest the new points (the grids of a lesson are small); None if there is none."""
    want = key["answer"]
    ks = range(1, 10) if config["choose_k"] else [config["k"]]
    taken = {tuple(p[:2]) for p in config["examples"]} | {tuple(q) for q in config["queries"]}
    free = [
        (x, y)
        for x in range(1, config["width"] + 1)
        for y in range(1, config["height"] + 1)
        if (x, y) not in taken
    ]
    free.sort(key=lambda c: min(np.hypot(c[0] - q[0], c[1] - q[1]) for q in config["queries"]))
    for n in range(config["max_points"] + 1):
        for cells in itertools.combinations(free[:12], n):
            for labels in itertools.product(CLASSES, repeat=n):
                mine = [[x, y, label] for (x, y), label in zip(cells, labels, strict=True)]
                for k in ks:
                    got = [predict(config["examples"] + mine, q, k)[0] for q in config["queries"]]
                    if got == want:
                        return {"points": mine, "k": k}
    return None


def _cell(exercise_id, field, value, config, label=False):
    size = 3 if label else 2
    if not isinstance(value, list) or len(value) != size:
        form = "[x, y, A]" if label else "[x, y]"
        raise ExerciseConfigError(exercise_id, field, f"{value!r} is geen punt {form}.")
    x, y = value[0], value[1]
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (x, y)):
        raise ExerciseConfigError(exercise_id, field, f"{value!r}: x en y zijn gehele getallen.")
    if not (1 <= x <= config["width"] and 1 <= y <= config["height"]):
        raise ExerciseConfigError(
            exercise_id,
            field,
            f"{value!r} ligt buiten het rooster.",
            f"x gaat van 1 tot {config['width']}, y van 1 tot {config['height']}.",
        )
    if label and value[2] not in CLASSES:
        raise ExerciseConfigError(exercise_id, field, f"{value!r}: de klasse is A of B.")
    return [x, y, value[2]] if label else [x, y]


class KnnPlayground(Exercise):
    """k-nearest neighbours on a grid: place points, watch the regions, reach the goal."""

    kind = "buren"
    fields = {
        "breedte": "width",
        "hoogte": "height",
        "voorbeelden": "examples",
        "nieuwe-punten": "queries",
        "max-punten": "max_points",
        "k-kiezen": "choose_k",
        "klassen": "names",
    }

    @classmethod
    def validate(cls, exercise_id, config):
        for name in ("width", "height"):
            value = config.get(name, 8)
            if not isinstance(value, int) or isinstance(value, bool) or not 3 <= value <= 12:
                raise ExerciseConfigError(exercise_id, name, "moet een getal van 3 tot 12 zijn.")
            config = {**config, name: value}
        points = [
            _cell(exercise_id, "examples", p, config, label=True)
            for p in require(exercise_id, config, "examples", list, "geef punten als [x, y, A].")
        ]
        queries = [
            _cell(exercise_id, "queries", q, config)
            for q in require(exercise_id, config, "queries", list, "geef punten als [x, y].")
        ]
        if not queries:
            raise ExerciseConfigError(exercise_id, "queries", "geef minstens één nieuw punt.")
        taken = [tuple(p[:2]) for p in points] + [tuple(q) for q in queries]
        if len(set(taken)) != len(taken):
            raise ExerciseConfigError(
                exercise_id, "examples", "twee punten liggen op hetzelfde vak."
            )
        k = config.get("k", 3)
        if not isinstance(k, int) or isinstance(k, bool) or not 1 <= k <= 9:
            raise ExerciseConfigError(exercise_id, "k", "moet een getal van 1 tot 9 zijn.")
        max_points = config.get("max_points", 3)
        if not isinstance(max_points, int) or isinstance(max_points, bool) or max_points < 0:
            raise ExerciseConfigError(exercise_id, "max_points", "moet 0 of meer zijn.")
        names = config.get("names", list(CLASSES))
        if not isinstance(names, list) or len(names) != 2 or len(set(map(str, names))) != 2:
            raise ExerciseConfigError(
                exercise_id, "names", "geef twee verschillende namen.", "bv. [kat, hond]."
            )
        return {
            **config,
            "examples": points,
            "queries": queries,
            "k": k,
            "max_points": max_points,
            "choose_k": bool(config.get("choose_k", False)),
            "names": [str(n) for n in names],
        }

    @classmethod
    def validate_key(cls, exercise_id, config, key):
        answer = key.get("answer")
        answer = [answer] if isinstance(answer, str) else answer
        if not isinstance(answer, list) or len(answer) != len(config["queries"]):
            raise ExerciseConfigError(
                exercise_id,
                "answer",
                f"geef één klasse per nieuw punt ({len(config['queries'])}).",
                "bv. [B] of [A, B].",
            )
        if set(answer) - set(CLASSES):
            raise ExerciseConfigError(exercise_id, "answer", "de klassen heten A en B.")
        if example_answer(config, {"answer": list(answer)}) is None:
            raise ExerciseConfigError(
                exercise_id,
                "answer",
                f"met hoogstens {config['max_points']} punten lukt deze opdracht niet.",
                "laat meer punten toe ('max-punten'), laat k kiezen ('k-kiezen: true') of "
                "verplaats de nieuwe punten.",
            )
        return {"answer": list(answer)}

    @classmethod
    def clean(cls, config, answer):
        """The learner's points and k from a stored answer; ValueError if it cannot be."""
        if not isinstance(answer, dict):
            raise ValueError("geen antwoord van de buren-oefening")
        taken = {tuple(p[:2]) for p in config["examples"]} | {tuple(q) for q in config["queries"]}
        mine = []
        for p in answer.get("points", []):
            x, y, label = p
            if label not in CLASSES or not isinstance(x, int) or not isinstance(y, int):
                raise ValueError(f"punt {p!r}")
            if not (1 <= x <= config["width"] and 1 <= y <= config["height"]):
                raise ValueError(f"punt {p!r} buiten het rooster")
            if (x, y) in taken:
                raise ValueError(f"punt {p!r} op een bezet vak")
            taken.add((x, y))
            mine.append([x, y, label])
        k = answer.get("k", config["k"]) if config["choose_k"] else config["k"]
        if not isinstance(k, int) or not 1 <= k <= 9:
            raise ValueError(f"k {k!r}")
        return mine, k

    @classmethod
    def evaluate(cls, config, key, answer):
        try:
            mine, k = cls.clean(config, answer)
        except (TypeError, ValueError):
            return Result(0.0, [say("bad")])
        if len(mine) > config["max_points"]:
            return Result(0.0, [say("too_many", n=len(mine), max=config["max_points"])])
        points, names = config["examples"] + mine, dict(zip(CLASSES, config["names"], strict=True))
        right, messages = 0, []
        for n, (query, want) in enumerate(zip(config["queries"], key["answer"], strict=True), 1):
            got, _ = predict(points, query, k)
            if got == want:
                right += 1
                messages.append(say("query_right", n=n, label=names[want]))
            else:
                messages.append(say("query_wrong", n=n, got=names[got], want=names[want], k=k))
        if k % 2 == 0:
            messages.append(say("tie"))
        return Result(right / len(config["queries"]), messages)

    @classmethod
    def solution_html(cls, config, key):
        names = dict(zip(CLASSES, config["names"], strict=True))
        lines = [say("solution", n=n, label=names[c]) for n, c in enumerate(key["answer"], 1)]
        example = example_answer(config, key)
        if example:
            points = ", ".join(
                say("solution_point", label=names[label], x=x, y=y)
                for x, y, label in example["points"]
            )
            lines.append(say("solution_how", k=example["k"], points=points or say("solution_none")))
        return " ".join(escape(line) for line in lines)

    # -- the widget ----------------------------------------------------------------
    def build_input(self):
        names = self.config["names"]
        self.mine: list[list] = []
        self.k = self.config["k"]
        self.touched = False
        self.brush = w.ToggleButtons(
            options=[
                (say("brush_a", a=names[0]), "A"),
                (say("brush_b", b=names[1]), "B"),
                (say("brush_erase"), None),
            ],
            value="A",
            description=say("brush"),
            style={"description_width": "initial", "button_width": "auto"},
        )
        self.k_picker = w.Dropdown(
            options=list(range(1, 10)),
            value=self.k,
            description=say("k"),
            disabled=not self.config["choose_k"],
            style={"description_width": "initial"},
            layout=w.Layout(width="14em"),
        )
        self.k_picker.observe(self._k_changed, "value")
        height, width = self.config["height"], self.config["width"]
        self.cells = {}
        rows = []
        for y in range(height, 0, -1):  # the top row is the highest y
            row = []
            for x in range(1, width + 1):
                button = w.Button(layout=w.Layout(width="2.6em", height="2.6em", padding="0"))
                button.on_click(lambda _, x=x, y=y: self.place(x, y))
                self.cells[(x, y)] = button
                row.append(button)
            rows.append(w.HBox(row))
        clear = w.Button(description=say("clear"), icon="eraser")
        clear.on_click(lambda _: self.clear())
        self.status = w.HTML()
        self.text_grid = w.HTML()
        self._paint()
        grid = w.VBox(rows)
        grid.add_class("leerpad-knn-grid")
        return w.VBox([self.brush, self.k_picker, grid, clear, self.status, self.text_grid])

    def place(self, x, y):
        """Put the chosen class on a free cell, or erase the learner's point there."""
        fixed = {tuple(p[:2]) for p in self.config["examples"]}
        fixed |= {tuple(q) for q in self.config["queries"]}
        if (x, y) in fixed:
            return
        self.mine = [p for p in self.mine if (p[0], p[1]) != (x, y)]
        if self.brush.value is not None:
            self.mine.append([x, y, self.brush.value])
        self.touched = True
        self._paint()
        self._save()

    def clear(self):
        self.mine = []
        self.touched = True
        self._paint()
        self._save()

    def _k_changed(self, change):
        self.k = change["new"]
        self.touched = True
        self._paint()
        self._save()

    def _paint(self):
        names = dict(zip(CLASSES, self.config["names"], strict=True))
        points = self.config["examples"] + self.mine
        fixed = {tuple(p[:2]): p[2] for p in self.config["examples"]}
        mine = {tuple(p[:2]): p[2] for p in self.mine}
        queries = {tuple(q): n for n, q in enumerate(self.config["queries"], 1)}
        count = dict.fromkeys(CLASSES, 0)
        lines = []
        for y in range(self.config["height"], 0, -1):
            line = []
            for x in range(1, self.config["width"] + 1):
                region, _ = predict(points, (x, y), self.k)
                count[region] += 1
                button = self.cells[(x, y)]
                if (x, y) in queries:
                    text, what = f"★{queries[(x, y)]}", say("query", n=queries[(x, y)])
                elif (x, y) in fixed:
                    label = fixed[(x, y)]
                    text, what = SYMBOLS[label][0], say("fixed", label=names[label])
                elif (x, y) in mine:
                    label = mine[(x, y)]
                    text, what = SYMBOLS[label][1], say("mine", label=names[label])
                else:
                    text, what = "", say("empty")
                button.description = text
                button.tooltip = say("cell", x=x, y=y, what=what, region=names[region])
                button.style.button_color = COLOURS[region][0]
                button.style.text_color = COLOURS[region][1]
                button.style.font_weight = "bold" if (x, y) in fixed else "normal"
                line.append(text or region.lower())
            lines.append(say("row", y=y, cells=" ".join(line)))
        summary = [
            say("legend", la=names["A"], lb=names["B"]),
            say("counted", n=len(self.mine), max=self.config["max_points"], k=self.k),
            say("regions", la=names["A"], a=count["A"], lb=names["B"], b=count["B"]),
        ]
        for n, query in enumerate(self.config["queries"], 1):
            label, votes = predict(points, query, self.k)
            tally = say("votes", a=votes["A"], la=names["A"], b=votes["B"], lb=names["B"])
            summary.append(
                say(
                    "query_now",
                    n=n,
                    x=query[0],
                    y=query[1],
                    label=names[label],
                    k=self.k,
                    votes=tally,
                )
            )
        self.status.value = "".join(status_line(s) for s in summary)
        self.text_grid.value = (
            f"<details><summary>{escape(say('rows_title'))}</summary><pre>"
            + escape("\n".join(lines))
            + "</pre></details>"
        )

    def get_answer(self):
        if not self.touched:
            return None
        return {"points": [list(p) for p in self.mine], "k": self.k}

    def set_answer(self, answer):
        if answer is None:
            self.mine, self.k, self.touched = [], self.config["k"], False
        else:
            self.mine, self.k = self.clean(self.config, answer)
            self.touched = True
        self.k_picker.unobserve(self._k_changed, "value")
        self.k_picker.value = self.k
        self.k_picker.observe(self._k_changed, "value")
        self._paint()
