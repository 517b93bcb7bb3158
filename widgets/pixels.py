"""Pixels: a black-and-white image as rows of bits, drawn by clicking or with the keyboard.

The key is the target image: rows of ``0`` (white) and ``1`` (black). The author may show
the learner a code to decode (``code``: the rows in binary, or in run lengths as in the CS
Unplugged activity "beelden als getallen"); the widget checks that it fits the key.
"""

import ipywidgets as w

from leerpad.i18n import phrases

from .base import ExerciseConfigError, Result, escape
from .helpers import AuthoredExercise

ENCODINGS = ("binair", "lengtes")
say = phrases("pixels")


def encode(row: str, encoding: str) -> str:
    """One row as its code: the bits, or the lengths of the runs starting with white."""
    if encoding == "binair":
        return row
    runs, current, length = [], "0", 0
    for bit in row:
        if bit == current:
            length += 1
        else:
            runs.append(length)
            current, length = bit, 1
    runs.append(length)
    return ",".join(map(str, runs))


def bit_rows(exercise_id, field, rows) -> list[str]:
    """Rows of 0/1 (spaces allowed; ``#``/``.`` too), all of one width."""
    if not isinstance(rows, list) or not rows:
        raise ExerciseConfigError(exercise_id, field, "moet een lijst met rijen van 0 en 1 zijn.")
    result = []
    for n, row in enumerate(rows, 1):
        if not isinstance(row, str):
            raise ExerciseConfigError(
                exercise_id,
                field,
                f"rij {n} moet tekst zijn, niet {type(row).__name__}.",
                'zet elke rij tussen aanhalingstekens, bv. "01100110".',
            )
        bits = row.replace(" ", "").replace("#", "1").replace(".", "0")
        if not bits or set(bits) - {"0", "1"}:
            raise ExerciseConfigError(exercise_id, field, f"rij {n} bevat iets anders dan 0 en 1.")
        result.append(bits)
    if len({len(r) for r in result}) != 1:
        raise ExerciseConfigError(exercise_id, field, "alle rijen moeten even lang zijn.")
    if len(result) > 16 or len(result[0]) > 16:
        raise ExerciseConfigError(exercise_id, field, "mag hoogstens 16 op 16 pixels zijn.")
    return result


class PixelEditor(AuthoredExercise):
    """Pixels: toggle pixels; the code of each row shows as you draw. Score: rows right."""

    kind = "pixels"
    fields = {"breedte": "width", "hoogte": "height", "codering": "encoding"}
    show_codes = True  # the code of each row next to it; a subclass may draw the canvas only

    @classmethod
    def public_fields(cls, exercise_id, key):
        rows = bit_rows(exercise_id, "answer", key.get("answer"))
        return {"width": len(rows[0]), "height": len(rows)}

    @classmethod
    def validate(cls, exercise_id, config):
        for name in ("width", "height"):
            value = config.get(name)
            if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 16:
                raise ExerciseConfigError(exercise_id, name, "moet een getal van 1 tot 16 zijn.")
        encoding = config.get("encoding", "binair")
        if encoding not in ENCODINGS:
            raise ExerciseConfigError(
                exercise_id,
                "encoding",
                f"'{encoding}' ken ik niet.",
                f"kies {' of '.join(ENCODINGS)}.",
            )
        code = config.get("code")
        if code is not None and (not isinstance(code, list) or len(code) != config["height"]):
            raise ExerciseConfigError(
                exercise_id, "code", f"moet {config['height']} rijen geven, één per pixelrij."
            )
        code = [str(c).replace(" ", "") for c in code] if code else None
        return {**config, "encoding": encoding, "code": code}

    @classmethod
    def validate_key(cls, exercise_id, config, key):
        rows = bit_rows(exercise_id, "answer", key.get("answer"))
        if (len(rows), len(rows[0])) != (config["height"], config["width"]):
            raise ExerciseConfigError(
                exercise_id, "answer", f"moet {config['height']} rijen van {config['width']} geven."
            )
        if config["code"]:
            for n, (row, code) in enumerate(zip(rows, config["code"], strict=True), 1):
                if encode(row, config["encoding"]) != code:
                    raise ExerciseConfigError(
                        exercise_id,
                        "code",
                        f"rij {n} ('{code}') past niet bij het antwoord ('{row}').",
                        f"de code van die rij is {encode(row, config['encoding'])}.",
                    )
        return {"answer": rows}

    @classmethod
    def evaluate(cls, config, key, answer):
        target = key["answer"]
        if (
            not isinstance(answer, list)
            or len(answer) != len(target)
            or any(not isinstance(r, str) or len(r) != len(target[0]) for r in answer)
        ):
            return Result(0.0, [say("size", rows=len(target), cols=len(target[0]))])
        wrong = [n for n, (a, b) in enumerate(zip(answer, target, strict=True), 1) if a != b]
        messages = [say("row_wrong", row=n) for n in wrong[:3]]
        return Result((len(target) - len(wrong)) / len(target), messages)

    @classmethod
    def solution_html(cls, config, key):
        return (
            "<pre>"
            + "\n".join(
                f"{row.replace('0', '□').replace('1', '■')}  {encode(row, config['encoding'])}"
                for row in key["answer"]
            )
            + "</pre>"
        )

    # -- the widget ----------------------------------------------------------------
    def build_input(self):
        height, width = self.config["height"], self.config["width"]
        self.bits = [["0"] * width for _ in range(height)]
        self.touched = False
        self.buttons = [
            [
                w.Button(layout=w.Layout(width="2.4em", height="2.4em", padding="0"))
                for _ in range(width)
            ]
            for _ in range(height)
        ]
        self.codes = [w.HTML() for _ in range(height)]
        for r, row in enumerate(self.buttons):
            for c, button in enumerate(row):
                button.on_click(lambda _, r=r, c=c: self.toggle(r, c))
        rows = [
            w.HBox(
                [*self.buttons[r], *([self.codes[r]] if self.show_codes else [])],
                layout=w.Layout(align_items="center"),
            )
            for r in range(height)
        ]
        parts = []
        if self.config["code"]:
            listing = "".join(f"<li><code>{escape(c)}</code></li>" for c in self.config["code"])
            parts.append(w.HTML(f"<p>{say('code_title')}</p><ol>{listing}</ol>"))
        clear = w.Button(description=say("clear"), icon="eraser")
        clear.on_click(lambda _: self.set_answer(None) or self._save())
        self._paint()
        return w.VBox([*parts, w.VBox(rows, layout=w.Layout(margin="0")), clear])

    def toggle(self, row, col):
        self.bits[row][col] = "1" if self.bits[row][col] == "0" else "0"
        self.touched = True
        self._paint()
        self._save()

    def _paint(self):
        for r, row in enumerate(self.buttons):
            for c, button in enumerate(row):
                black = self.bits[r][c] == "1"
                button.description = self.bits[r][c]
                button.style.button_color = "#111827" if black else "#ffffff"
                button.style.text_color = "#ffffff" if black else "#6b7280"
                state = say("black" if black else "white")
                button.tooltip = say("pixel", row=r + 1, col=c + 1, state=state)
            code = encode("".join(self.bits[r]), self.config["encoding"])
            self.codes[
                r
            ].value = f"<code>&nbsp;{escape(say('row_code', row=r + 1, code=code))}</code>"

    def get_answer(self):
        return ["".join(row) for row in self.bits] if self.touched else None

    def set_answer(self, answer):
        height, width = self.config["height"], self.config["width"]
        valid = (
            isinstance(answer, list)
            and len(answer) == height
            and all(isinstance(r, str) and len(r) == width and set(r) <= {"0", "1"} for r in answer)
        )
        self.bits = [list(r) for r in answer] if valid else [["0"] * width for _ in range(height)]
        self.touched = valid
        self._paint()
