"""Issue 18: dependencies point one way. No module of leerpad imports, directly or through
others, a module that imports it back; imports inside functions count too, because they
tie the two modules together just the same, only later.

The packages and their folders are read from pyproject.toml's ``package-dir``, the same
mapping the installed package uses."""

import ast
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def package_folders(root: Path) -> dict[str, Path]:
    """{package name: folder} from pyproject.toml's package-dir."""
    config = tomllib.loads((root / "pyproject.toml").read_text())
    return {
        name: root / folder for name, folder in config["tool"]["setuptools"]["package-dir"].items()
    }


def modules_of(folders: dict[str, Path]) -> dict[str, Path]:
    """{dotted module name: file} for every Python file of the packages (a folder that is
    a package of its own is read under that package's name only)."""
    own = {folder.resolve() for folder in folders.values()}
    modules = {}
    for package, folder in folders.items():
        for path in sorted(folder.rglob("*.py")):
            if "node_modules" in path.parts:
                continue
            if any(p.resolve() in own and p.resolve() != folder.resolve() for p in path.parents):
                continue  # inside another package's folder
            parts = list(path.relative_to(folder).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join([package, *parts])] = path
    return modules


def imports_of(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The modules of `modules` that the module `name` imports, anywhere in its code."""
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package[: len(package) - node.level + 1] + ([base] if base else []))
            # `from pkg import module` depends on the module, `from pkg import name` on pkg
            targets = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                for alias in node.names
            ]
        else:
            continue
        found.update(t for t in targets if t in modules and t != name)
    return found


def import_cycles(modules: dict[str, Path]) -> list[list[str]]:
    """Groups of modules that import each other (strongly connected, Tarjan's algorithm)."""
    graph = {name: imports_of(name, path, modules) for name, path in modules.items()}
    index, low, stack, on_stack, cycles = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while not group or group[-1] != v:
                group.append(stack.pop())
                on_stack.discard(group[-1])
            if len(group) > 1:
                cycles.append(sorted(group))

    for v in graph:
        if v not in index:
            visit(v)
    return cycles


def test_no_module_of_leerpad_imports_itself_round_a_circle():
    modules = modules_of(package_folders(ROOT))
    assert {"leerpad.grading.engine", "leerpad.widgets.choice", "leerpad.site.render"} <= set(
        modules
    )
    assert import_cycles(modules) == []


def test_a_circle_through_a_function_level_import_is_found(tmp_path):
    """The check can fail: two modules that import each other, one of them inside a
    function, and a relative import that closes a second circle."""
    folder = tmp_path / "pkg"
    folder.mkdir()
    (folder / "__init__.py").write_text("")
    (folder / "a.py").write_text("from pkg.b import helper\n")
    (folder / "b.py").write_text("def helper():\n    from pkg import a\n")
    (folder / "c.py").write_text("from .d import x\n")
    (folder / "d.py").write_text("from . import c\nx = 1\n")
    (folder / "e.py").write_text("from pkg import a\n")  # depends on a circle, is not in one
    cycles = import_cycles(modules_of({"pkg": folder}))
    assert sorted(cycles) == [["pkg.a", "pkg.b"], ["pkg.c", "pkg.d"]]


def test_dependencies_point_from_the_site_to_grading_to_the_exercises():
    """The exercises know nothing of grading or the site; grading knows nothing of the site."""
    modules = modules_of(package_folders(ROOT))
    forbidden = {
        "leerpad.widgets": ("leerpad.grading", "leerpad.site"),
        "leerpad.grading": ("leerpad.site",),
    }
    wrong = sorted(
        (name, target)
        for name, path in modules.items()
        for package, others in forbidden.items()
        if name == package or name.startswith(package + ".")
        for target in imports_of(name, path, modules)
        if target.startswith(others)
    )
    assert wrong == []
