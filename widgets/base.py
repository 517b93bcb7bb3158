"""One base for every exercise type: configuration, state, scoring, feedback, persistence.

A type is a small subclass that says how to validate its configuration, how to draw its
input, how to read and restore an answer, and how to score an answer against the key.
Scoring is a class method on plain data, so the grader scores exactly as the widget did
without drawing anything.
"""

import html
import re
from dataclasses import dataclass, field

import ipywidgets as w
from traitlets import TraitError

from leerpad.i18n import t
from leerpad.markup import markdown_html

from .session import session

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
TYPES: dict[str, type] = {}


class ExerciseConfigError(ValueError):
    """A mistake in how an exercise is declared. Names the exercise and the field."""

    def __init__(self, exercise_id, field_name, problem, fix=""):
        self.exercise_id, self.field, self.problem, self.fix = exercise_id, field_name, problem, fix
        text = f"oefening '{exercise_id}', veld '{field_name}': {problem}"
        super().__init__(text + (f" Oplossing: {fix}" if fix else ""))


@dataclass
class Result:
    """The outcome of scoring one answer: a fraction of the points and what to tell."""

    fraction: float
    messages: list[str] = field(default_factory=list)
    empty: bool = False

    def __post_init__(self):
        # Whatever an exercise computed: a share between 0 and 1 (NaN counts as 0).
        fraction = float(self.fraction)
        self.fraction = min(1.0, max(0.0, fraction)) if fraction == fraction else 0.0

    def points(self, max_points: float) -> float:
        return round(self.fraction * max_points, 2)


def require(exercise_id, config, name, kind, fix=""):
    """Return config[name] if it has the right kind, else raise a clear error."""
    if name not in config:
        raise ExerciseConfigError(exercise_id, name, "ontbreekt.", fix)
    value = config[name]
    if not isinstance(value, kind):
        names = kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind)
        raise ExerciseConfigError(
            exercise_id, name, f"moet van het type {names} zijn, niet {type(value).__name__}.", fix
        )
    return value


def typical_wrong_answer(key, example) -> list[str]:
    """The rule of the types whose wrong answers are endless (a number, a word, an order):
    at least one typical wrong answer has its own explanation in ``feedback``."""
    if key.get("feedback"):
        return []
    return [f"minstens één vaak gegeven fout antwoord met uitleg in 'feedback' ({example})"]


def normalize_text(value, case_sensitive=False) -> str:
    text = " ".join(str(value).split())
    return text if case_sensitive else text.casefold()


# What a widget raises on a stored answer of the wrong shape (a tampered answers file).
BAD_ANSWER = (TypeError, ValueError, KeyError, IndexError, AttributeError, TraitError)


class Exercise(w.VBox):
    """Base of all exercise types. Subclasses set ``kind`` and implement the hooks."""

    kind = ""  # the Dutch block name authors use, e.g. "meerkeuze"
    # Dutch field names authors write in a Markdown block -> keyword arguments of this class,
    # on top of the fields every type shares (leerpad.authoring.FIELDS).
    fields: dict[str, str] = {}
    # Fields whose value holds more author-written dicts (child questions, scenario steps):
    # their keys are translated with the same Dutch names.
    nested_fields: tuple[str, ...] = ()
    key_fields: tuple[str, ...] = ("answer",)  # never sent to the learner
    graded = True

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.kind:
            TYPES[cls.__name__] = cls

    def __init__(
        self,
        id,
        question="",
        points=1,
        hints=(),
        check=True,
        retry=True,
        show_solution=True,
        max_attempts=None,
        **config,
    ):
        if not isinstance(id, str) or not ID_PATTERN.match(id):
            raise ExerciseConfigError(
                id, "id", "is geen geldige id.", "gebruik kleine letters, cijfers en '-'."
            )
        self.id = id
        if self.graded and (not isinstance(points, int | float) or points <= 0):
            raise ExerciseConfigError(id, "points", "moet een getal groter dan 0 zijn.")
        self.points = points if self.graded else 0
        self.question = question
        self.hints = list(hints)
        self.options_check, self.options_retry = check, retry
        self.options_show_solution = show_solution
        self.max_attempts = max_attempts
        key = {k: config.pop(k) for k in self.key_fields if k in config}
        self.config = self.validate(id, config)
        if self.graded and self.key_fields and self.key_fields[0] not in key:
            # Released notebook: the key comes from the server's key store.
            stored = session().keys.get(id)
            key = {**stored, **key} if stored else {}
        self._key = self.validate_key(id, self.config, key) if key else None
        self.attempts = 0
        self.checked = False
        self.solution_shown = False
        # The answer as it was checked when the solution was shown: the last one that counts.
        self.solution_answer = None
        super().__init__()
        self.add_class("leerpad-exercise")
        self._draw()
        session().register(self)
        saved = session().answers.get(id)
        if saved:
            self.restore(saved)

    # -- what a type implements ------------------------------------------------------
    @classmethod
    def validate(cls, exercise_id, config) -> dict:
        """Check and normalise the configuration; raise ExerciseConfigError."""
        return config

    @classmethod
    def validate_key(cls, exercise_id, config, key) -> dict:
        return key

    @classmethod
    def public_fields(cls, exercise_id, key) -> dict:
        """Fields the released notebook gets in place of the key (e.g. shuffled items)."""
        return {}

    def build_input(self) -> w.Widget:
        raise NotImplementedError

    def get_answer(self):
        """The learner's answer as JSON data, or None when nothing is answered."""
        raise NotImplementedError

    def set_answer(self, answer) -> None:
        raise NotImplementedError

    @classmethod
    def evaluate(cls, config, key, answer) -> Result:
        raise NotImplementedError

    @classmethod
    def solution_html(cls, config, key) -> str:
        return ""

    @classmethod
    def missing_feedback(cls, config, key) -> list[str]:
        """What this exercise's per-answer feedback lacks for its most common wrong answers
        (Dutch, one phrase per gap, naming the field to write); empty when complete. The
        rule per type is in the author guide. By default nothing: the widget's own feedback
        is complete (a robot shows where it stops, a matching names each wrong pair)."""
        return []

    def feedback_gaps(self) -> list[str]:
        """``missing_feedback`` of this exercise, with its key (none without a key)."""
        return [] if self._key is None else self.missing_feedback(self.config, self._key)

    # -- shared behaviour ----------------------------------------------------------
    def _draw(self):
        self.question_html = w.HTML(f"<div class='leerpad-question'>{rich(self.question)}</div>")
        self.input = self.build_input()
        self.feedback = w.HTML("")
        buttons = []
        if self.graded and self.options_check:
            self.check_button = w.Button(description=t("check"), button_style="primary")
            self.check_button.on_click(lambda _: self.check())
            buttons.append(self.check_button)
        if self.graded and self.options_retry:
            self.retry_button = w.Button(description=t("retry"))
            self.retry_button.on_click(lambda _: self.retry())
            buttons.append(self.retry_button)
        if self.graded and self.options_show_solution:
            self.solution_button = w.Button(description=t("show_solution"))
            self.solution_button.on_click(lambda _: self.show_solution())
            buttons.append(self.solution_button)
        if self.hints:
            self.hint_button = w.Button(description=t("hint"))
            self.hint_button.on_click(lambda _: self.show_hint())
            buttons.append(self.hint_button)
        self._hints_shown = 0
        actions = w.HBox(buttons)
        actions.add_class("leerpad-actions")  # wraps on a phone (the app's stylesheet)
        self.children = [self.question_html, self.input, actions, self.feedback]

    def _say(self, lines, kind="info"):
        body = "".join(f"<p>{line}</p>" for line in lines)
        self.feedback.value = (
            f"<div class='leerpad-feedback leerpad-{kind}' role='status' aria-live='polite'>"
            f"{body}</div>"
        )

    def result(self) -> Result | None:
        """Score the current answer, or None when no key is available here."""
        if self._key is None:
            return None
        answer = self.get_answer()
        if answer is None:
            return Result(0.0, [t("no_answer")], empty=True)
        return self.evaluate(self.config, self._key, answer)

    def score(self) -> float:
        """The points this answer earns: the same number the learner saw. Showing the
        solution ends the scoring: what counts is the answer checked before it (if any)."""
        if self.solution_shown:
            return self._solution_score()
        result = self.result()
        return result.points(self.points) if result else 0.0

    def _solution_score(self) -> float:
        if self._key is None or self.solution_answer is None:
            return 0.0
        try:
            result = self.evaluate(self.config, self._key, self.solution_answer)
        except BAD_ANSWER:
            return 0.0  # a tampered answers file
        return result.points(self.points)

    def submit_on_enter(self, field: w.Widget) -> None:
        """Enter in a text field checks the answer, as the "Controleer" button does. The
        field's frontend sends a 'submit' event; the app page holds such events back until
        the typed value has reached the kernel (see the template's leerpad-order.js)."""
        if self.graded and self.options_check:
            field.on_msg(lambda _, content, __: self.check() if _is_submit(content) else None)

    def check(self):
        if self.max_attempts and self.attempts >= self.max_attempts:
            self._say([t("no_attempts_left")], "wrong")
            return
        answer = self.get_answer()
        if answer is None:
            self._say([t("no_answer")], "info")
            return
        self.attempts += 1
        self.checked = True
        result = self.result()
        if result is None:
            self._say([t("no_key")], "info")
        else:
            verdict = (
                "right" if result.fraction >= 1 else "partial" if result.fraction > 0 else "wrong"
            )
            lines = [t(verdict), *result.messages]
            if self.solution_shown:
                lines.append(t("solution_seen"))
            lines.append(t("score", score=_fmt(self.score()), points=_fmt(self.points)))
            if self.max_attempts and verdict != "right" and not self.solution_shown:
                left = self.max_attempts - self.attempts
                lines.append(t("attempts_left", n=left) if left else t("no_attempts_left"))
            self._say(lines, verdict)
        self._persist()

    def retry(self):
        self.checked = False
        self.feedback.value = ""
        self.set_answer(None)
        self._persist()

    def show_solution(self):
        if self._key is None:
            self._say([t("no_key")])
            return
        if not self.solution_shown:
            self.solution_shown = True
            self.solution_answer = self.get_answer() if self.checked else None
        self._say([f"<strong>{t('solution')}</strong>", self.solution_html(self.config, self._key)])
        self._persist()

    def show_hint(self):
        if self._hints_shown < len(self.hints):
            self._hints_shown += 1
        self._say([f"{t('hint')}: {rich(h)}" for h in self.hints[: self._hints_shown]], "info")

    # -- persistence -----------------------------------------------------------------
    def state(self) -> dict:
        return {
            "type": type(self).__name__,
            "answer": self.get_answer(),
            "attempts": self.attempts,
            "checked": self.checked,
            "solution_shown": self.solution_shown,
            "solution_answer": self.solution_answer,
        }

    def restore(self, state: dict) -> None:
        """Put a stored answer back. One the widget cannot take (a tampered answers file)
        counts as no answer: the app, the kernel and the grader all score it 0."""
        self._restoring = True
        try:
            self.set_answer(state.get("answer"))
            attempts = int(state.get("attempts", 0))
        except BAD_ANSWER:
            self._restore_nothing()
            return
        finally:
            self._restoring = False
        self.attempts = attempts
        self.checked = bool(state.get("checked"))
        self.solution_shown = bool(state.get("solution_shown"))
        self.solution_answer = state.get("solution_answer") if self.solution_shown else None
        if self.checked and (self._key is not None or not self.key_fields):
            self.show_restored_check()  # a type without a key (open answer) says it again

    def show_restored_check(self) -> None:
        """Show again the feedback of the last check, as computed from the restored answer,
        without counting an attempt or saving: the record already holds this state."""
        attempts = self.attempts
        self.attempts -= 1  # check() counts one
        self._restoring = True
        try:
            self.check()
        finally:
            self._restoring = False
            self.attempts, self.checked = attempts, True

    def _restore_nothing(self) -> None:
        self._restoring = True
        try:
            self.set_answer(None)
        except BAD_ANSWER:
            pass  # the widget keeps the empty answer it was built with
        finally:
            self._restoring = False

    def _save(self, *_):
        """The learner changed the answer: a verdict shown for the old one is stale, so it
        goes; then the new answer is kept."""
        if getattr(self, "_restoring", False):
            return
        if self.checked:
            self.checked = False
            self.feedback.value = ""
        self._persist()

    def _persist(self) -> None:
        if not getattr(self, "_restoring", False):
            session().save(self)


def _is_submit(content) -> bool:
    return isinstance(content, dict) and content.get("event") == "submit"


def _fmt(number) -> str:
    return f"{number:g}".replace(".", ",")


def escape(text) -> str:
    return html.escape(str(text))


def rich(text) -> str:
    """Authored Markdown (a question, a hint, feedback) as safe inline HTML: see leerpad.markup."""
    return markdown_html(text, inline=True)
