"""Bias from unbalanced data: the learner chooses how many examples of each group go into
the training set, trains a model in the kernel and sees how often it is right for each
group.

The data are made up but the effect is real: a speech app that must hear whether a pupil
says "ja" or "nee" measures two features of the sound (pitch and timbre). Children speak
higher, and for them the line between "ja" and "nee" lies elsewhere; a model that saw
mostly adults is right for adults and often wrong for children. The model is k-nearest
neighbours (as in digit recognition); the data come from a fixed seed, so the kernel, the
check and the grader compute the same figures. Graded from the trained counts: each
requirement of the block ("kinderen: minstens 90") met, within the budget of examples.
"""

import functools
import re

import ipywidgets as w

from leerpad.i18n import phrases

from .base import Exercise, ExerciseConfigError, Result, escape, require
from .helpers import status_line

NEIGHBOURS = 5
POOL = 300  # examples per group to choose from
TEST = 200  # test examples per group (never trained on)
STEP = 10
SCENARIOS = {
    "spraak": {
        "groups": {"volwassenen": 0.3, "kinderen": 0.7},  # mean pitch of the group
        "labels": ("nee", "ja"),
        "features": ("toonhoogte", "klankkleur"),
        "seed": 7,
        "legend": "Bolletje: volwassene · vierkantje: kind · blauw: ja · oranje: nee · "
        "rode ring: fout van het model",
    },
}
REQUIREMENT = re.compile(r"^\s*(minstens|hoogstens)\s+(\d{1,3})\s*%?\s*$")
say = phrases("bias")


def _group(rng, n, pitch):
    """n made-up sound examples of a group: (pitch, timbre) and a label (0 nee, 1 ja). The
    line between nee and ja rises with the pitch: it lies higher for higher voices."""
    import numpy as np

    p = rng.normal(pitch, 0.07, n)
    label = rng.integers(0, 2, n)
    timbre = 0.25 + 0.6 * p + np.where(label == 1, 1, -1) * np.abs(rng.normal(0.09, 0.07, n))
    return np.c_[p, timbre], label


@functools.cache
def data(scenario: str):
    """{group: (pool features, pool labels, test features, test labels)}, always the same."""
    import numpy as np

    spec = SCENARIOS[scenario]
    rng = np.random.default_rng(spec["seed"])
    pools = {g: _group(rng, POOL, pitch) for g, pitch in spec["groups"].items()}
    tests = {g: _group(rng, TEST, pitch) for g, pitch in spec["groups"].items()}
    return {g: (*pools[g], *tests[g]) for g in spec["groups"]}


def train(scenario: str, counts: dict):
    """The model trained on the first `counts[group]` pool examples of each group, or None
    without examples. Milliseconds: k-nearest neighbours only stores the examples."""
    import numpy as np
    from sklearn.neighbors import KNeighborsClassifier

    sets = data(scenario)
    x = np.concatenate([sets[g][0][: counts.get(g, 0)] for g in sets])
    y = np.concatenate([sets[g][1][: counts.get(g, 0)] for g in sets])
    if not len(y):
        return None
    return KNeighborsClassifier(n_neighbors=min(NEIGHBOURS, len(y))).fit(x, y)


@functools.lru_cache(maxsize=256)
def _results(scenario: str, frozen: tuple):
    counts = dict(frozen)
    model, sets = train(scenario, counts), data(scenario)
    results = {}
    for group, (_, _, test_x, test_y) in sets.items():
        predicted = model.predict(test_x) if model is not None else None
        right = int((predicted == test_y).sum()) if predicted is not None else 0
        results[group] = {"right": right, "predicted": predicted}
    return results


def accuracy(scenario: str, counts: dict) -> dict:
    """{group: number of test examples the model gets right} (0 each without a model)."""
    frozen = tuple(sorted((g, int(counts.get(g, 0))) for g in data(scenario)))
    return {g: r["right"] for g, r in _results(scenario, frozen).items()}


def percent(right: int) -> int:
    return round(100 * right / TEST)


def parse_requirements(exercise_id, groups, value) -> dict:
    """{"kinderen": "minstens 90"} -> {"kinderen": ("minstens", 90)}."""
    if not isinstance(value, dict) or not value:
        raise ExerciseConfigError(
            exercise_id,
            "requirements",
            "moet per groep een eis geven, bv. kinderen: minstens 90.",
        )
    result = {}
    for group, rule in value.items():
        match = REQUIREMENT.match(str(rule))
        if group not in groups or not match or int(match[2]) > 100:
            raise ExerciseConfigError(
                exercise_id,
                "requirements",
                f"'{group}: {rule}' begrijp ik niet.",
                f"schrijf per groep ({', '.join(groups)}) 'minstens N' of 'hoogstens N' "
                "(een percentage).",
            )
        result[group] = (match[1], int(match[2]))
    return result


def valid_counts(groups, answer) -> bool:
    return (
        isinstance(answer, dict)
        and set(answer) == set(groups)
        and all(
            isinstance(n, int) and not isinstance(n, bool) and 0 <= n <= POOL
            for n in answer.values()
        )
    )


class BiasTrainer(Exercise):
    """Scheve data: choose the training set per group, train, see the accuracy per group."""

    kind = "scheve-data"
    fields = {"scenario": "scenario", "eisen": "requirements", "max-totaal": "max_total"}

    @classmethod
    def validate(cls, exercise_id, config):
        scenario = config.get("scenario", "spraak")
        if scenario not in SCENARIOS:
            raise ExerciseConfigError(
                exercise_id,
                "scenario",
                f"'{scenario}' ken ik niet.",
                f"kies {', '.join(SCENARIOS)}.",
            )
        groups = list(SCENARIOS[scenario]["groups"])
        requirements = parse_requirements(
            exercise_id, groups, require(exercise_id, config, "requirements", dict)
        )
        max_total = config.get("max_total")
        if max_total is not None and (not isinstance(max_total, int) or max_total < 1):
            raise ExerciseConfigError(exercise_id, "max_total", "moet een getal groter dan 0 zijn.")
        return {
            **config,
            "scenario": scenario,
            "groups": groups,
            "requirements": {g: list(r) for g, r in requirements.items()},
            "max_total": max_total,
        }

    @classmethod
    def validate_key(cls, exercise_id, config, key):
        answer = key.get("answer")
        if not valid_counts(config["groups"], answer):
            raise ExerciseConfigError(
                exercise_id,
                "answer",
                f"geef per groep ({', '.join(config['groups'])}) een aantal van 0 tot {POOL}.",
            )
        result = cls.evaluate(config, {"answer": answer}, answer)
        if result.fraction < 1:
            raise ExerciseConfigError(
                exercise_id,
                "answer",
                f"deze trainingsset haalt de eisen niet: {' '.join(result.messages)}",
            )
        return {"answer": answer}

    @classmethod
    def evaluate(cls, config, key, answer):
        if not valid_counts(config["groups"], answer):
            return Result(0.0, [say("answer_counts")])
        if not sum(answer.values()):
            return Result(0.0, [say("no_data")])
        right = accuracy(config["scenario"], answer)
        lines = [cls.describe(config, answer, right)]
        met = 0
        for group, (rule, limit) in config["requirements"].items():
            value = percent(right[group])
            ok = value >= limit if rule == "minstens" else value <= limit
            met += ok
            verdict = dict(group=group, rule=rule, limit=limit, percent=value)
            lines.append(say("met" if ok else "not_met", **verdict))
        fraction = met / len(config["requirements"])
        total = sum(answer.values())
        if config["max_total"] and total > config["max_total"]:
            fraction /= 2
            lines.append(say("budget", total=total, max=config["max_total"]))
        return Result(fraction, lines)

    @classmethod
    def describe(cls, config, counts, right) -> str:
        parts = ", ".join(say("part", n=counts[g], group=g) for g in config["groups"])
        lines = [say("set", total=sum(counts.values()), parts=parts)]
        for group in config["groups"]:
            lines.append(
                say(
                    "accuracy",
                    group=group.capitalize(),
                    percent=percent(right[group]),
                    right=right[group],
                    test=TEST,
                )
            )
        return " ".join(lines)

    @classmethod
    def solution_html(cls, config, key):
        parts = ", ".join(say("part", n=key["answer"][g], group=g) for g in config["groups"])
        return escape(say("solution", parts=parts))

    # -- the widget ----------------------------------------------------------------
    def build_input(self):
        self.trained = None
        self.sliders = {}
        for group in self.config["groups"]:
            slider = w.IntSlider(
                value=0,
                min=0,
                max=POOL,
                step=STEP,
                description=say("slider", group=group.capitalize()),
                tooltip=say("slider_label", group=group),
                style={"description_width": "8em"},
                layout=w.Layout(width="32em"),
                continuous_update=False,
            )
            self.sliders[group] = slider
        button = w.Button(description=say("train"), button_style="info", icon="cogs")
        button.on_click(lambda _: self.train())
        self.report = w.HTML()
        self.plot = w.HTML()
        parts = [*self.sliders.values(), button, self.report, self.plot]
        if self.config["max_total"]:
            budget = say("budget_info", max=self.config["max_total"])
            parts.insert(0, w.HTML(f"<p>{escape(budget)}</p>"))
        self._show()
        return w.VBox(parts)

    def train(self):
        """Train on the chosen counts (the answer is the set last trained on)."""
        self.trained = {g: int(s.value) for g, s in self.sliders.items()}
        self._show()
        self._save()

    def _show(self):
        if self.trained is None:
            self.report.value = status_line(say("not_trained"))
            self.plot.value = ""
            return
        if not sum(self.trained.values()):
            self.report.value = status_line(say("no_data"))
            self.plot.value = ""
            return
        right = accuracy(self.config["scenario"], self.trained)
        self.report.value = status_line(self.describe(self.config, self.trained, right))
        self.plot.value = self._svg()

    def _svg(self) -> str:
        """The test examples on two axes, coloured by their true label, a red ring where the
        model is wrong; the aria-label says the same in words."""
        scenario = self.config["scenario"]
        spec, sets = SCENARIOS[scenario], data(scenario)
        frozen = tuple(sorted(self.trained.items()))
        results = _results(scenario, frozen)
        size, marks, summary = 300, [], []
        colours = ("#b45309", "#1d4ed8")  # nee, ja
        for shape, group in enumerate(self.config["groups"]):
            _, _, test_x, test_y = sets[group]
            predicted = results[group]["predicted"]
            wrong = 0
            for (px, py), label, guess in zip(test_x, test_y, predicted, strict=True):
                x, y = 10 + px * (size - 20), size - 10 - (py - 0.2) / 0.9 * (size - 20)
                fill = colours[int(label)]
                if shape == 0:
                    marks.append(f"<circle cx='{x:.0f}' cy='{y:.0f}' r='3' fill='{fill}'/>")
                else:
                    marks.append(
                        f"<rect x='{x - 3:.0f}' y='{y - 3:.0f}' width='6' height='6' "
                        f"fill='{fill}'/>"
                    )
                if guess != label:
                    wrong += 1
                    marks.append(
                        f"<circle cx='{x:.0f}' cy='{y:.0f}' r='6' fill='none' stroke='#dc2626'/>"
                    )
            summary.append(say("plot_group", group=group, wrong=wrong, test=TEST))
        label = say("plot", summary="; ".join(summary))
        axes = (
            f"<text x='150' y='{size + 14}' text-anchor='middle' font-size='12'>"
            f"{spec['features'][0]} →</text>"
            f"<text x='-150' y='-4' transform='rotate(-90)' text-anchor='middle' "
            f"font-size='12'>{spec['features'][1]} →</text>"
        )
        legend = f"<p class='leerpad-legend'>{escape(spec['legend'])}</p>"
        return (
            f"<svg role='img' aria-label='{escape(label)}' viewBox='-16 0 {size + 16} {size + 20}' "
            f"width='{size + 16}' height='{size + 20}' style='background:#fff'>"
            f"<rect x='0' y='0' width='{size}' height='{size}' fill='none' stroke='#9ca3af'/>"
            f"{''.join(marks)}{axes}</svg>{legend}"
        )

    def get_answer(self):
        return dict(self.trained) if self.trained is not None else None

    def set_answer(self, answer):
        if answer is not None and not valid_counts(self.config["groups"], answer):
            raise ValueError("geen trainingsset")
        self.trained = dict(answer) if answer is not None else None
        for group, slider in self.sliders.items():
            slider.value = answer[group] if answer is not None else 0
        self._show()
