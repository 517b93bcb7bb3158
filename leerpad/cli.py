"""The ``leerpad`` command: one subcommand per job."""

import argparse
import os
import sys
from pathlib import Path


def _ensure_tools_on_path():
    # nbgrader calls `alembic` and friends by name: use this environment's copies.
    bin_dir = str(Path(sys.executable).parent)
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")


def cmd_start(args) -> int:
    from leerpad.platform import start

    return start(cohort=args.cohort)


def cmd_check(args) -> int:
    from leerpad.check import check

    problems = check(Path(args.path) if args.path else None)
    for problem in problems:
        print(problem)
    if problems:
        print(f"\n{len(problems)} probleem/problemen gevonden.", file=sys.stderr)
        return 1
    print("OK: geen problemen gevonden.")
    return 0


def cmd_release(args) -> int:
    from leerpad.catalogue import Catalogue
    from leerpad.grading.cohort import Cohort
    from leerpad.grading.release import release_all

    catalogue = Catalogue()
    cohort = Cohort(args.cohort)
    if not cohort.exists():
        cohort.create()
    modules = (
        [catalogue.modules[m] for m in args.modules]
        if args.modules
        else list(catalogue.modules.values())
    )
    release_all(cohort, modules, force=args.force)
    return 0


def cmd_site(args) -> int:
    from leerpad.site_build import build_site

    site = build_site(apps_url=args.apps_url, lab_url=args.lab_url, force=True)
    print(f"Website gebouwd in {site}")
    return 0


def cmd_cohort(args) -> int:
    from leerpad.grading.cohort import Cohort

    cohort = Cohort(args.name).create(path_id=args.path or "", db_url=args.db_url or "")
    if args.roster:
        learners = cohort.import_roster(Path(args.roster))
        print(f"{len(learners)} cursisten toegevoegd.")
    print(f"Cohort '{args.name}' klaar in {cohort.dir}")
    return 0


def cmd_grade(args) -> int:
    from leerpad.grading.grade import grade_cohort

    return grade_cohort(
        args.cohort, args.module, jobs=args.jobs, db_url=args.db_url, feedback=not args.no_feedback
    )


def main(argv=None) -> int:
    _ensure_tools_on_path()
    parser = argparse.ArgumentParser(prog="leerpad", description="leerpad: leerpaden en modules")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("start", help="bouw wat veranderd is en start het platform")
    p.add_argument("--cohort", default="demo")
    p.set_defaults(func=cmd_start)

    p = sub.add_parser("check", help="controleer de cursussen (of een module)")
    p.add_argument("path", nargs="?")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("release", help="geef modules vrij aan een cohort (nbgrader)")
    p.add_argument("modules", nargs="*")
    p.add_argument("--cohort", default="demo")
    p.add_argument("--force", action="store_true")
    p.set_defaults(func=cmd_release)

    p = sub.add_parser("site", help="bouw de website")
    p.add_argument("--apps-url", default="http://127.0.0.1:8866")
    p.add_argument("--lab-url", default="http://127.0.0.1:8888")
    p.set_defaults(func=cmd_site)

    p = sub.add_parser("cohort", help="maak een cohort (nbgrader-cursus) voor een leerpad")
    p.add_argument("name")
    p.add_argument("--path", help="id van het leerpad")
    p.add_argument("--roster", help="CSV met kolom id of naam")
    p.add_argument("--db-url", help="SQLAlchemy-URL van het puntenboek (standaard SQLite)")
    p.set_defaults(func=cmd_cohort)

    p = sub.add_parser("grade", help="verbeter de inzendingen van een cohort")
    p.add_argument("cohort")
    p.add_argument("module", nargs="?")
    p.add_argument("--jobs", type=int, help="aantal processen (standaard: alle kernen)")
    p.add_argument("--db-url", help="SQLAlchemy-URL van het puntenboek (standaard: cohort)")
    p.add_argument("--no-feedback", action="store_true", help="maak (nog) geen feedback")
    p.set_defaults(func=cmd_grade)

    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
