"""Grading 200 hand-ins: stock ``nbgrader autograde`` (one run over all, the reference) and
``leerpad grade`` on copies of the same cohort, in the same run; then the grades of both
gradebooks compared cell by cell. The same for the widget-only hand-ins alone, and for
the feedback (``nbgrader generate_feedback`` against leerpad's feedback step).

The reference is truly stock: nbgrader's default configuration (its own preprocessors,
its own kernel manager, no sandbox), told only where the cohort and its gradebook are;
the notebooks find their answer keys through ``LEERPAD_KEYS`` as in any grading kernel.
The comparison says which cells differ and why: an open answer typed in the app is not
in the notebook stock nbgrader grades, so it counts it as an unchanged answer cell (0,
not flagged for a trainer), where leerpad puts it in and flags it for grading by hand.

    make bench                       # 200 hand-ins
    LEERPAD_BENCH_N=28 make bench    # a quick look

Wall-clock seconds on this machine, printed, never asserted.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.bench.submissions import clone_cohort, grades, hand_ins, has_code_cells

COHORT = "bench"


def _run(cmd, cwd, env) -> float:
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-20:])
        raise RuntimeError(f"{' '.join(cmd)} faalde:\n{tail}")
    return seconds


STOCK_CONFIG = """# stock nbgrader: its defaults, only where the cohort and its gradebook are
c = get_config()
c.CourseDirectory.root = {root!r}
c.CourseDirectory.course_id = {course_id!r}
c.CourseDirectory.db_url = {db_url!r}
"""


def make_stock(cohort) -> None:
    """The cohort's nbgrader configuration replaced by nbgrader's defaults."""
    config = STOCK_CONFIG.format(
        root=str(cohort.dir), course_id=cohort.name, db_url=cohort.settings["db_url"]
    )
    (cohort.dir / "nbgrader_config.py").write_text(config)


def _nbgrader(cohort, step, env) -> float:
    from leerpad.grading.nbgrader_run import grading_environment

    cmd = [sys.executable, "-m", "nbgrader", step, "*"]
    return _run(cmd, cohort.dir, grading_environment(cohort.dir, env))


def differences(reference: dict, ours: dict) -> tuple[int, int, dict[str, int]]:
    """(automatic scores compared, of which equal, the other differences by kind)."""
    compared = equal = 0
    kinds: dict[str, int] = {}
    for key in sorted(set(reference) | set(ours), key=str):
        ref, new = reference.get(key), ours.get(key)
        if ref == new:
            compared += isinstance(ref, tuple) and not ref[2]
            equal += isinstance(ref, tuple) and not ref[2]
            continue
        if isinstance(ref, tuple) and isinstance(new, tuple) and new[2] and not ref[2]:
            kind = "open antwoord: nbgrader 0 zonder vlag, leerpad te verbeteren door de trainer"
        elif isinstance(ref, tuple) and isinstance(new, tuple) and not (ref[2] or new[2]):
            compared += 1
            kind = f"automatische score verschilt ({ref[0]} tegen {new[0]})"
        elif key[-1] == "comment":
            kind = "automatisch commentaar"
        else:
            kind = "ander verschil"
        kinds[kind] = kinds.get(kind, 0) + 1
    return compared, equal, kinds


def _leerpad(cohort, env, *options) -> float:
    cmd = [sys.executable, "-m", "leerpad", "grade", cohort.name, *options]
    return _run(cmd, cohort.dir, env)


def _line(label, reference, ours, equal=None) -> str:
    text = (
        f"{label}: nbgrader {reference:.1f} s, leerpad {ours:.1f} s, ratio {reference / ours:.1f}"
    )
    return text + ("" if equal is None else f", grades equal: {'yes' if equal else 'no'}")


def _compare(reference, ours, label, env) -> tuple[float, bool]:
    """Grade copies of one cohort with stock nbgrader and with leerpad; print the line and
    the differences; return the ratio and whether every automatic score is equal."""
    make_stock(reference)
    nbgrader_s = _nbgrader(reference, "autograde", env)
    leerpad_s = _leerpad(ours, env, "--no-feedback")
    ref = grades(reference.settings["db_url"], reference.name)
    new = grades(ours.settings["db_url"], ours.name)
    compared, equal, kinds = differences(ref, new)
    same = bool(ref) and compared == equal
    print(
        _line("grading", nbgrader_s, leerpad_s, same),
        f"({equal} van {compared} automatische scores gelijk)  [{label}]",
        flush=True,
    )
    for kind, count in sorted(kinds.items()):
        print(f"  verschil: {count}x {kind}", flush=True)
    return nbgrader_s / leerpad_s, same


def main() -> None:
    from leerpad.catalogue import Catalogue

    count = int(os.environ.get("LEERPAD_BENCH_N", "200"))
    with tempfile.TemporaryDirectory(prefix="leerpad-bench-") as tmp:
        env = {**os.environ, "LEERPAD_VAR": str(Path(tmp) / "var")}
        bin_dir = str(Path(sys.executable).parent)
        env["PATH"] = bin_dir + os.pathsep + env.get("PATH", "")
        os.environ.update(env)
        from leerpad.grading.cohort import Cohort
        from leerpad.grading.release import release_all

        cohort = Cohort(COHORT).create()
        modules = sorted(Catalogue().modules.values(), key=lambda m: m.id)
        release_all(cohort, modules, log=lambda *_: None)
        learners = [f"cursist-{i:03d}" for i in range(count)]
        per_module = {m.id: learners[i :: len(modules)] for i, m in enumerate(modules)}
        widget_only = [m for m in per_module if not has_code_cells(cohort.dir, m)]
        for module, group in per_module.items():
            hand_ins(cohort.dir, module, group[::2], seed=1)
            hand_ins(cohort.dir, module, group[1::2], seed=2, from_lab=module not in widget_only)
        n_widget = sum(len(per_module[m]) for m in widget_only)
        print(
            f"{count} inzendingen: {n_widget} alleen widgets, {count - n_widget} met code; "
            f"{os.cpu_count()} kernen",
            flush=True,
        )
        root = cohort.dir.parent
        ratio, _ = _compare(
            clone_cohort(cohort.dir, root, "ref-all"),
            clone_cohort(cohort.dir, root, "ours-all"),
            f"alle {count}",
            env,
        )
        subset = []
        for name in ("ref-widgets", "ours-widgets"):
            clone = clone_cohort(cohort.dir, root, name)
            for module in per_module:
                if module not in widget_only:
                    for folder in (clone.dir / "submitted").glob(f"*/{module}"):
                        shutil.rmtree(folder)
            subset.append(clone)
        ratio_widgets, _ = _compare(*subset, f"alleen widgets, {n_widget}", env)
        ref_all, ours_all = Cohort("ref-all"), Cohort("ours-all")
        feedback_ref = _nbgrader(ref_all, "generate_feedback", env)
        feedback_ours = _leerpad(ours_all, env)
        print(_line("feedback", feedback_ref, feedback_ours), flush=True)
        print(
            f"doel: ratio >= 10 (gehaald: {'ja' if ratio >= 10 else 'nee'}), "
            f"alleen widgets >= 50 (gehaald: {'ja' if ratio_widgets >= 50 else 'nee'})"
        )


if __name__ == "__main__":
    main()
