"""Writing code: the learner writes Python, assert lines test it in a separate process.

The learner's code never runs in the notebook's kernel. Each run starts a runner (a fresh
``python -I`` in the sandbox, in an empty temporary folder) that runs no learner code
itself: it starts one fresh, limited Python per test, which runs the learner's code and
then gives the *values* the test needs, as plain data (numbers, texts, lists, ...). The
verdict is the runner's own: it takes every assert apart (``==``, ``<``, ``in``, ``not``,
``and``, ``or``, ``gelijk``, ``bijna_gelijk``; a bare expression must be exactly True),
works out the parts that use nothing of the learner's (``[1, 3]``, ``sorted([3, 1])``)
itself, and applies the operators to the values. So learner code can neither write a result
(the runner's output is out of its reach; a child only hands over values, and a value the
learner forges is no more than a function that returns it) nor learn a hidden test's
expected value (no child sees it), and an object of the learner's (an ``__eq__`` that
always says True) is no plain value: the test fails. Hidden tests come back as True or
False only.

The same runner judges the test cells of a ``{code}`` block in an nbgrader notebook
(``leerpad.grading.preprocessors.JudgeCodeTests``), with the learner's cells as the code.
"""

import ast
import copy
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

# Builtins the runner applies itself, to plain values: a test's parts made of these, literals
# and the values the children give are worked out by the runner, never by learner code.
SAFE_BUILTINS = (
    "abs all any bool chr dict divmod enumerate float frozenset int isinstance len list max "
    "min ord range reversed round set sorted str sum tuple type zip"
).split()
EQUALITY_CALLS = ("gelijk", "bijna_gelijk")  # always leerpad's, whatever the code defines

# One fresh Python per job: runs the learner's code, then its one job (show the output, or
# give the values one test needs), and writes one JSON line to its stdout. Learner code runs
# in this process, so it could write that line itself: which is why a child only gives
# values, the runner judges them, and no child ever sees an expected value.
CHILD = (
    EQUALITY
    + r"""
import contextlib, io, json, os, resource, signal, sys, traceback, types

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

class NotPlain(Exception):
    pass

ITERATORS = (types.GeneratorType, map, filter, zip, enumerate, reversed)

def encode(value, depth=0, _type=type):
    # Plain values only, with their kind: an object of the learner's never leaves.
    kind = _type(value)
    if depth > 40:
        raise NotPlain("te diep geneste waarde")
    if value is None or kind in (bool, int, str):
        return [kind.__name__, value]
    if kind is float:
        return ["float", repr(value)]
    if kind in (list, tuple, set, frozenset):
        return [kind.__name__, [encode(v, depth + 1) for v in value]]
    if kind is dict:
        return ["dict", [[encode(k, depth + 1), encode(v, depth + 1)] for k, v in value.items()]]
    raise NotPlain(kind.__name__)

def value_of(hole, namespace):
    value = eval(compile(hole["expr"], "<test>", "eval"), namespace)
    if hole["iter"] and isinstance(value, ITERATORS):
        value = list(value)  # what sorted(), sum(), ... in the runner will read
    try:
        return {"value": encode(value)}
    except NotPlain as err:
        return {"problem": {"type": "NotPlainValue", "message": str(err)[:100], "line": None,
                            "name": None}}

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
        error = None
        if job["cell_timeout"]:  # as a kernel does: interrupt a cell that runs too long
            signal.signal(signal.SIGINT, signal.default_int_handler)  # a grader ignores it
            signal.signal(signal.SIGALRM, lambda *_: os.kill(os.getpid(), signal.SIGINT))
        for cell in job["code"]:  # cells as in a notebook: one that fails stops only itself
            try:
                if job["cell_timeout"]:
                    signal.setitimer(signal.ITIMER_REAL, job["cell_timeout"])
                exec(compile(cell, job["file"], "exec"), namespace)
            except BaseException as err:
                error = error or problem(err, job["file"])
            finally:
                if job["cell_timeout"]:
                    signal.setitimer(signal.ITIMER_REAL, 0)
        if job["kind"] == "run":
            out = {"error": error, "output": buffer.getvalue()[: job["output_limit"]]}
        else:
            namespace.update(gelijk=gelijk, bijna_gelijk=bijna_gelijk)
            out = {"problem": None, "values": []}
            for step in job["steps"]:
                if "run" in step:
                    try:
                        exec(compile(step["run"], "<test>", "exec"), namespace)
                    except BaseException as err:
                        out["problem"] = problem(err, job["file"])
                        break
                    continue
                for hole in step["values"]:
                    try:
                        out["values"].append(value_of(hole, namespace))
                    except BaseException as err:
                        out["values"].append({"problem": problem(err, job["file"])})
    report.write(json.dumps(out) + "\n")
    report.flush()
    os._exit(0)

main()
"""
)

# The runner: a fresh Python that never runs learner code. It starts one child per job,
# keeps the expected values to itself and judges every assert from the children's values;
# what it writes on its stdout (read by the app or the grader) no child can reach.
RUNNER = (
    EQUALITY
    + f"SAFE_BUILTINS = {SAFE_BUILTINS!r}\n"
    + r"""
import builtins, ctypes, json, operator, subprocess, sys, time

try:  # children run as the same user: they may not read or trace this process
    ctypes.CDLL(None).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE = 0
except (OSError, AttributeError):
    pass

SAFE = {name: getattr(builtins, name) for name in SAFE_BUILTINS}
ORDER = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}

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
           "output_limit": data["output_limit"], "cell_timeout": data["cell_timeout"]}
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
    try:
        out = json.loads(lines[0])
    except (ValueError, RecursionError):
        return None
    return out if type(out) is dict else None

FAILED = {"type": "AssertionError", "message": "", "line": None, "name": None}

class Failed(Exception):
    # The test fails, with this problem (None: a plain failed assert).
    def __init__(self, problem=None):
        self.problem = problem or FAILED

def raised(err):
    return {"type": type(err).__name__, "message": str(err)[:300], "line": None, "name": None}

class Judge:
    # One test: the children's values in, one verdict out; every operator applied here.
    def __init__(self, test, out):
        self.out, self.values = out, out.get("values")
        if type(self.values) is not list:
            raise Failed()
        self.env = {"__builtins__": SAFE, "gelijk": gelijk, "bijna_gelijk": bijna_gelijk}
        for name, expression in test["runner_vars"]:
            self.env[name] = self.evaluate(expression)

    def value(self, index):
        if index >= len(self.values):  # the child stopped before: its problem, or a fail
            raise Failed(self.out.get("problem"))
        item = self.values[index]
        if type(item) is not dict:
            raise Failed()
        if "problem" in item:
            problem = item["problem"]
            raise Failed(problem if type(problem) is dict else None)
        try:
            return decode(item["value"])
        except (KeyError, TypeError, ValueError, RecursionError):
            raise Failed()

    def evaluate(self, expression, holes=()):
        names = {f"_w{index}": self.value(index) for index in holes}
        try:
            return eval(expression, {**self.env, **names})
        except Exception as err:
            raise Failed(raised(err))

    def operand(self, node):
        return self.evaluate(node["expr"], node["holes"])

    def truth(self, node):
        op = node["op"]
        if op == "and":
            return all(self.truth(item) for item in node["items"])
        if op == "or":
            return any(self.truth(item) for item in node["items"])
        if op == "not":
            return not self.truth(node["item"])
        if op == "compare":
            left = self.operand(node["operands"][0])
            for symbol, right_node in zip(node["ops"], node["operands"][1:]):
                right = self.operand(right_node)
                if not self.compare(symbol, left, right):
                    return False
                left = right
            return True
        if op in ("gelijk", "bijna_gelijk"):
            args = [self.operand(arg) for arg in node["args"]]
            return (gelijk if op == "gelijk" else bijna_gelijk)(*args) is True
        value = self.operand(node["operand"])  # a bare expression: exactly True or False
        if type(value) is not bool:
            raise Failed({"type": "NotABool", "message": type(value).__name__, "line": None,
                          "name": None})
        return value

    @staticmethod
    def compare(symbol, left, right):
        try:
            if symbol in ("==", "!="):
                return gelijk(left, right) == (symbol == "==")
            if symbol in ("in", "not in"):
                return (left in right) == (symbol == "in")
            if symbol in ("is", "is not"):
                return (left is right) == (symbol == "is")
            return ORDER[symbol](left, right) is True
        except Exception as err:
            raise Failed(raised(err))

def verdict(data, test):
    if test["unjudgeable"]:
        return {"type": "Unjudgeable", "message": test["unjudgeable"], "line": None,
                "name": None}
    out = child(data, {"kind": "test", "steps": test["steps"]})
    if out is None:
        return FAILED
    try:
        judge = Judge(test, out)
        for check in test["checks"]:
            if not judge.truth(check):
                return FAILED
    except Failed as failed:
        return failed.problem
    except RecursionError:
        return FAILED
    problem = out.get("problem")  # a line after the last assert that raised
    return problem if type(problem) is dict else None

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


# -- taking a test apart: done here, on the author's text; the runner gets the plan --------
UNJUDGEABLE_NO_ASSERT = "ze bevat geen assert; de runner beoordeelt alleen assert-regels"
UNJUDGEABLE_NESTED = (
    "ze zet een assert of raise in een lus, if, with, try of functie; de runner beoordeelt "
    "alleen assert-regels op het hoogste niveau"
)
UNJUDGEABLE_VERDICT_IN_CODE = (
    "ze vergelijkt met gelijk of bijna_gelijk binnen een lus-uitdrukking; zo'n uitkomst zou "
    "de code van de cursist zelf geven. Schrijf elke vergelijking als een eigen assert"
)
COMPARE_OPS = {
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.In: "in",
    ast.NotIn: "not in",
    ast.Is: "is",
    ast.IsNot: "is not",
}
# Parts of an expression the runner can apply to values itself (the rest is a "hole": the
# child gives its value).
STRUCTURAL = (
    ast.BinOp,
    ast.UnaryOp,
    ast.BoolOp,
    ast.Compare,
    ast.Tuple,
    ast.List,
    ast.Set,
    ast.Dict,
    ast.Subscript,
    ast.Slice,
    ast.IfExp,
    ast.JoinedStr,
    ast.FormattedValue,
    ast.Starred,
)


def free_names(node) -> set:
    """Names an expression or statement reads from outside itself."""
    loads, bound = set(), set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name):
            (loads if isinstance(sub.ctx, ast.Load) else bound).add(sub.id)
        elif isinstance(sub, ast.arg):
            bound.add(sub.arg)
    return loads - bound


def assigned_names(node) -> set:
    names = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store | ast.Del):
            names.add(sub.id)
        elif isinstance(sub, ast.alias):
            names.add((sub.asname or sub.name).split(".")[0])
        elif isinstance(sub, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(sub.name)
    return names


def _is_equality_import(node) -> bool:
    """``from leerpad.equality import gelijk``: the runner has its own."""
    return isinstance(node, ast.ImportFrom) and node.module == "leerpad.equality"


def _is_equality_call(node) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in EQUALITY_CALLS
    )


class _Holes(ast.NodeTransformer):
    """An operand with every part that needs the learner's names replaced by ``_wN``, the
    value child N gives; `holes` collects those parts in the order Python evaluates them."""

    def __init__(self, known: set, holes: list):
        self.known, self.holes = known, holes
        self.used: list[int] = []

    def hole(self, node, iterable=False):
        self.holes.append({"expr": ast.unparse(node), "iter": iterable})
        self.used.append(len(self.holes) - 1)
        return ast.copy_location(ast.Name(f"_w{len(self.holes) - 1}", ast.Load()), node)

    def needs_learner(self, node) -> bool:
        return bool(free_names(node) - self.known)

    def visit(self, node):
        if not isinstance(node, ast.expr):
            return self.generic_visit(node)
        if not self.needs_learner(node):
            return node  # literals and safe builtins only: the runner works it out
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in SAFE_BUILTINS
            and node.func.id in self.known
        ):
            node.args = [self.argument(arg) for arg in node.args]
            node.keywords = [self.visit(keyword) for keyword in node.keywords]
            return node
        if isinstance(node, STRUCTURAL):
            return self.generic_visit(node)
        return self.hole(node)

    def argument(self, node):
        """An argument of a builtin the runner applies: an iterator becomes a list."""
        structural = isinstance(node, STRUCTURAL) or (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in SAFE_BUILTINS
        )
        if self.needs_learner(node) and not structural:
            return self.hole(node, iterable=True)
        return self.visit(node)


class _Planner:
    """One test (one line of a code exercise, or a test cell) as the runner's plan."""

    def __init__(self, source: str):
        self.body = ast.parse(source).body
        self.warnings: list[str] = []
        self.unjudgeable = self._unjudgeable()

    def _unjudgeable(self) -> str | None:
        for node in self.body:
            if not isinstance(node, ast.Assert) and any(
                isinstance(sub, ast.Assert | ast.Raise) for sub in ast.walk(node)
            ):
                return UNJUDGEABLE_NESTED
        if not any(isinstance(node, ast.Assert) for node in self.body):
            return UNJUDGEABLE_NO_ASSERT
        return None

    def runner_vars(self, demoted: set) -> dict:
        """``name = <literal or safe builtins>`` lines: the runner works them out itself, so
        an expected value kept in a helper name never reaches a child."""
        counts: dict = {}
        for node in self.body:
            for name in assigned_names(node):
                counts[name] = counts.get(name, 0) + 1
        found: dict = {}
        for node in self.body:
            if (
                isinstance(node, ast.Assign)
                and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)
            ):
                name = node.targets[0].id
                if (
                    counts[name] == 1
                    and name not in demoted
                    and name not in SAFE_BUILTINS
                    and not free_names(node.value) - {*SAFE_BUILTINS, *found}
                ):
                    found[name] = node
        return found

    def plan(self) -> dict:
        if self.unjudgeable:
            return {"unjudgeable": self.unjudgeable, "steps": [], "checks": [], "runner_vars": []}
        shadowed = set().union(*(assigned_names(n) for n in self.body)) & set(SAFE_BUILTINS)
        demoted: set = set()
        while True:
            own = self.runner_vars(demoted)
            known = (set(SAFE_BUILTINS) - shadowed) | set(own)
            steps, checks, holes, child_names = [], [], [], set()
            for node in self.body:
                if _is_equality_import(node) or node in own.values():
                    continue
                if isinstance(node, ast.Assert):
                    before = len(holes)
                    checks.append(self.check(node.test, known, holes))
                    steps.append({"values": holes[before:]})
                else:
                    steps.append({"run": ast.unparse(node)})
                    child_names |= free_names(node)
            for hole in holes:
                child_names |= free_names(ast.parse(hole["expr"], mode="eval"))
            needed = set(own) & child_names  # a child reads or changes it: the child's
            if not needed:
                break
            demoted |= needed
        if any(_has_verdict(hole["expr"]) for hole in holes):
            return {
                "unjudgeable": UNJUDGEABLE_VERDICT_IN_CODE,
                "steps": [],
                "checks": [],
                "runner_vars": [],
            }
        return {
            "unjudgeable": None,
            "steps": steps,
            "checks": checks,
            "runner_vars": [[name, ast.unparse(node.value)] for name, node in own.items()],
        }

    def check(self, node, known, holes) -> dict:
        if isinstance(node, ast.BoolOp):
            op = "and" if isinstance(node.op, ast.And) else "or"
            return {"op": op, "items": [self.check(v, known, holes) for v in node.values]}
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            return {"op": "not", "item": self.check(node.operand, known, holes)}
        if isinstance(node, ast.Compare):
            operands = [self.operand(n, known, holes) for n in (node.left, *node.comparators)]
            ops = [COMPARE_OPS[type(op)] for op in node.ops]
            for symbol, left, right in zip(
                ops, [node.left, *node.comparators], node.comparators, strict=False
            ):
                if symbol in ("is", "is not") and not any(
                    isinstance(n, ast.Constant) and n.value in (None, True, False)
                    for n in (left, right)
                ):
                    self.warnings.append(
                        f"'{ast.unparse(node)}' vergelijkt met 'is': de runner vergelijkt "
                        "waarden, gebruik '==' (of 'is' alleen met None, True of False)"
                    )
            return {"op": "compare", "ops": ops, "operands": operands}
        if _is_equality_call(node) and not any(isinstance(a, ast.Starred) for a in node.args):
            args = list(node.args)
            for keyword in node.keywords:
                if keyword.arg in ("marge", "expected", "value"):
                    args.append(keyword.value)
            if 2 <= len(args) <= (3 if node.func.id == "bijna_gelijk" else 2):
                return {
                    "op": node.func.id,
                    "args": [self.operand(a, known, holes) for a in args],
                }
        return {"op": "value", "operand": self.operand(node, known, holes)}

    @staticmethod
    def operand(node, known, holes) -> dict:
        splitter = _Holes(known, holes)
        expression = splitter.visit(copy.deepcopy(node))
        return {"expr": ast.unparse(expression), "holes": splitter.used}

    def plan_warnings(self) -> list[str]:
        plan = self.plan()
        if plan["unjudgeable"]:
            return [plan["unjudgeable"]]
        last = max(i for i, node in enumerate(self.body) if isinstance(node, ast.Assert))
        if any(not _is_equality_import(node) for node in self.body[last + 1 :]):
            self.warnings.append(
                "er staan regels na de laatste assert; of die slagen, kan de runner niet uit "
                "waarden nagaan. Zet ze voor de assert of laat ze weg"
            )
        return self.warnings


def _has_verdict(expression: str) -> bool:
    return any(_is_equality_call(n) for n in ast.walk(ast.parse(expression, mode="eval")))


def test_plan(test: str) -> dict:
    """How the runner judges one test (an assert line, or setup lines and asserts): the
    steps a child runs (the setup, and the expressions whose values it gives) and the checks
    the runner applies to those values. No expected value is in a child's steps."""
    return _Planner(test).plan()


def test_name(test: str) -> str | None:
    """The name of a test: the text of its (last) assert's message, ``assert ..., "naam"``.
    The runner never evaluates a message; the name is the author's, shown to the learner."""
    asserts = [node for node in ast.parse(test).body if isinstance(node, ast.Assert)]
    message = asserts[-1].msg if asserts else None
    if isinstance(message, ast.Constant) and isinstance(message.value, str):
        return " ".join(message.value.split()) or None
    return None


def split_tests(source: str) -> list[str]:
    """A test cell as one test per assert: each assert with the lines before it that are not
    asserts (setup, imports), so one failed assert costs only its own test. Lines after the
    last assert go with the last test. A cell the runner cannot judge stays one test."""
    try:
        body = ast.parse(source).body
    except SyntaxError:
        return [source]
    asserts = [node for node in body if isinstance(node, ast.Assert)]
    if len(asserts) < 2 or test_plan(source)["unjudgeable"]:
        return [source]
    last = body.index(asserts[-1])
    tests, setup = [], []
    for index, node in enumerate(body):
        if isinstance(node, ast.Assert):
            tests.append([*setup, node])
        elif index > last:
            tests[-1].append(node)
        else:
            setup.append(node)
    return ["\n".join(ast.unparse(node) for node in test) for test in tests]


def test_report(names, verdicts, score=None, points=None) -> list[str]:
    """What the learner reads about tests she cannot see: per named test passed (✔) or failed
    (✘), and how many of the unnamed ones passed; with `points`, first the points that the
    share of passed tests earns. Nothing of a test's content. Plain text (a notebook's
    output); whoever shows it as HTML escapes it."""
    lines = (
        []
        if points is None
        else [
            say(
                "tests_passed",
                passed=sum(verdicts),
                total=len(verdicts),
                score=f"{score:g}".replace(".", ","),
                points=f"{points:g}".replace(".", ","),
            )
        ]
    )
    lines += [
        f"{'✔' if passed else '✘'} {name}"
        for name, passed in zip(names, verdicts, strict=True)
        if name
    ]
    unnamed = [passed for name, passed in zip(names, verdicts, strict=True) if not name]
    if unnamed:
        lines.append(say("tests_unnamed", passed=sum(unnamed), total=len(unnamed)))
    return lines


def test_warnings(test: str) -> list[str]:
    """Why the runner cannot judge `test` from values, or what it judges otherwise than the
    author may think (Dutch, for ``leerpad check``); empty when all is well."""
    return _Planner(test).plan_warnings()


def run_python(code, tests, timeout=5.0, show_output=True, cell_timeout=None) -> dict:
    """Run `code` with each test in fresh, limited Pythons; return the outcome.

    `code` is one text, or a list of cells (as in a notebook: a cell that fails stops only
    itself). The outcome is ``{"timeout": bool, "crashed": bool, "error": ..., "tests":
    [...]}``: per test None (passed) or the problem. With ``show_output=False`` (hidden
    tests) only True or False per test comes back, and no child ever gets a hidden expected
    value. `timeout` holds for each child; with `cell_timeout` a cell that runs longer is
    interrupted (KeyboardInterrupt), as a notebook's kernel interrupts it, and the next runs.
    """
    tests = list(tests)
    data = {
        "code": [code] if isinstance(code, str) else list(code),
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
        "cell_timeout": cell_timeout,
    }
    # Nothing of the caller's environment: no keys, no paths, no tokens.
    env = {
        "PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "PYTHONIOENCODING": "utf-8",
    }
    from leerpad.sandbox import confine  # no network, no files but its own folder

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
    if kind == "NotPlainValue":
        return (
            f"De test kreeg een {escape(message)} terug, maar verwacht een gewone waarde "
            "(een getal, tekst, lijst, ...): geef zo'n waarde terug, geen eigen object."
        )
    if kind == "NotABool":
        return f"De test verwacht True of False, maar kreeg een {escape(message)}."
    if kind == "Unjudgeable":
        return f"Deze test kan niet beoordeeld worden: {escape(message)}. Meld het aan je trainer."
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
        for field, lines in (("tests", config["tests"]), ("hidden_tests", hidden)):
            for n, line in enumerate(lines, 1):
                reason = test_plan(line)["unjudgeable"]
                if reason:
                    raise ExerciseConfigError(
                        exercise_id,
                        field,
                        f"test {n} ({line}) kan de runner niet beoordelen: {reason}.",
                        "schrijf ze als assert <uitdrukking> == <verwachte waarde>.",
                    )
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
            name = test_name(test)
            shown = escape(name) if name else f"<code>{escape(test)}</code>"
            messages.append(f"{mark} {shown}{detail}")
        if hidden:
            second = run_python(answer, hidden, timeout, show_output=False)
            verdicts = second["tests"] if not second["timeout"] else [False] * len(hidden)
            hidden_passed = sum(verdicts)
            passed += hidden_passed
            messages.append(say("tests_hidden", passed=hidden_passed, total=len(hidden)))
        if first.get("output"):
            messages.append(f"Uitvoer:<pre>{escape(first['output'])}</pre>")
        return Result(passed / total, messages)

    @classmethod
    def solution_html(cls, config, key):
        return f"<pre><code>{escape(key['solution'])}</code></pre>"

    @classmethod
    def missing_feedback(cls, config, key):
        """Every visible test has a name: the learner reads what passed and what not."""
        return unnamed_tests(config["tests"])


def unnamed_tests(tests) -> list[str]:
    """What the feedback rule asks of tests without a name (Dutch, for leerpad check)."""
    return [
        f"een naam voor de test '{line}' (assert ..., \"wat de test nagaat\")"
        for test in tests
        if not test_name(test) and (line := last_assert(test))
    ]


def last_assert(test: str) -> str | None:
    """The (last) assert of a test on one line, without the setup lines before it; None for
    a test without an assert (hidden tests only: the learner never reads their names)."""
    asserts = [node for node in ast.parse(test).body if isinstance(node, ast.Assert)]
    return " ".join(ast.unparse(asserts[-1]).split()) if asserts else None
