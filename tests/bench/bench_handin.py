"""A class hands in: 30 hand-ins spread over 10 seconds, widget-only (ct-03) and with code
(ct-07), through the grading service that `leerpad start` runs, side by side with the
behaviour before it (each click its own ``python -m leerpad.grading.engine`` process,
``grade_in_process``). The time is from the click to the score the learner sees.

    make bench                                  # everything
    .venv/bin/python -m tests.bench.bench_handin
    LEERPAD_BENCH_QUICK=1 ...                   # 4 hand-ins in 2 s: the line is produced

Prints ``handin: ...`` lines with the load average; never asserts a time.
"""

import os
import sys
import tempfile
import threading
import time
from pathlib import Path

from tests.bench.figures import class_size, load, quick, seconds
from tests.bench.submissions import hand_ins

WIDGETS = "ct-03-decompositie"  # widget-only: the fast path, no kernel
CODE = "ct-07-python-eerste-stappen"  # code cells: a sandboxed kernel


def spread(grade, learners, within: float) -> list[float]:
    """Hand the learners in one after another over `within` seconds, each in a thread as
    the app's "Inleveren" does; the seconds from each click to its score."""
    took, errors = [], []
    start = time.monotonic()

    def click(n, learner):
        when = start + n * within / len(learners)
        time.sleep(max(0.0, when - time.monotonic()))
        try:
            grade(learner)
            took.append(time.monotonic() - when)
        except Exception as error:  # printed with the figure: a failed grading is news
            errors.append(f"{learner}: {error}")

    threads = [threading.Thread(target=click, args=item) for item in enumerate(learners)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for error in errors[:3]:
        print(f"  MISLUKT {error}", flush=True)
    return took


def main() -> None:
    count = class_size(30, 4)
    within = 2.0 if quick() else 10.0
    os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"]
    with tempfile.TemporaryDirectory(prefix="leerpad-handin-") as var:
        os.environ["LEERPAD_VAR"] = var
        run(count, within)


def run(count: int, within: float) -> None:
    from leerpad.grading.autograde import grade_in_process
    from leerpad.grading.cohort import Cohort
    from leerpad.grading.release import release_all
    from leerpad.grading.service import grade_by_service

    from leerpad.catalogue import Catalogue
    from leerpad.platform import Platform, Ports

    cohort = Cohort("klas").create()
    catalogue = Catalogue()
    release_all(cohort, [catalogue.modules[m] for m in (WIDGETS, CODE)], log=lambda *_: None)
    platform = Platform(Ports(), cohort.name)
    platform.start_grading(cohort)
    try:
        platform.wait_until_listening(timeout=600, names=("grading",))
        for label, module in (("alleen widgets", WIDGETS), ("met code", CODE)):
            figures = {}
            for way in ("dienst", "los"):
                learners = [f"{way}-{n:02d}" for n in range(count)]
                hand_ins(cohort.dir, module, learners, seed=1, from_lab=module == CODE)
                if way == "dienst":

                    def grade(who, module=module):
                        return grade_by_service(platform.grading_socket, module, who)
                else:

                    def grade(who, module=module):
                        return grade_in_process(cohort.dir, module, who)

                figures[way] = f"{seconds(spread(grade, learners, within))}, {load()}"
            print(
                f"handin: {label}, {count} in {within:.0f} s: verbeterdienst {figures['dienst']}"
                f"; vroeger (een proces per klik) {figures['los']}; {os.cpu_count()} kernen",
                flush=True,
            )
    finally:
        platform.stop()


if __name__ == "__main__":
    main()
