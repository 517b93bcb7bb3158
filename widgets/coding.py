"""Writing code: the learner writes Python, assert lines test it in a separate process.

The learner's code never runs in the notebook's kernel. Each run starts a runner (a fresh
``python -I`` in the sandbox, in an empty temporary folder) that runs no learner code
itself: it starts one fresh, limited Python per test, which runs the learner's code and
then that one test. For ``assert <expression> == <value>`` the child only gives the value
of the expression, as plain data; the runner compares it with the expected value, which
no child ever sees. So learner code can neither write the result (the runner's output is
out of its reach) nor learn a hidden test's answer, and an object whose ``__eq__`` always
says True is no plain value. Hidden tests come back as True or False only.
"""

import ast
import functools
import json
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import ipywidgets as w

from leerpad import equality

from .base import ExerciseConfigError, Result, escape
from .helpers import AuthoredExercise, say

MEMORY = 512 * 1024 * 1024
FILE_SIZE = 1024 * 1024
OUTPUT_LIMIT = 2000
REPORT_LIMIT = 1024 * 1024
CODE_FILE = "<jouw code>"
EQUALITY = Path(equality.__file__).read_text(encoding="utf-8")  # the runner includes it

# One fresh Python per job: runs the learner's code, then its one job (show the output, give
# the value of one expression, or run one test), and writes one JSON line to its stdout.
# Learner code runs in this process, so it could write that line itself: which is why the
# runner compares values itself and never hands a child the expected value.
CHILD = (
    EQUALITY
    + r"""
import contextlib, io, json, os, resource, sys, traceback

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

def encode(value, depth=0, _type=type):
    # Plain values only, with their kind: an object of the learner's never leaves.
    kind = _type(value)
    if depth > 40:
        raise ValueError("te diep geneste waarde")
    if value is None or kind in (bool, int, str):
        return [kind.__name__, value]
    if kind is float:
        return ["float", repr(value)]
    if kind in (list, tuple, set, frozenset):
        return [kind.__name__, [encode(v, depth + 1) for v in value]]
    if kind is dict:
        return ["dict", [[encode(k, depth + 1), encode(v, depth + 1)] for k, v in value.items()]]
    raise TypeError(
        f"de test verwacht een gewone waarde (getal, tekst, lijst, ...), geen {kind.__name__}")

def main():
    job = json.loads(sys.stdin.read())
    report = os.fdopen(os.dup(1), "w", encoding="utf-8")
    quiet = os.open(os.devnull, os.O_WRONLY)
    os.dup2(quiet, 1)
    os.dup2(quiet, 2)
    sys.stdin = io.StringIO("")
    limit(resource.RLIMIT_AS, job["memory"])
    limit(resource.RLIMIT_FSIZE, job["file_size"])
    limit(resource.RLIMIT_CPU, job["cpu"])
    limit(getattr(resource, "RLIMIT_NPROC", -1), 0)
    buffer = io.StringIO()
    namespace = {"__name__": "__main__"}
    with contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(buffer):
        try:
            exec(compile(job["code"], job["file"], "exec"), namespace)
            error = None
        except BaseException as err:
            error = problem(err, job["file"])
        if job["kind"] == "run":
            out = {"error": error, "output": buffer.getvalue()[: job["output_limit"]]}
        elif job["kind"] == "value":
            try:
                value = eval(compile(job["expression"], "<test>", "eval"), namespace)
                out = {"value": encode(value)}
            except BaseException as err:
                out = {"problem": problem(err, job["file"])}
        else:
            namespace.update(gelijk=gelijk, bijna_gelijk=bijna_gelijk)
            try:
                exec(compile(job["test"], "<test>", "exec"), namespace)
                out = {"problem": None}
            except BaseException as err:
                out = {"problem": problem(err, job["file"])}
    report.write(json.dumps(out) + "\n")
    report.flush()
    os._exit(0)

main()
"""
)

# The runner: a fresh Python that never runs learner code. It starts one child per job,
# keeps the expected values to itself and compares the children's values with them; what
# it writes on its stdout (read by the app or the grader) no child can reach.
RUNNER = (
    EQUALITY
    + r"""
import ast, ctypes, json, subprocess, sys, time

try:  # children run as the same user: they may not read or trace this process
    ctypes.CDLL(None).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE = 0
except (OSError, AttributeError):
    pass

def decode(item):
    kind, value = item
    if kind == "float":
        return float(value)
    if kind in ("list", "tuple", "set", "frozenset"):
        return {"list": list, "tuple": tuple, "set": set, "frozenset": frozenset}[kind](
            decode(v) for v in value)
    if kind == "dict":
        return {decode(k): decode(v) for k, v in value}
    if kind not in ("NoneType", "bool", "int", "str") or type(value).__name__ != kind:
        raise ValueError(kind)
    return value

def child(data, job):
    job = {**job, "code": data["code"], "file": data["file"], "memory": data["memory"],
           "file_size": data["file_size"], "cpu": data["cpu"],
           "output_limit": data["output_limit"]}
    process = subprocess.Popen(
        [sys.executable, "-I", "-c", data["child"]], stdin=subprocess.PIPE,
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        out, _ = process.communicate(json.dumps(job).encode(), timeout=data["timeout"])
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise
    lines = out[: data["report_limit"]].decode("utf-8", "replace").splitlines()
    if len(lines) != 1:  # no report (the code stopped Python), or more than one: not trusted
        return None
    return json.loads(lines[0])

FAILED = {"type": "AssertionError", "message": "", "line": None, "name": None}

def verdict(data, test):
    if test["kind"] == "value":
        out = child(data, {"kind": "value", "expression": test["expression"]})
        if out is None:
            return FAILED
        if out.get("problem") is not None:
            return out["problem"]
        try:
            value = decode(out["value"])
        except (KeyError, TypeError, ValueError):
            return FAILED
        expected = ast.literal_eval(test["expected"])
        if test["margin"] is not None:
            return None if bijna_gelijk(value, expected, test["margin"]) else FAILED
        return None if gelijk(value, expected) else FAILED
    out = child(data, {"kind": "test", "test": test["test"]})
    if out is None:
        return FAILED
    return None if out.get("problem") is None else out["problem"]

def main(data):
    result = {"timeout": False, "error": None, "tests": []}
    try:
        if data["show_output"]:
            out = child(data, {"kind": "run"})
            if out is None:
                result["crashed"] = True
            else:
                result["error"], result["output"] = out.get("error"), str(out.get("output", ""))
        for test in data["tests"]:
            result["tests"].append(verdict(data, test))
    except subprocess.TimeoutExpired:
        result = {"timeout": True, "error": None, "tests": []}
    if not data["show_output"]:
        result = {"timeout": result["timeout"], "tests": [t is None for t in result["tests"]]}
    sys.stdout.write(json.dumps(result) + "\n")

main(json.loads(sys.stdin.read()))
"""
)


def test_plan(test: str) -> dict:
    """How the runner checks one assert line. ``assert <expression> == <literal>`` (and
    ``gelijk``/``bijna_gelijk`` with a literal) is checked by the runner itself: a child
    only gives the value of the expression, and never sees the expected value. Any other
    line runs whole in a child, which reports whether it passed."""
    whole = {"kind": "test", "test": test}
    tree = ast.parse(test)
    if len(tree.body) != 1 or not isinstance(tree.body[0], ast.Assert):
        return whole
    node, margin = tree.body[0].test, None
    if isinstance(node, ast.Compare) and len(node.ops) == 1 and isinstance(node.ops[0], ast.Eq):
        left, right = node.left, node.comparators[0]
    elif (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in ("gelijk", "bijna_gelijk")
        and len(node.args) in (2, 3)
        and not node.keywords
    ):
        left, right = node.args[0], node.args[1]
        if node.func.id == "bijna_gelijk":
            margin = _literal(node.args[2]) if len(node.args) == 3 else 1e-9
            if not isinstance(margin, int | float):
                return whole
        elif len(node.args) == 3:
            return whole
    else:
        return whole
    if _literal(right) is _NOT_LITERAL:
        return whole
    return {
        "kind": "value",
        "expression": ast.unparse(left),
        "expected": ast.unparse(right),
        "margin": margin,
    }


_NOT_LITERAL = object()


def _literal(node):
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return _NOT_LITERAL


def run_python(code, tests, timeout=5.0, show_output=True) -> dict:
    """Run `code` with each test in fresh, limited Pythons; return the outcome.

    The outcome is ``{"timeout": bool, "crashed": bool, "error": ..., "tests": [...]}``:
    per test None (passed) or the problem. With ``show_output=False`` (hidden tests) only
    True or False per test comes back, and no child ever gets a hidden expected value.
    """
    tests = list(tests)
    data = {
        "code": code,
        "tests": [test_plan(test) for test in tests],
        "file": CODE_FILE,
        "child": CHILD,
        "memory": MEMORY,
        "file_size": FILE_SIZE,
        "cpu": int(timeout) + 2,
        "timeout": timeout,
        "show_output": show_output,
        "output_limit": OUTPUT_LIMIT,
        "report_limit": REPORT_LIMIT,
    }
    # Nothing of the caller's environment: no keys, no paths, no tokens.
    env = {
        "PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "PYTHONIOENCODING": "utf-8",
    }
    from leerpad.grading.sandbox import confine  # no network, no files but its own folder

    jobs = len(tests) + bool(show_output)
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
            # each child has `timeout` seconds; the runner stops at the first that runs out
            stdout, _ = process.communicate(json.dumps(data), timeout=timeout * jobs + 30)
        except subprocess.TimeoutExpired:
            stdout = None
        _kill(process)  # on a timeout, and whatever the code started in its session
    if stdout is None:
        return {"timeout": True, "crashed": False, "error": None, "tests": []}
    return _checked(stdout, len(tests), show_output)


def _checked(stdout: str, count: int, show_output: bool) -> dict:
    """The runner's report, or a crash when it is not what the runner writes."""
    crashed = {"timeout": False, "crashed": True, "error": None, "tests": []}
    try:
        result = json.loads(stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return crashed
    if result.get("timeout"):
        return {**crashed, "timeout": True, "crashed": False}
    tests = result.get("tests")
    if not isinstance(tests, list) or len(tests) != count:
        return crashed
    kind = bool if not show_output else (dict, type(None))
    if not all(isinstance(t, kind) for t in tests):
        return crashed
    return {
        "crashed": bool(result.get("crashed")),
        "error": result.get("error"),
        **result,
        "timeout": False,
    }


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
