"""The learner's session inside one kernel: who answers, where answers are kept, which
exercises exist.

In JupyterLab and during grading, answers live in ``leerpad-answers.json`` beside the
notebook, so that ``nbgrader submit`` and ``nbgrader autograde`` carry them along. In a Voilà
app the kernel is shared code on the server: answers go to the learner's record under
``$LEERPAD_DATA`` once the app knows who the learner is (``leerpad.widgets.store``).
"""

import os
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qs

from leerpad.settings import settings

from .store import ANSWERS_FILE, AnswerStore, KeyStore, LearnerRecord


def in_voila() -> bool:
    return "VOILA_KERNEL_ID" in os.environ or os.environ.get("VOILA_PREHEAT") == "True"


class Session:
    def __init__(self, answers: AnswerStore | None = None, keys: KeyStore | None = None):
        self.exercises: dict = {}
        self.learner: str | None = None
        self.module: str | None = settings().module or Path.cwd().name
        self.keys = keys or KeyStore()
        path = settings().answers
        if answers is not None:
            self.answers = answers  # given by the grader
        elif path:
            self.answers = AnswerStore(Path(path))
        elif in_voila():
            self.answers = AnswerStore(None)  # in memory until the learner is known
        else:
            self.answers = AnswerStore(Path.cwd() / ANSWERS_FILE)

    def register(self, exercise) -> None:
        if exercise.id in self.exercises and self.exercises[exercise.id] is not exercise:
            # Re-running a cell replaces the exercise; the saved state stays.
            pass
        self.exercises[exercise.id] = exercise

    def save(self, exercise) -> None:
        self.answers.put(exercise.id, exercise.state())

    def identify(self, learner: str) -> None:
        """Bind the app to a learner: load their record and keep saving there. What was
        answered before the app knew the learner joins the record where the record has
        nothing yet; what the record holds (from another tab or device) comes back."""
        self.learner = learner
        if in_voila() and not settings().answers:
            current = self.answers.data
            self.answers = LearnerRecord(learner, self.module).answers()
            self.answers.put_many(current, only_new=True)
            for exercise in self.exercises.values():
                saved = self.answers.get(exercise.id)
                if saved and saved != current.get(exercise.id):
                    exercise.restore(saved)


_session: Session | None = None


def session() -> Session:
    global _session
    if _session is None:
        _session = Session()
    return _session


@contextmanager
def active(current: Session):
    """Make `current` the session of every exercise built inside the block (for grading
    many hand-ins in one process, one session each)."""
    global _session
    previous, _session = _session, current
    try:
        yield current
    finally:
        _session = previous


def request_query() -> dict:
    """The query string of the app's URL (waits for it in a preheated Voilà kernel)."""
    if os.environ.get("VOILA_PREHEAT") == "True":
        from voila.utils import wait_for_request

        wait_for_request()
    query = os.environ.get("QUERY_STRING", "")
    return {k: v[0] for k, v in parse_qs(query).items()}


def score(exercise_id: str) -> float:
    """The points the learner earned on an exercise; used by nbgrader's hidden tests."""
    exercise = session().exercises.get(exercise_id)
    if exercise is None:
        raise KeyError(f"Geen oefening met id '{exercise_id}' in deze notebook.")
    return exercise.score()
