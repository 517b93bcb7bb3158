"""nbgrader preprocessors that leerpad adds to nbgrader's own pipelines.

One transformation per preprocessor, as in nbgrader itself.
"""

import ast
import json
from pathlib import Path

from leerpad.widgets.base import TYPES
from leerpad.widgets.store import ANSWERS_FILE, write_json_atomic
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Unicode


class AnswerKeyError(ValueError):
    pass


def _offsets(source: bytes):
    """Byte offset of the start of each line (AST columns are UTF-8 byte offsets)."""
    starts = [0]
    for i, byte in enumerate(source):
        if byte == 0x0A:
            starts.append(i + 1)
    return starts


def exercise_calls(source: str):
    """Yield (call node, class) for each call of a leerpad exercise type in `source`."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = (
                node.func.attr
                if isinstance(node.func, ast.Attribute)
                else getattr(node.func, "id", None)
            )
            if name in TYPES:
                yield node, TYPES[name]


def split_keys(source: str, where: str = "") -> tuple[str, dict]:
    """Remove the answer-key arguments from every exercise call in `source`.

    Returns the public source and {exercise id: key}. Public replacements (for example the
    shuffled items of an ordering) take the key's place.
    """
    data = source.encode("utf-8")
    starts = _offsets(data)
    edits = []  # (start, end, replacement bytes)
    keys = {}
    for call, cls in exercise_calls(source):
        kwargs = {k.arg: k for k in call.keywords if k.arg}
        if "id" not in kwargs:
            raise AnswerKeyError(f"{where}: een {cls.__name__} zonder id.")
        try:
            exercise_id = ast.literal_eval(kwargs["id"].value)
        except ValueError as err:
            raise AnswerKeyError(f"{where}: de id van een {cls.__name__} moet tekst zijn.") from err
        key = {}
        for name in cls.key_fields:
            if name not in kwargs:
                continue
            node = kwargs[name]
            try:
                key[name] = ast.literal_eval(node.value)
            except ValueError as err:
                raise AnswerKeyError(
                    f"{where}: oefening '{exercise_id}', veld '{name}': schrijf het antwoord "
                    "letterlijk (tekst, getal, lijst), niet als berekening."
                ) from err
            begin = starts[node.lineno - 1] + node.col_offset
            end = starts[node.end_lineno - 1] + node.end_col_offset
            # take the comma and spaces after the argument too
            while end < len(data) and data[end : end + 1] in (b",", b" "):
                end += 1
            if data[end : end + 1] == b"\n" and data[begin - 1 : begin] == b" ":
                # an argument on a line of its own: drop the whole line
                line_start = data.rfind(b"\n", 0, begin) + 1
                if not data[line_start:begin].strip():
                    begin, end = line_start, end + 1
            edits.append((begin, end, b""))
        if key:
            keys[exercise_id] = key
            public = {
                k: v for k, v in cls.public_fields(exercise_id, key).items() if k not in kwargs
            }
            if public:
                extra = "".join(f"{k}={v!r}, " for k, v in public.items())
                at = starts[kwargs["id"].lineno - 1] + kwargs["id"].col_offset
                edits.append((at, at, extra.encode("utf-8")))
    for begin, end, replacement in sorted(edits, reverse=True):
        data = data[:begin] + replacement + data[end:]
    return data.decode("utf-8"), keys


class StripAnswerKeys(NbGraderPreprocessor):
    """Move exercise answer keys out of the released notebook into the key store."""

    keys_directory = Unicode(
        "", help="Folder where answer keys are kept, one JSON file per assignment."
    ).tag(config=True)

    def preprocess(self, nb, resources):
        self.keys = {}
        nb, resources = super().preprocess(nb, resources)
        if self.keys and self.keys_directory:
            assignment = resources["nbgrader"]["assignment"]
            path = Path(self.keys_directory) / f"{assignment}.json"
            existing = json.loads(path.read_text()) if path.exists() else {}
            notebook = resources["nbgrader"]["notebook"]
            existing = {k: v for k, v in existing.items() if v.get("notebook") != notebook}
            for exercise_id, key in self.keys.items():
                existing[exercise_id] = {**key, "notebook": notebook}
            write_json_atomic(path, existing)
        return nb, resources

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code":
            where = f"{resources['nbgrader']['notebook']}.ipynb, cel {index + 1}"
            cell.source, keys = split_keys(cell.source, where)
            self.keys.update(keys)
        return cell, resources


class FillOpenAnswers(NbGraderPreprocessor):
    """Put the learner's open answers (kept by the widgets in ``leerpad-answers.json``) into
    their manually graded cells, so that the trainer reads them in formgrader."""

    def preprocess(self, nb, resources):
        path = Path(resources.get("metadata", {}).get("path", ".")) / ANSWERS_FILE
        try:
            self.answers = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        except ValueError:
            self.log.warning("%s is damaged; open answers stay as they are", path)
            self.answers = {}
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "markdown" and meta.get("solution") and meta.get("grade"):
            state = self.answers.get(meta.get("grade_id"), {})
            text = state.get("answer") if isinstance(state, dict) else None
            if isinstance(text, str) and text.strip():
                cell.source = text
        return cell, resources
