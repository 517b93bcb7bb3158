"""Overfitting explorer: a decision tree learns two classes of points in the kernel; a slider
sets its complexity (the depth) and a plot shows how right it is on the training data it saw
and on test data it never saw.

The data follow from a few numbers the author gives (how many points, how much noise, a
seed, the shape of the border), so the kernel and the grader make the same points, the same
split and the same trees. The key is the depth (or depths) to choose; ``beste-test`` means
the depth with the best score on the test data and ``eerste-100`` the smallest depth that is
100% right on the training data.
"""

import functools

import ipywidgets as w
import numpy as np

from leerpad.i18n import phrases

from .base import Exercise, ExerciseConfigError, Result, escape
from .helpers import status_line

SHAPES = ("cirkel", "lijn")
SYMBOLIC = ("beste-test", "eerste-100")
say = phrases("overfit")


@functools.lru_cache(maxsize=32)
def dataset(n, noise, seed, test_share, shape):
    """(points, labels, is_test): the same for the same numbers, in the kernel and the grader."""
    rng = np.random.default_rng(seed)
    points = rng.uniform(0, 10, size=(n, 2)).round(1)
    if shape == "cirkel":
        labels = ((points[:, 0] - 5) ** 2 + (points[:, 1] - 5) ** 2 < 3.2**2).astype(int)
    else:
        labels = (points[:, 1] > 0.8 * points[:, 0] + 1).astype(int)
    flip = rng.random(n) < noise
    labels = np.where(flip, 1 - labels, labels)
    is_test = np.zeros(n, dtype=bool)
    is_test[rng.permutation(n)[: round(n * test_share)]] = True
    return points, labels, is_test


@functools.lru_cache(maxsize=256)
def _model(n, noise, seed, test_share, shape, depth):
    from sklearn.tree import DecisionTreeClassifier

    points, labels, is_test = dataset(n, noise, seed, test_share, shape)
    model = DecisionTreeClassifier(max_depth=depth, random_state=0)
    return model.fit(points[~is_test], labels[~is_test])


def _data_key(config):
    return (config["n"], config["noise"], config["seed"], config["test_share"], config["shape"])


def model(config, depth):
    return _model(*_data_key(config), depth)


def scores(config, depth) -> tuple[int, int]:
    """(% right on the training data, % right on the test data) of the tree of this depth."""
    points, labels, is_test = dataset(*_data_key(config))
    predicted = model(config, depth).predict(points)
    right = predicted == labels
    return round(100 * right[~is_test].mean()), round(100 * right[is_test].mean())


def accepted(config, answer) -> list[int]:
    """The depths a key accepts: numbers, or what 'beste-test' / 'eerste-100' mean here."""
    depths = range(1, config["max_depth"] + 1)
    if answer == "beste-test":
        tests = {d: scores(config, d)[1] for d in depths}
        return [d for d in depths if tests[d] == max(tests.values())]
    if answer == "eerste-100":
        return [next((d for d in depths if scores(config, d)[0] == 100), config["max_depth"])]
    return list(answer)


class OverfitExplorer(Exercise):
    """A complexity slider over a decision tree, with accuracy on seen and unseen data."""

    kind = "overfitten"
    fields = {
        "aantal-punten": "n",
        "ruis": "noise",
        "zaad": "seed",
        "testdeel": "test_share",
        "vorm": "shape",
        "max-diepte": "max_depth",
        "assen": "axes",
        "klassen": "names",
    }

    @classmethod
    def validate(cls, exercise_id, config):
        checks = {
            "n": (40, int, 10, 200, "een aantal punten van 10 tot 200"),
            "noise": (0.15, float, 0.0, 0.4, "een deel van 0 tot 0,4"),
            "seed": (1, int, 0, 10**6, "een geheel getal"),
            "test_share": (0.3, float, 0.1, 0.5, "een deel van 0,1 tot 0,5"),
            "max_depth": (8, int, 2, 12, "een getal van 2 tot 12"),
        }
        clean = dict(config)
        for name, (default, kind, low, high, what) in checks.items():
            value = config.get(name, default)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ExerciseConfigError(exercise_id, name, f"moet {what} zijn.")
            if kind is int and value != int(value) or not low <= value <= high:
                raise ExerciseConfigError(exercise_id, name, f"moet {what} zijn.")
            clean[name] = kind(value)
        if config.get("shape", "cirkel") not in SHAPES:
            raise ExerciseConfigError(
                exercise_id, "shape", "ken ik niet.", f"kies {' of '.join(SHAPES)}."
            )
        clean["shape"] = config.get("shape", "cirkel")
        for name, default in (("axes", ["x", "y"]), ("names", ["A", "B"])):
            value = config.get(name, default)
            if not isinstance(value, list) or len(value) != 2:
                raise ExerciseConfigError(exercise_id, name, "geef twee namen.", "bv. [x, y].")
            clean[name] = [str(v) for v in value]
        return clean

    @classmethod
    def validate_key(cls, exercise_id, config, key):
        answer = key.get("answer")
        if isinstance(answer, int) and not isinstance(answer, bool):
            answer = [answer]
        if answer not in SYMBOLIC and not (
            isinstance(answer, list)
            and answer
            and all(isinstance(d, int) and 1 <= d <= config["max_depth"] for d in answer)
        ):
            raise ExerciseConfigError(
                exercise_id,
                "answer",
                f"geef een diepte van 1 tot {config['max_depth']} (of een lijst), "
                f"of {' of '.join(SYMBOLIC)}.",
            )
        return {"answer": answer}

    @classmethod
    def evaluate(cls, config, key, answer):
        depth = answer.get("depth") if isinstance(answer, dict) else None
        if not isinstance(depth, int) or not 1 <= depth <= config["max_depth"]:
            return Result(0.0, [say("bad")])
        train, test = scores(config, depth)
        messages = [say("chosen", d=depth, train=train, test=test)]
        best_test = max(scores(config, d)[1] for d in range(1, config["max_depth"] + 1))
        if train == 100 and test < best_test:
            messages.append(say("overfit"))
        elif test < best_test and depth < accepted(config, "beste-test")[0]:
            messages.append(say("underfit"))
        if depth in accepted(config, key["answer"]):
            return Result(1.0, messages)
        return Result(0.0, [*messages, say("wrong")])

    @classmethod
    def solution_html(cls, config, key):
        return escape(
            say("solution", depths=" of ".join(map(str, accepted(config, key["answer"]))))
        )

    # -- the widget ----------------------------------------------------------------
    def build_input(self):
        self.depth = 1
        self.seen = {1}
        self.touched = False
        self.slider = w.IntSlider(
            value=1,
            min=1,
            max=self.config["max_depth"],
            description=say("depth"),
            continuous_update=False,
            style={"description_width": "initial"},
            layout=w.Layout(width="26em"),
        )
        self.slider.observe(lambda change: self.choose(change["new"]), "value")
        less = w.Button(description=say("less"), icon="minus")
        more = w.Button(description=say("more"), icon="plus")
        less.on_click(lambda _: self.choose(self.depth - 1))
        more.on_click(lambda _: self.choose(self.depth + 1))
        self.status = w.HTML()
        self.plots = w.HTML()
        self.table = w.HTML()
        self._paint()
        controls = w.HBox([less, self.slider, more], layout=w.Layout(flex_flow="row wrap"))
        return w.VBox([controls, self.status, self.plots, self.table])

    def choose(self, depth):
        depth = max(1, min(self.config["max_depth"], int(depth)))
        if getattr(self, "_syncing", False) or (depth == self.depth and self.touched):
            return
        self.depth, self.touched = depth, True
        self.seen.add(depth)
        self._paint()
        self._save()

    def _paint(self):
        self._sync_slider()
        train, test = scores(self.config, self.depth)
        points, labels, is_test = dataset(*_data_key(self.config))
        self.status.value = status_line(
            say(
                "now",
                d=self.depth,
                train=train,
                test=test,
                n_train=int((~is_test).sum()),
                n_test=int(is_test.sum()),
            )
        )
        seen = sorted(self.seen)
        results = {d: scores(self.config, d) for d in seen}
        self.plots.value = (
            "<div class='leerpad-overfit' style='display:flex;flex-wrap:wrap;gap:1em'>"
            + map_svg(self.config, self.depth)
            + chart_svg(self.config, results, self.depth)
            + "</div>"
        )
        rows = "".join(
            f"<tr><td>{d}</td><td>{tr}</td><td>{te}</td></tr>" for d, (tr, te) in results.items()
        )
        self.table.value = (
            f"<details><summary>{say('table_title')}</summary><table class='leerpad-table'>"
            f"<tr><th scope='col'>{say('col_depth')}</th><th scope='col'>{say('col_train')}</th>"
            f"<th scope='col'>{say('col_test')}</th></tr>{rows}</table></details>"
        )

    def _sync_slider(self):
        self._syncing = True  # the slider follows the depth; choose() must not answer
        try:
            self.slider.value = self.depth
        finally:
            self._syncing = False

    def get_answer(self):
        return {"depth": self.depth} if self.touched else None

    def set_answer(self, answer):
        if answer is None:
            self.depth, self.touched, self.seen = 1, False, {1}
        else:
            depth = answer["depth"]
            if not isinstance(depth, int) or not 1 <= depth <= self.config["max_depth"]:
                raise ValueError(f"diepte {depth!r}")
            self.depth, self.touched = depth, True
            self.seen.add(depth)
        self._paint()


def map_svg(config, depth, size=240, cells=24) -> str:
    """The points on the plane over the colours of what the tree predicts."""
    points, labels, is_test = dataset(*_data_key(config))
    step = 10 / cells
    centres = np.array(
        [[(i + 0.5) * step, (j + 0.5) * step] for j in range(cells) for i in range(cells)]
    )
    predicted = model(config, depth).predict(centres)
    fill = ("#dbeafe", "#fde2e1")  # class 0, class 1 regions
    ink = ("#1d4ed8", "#b91c1c")
    scale = size / 10
    parts = []
    for (x, y), p in zip(centres, predicted, strict=True):
        parts.append(
            f"<rect x='{(x - step / 2) * scale:.1f}' y='{size - (y + step / 2) * scale:.1f}' "
            f"width='{step * scale + 0.5:.1f}' height='{step * scale + 0.5:.1f}' fill='{fill[p]}'/>"
        )
    for (x, y), label, test in zip(points, labels, is_test, strict=True):
        cx, cy = x * scale, size - y * scale
        if test:
            parts.append(
                f"<rect x='{cx - 4:.1f}' y='{cy - 4:.1f}' width='8' height='8' fill='white' "
                f"stroke='{ink[label]}' stroke-width='2'/>"
            )
        else:
            parts.append(f"<circle cx='{cx:.1f}' cy='{cy:.1f}' r='4' fill='{ink[label]}'/>")
    names = config["names"]
    share = [int((predicted == c).sum() * 100 / len(predicted)) for c in (0, 1)]
    regions = f"{names[1]} {share[1]}% van het vlak, {names[0]} {share[0]}%."
    label = say("map", x=config["axes"][0], y=config["axes"][1], regions=regions)
    return (
        f"<svg role='img' aria-label='{escape(label)}' width='{size}' height='{size}' "
        f"viewBox='0 0 {size} {size}' style='border:1px solid #6b7280'>{''.join(parts)}</svg>"
    )


def chart_svg(config, results, depth, width=300, height=240) -> str:
    """Percent right per depth: training (solid) and test (dashed), for the depths seen."""
    top = config["max_depth"]
    left, bottom, pad = 36, 30, 10

    def px(d):
        return left + (d - 1) * (width - left - pad) / max(1, top - 1)

    def py(percent):
        return (
            pad + (100 - percent) * (height - bottom - pad) / 50
            if percent >= 50
            else height - bottom
        )

    parts = [
        f"<line x1='{left}' y1='{height - bottom}' x2='{width - pad}' y2='{height - bottom}' "
        "stroke='#374151'/>",
        f"<line x1='{left}' y1='{pad}' x2='{left}' y2='{height - bottom}' stroke='#374151'/>",
    ]
    for percent in (50, 75, 100):
        parts.append(
            f"<text x='{left - 4}' y='{py(percent) + 4:.1f}' font-size='11' text-anchor='end'>"
            f"{percent}%</text>"
        )
    for d in range(1, top + 1):
        parts.append(
            f"<text x='{px(d):.1f}' y='{height - bottom + 14}' font-size='11' "
            f"text-anchor='middle'>{d}</text>"
        )
    parts.append(
        f"<line x1='{px(depth):.1f}' y1='{pad}' x2='{px(depth):.1f}' y2='{height - bottom}' "
        "stroke='#9ca3af' stroke-dasharray='2 3'/>"
    )
    for index, (colour, dash) in enumerate((("#1d4ed8", ""), ("#c2410c", "6 4"))):
        coords = [(px(d), py(r[index])) for d, r in results.items()]
        line = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
        parts.append(
            f"<polyline points='{line}' fill='none' stroke='{colour}' stroke-width='2' "
            f"stroke-dasharray='{dash}'/>"
        )
        parts += [f"<circle cx='{x:.1f}' cy='{y:.1f}' r='3' fill='{colour}'/>" for x, y in coords]
    parts.append(
        f"<text x='{left + 6}' y='{height - 4}' font-size='11' fill='#1d4ed8'>"
        f"— {say('legend_train')}</text>"
        f"<text x='{left + 90}' y='{height - 4}' font-size='11' fill='#c2410c'>"
        f"- - {say('legend_test')}</text>"
    )
    points = " ".join(
        say("plot_point", d=d, train=train, test=test) for d, (train, test) in results.items()
    )
    return (
        f"<svg role='img' aria-label='{escape(say('plot', points=points))}' width='{width}' "
        f"height='{height}' viewBox='0 0 {width} {height}'>{''.join(parts)}</svg>"
    )
