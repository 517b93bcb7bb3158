"""Writing code: the learner writes Python, assert lines test it in a separate process.

The learner's code never runs in the notebook's kernel. Each run starts a fresh
``python -I`` in an empty temporary folder, with a time limit and limits on memory, file
size and new processes. Visible tests run first and may show the learner's printed output;
hidden tests run in a second process that only reports which tests passed, so nothing the
learner's code prints can reveal them.
"""

import ast
import functools
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile

import ipywidgets as w

from .base import ExerciseConfigError, Result, escape
from .helpers import AuthoredExercise, say

MEMORY = 512 * 1024 * 1024
FILE_SIZE = 1024 * 1024
OUTPUT_LIMIT = 2000
CODE_FILE = "<jouw code>"

# Runs in the child process. Reads {code, tests, nonce, ...} as JSON from stdin and writes
# one line "<nonce> {json}" with the outcome of the code and of each test.
RUNNER = r"""
import contextlib, io, json, resource, sys, traceback

def limit(name, value):
    try:
        soft, hard = resource.getrlimit(name)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        resource.setrlimit(name, (value, value))
    except (ValueError, OSError, AttributeError):
        pass


def problem(err, filename):
    line = None
    if isinstance(err, SyntaxError) and err.filename == filename:
        line = err.lineno
    for frame, lineno in traceback.walk_tb(err.__traceback__):
        if frame.f_code.co_filename == filename:
            line = lineno
    message = err.msg if isinstance(err, SyntaxError) else str(err)
    return {"type": type(err).__name__, "message": str(message)[:300], "line": line,
            "name": getattr(err, "name", None) if isinstance(err, NameError) else None}

def main(data, out):
    sys.stdin = io.StringIO("")
    limit(resource.RLIMIT_AS, data["memory"])
    limit(resource.RLIMIT_FSIZE, data["file_size"])
    limit(resource.RLIMIT_CPU, data["cpu"])
    limit(getattr(resource, "RLIMIT_NPROC", -1), 0)
    buffer = io.StringIO()
    namespace = {"__name__": "__main__"}
    result = {"error": None, "tests": []}
    with contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(buffer):
        try:
            exec(compile(data["code"], data["file"], "exec"), namespace)
        except BaseException as err:
            result["error"] = problem(err, data["file"])
        for test in data["tests"]:
            try:
                exec(compile(test, "<test>", "exec"), namespace)
                result["tests"].append(None)
            except BaseException as err:
                result["tests"].append(problem(err, data["file"]))
    if data["show_output"]:
        result["output"] = buffer.getvalue()[: data["output_limit"]]
    else:
        passed = [t is None for t in result["tests"]]
        result = {"error": result["error"] is not None, "tests": passed}
    out.write("\n" + data["nonce"] + " " + json.dumps(result) + "\n")
    out.flush()

main(json.loads(sys.stdin.read()), sys.stdout)
"""


def run_python(code, tests, timeout=5.0, show_output=True) -> dict:
    """Run `code` and then each test in a fresh, limited Python; return the outcome.

    The outcome is ``{"timeout": bool, "crashed": bool, "error": ..., "tests": [...]}``.
    With ``show_output=False`` only pass/fail per test comes back (for hidden tests).
    """
    nonce = secrets.token_hex(16)
    data = {
        "code": code,
        "tests": list(tests),
        "file": CODE_FILE,
        "nonce": nonce,
        "memory": MEMORY,
        "file_size": FILE_SIZE,
        "cpu": int(timeout) + 2,
        "show_output": show_output,
        "output_limit": OUTPUT_LIMIT,
    }
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"}
    env.update({"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "PYTHONIOENCODING": "utf-8"})
    from leerpad.grading.sandbox import confine  # no network, no files but its own folder

    with (
        tempfile.TemporaryDirectory(prefix="leerpad-code-") as folder,
        subprocess.Popen(
            confine([sys.executable, "-I", "-c", RUNNER], folder),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            cwd=folder,
            env=env,
            start_new_session=True,
            text=True,
            encoding="utf-8",
        ) as process,
    ):
        try:
            stdout, _ = process.communicate(json.dumps(data), timeout=timeout)
        except subprocess.TimeoutExpired:
            stdout = None
        _kill(process)  # on a timeout, and whatever the code started in its session
    if stdout is None:
        return {"timeout": True, "crashed": False, "error": None, "tests": []}
    for line in reversed(stdout.splitlines()):
        if line.startswith(nonce + " "):
            return {"timeout": False, "crashed": False, **json.loads(line[len(nonce) + 1 :])}
    return {"timeout": False, "crashed": True, "error": None, "tests": []}


def _kill(process):
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except OSError:
        pass
    if process.poll() is None:
        process.kill()


def friendly(problem: dict, in_test=False) -> str:
    """A Dutch explanation of an error in the learner's code (or in a test of it)."""
    kind, line, message = problem["type"], problem.get("line"), problem.get("message", "")
    where = f" in regel {line}" if line else ""
    if in_test and kind == "NameError" and problem.get("name"):
        return f"De test gebruikt '{escape(problem['name'])}', maar jouw code maakt die niet aan."
    if kind == "IndentationError" or kind == "TabError":
        return f"De inspringing klopt niet{where}. Controleer de spaties vooraan de regel."
    if kind == "SyntaxError":
        return f"Python begrijpt je code niet{where} (SyntaxError): {escape(message)}"
    if kind in ("NameError", "UnboundLocalError") and problem.get("name"):
        return (
            f"Je gebruikt '{escape(problem['name'])}'{where}, maar die bestaat nog niet. "
            "Is de naam juist geschreven, en maak je hem aan voor je hem gebruikt?"
        )
    if kind == "ZeroDivisionError":
        return f"Je deelt door nul{where}."
    if kind == "RecursionError":
        return f"Je functie roept zichzelf te vaak op{where}: stopt de recursie wel?"
    if kind == "MemoryError":
        return "Je code gebruikt te veel geheugen."
    if kind == "EOFError":
        return "Je code vraagt invoer met input(); dat kan hier niet. Gebruik een variabele."
    if kind == "SystemExit":
        return "Je code stopt Python (exit); laat dat weg."
    return f"Er liep iets mis{where}: {escape(kind)}: {escape(message)}"


def _lines(exercise_id, field, value):
    """Assert lines: a list of strings or one string with a test per line."""
    if value is None:
        return []
    if isinstance(value, str):
        value = value.splitlines()
    if not isinstance(value, list):
        raise ExerciseConfigError(exercise_id, field, "moet een lijst met assert-regels zijn.")
    lines = [str(v).strip() for v in value if str(v).strip() and not str(v).strip().startswith("#")]
    for n, line in enumerate(lines, 1):
        try:
            ast.parse(line)
        except SyntaxError as err:
            raise ExerciseConfigError(
                exercise_id, field, f"test {n} is geen geldige Python: {err.msg}.", line
            ) from err
    return lines


class CodeExercise(AuthoredExercise):
    """Code-oefening: write Python; ``tests`` (visible) and ``hidden_tests`` check it.

    Every assert line counts as one test; the score is the share of all tests that pass.
    ``solution`` and ``hidden_tests`` are the key: the solution must pass every test.
    """

    kind = "code-oefening"
    key_fields = ("solution", "hidden_tests")
    fields = {
        "oplossing": "solution",
        "testen": "tests",
        "verborgen-testen": "hidden_tests",
        "tijdslimiet": "timeout",
    }

    @classmethod
    def validate(cls, exercise_id, config):
        timeout = config.get("timeout", 5)
        if (
            not isinstance(timeout, int | float)
            or isinstance(timeout, bool)
            or not 0 < timeout <= 60
        ):
            raise ExerciseConfigError(
                exercise_id, "timeout", "moet een aantal seconden (0-60) zijn."
            )
        start = config.get("start", "")
        if not isinstance(start, str):
            raise ExerciseConfigError(exercise_id, "start", "moet tekst (Python-code) zijn.")
        tests = _lines(exercise_id, "tests", config.get("tests"))
        return {**config, "timeout": timeout, "start": start, "tests": tests}

    @classmethod
    def validate_key(cls, exercise_id, config, key):
        solution = key.get("solution")
        if not isinstance(solution, str) or not solution.strip():
            raise ExerciseConfigError(
                exercise_id, "solution", "ontbreekt: geef een voorbeeldoplossing."
            )
        hidden = _lines(exercise_id, "hidden_tests", key.get("hidden_tests"))
        if not config["tests"] and not hidden:
            raise ExerciseConfigError(exercise_id, "tests", "er is geen enkele test.")
        key = {"solution": solution, "hidden_tests": hidden}
        problem = cls._solution_problem(json.dumps(config, sort_keys=True), json.dumps(key))
        if problem is not None:
            raise ExerciseConfigError(
                exercise_id, "solution", "slaagt niet voor alle testen: " + problem
            )
        return key

    @classmethod
    @functools.lru_cache(maxsize=256)
    def _solution_problem(cls, config_json: str, key_json: str) -> str | None:
        """Why the author's solution fails its tests, or None. It runs in a fresh Python:
        once per process, not each time the exercise is built (every page load in the
        app, every hand-in in a grading run)."""
        key = json.loads(key_json)
        result = cls.evaluate(json.loads(config_json), key, key["solution"])
        return None if result.fraction >= 1 else " ".join(result.messages)

    def build_input(self):
        self.editor = w.Textarea(
            value=self.config["start"],
            description=say("code_label"),
            tooltip=say("code_label"),
            placeholder="# Schrijf hier je Python-code.",
            layout=w.Layout(width="100%", height="14em"),
        )
        self.editor.style.description_width = "initial"
        self.editor.add_class("leerpad-code")  # monospace, in the course stylesheet
        self.editor.observe(self._save, "value")
        tests = "".join(f"<li><code>{escape(t)}</code></li>" for t in self.config["tests"])
        parts = [self.editor]
        if tests:
            parts.insert(0, w.HTML(f"<p>Deze testen moeten slagen:</p><ul>{tests}</ul>"))
        return w.VBox(parts)

    def get_answer(self):
        code = self.editor.value
        return code if code.strip() and code.strip() != self.config["start"].strip() else None

    def set_answer(self, answer):
        self.editor.value = answer if isinstance(answer, str) else self.config["start"]

    @classmethod
    def evaluate(cls, config, key, answer):
        timeout, visible, hidden = config["timeout"], config["tests"], key["hidden_tests"]
        total = len(visible) + len(hidden)
        first = run_python(answer, visible, timeout)
        if first["timeout"]:
            seconds = f"{timeout:g}".replace(".", ",")
            return Result(
                0.0,
                [f"Je code stopte niet binnen {seconds} seconden: zit er een oneindige lus in?"],
            )
        if first["crashed"]:
            return Result(0.0, ["Je code stopte Python onverwacht (te veel geheugen?)."])
        messages = [friendly(first["error"])] if first["error"] else []
        passed = 0
        for test, problem in zip(visible, first["tests"], strict=False):
            passed += problem is None
            mark = "✔" if problem is None else "✘"
            detail = (
                ""
                if problem is None or problem["type"] == "AssertionError"
                else (" — " + friendly(problem, in_test=True))
            )
            messages.append(f"{mark} <code>{escape(test)}</code>{detail}")
        if hidden:
            second = run_python(answer, hidden, timeout, show_output=False)
            hidden_passed = sum(second["tests"]) if not second["timeout"] else 0
            passed += hidden_passed
            messages.append(f"Verborgen testen: {hidden_passed} van {len(hidden)} geslaagd.")
        if first.get("output"):
            messages.append(f"Uitvoer:<pre>{escape(first['output'])}</pre>")
        return Result(passed / total, messages)

    @classmethod
    def solution_html(cls, config, key):
        return f"<pre><code>{escape(key['solution'])}</code></pre>"
