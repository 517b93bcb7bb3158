"""Issue 18: leerpad uses jupyter_client and nbgrader through their public API only.

jupyter_client has no upper version bound, nbgrader none beyond its minor version: a private
name of theirs can change in any release. The code of leerpad's packages (the folders of
pyproject.toml's ``package-dir``) is read with ``ast``, so comments and strings do not count,
and its classes are inspected, so that an override is judged by what the base class really
defines. Flagged:

- an import of an underscore name (or from an underscore module) of those packages;
- a method of ours whose underscore name a jupyter_client/nbgrader base class also defines
  (an override of a private method), and ``super()._name`` that reaches one;
- attribute access ``._async_...`` (jupyter_client's private coroutines), and any other
  ``._name`` that only those packages define.
"""

import ast
import importlib
import inspect
import pkgutil
from pathlib import Path

from test_import_cycles import ROOT, modules_of, package_folders

THEIRS = ("jupyter_client", "nbgrader")

# Being rewritten on nbgrader's public API by another change of issue 18 at the same time
# (grading/record.py and grading/worker.py); the lead empties this list on merge.


def private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def theirs(module: str | None) -> bool:
    return bool(module) and module.split(".")[0] in THEIRS


def their_private_attributes() -> set[str]:
    """Every underscore name that a class or module of jupyter_client or nbgrader defines."""
    names = set()
    for package_name in THEIRS:
        package = importlib.import_module(package_name)
        for info in pkgutil.walk_packages(package.__path__, f"{package_name}."):
            if ".tests" in info.name or info.name.endswith((".__main__", "._version")):
                continue
            try:
                module = importlib.import_module(info.name)
            except Exception:  # an optional dependency of theirs that is not installed
                continue
            names.update(n for n in vars(module) if private(n))
            for value in vars(module).values():
                if inspect.isclass(value) and theirs(value.__module__):
                    names.update(n for n in vars(value) if private(n))
    return names


def defining_class(cls: type, name: str, after: type) -> type | None:
    """The class that `name` resolves to on `cls`, looking past `after` (as super() does)."""
    mro = cls.__mro__
    for klass in mro[mro.index(after) + 1 :]:
        if name in vars(klass):
            return klass
    return None


class Finder(ast.NodeVisitor):
    def __init__(self, module: str, path: Path, ours: set[str], their_names: set[str]):
        self.module, self.path, self.ours, self.their_names = module, path, ours, their_names
        self.classes: list[type | None] = []
        self.found: list[str] = []

    def report(self, node: ast.AST, what: str) -> None:
        self.found.append(f"{self.path.relative_to(ROOT)}:{node.lineno}: {what}")

    def visit_Import(self, node):
        for alias in node.names:
            if theirs(alias.name) and any(private(p) for p in alias.name.split(".")):
                self.report(node, f"import {alias.name}")

    def visit_ImportFrom(self, node):
        if node.level or not theirs(node.module):
            return
        if any(private(p) for p in node.module.split(".")):
            self.report(node, f"from {node.module} import ...")
        for alias in node.names:
            if private(alias.name):
                self.report(node, f"from {node.module} import {alias.name}")

    def visit_ClassDef(self, node):
        owner = self.classes[-1] if self.classes else None
        scope = vars(importlib.import_module(self.module)) if owner is None else vars(owner)
        cls = scope.get(node.name)
        cls = cls if inspect.isclass(cls) else None
        if cls is not None:
            for item in node.body:
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef) and private(item.name):
                    base = defining_class(cls, item.name, cls)
                    if base is not None and theirs(base.__module__):
                        self.report(
                            item,
                            f"{node.name}.{item.name} overrides private "
                            f"{base.__module__}.{base.__name__}.{item.name}",
                        )
        self.classes.append(cls)
        self.generic_visit(node)
        self.classes.pop()

    def visit_Attribute(self, node):
        name = node.attr
        call = node.value
        is_super = (
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Name)
            and call.func.id == "super"
        )
        cls = self.classes[-1] if self.classes else None
        if private(name) and is_super and cls is not None:
            base = defining_class(cls, name, cls)
            if base is not None and theirs(base.__module__):
                self.report(node, f"super().{name} of {base.__module__}.{base.__name__}")
        elif name.startswith("_async_"):
            self.report(node, f"._async_ attribute {name}")
        elif private(name) and name in self.their_names and name not in self.ours:
            self.report(node, f"private attribute {name} of jupyter_client/nbgrader")
        self.generic_visit(node)


def names_defined(trees) -> set[str]:
    """Underscore names our own code defines (functions, methods, classes, assignments): an
    attribute of ours that happens to share a name with one of theirs is ours."""
    names = set()
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names.add(node.name)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                names.add(node.attr)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
    return {n for n in names if private(n)}


def private_uses() -> list[str]:
    modules = modules_of(package_folders(ROOT))
    trees = {name: ast.parse(path.read_text(), str(path)) for name, path in modules.items()}
    ours, their_names = names_defined(trees.values()), their_private_attributes()
    found = []
    for name, tree in trees.items():
        finder = Finder(name, modules[name], ours, their_names)
        finder.visit(tree)
        found += finder.found
    return found


def test_finder_sees_each_kind_of_private_use(tmp_path):
    """The checks themselves: each kind is found, and comments and strings are not."""
    code = (
        "from jupyter_client.manager import _ShutdownStatus\n"
        "import nbgrader._version\n"
        "# km._async_is_alive()\n"
        "text = 'km._async_is_alive()'\n"
        "async def f(km):\n"
        "    await km._async_is_alive()\n"
        "    km._launch_args\n"
    )
    path = ROOT / "leerpad" / "example.py"
    finder = Finder("example", path, set(), {"_launch_args"})
    finder.visit(ast.parse(code))
    lines = [line.split(": ", 1)[0].rsplit(":", 1)[1] for line in finder.found]
    assert lines == ["1", "2", "6", "7"], finder.found


def test_finder_sees_private_overrides_by_introspection():
    from jupyter_client.manager import AsyncKernelManager

    class Manager(AsyncKernelManager):
        async def _async_wait(self, pollinterval=0.1):
            await super()._async_wait(pollinterval)

        def _mine(self):
            return None

    code = (
        "class Manager(AsyncKernelManager):\n"
        "    async def _async_wait(self, pollinterval=0.1):\n"
        "        await super()._async_wait(pollinterval)\n"
        "    def _mine(self):\n"
        "        return None\n"
    )
    finder = Finder(__name__, ROOT / "leerpad" / "example.py", set(), set())
    globals()["Manager"] = Manager
    try:
        finder.visit(ast.parse(code))
    finally:
        del globals()["Manager"]
    assert [f.split(": ", 1)[1] for f in finder.found] == [
        "Manager._async_wait overrides private jupyter_client.manager.KernelManager._async_wait",
        "super()._async_wait of jupyter_client.manager.KernelManager",
    ], finder.found


def test_no_private_api_of_jupyter_client_or_nbgrader():
    found = private_uses()
    assert not found, "Private API of jupyter_client/nbgrader:\n" + "\n".join(found)
