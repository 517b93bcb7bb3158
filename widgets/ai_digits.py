"""Digit recognition: the learner draws a digit on the pixel canvas and a model, trained in
the kernel on scikit-learn's bundled digits (1797 images of 8 by 8, shipped inside the
package: nothing is downloaded), says at once which digit it sees and why.

The model is k-nearest neighbours on black-and-white pixels: the canvas has two colours, so
the training images get the same abstraction (a pixel is black from half its grey on). Its
reason is therefore easy to tell: "4 of the 5 most similar examples are a 7". The key is the
digit the model must read; the score recomputes the model's reading on the server.
"""

import functools
from collections import Counter

import ipywidgets as w

from leerpad.i18n import phrases

from .base import ExerciseConfigError, Result, escape
from .helpers import status_line
from .pixels import PixelEditor

SIZE = 8
NEIGHBOURS = 5
say = phrases("digits")


@functools.cache
def training_data():
    """The bundled digits as black-and-white rows of 64 bits, and their labels."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    return (digits.data >= 8).astype("uint8"), digits.target


@functools.cache
def model():
    """k-nearest neighbours on all 1797 examples: fitting only stores them (milliseconds)."""
    from sklearn.neighbors import KNeighborsClassifier

    bits, labels = training_data()
    return KNeighborsClassifier(n_neighbors=NEIGHBOURS).fit(bits, labels)


def as_vector(rows):
    return [[int(bit) for row in rows for bit in row]]


def votes(rows) -> list[tuple[int, int]]:
    """(digit, number of neighbours) for a drawing, most votes first, a tie to the lowest
    digit (as scikit-learn's own prediction breaks it); and the nearest example's index."""
    _, nearest = model().kneighbors(as_vector(rows))
    labels = training_data()[1][nearest[0]]
    counted = Counter(int(label) for label in labels)
    return sorted(counted.items(), key=lambda item: (-item[1], item[0])), int(nearest[0][0])


def reading(rows) -> list[str]:
    """What the model says about a drawing, in words (the feedback and the live reading)."""
    ranked, _ = votes(rows)
    (digit, count), others = ranked[0], ranked[1:]
    lines = [say("reads", digit=digit, votes=count, k=NEIGHBOURS)]
    if others:
        lines.append(say("others", others=", ".join(f"{d} ({n})" for d, n in others)))
    return lines


def predict(rows) -> int:
    return votes(rows)[0][0][0]


def picture(bits) -> str:
    """Rows of bits as a small text picture (also what a screen reader reads)."""
    rows = ["".join(map(str, bits[r * SIZE : (r + 1) * SIZE])) for r in range(SIZE)]
    return "\n".join(row.replace("0", "□").replace("1", "■") for row in rows)


def confusion(test_share=0.25, seed=0):
    """The confusion matrix of the same model on digits it never saw (rows: the true digit,
    columns: what the model read), as the module shows it; and the number of test images."""
    from sklearn.metrics import confusion_matrix
    from sklearn.model_selection import train_test_split
    from sklearn.neighbors import KNeighborsClassifier

    bits, labels = training_data()
    train_x, test_x, train_y, test_y = train_test_split(
        bits, labels, test_size=test_share, random_state=seed, stratify=labels
    )
    fitted = KNeighborsClassifier(n_neighbors=NEIGHBOURS).fit(train_x, train_y)
    return confusion_matrix(test_y, fitted.predict(test_x)).tolist()


def valid_drawing(answer) -> bool:
    return (
        isinstance(answer, list)
        and len(answer) == SIZE
        and all(isinstance(r, str) and len(r) == SIZE and set(r) <= {"0", "1"} for r in answer)
    )


class DigitRecognition(PixelEditor):
    """Cijferherkenning: draw a digit; a model trained on scikit-learn's digits reads it.
    Right when the model reads the digit the key names; with ``moet-falen`` right when it
    reads another one (the learner looks for where the model fails)."""

    kind = "cijferherkenning"
    fields = {"moet-falen": "must_fail"}
    show_codes = False

    @classmethod
    def public_fields(cls, exercise_id, key):
        return {}

    @classmethod
    def validate(cls, exercise_id, config):
        must_fail = config.get("must_fail", False)
        if not isinstance(must_fail, bool):
            raise ExerciseConfigError(exercise_id, "must_fail", "moet true of false zijn.")
        return {
            **config,
            "must_fail": must_fail,
            "width": SIZE,
            "height": SIZE,
            "encoding": "binair",
            "code": None,
        }

    @classmethod
    def validate_key(cls, exercise_id, config, key):
        digit = key.get("answer")
        if not isinstance(digit, int) or isinstance(digit, bool) or not 0 <= digit <= 9:
            raise ExerciseConfigError(
                exercise_id,
                "answer",
                "moet een cijfer van 0 tot 9 zijn: het cijfer dat het model moet lezen.",
            )
        return {"answer": digit}

    @classmethod
    def evaluate(cls, config, key, answer):
        if not valid_drawing(answer):
            return Result(0.0, [say("size")])
        if "1" not in "".join(answer):
            return Result(0.0, [say("empty")])
        lines, digit, want = reading(answer), predict(answer), key["answer"]
        if config["must_fail"]:
            if digit != want:
                return Result(1.0, [*lines, say("fooled", want=want, digit=digit)])
            return Result(0.0, [*lines, say("not_fooled", want=want)])
        if digit == want:
            return Result(1.0, [*lines, say("right", digit=digit)])
        return Result(0.0, [*lines, say("wrong", want=want)])

    @classmethod
    def solution_html(cls, config, key):
        solution = say("solution_fail" if config["must_fail"] else "solution", digit=key["answer"])
        return escape(solution)

    # -- the widget: the pixel canvas, and the model's reading under it --------------------
    def build_input(self):
        self.live = w.HTML()
        self.nearest = w.HTML()
        canvas = super().build_input()
        self._read()
        return w.VBox([canvas, self.live, self.nearest])

    def _paint(self):
        super()._paint()
        if hasattr(self, "live"):
            self._read()

    def _read(self):
        """The model reads the drawing after every pixel: in a few milliseconds."""
        rows = ["".join(row) for row in self.bits]
        if "1" not in "".join(rows):
            self.live.value = status_line(say("waiting"))
            self.nearest.value = ""
            return
        _, index = votes(rows)
        self.live.value = status_line(" ".join(reading(rows)))
        bits, labels = training_data()
        self.nearest.value = (
            f"<p>{escape(say('nearest', digit=int(labels[index])))}</p>"
            f"<pre class='leerpad-digit' style='line-height:1.05'>{picture(bits[index])}</pre>"
        )
