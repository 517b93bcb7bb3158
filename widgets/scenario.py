"""A branching scenario: the learner's choices lead through steps to one of several endings."""

import ipywidgets as w

from .base import ExerciseConfigError, Result, escape, require, rich
from .helpers import AuthoredExercise, say


class BranchingScenario(AuthoredExercise):
    """Scenario: ``steps`` = {stap: {"text": ..., "choices": {knop: volgende stap}}}.

    A step without choices is an ending and has a ``score`` (0..1). The scores are the key,
    so ``steps`` is the key field; the released notebook gets ``scenes``, the same steps
    without scores. The answer is the path of step ids; it earns the score of its ending.
    """

    kind = "scenario"
    key_fields = ("steps",)
    fields = {"stappen": "steps", "keuzes": "choices"}
    nested_fields = ("steps",)

    @classmethod
    def public_fields(cls, exercise_id, key):
        steps = key.get("steps")
        if not isinstance(steps, dict) or not steps:
            raise ExerciseConfigError(exercise_id, "steps", "moet {stap: {text, choices}} zijn.")
        scenes = {}
        for name, step in steps.items():
            if not isinstance(step, dict):
                raise ExerciseConfigError(
                    exercise_id, "steps", f"stap '{name}' moet een dict zijn."
                )
            scenes[str(name)] = {k: v for k, v in step.items() if k != "score"}
        return {"scenes": scenes}

    @classmethod
    def validate(cls, exercise_id, config):
        scenes = require(exercise_id, config, "scenes", dict, "schrijf de stappen in 'steps'.")
        start = require(exercise_id, config, "start", str, "geef de naam van de eerste stap.")
        clean = {}
        for name, scene in scenes.items():
            if not isinstance(scene, dict) or not isinstance(scene.get("text"), str):
                raise ExerciseConfigError(exercise_id, "steps", f"stap '{name}' mist 'text'.")
            if "score" in scene:
                raise ExerciseConfigError(
                    exercise_id,
                    "scenes",
                    f"stap '{name}' toont zijn score aan de cursist.",
                    "schrijf de stappen met hun score in 'steps'.",
                )
            choices = scene.get("choices") or {}
            if not isinstance(choices, dict):
                raise ExerciseConfigError(
                    exercise_id, "steps", f"stap '{name}': choices is geen dict."
                )
            for label, target in choices.items():
                if target not in scenes:
                    raise ExerciseConfigError(
                        exercise_id,
                        "steps",
                        f"keuze '{label}' in stap '{name}' leidt naar "
                        f"'{target}', maar die stap bestaat niet.",
                    )
            clean[str(name)] = {
                "text": scene["text"],
                "choices": {str(k): str(v) for k, v in choices.items()},
            }
        if start not in clean:
            raise ExerciseConfigError(exercise_id, "start", f"er is geen stap '{start}'.")
        if not any(not clean[name]["choices"] for name in reachable(clean, start)):
            raise ExerciseConfigError(exercise_id, "steps", "geen enkel einde is bereikbaar.")
        return {**config, "scenes": clean, "start": start}

    @classmethod
    def validate_key(cls, exercise_id, config, key):
        steps = key.get("steps")
        if not isinstance(steps, dict) or set(map(str, steps)) != set(config["scenes"]):
            raise ExerciseConfigError(
                exercise_id, "steps", "past niet bij de stappen van het scenario."
            )
        scores = {}
        for name, scene in config["scenes"].items():
            if scene["choices"]:
                continue
            score = steps[name].get("score")
            if not isinstance(score, int | float) or isinstance(score, bool) or not 0 <= score <= 1:
                raise ExerciseConfigError(
                    exercise_id, "steps", f"einde '{name}' heeft geen score tussen 0 en 1."
                )
            scores[name] = score
        return {"scores": scores}

    def build_input(self):
        self.path = [self.config["start"]]
        self.scene = w.HTML("")
        self.choices = w.HBox(layout=w.Layout(flex_flow="row wrap"))
        self.restart = w.Button(description=say("restart"), tooltip=say("restart"))
        self.restart.on_click(lambda _: self.go_back_to_start())
        self._show()
        return w.VBox([self.scene, self.choices, self.restart])

    def _show(self):
        scene = self.config["scenes"][self.path[-1]]
        end = f"<p><em>{say('scenario_end')}</em></p>" if not scene["choices"] else ""
        self.scene.value = (
            f"<div role='status' aria-live='polite'><p>{rich(scene['text'])}</p>{end}</div>"
        )
        buttons = []
        for label, target in scene["choices"].items():
            button = w.Button(description=label, tooltip=label, layout=w.Layout(width="auto"))
            button.on_click(lambda _, target=target: self.choose(target))
            buttons.append(button)
        self.choices.children = buttons
        self.restart.disabled = len(self.path) == 1

    def choose(self, target):
        self.path.append(target)
        self._show()
        self._save()

    def go_back_to_start(self):
        self.set_answer(None)
        self._save()

    def get_answer(self):
        return list(self.path) if len(self.path) > 1 else None

    def set_answer(self, answer):
        valid = isinstance(answer, list) and follows(self.config, answer)
        self.path = list(answer) if valid else [self.config["start"]]
        self._show()

    @classmethod
    def evaluate(cls, config, key, answer):
        if not follows(config, answer):
            return Result(0.0, [say("scenario_bad_path")])
        if config["scenes"][answer[-1]]["choices"]:
            return Result(0.0, [say("scenario_not_ended")])
        return Result(float(key["scores"][answer[-1]]))

    @classmethod
    def solution_html(cls, config, key):
        best = max(key["scores"], key=key["scores"].get)
        path = shortest_path(config["scenes"], config["start"], best) or [best]
        return " → ".join(escape(config["scenes"][name]["text"]) for name in path)


def follows(config, path) -> bool:
    """Does `path` start at the start and take only choices that exist?"""
    scenes = config["scenes"]
    if not isinstance(path, list) or not all(isinstance(p, str) for p in path):
        return False
    if not path or path[0] != config["start"] or any(p not in scenes for p in path):
        return False
    return all(b in scenes[a]["choices"].values() for a, b in zip(path, path[1:], strict=False))


def reachable(scenes, start) -> list:
    return list(_walk(scenes, start))


def shortest_path(scenes, start, goal):
    return _walk(scenes, start).get(goal)


def _walk(scenes, start) -> dict:
    """Breadth-first from `start`: {step: the shortest path to it}."""
    paths, queue = {start: [start]}, [start]
    while queue:
        current = queue.pop(0)
        for target in scenes[current]["choices"].values():
            if target not in paths:
                paths[target] = [*paths[current], target]
                queue.append(target)
    return paths
