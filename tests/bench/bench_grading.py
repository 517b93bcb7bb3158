"""Grading 200 hand-ins: stock ``nbgrader autograde`` (one run over all, the reference) and
``leerpad grade`` on copies of the same cohort, in the same run; then the grades of both
gradebooks compared cell by cell. The same for the widget-only hand-ins alone, and for
the feedback (``nbgrader generate_feedback`` against leerpad's feedback step).

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


def _nbgrader(cohort, step, env) -> float:
    from leerpad.grading.nbgrader_run import grading_environment

    cmd = [sys.executable, "-m", "nbgrader", step, "*"]
    return _run(cmd, cohort.dir, grading_environment(cohort.dir, env))


def _leerpad(cohort, env, *options) -> float:
    cmd = [sys.executable, "-m", "leerpad", "grade", cohort.name, *options]
    return _run(cmd, cohort.dir, env)


def _line(label, reference, ours, equal=None) -> str:
    text = (
        f"{label}: nbgrader {reference:.1f} s, leerpad {ours:.1f} s, ratio {reference / ours:.1f}"
    )
    return text + ("" if equal is None else f", grades equal: {'yes' if equal else 'no'}")


def _compare(reference, ours, label, env, show=True) -> float:
    """Grade copies of one cohort with both; print the line; return the ratio."""
    nbgrader_s = _nbgrader(reference, "autograde", env)
    leerpad_s = _leerpad(ours, env, "--no-feedback")
    ref = grades(reference.settings["db_url"], reference.name)
    new = grades(ours.settings["db_url"], ours.name)
    equal = bool(ref) and ref == new
    if not equal:
        wrong = [k for k in ref if ref[k] != new.get(k)] + [k for k in new if k not in ref]
        print(f"  verschillen ({len(wrong)}), bv.: {wrong[:3]}")
    print(_line("grading", nbgrader_s, leerpad_s, equal), f"  [{label}]", flush=True)
    return nbgrader_s / leerpad_s


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
        ratio = _compare(
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
        ratio_widgets = _compare(*subset, f"alleen widgets, {n_widget}", env)
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
