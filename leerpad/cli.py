"""The ``leerpad`` command: one subcommand per job."""

import sys

# jsonschema checks the "iri" format with rfc3987-syntax when that is installed (Jupyter
# pulls it in), and that compiles 39 grammars on import: 0.7 s for every leerpad command
# and grading run. No schema that leerpad, nbformat or nbgrader checks uses "iri".
sys.modules.setdefault("rfc3987_syntax", None)

import argparse  # noqa: E402
import os  # noqa: E402
from pathlib import Path  # noqa: E402

from leerpad.settings import settings  # noqa: E402


def _ensure_tools_on_path():
    # nbgrader calls `alembic` and friends by name: use this environment's copies.
    bin_dir = str(Path(sys.executable).parent)
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")


def cmd_start(args) -> int:
    from leerpad.classroom import ClassroomError, classroom_network
    from leerpad.paths import var_dir
    from leerpad.platform import start

    if args.cohort != DEMO_COHORT:
        _existing_cohort(args.cohort)  # a typo must not start an empty cohort
    chosen = [flag for flag, value in classroom_flags(args) if value]
    if not args.classroom:
        if chosen:
            print(
                f"leerpad start: {', '.join(chosen)} geldt alleen in het klaslokaal. "
                "Oplossing: voeg --classroom toe (of make classroom).",
                file=sys.stderr,
            )
            return 2
        return start(cohort=args.cohort)
    try:
        network, notes = classroom_network(
            args.host, not args.no_https, args.certfile or "", args.keyfile or "",
            cert_dir=var_dir() / "servers" / "klaslokaal",
        )  # fmt: skip
    except ClassroomError as error:
        print(error, file=sys.stderr)
        return 2
    return start(cohort=args.cohort, network=network, notes=notes)


def classroom_flags(args) -> list[tuple[str, object]]:
    """The flags of classroom mode, with what was given for each."""
    return [("--host", args.host), ("--no-https", args.no_https),
            ("--certfile", args.certfile), ("--keyfile", args.keyfile)]  # fmt: skip


DEMO_COHORT = "demo"  # made by `leerpad start` when it does not exist


def cmd_hub(args) -> int:
    from leerpad.hub import Hub, HubError, start_hub

    hub = Hub(
        cohort=args.cohort,
        ip=args.ip,
        port=args.port,
        oidc=Path(args.oidc) if args.oidc else None,
        lti=Path(args.lti) if args.lti else None,
        modules=args.module or [],
        home_base=Path(args.home_base),
    )
    try:
        return start_hub(hub)
    except HubError as error:
        print(error, file=sys.stderr)
        return 2


def cmd_check(args) -> int:
    from leerpad.catalogue import Catalogue
    from leerpad.check import check

    catalogue = Catalogue()
    target = Path(args.path) if args.path else None
    if target is not None and not target.exists():
        if args.path not in catalogue.modules:
            print(
                f"leerpad check: '{args.path}' is geen map, bestand of module-id. "
                "Oplossing: geef de map van een module, bv. courses/<cursus>/<module-id>.",
                file=sys.stderr,
            )
            return 2
        target = catalogue.modules[args.path].folder  # a module id is fine too
    problems = check(target, catalogue, execute=args.execute)
    for problem in problems:
        print(problem)
    errors = [p for p in problems if not p.warning]
    warnings = len(problems) - len(errors)
    if errors:
        print(f"\n{len(errors)} probleem/problemen gevonden.", file=sys.stderr)
        return 1
    if warnings:
        print(f"OK, met {warnings} waarschuwing(en): kijk ze na.")
        return 0
    print("OK: geen problemen gevonden.")
    return 0


def cmd_release(args) -> int:
    from leerpad.catalogue import Catalogue
    from leerpad.check import gate
    from leerpad.grading.cohort import Cohort
    from leerpad.grading.release import release_all

    catalogue = Catalogue()
    modules = [_module(catalogue, name) for name in args.modules] or list(
        catalogue.modules.values()
    )
    gate("leerpad release", catalogue, modules)
    cohort = Cohort(args.cohort)
    if not cohort.exists():
        cohort.create()
    release_all(cohort, modules, force=args.force)
    return 0


def _module(catalogue, name: str):
    """A module by id, or a Dutch error with the nearest ids."""
    from leerpad.authoring import did_you_mean
    from leerpad.grading.cohort import CohortError

    if name in catalogue.modules:
        return catalogue.modules[name]
    hint = did_you_mean(name, catalogue.modules, "{}", n=3)
    raise CohortError(
        f"Module '{name}' bestaat niet; er is niets vrijgegeven. Oplossing: {hint}"
        "geef de id uit module.yml (de naam van de modulemap in courses/<cursus>/)."
    )


def cmd_site(args) -> int:
    from leerpad.site_build import build_site

    where = _addresses()
    site = build_site(
        apps_url=args.apps_url or where.apps, lab_url=args.lab_url or where.lab, force=True
    )
    print(f"Website gebouwd in {site}")
    return 0


def _existing_cohort(name: str):
    from leerpad.grading.cohort import Cohort, CohortError

    cohort = Cohort(name)
    if not cohort.exists():
        raise CohortError(
            f"Cohort '{name}' bestaat niet. Maak het met: "
            f"leerpad cohort create {name} --path <leerpad>"
        )
    return cohort


def _addresses():
    """Where the platform answers (see leerpad.platform.addresses)."""
    from leerpad.platform import addresses

    return addresses()


def _apps_url(args) -> str:
    return args.apps_url or _addresses().apps


def _site_url(args) -> str:
    return getattr(args, "site_url", None) or _addresses().site


def _links_note(args, cohort_name: str) -> None:
    """Say when printed links will not work as they are (unless the trainer chose the URLs)."""
    if not args.apps_url and not getattr(args, "site_url", None):
        note = _addresses().cohort_note(cohort_name)
        if note:
            print(note)


def cmd_cohort_create(args) -> int:
    from leerpad.grading.cohort import Cohort, parse_deadline_option, show_time

    deadlines = dict(parse_deadline_option(option) for option in args.deadline or [])
    cohort = Cohort(args.name).create(
        path_id=args.path or "", db_url=args.db_url or "", open_=args.open
    )
    if args.geldig:
        cohort.update_settings(link_days=args.geldig)
    if args.roster:
        learners = cohort.import_roster(Path(args.roster))
        print(f"{len(learners)} cursisten toegevoegd.")
    if deadlines:
        cohort.set_deadlines(deadlines)
        for module, when in deadlines.items():
            print(f"Deadline {'alle modules' if module == '*' else module}: {show_time(when)}")
    print(f"Cohort '{args.name}' klaar in {cohort.dir}")
    if cohort.roster and not cohort.is_open:
        print(
            "Gesloten cohort: alleen cursisten met hun persoonlijke link en leerlingen met een "
            "schuilnaam en code kunnen inleveren (open het met --open)."
        )
    elif cohort.is_open:
        print("Open cohort: wie de app zonder link opent, kan inleveren onder een eigen naam.")
    return 0


def cmd_cohort_import(args) -> int:
    cohort = _existing_cohort(args.name)
    learners = cohort.import_roster(Path(args.roster))
    print(f"{len(learners)} cursisten toegevoegd aan '{args.name}': {', '.join(learners)}")
    return 0


def cmd_cohort_links(args) -> int:
    import csv

    cohort = _existing_cohort(args.name)
    rows = cohort.personal_links(_apps_url(args), _site_url(args))
    if not rows:
        print(f"'{args.name}' heeft nog geen cursisten: leerpad cohort import {args.name} CSV")
        return 1
    out = Path(args.out) if args.out else cohort.dir / "links.csv"
    with open(out, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    for row in rows:
        print(f"{row['id']}: {row['leerpad']}")
    print(
        f"Persoonlijke links in {out}: het leerpad op de website (met de verbeterde modules "
        "en feedback) en elke module als app. Deel elke link alleen met die cursist."
    )
    _links_note(args, args.name)
    return 0


def cmd_cohort_class_link(args) -> int:
    cohort = _existing_cohort(args.name)
    fresh = cohort.add_pseudonyms(args.count)
    codes = cohort.pseudonym_codes()
    names = cohort.dir / "schuilnamen.txt"
    names.write_text("".join(f"{n} {c}\n" for n, c in codes.items()), encoding="utf-8")
    print("Klaslinks (één per module; leerlingen vullen hun schuilnaam en code in):")
    for module, link in cohort.class_links(_apps_url(args)).items():
        print(f"  {module}: {link}")
    print("Voor de les: open de klaslink van de module zelf, een paar minuten voor de")
    print("leerlingen beginnen. De server zet dan kernels klaar voor een hele klas.")
    if fresh:
        print(f"{len(fresh)} nieuwe schuilnamen.")
    print("Schuilnaam en code, om uit te delen (één briefje per leerling):")
    for name, code in codes.items():
        print(f"  {name:<16} code {code}")
    print(f"Deze lijst staat ook in {names}. leerpad bewaart geen namen van leerlingen, alleen")
    print("hun schuilnaam. Wie de code niet kent, kan niet onder die schuilnaam inleveren.")
    _links_note(args, args.name)
    return 0


def cmd_cohort_new_key(args) -> int:
    cohort = _existing_cohort(args.name)
    cohort.rotate_secret()
    for old in ("links.csv", "schuilnamen.txt"):
        (cohort.dir / old).unlink(missing_ok=True)
    print(f"Nieuwe geheime sleutel voor cohort '{args.name}'.")
    print("Alle persoonlijke links, klaslinks en schuilnaamcodes van vroeger werken niet meer;")
    print("wie zo'n link opent, krijgt te lezen dat de link niet geldig is. Ingeleverd werk en")
    print("punten blijven. Maak nu nieuwe links en deel ze opnieuw uit:")
    print(f"  leerpad cohort links {args.name}")
    print(f"  leerpad cohort class-link {args.name} --count 0")
    print("(dat laatste geeft dezelfde schuilnamen met nieuwe codes)")
    return 0


def _confirmed(question: str, yes: bool) -> bool:
    if yes:
        return True
    try:
        return input(f"{question} [j/N] ").strip().lower() in ("j", "ja", "y", "yes")
    except EOFError:
        return False


def cmd_cohort_delete(args) -> int:
    from leerpad.grading.privacy import cohort_plan, delete_cohort
    from leerpad.paths import var_dir

    cohort = _existing_cohort(args.name)
    plan = cohort_plan(cohort)
    print(f"Dit verwijdert cohort '{args.name}' met alles van zijn cursisten en leerlingen:")
    print("\n".join(plan.lines(var_dir())))
    if not _confirmed("Alles definitief verwijderen?", args.yes):
        print("Niets verwijderd.")
        return 1
    delete_cohort(cohort, plan)
    print(f"Cohort '{args.name}' is verwijderd. Verwijderd:")
    print("\n".join(plan.lines(var_dir())))
    return 0


def cmd_cohort_forget(args) -> int:
    from leerpad.grading.privacy import forget_learner, learner_plan, resolve_learner

    cohort = _existing_cohort(args.name)
    learner = resolve_learner(cohort, args.learner)
    plan = learner_plan(cohort, learner)
    if plan.empty:
        print(
            f"Cohort '{args.name}' bewaart niets van '{learner}'. Controleer de id of "
            f"schuilnaam (zie links.csv, schuilnamen.txt of leerpad report {args.name})."
        )
        return 1
    print(f"Dit verwijdert alles van '{learner}' in cohort '{args.name}':")
    print("\n".join(plan.lines(cohort.dir)))
    if not _confirmed(f"Alles van '{learner}' definitief verwijderen?", args.yes):
        print("Niets verwijderd.")
        return 1
    forget_learner(cohort, learner, plan)
    print(f"'{learner}' is vergeten in cohort '{args.name}'. Verwijderd:")
    print("\n".join(plan.lines(cohort.dir)))
    return 0


def cmd_cohort_export(args) -> int:
    from leerpad.grading.privacy import export_cohort

    cohort = _existing_cohort(args.name)
    written = export_cohort(cohort, Path(args.folder))
    print(f"Export van cohort '{args.name}' in {Path(args.folder).resolve()}:")
    for path in written:
        print(f"  {path.name}")
    print("Bewaar deze map veilig: ze bevat namen en punten van cursisten.")
    return 0


def cmd_report(args) -> int:
    from leerpad.grading.reports import write_report

    cohort = _existing_cohort(args.cohort)
    folder = write_report(cohort, Path(args.out) if args.out else None)
    print(f"Rapport geschreven in {folder}:")
    print(f"  punten per cursist en module: {folder / 'punten.csv'}")
    print(f"  rapportpagina:                {folder / 'index.html'}")
    if not args.out:
        from leerpad.servers.lab import TRAINER_PAGES

        where = _addresses()
        print(f"  in de trainerwerkplek:        {where.trainer}{TRAINER_PAGES['report']}")
        note = where.cohort_note(args.cohort)
        print(
            f"  {note}"
            if note
            else "  (open eerst de trainerwerkplek met de link uit `leerpad start`; "
            "dan opent het rapport zonder token)"
        )
    return 0


def cmd_grade(args) -> int:
    from leerpad.grading.grade import grade_cohort

    return grade_cohort(
        args.cohort, args.module, jobs=args.jobs, db_url=args.db_url, feedback=not args.no_feedback
    )


def cmd_new(args) -> int:
    from leerpad.scaffold import OPTIONS, ScaffoldError, new

    given = {o.key: getattr(args, o.key, None) for o in OPTIONS[args.kind]}
    given = {k: v for k, v in given.items() if v not in (None, [])}
    ask = input if sys.stdin.isatty() else None
    try:
        target = new(args.kind, args.id, given, ask=ask)
    except ScaffoldError as err:
        print(f"leerpad new {args.kind} {args.id}: {err}", file=sys.stderr)
        return 2
    except (EOFError, KeyboardInterrupt):
        print("\nAfgebroken; er is niets geschreven.", file=sys.stderr)
        return 2
    print(f"Gemaakt: {target}")
    if args.kind == "module":
        print(
            f"Schrijf nu de inhoud in {target / 'module.md'} en controleer met: "
            f"leerpad check {target}"
        )
    return 0


def cmd_preview(args) -> int:
    from leerpad.preview import preview

    return preview(args.module, port=args.port, open_browser=not args.no_browser)


def cmd_pack(args) -> int:
    from leerpad.package import PackageError, pack

    try:
        target = pack(args.module, Path(args.out) if args.out else None)
    except PackageError as err:
        print(f"leerpad pack {args.module}:\n{err}", file=sys.stderr)
        return 1
    print(f"Verpakt: {target}")
    return 0


def cmd_unpack(args) -> int:
    from leerpad.package import PackageError, unpack

    try:
        target = unpack(Path(args.file), args.course)
    except PackageError as err:
        print(f"leerpad unpack {args.file}: niets geschreven.\n{err}", file=sys.stderr)
        return 1
    print(f"Uitgepakt: {target}\nBekijk de module met: leerpad preview {target.name}")
    return 0


def add_authoring_parsers(sub) -> None:
    p = sub.add_parser("preview", help="open een module als app, zoals een cursist ze ziet")
    p.add_argument("module", help="module-id of map van de module")
    p.add_argument("--port", type=int, help="poort van de app-server (standaard een vrije)")
    p.add_argument("--no-browser", action="store_true", help="open geen browser")
    p.set_defaults(func=cmd_preview)

    p = sub.add_parser("pack", help="verpak een module in één bestand om te delen")
    p.add_argument("module", help="module-id of map van de module")
    p.add_argument("--out", help="map of bestand voor het pakket (standaard hier)")
    p.set_defaults(func=cmd_pack)

    p = sub.add_parser("unpack", help="voeg een verpakte module toe aan een cursus")
    p.add_argument("file", help="een .leerpad.zip-bestand")
    p.add_argument("--course", help="id van de cursus (niet nodig als er maar één is)")
    p.set_defaults(func=cmd_unpack)


NEW_HELP = "maak een nieuwe cursus, module of leerpad uit een sjabloon"


def add_new_parser(sub) -> None:
    from leerpad.scaffold import OPTIONS

    p = sub.add_parser("new", help=NEW_HELP)
    kinds = p.add_subparsers(dest="kind", required=True)
    helps = {"course": "een cursus", "module": "een module", "path": "een leerpad"}
    for kind, options in OPTIONS.items():
        k = kinds.add_parser(kind, help=f"maak {helps[kind]}")
        k.add_argument("id", help="kleine letters, cijfers en '-'")
        for o in options:
            action = "append" if o.many else "store"
            k.add_argument(o.flag, dest=o.key, action=action, help=o.question)
    p.set_defaults(func=cmd_new)


def main(argv=None) -> int:
    _ensure_tools_on_path()
    parser = argparse.ArgumentParser(prog="leerpad", description="leerpad: leerpaden en modules")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("start", help="bouw wat veranderd is en start het platform")
    p.add_argument(
        "--cohort",
        default=DEMO_COHORT,
        help="het cohort dat draait (standaard demo); met make: COHORT=naam make start",
    )
    p.add_argument(
        "--classroom",
        action="store_true",
        help="klaslokaal: apps en website bereikbaar over de wifi (HTTPS), de rest op 127.0.0.1",
    )
    p.add_argument("--host", help="netwerkadres voor apps en website (standaard dat van de wifi)")
    p.add_argument("--no-https", action="store_true", help="zonder HTTPS (onversleuteld!)")
    p.add_argument("--certfile", help="eigen certificaat (PEM) in plaats van een zelfgemaakt")
    p.add_argument("--keyfile", help="de sleutel bij --certfile (PEM)")
    p.set_defaults(func=cmd_start)

    p = sub.add_parser("check", help="controleer de cursussen (of een module)")
    p.add_argument("path", nargs="?")
    p.add_argument("--execute", action="store_true", help="voer ook elke notebook uit (trager)")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("release", help="geef modules vrij aan een cohort (nbgrader)")
    p.add_argument("modules", nargs="*")
    p.add_argument("--cohort", default="demo")
    p.add_argument("--force", action="store_true")
    p.set_defaults(func=cmd_release)

    p = sub.add_parser("site", help="bouw de website")
    p.add_argument("--apps-url", help="adres van de apps (standaard: van het platform)")
    p.add_argument("--lab-url", help="adres van JupyterLab (standaard: van het platform)")
    p.set_defaults(func=cmd_site)

    cohort = sub.add_parser("cohort", help="cohorten: maken, cursisten, links").add_subparsers(
        dest="cohort_command", required=True
    )
    p = cohort.add_parser("create", help="maak een cohort (nbgrader-cursus) voor een leerpad")
    p.add_argument("name")
    p.add_argument("--path", help="id van het leerpad")
    p.add_argument("--roster", help="CSV met kolom id of naam")
    p.add_argument("--db-url", help="SQLAlchemy-URL van het puntenboek (standaard SQLite)")
    p.add_argument(
        "--deadline",
        action="append",
        metavar="[MODULE=]DATUM",
        help="deadline, bv. 2026-12-01T18:00 (alle modules) of ct-01-algoritme=2026-12-01",
    )
    p.add_argument(
        "--open",
        action=argparse.BooleanOptionalAction,
        help="open: wie de app zonder link opent, mag inleveren onder een naam die niet op de "
        "cursistenlijst staat (--no-open sluit het cohort weer)",
    )
    p.add_argument(
        "--geldig", type=int, metavar="DAGEN", help="hoelang nieuwe links geldig zijn (365)"
    )
    p.set_defaults(func=cmd_cohort_create)
    p = cohort.add_parser("import", help="voeg cursisten toe uit een CSV (kolom id of naam)")
    p.add_argument("name")
    p.add_argument("roster")
    p.set_defaults(func=cmd_cohort_import)
    p = cohort.add_parser("links", help="persoonlijke, ondertekende links per cursist")
    p.add_argument("name")
    p.add_argument("--apps-url", help="adres van de leerling-apps (standaard: van het platform)")
    p.add_argument("--site-url", help="adres van de website (standaard: van het platform)")
    p.add_argument("--out", help="CSV-bestand (standaard links.csv in het cohort)")
    p.set_defaults(func=cmd_cohort_links)
    p = cohort.add_parser("class-link", help="klaslink en schuilnamen voor leerlingen")
    p.add_argument("name")
    p.add_argument("--count", type=int, default=25, help="aantal nieuwe schuilnamen")
    p.add_argument("--apps-url", help="adres van de leerling-apps (standaard: van het platform)")
    p.set_defaults(func=cmd_cohort_class_link)
    p = cohort.add_parser(
        "new-key", help="nieuwe geheime sleutel: alle oude links en codes werken niet meer"
    )
    p.add_argument("name")
    p.set_defaults(func=cmd_cohort_new_key)
    p = cohort.add_parser("delete", help="verwijder een cohort met alle gegevens van cursisten")
    p.add_argument("name")
    p.add_argument("--yes", action="store_true", help="niet bevestigen")
    p.set_defaults(func=cmd_cohort_delete)
    p = cohort.add_parser(
        "forget", help="verwijder alles van één cursist of schuilnaam uit een cohort"
    )
    p.add_argument("name")
    p.add_argument("learner", help="id, schuilnaam of naam van de cursist")
    p.add_argument("--yes", action="store_true", help="niet bevestigen")
    p.set_defaults(func=cmd_cohort_forget)
    p = cohort.add_parser(
        "export", help="punten per oefening (CSV) en een kopie van het puntenboek"
    )
    p.add_argument("name")
    p.add_argument("folder", help="map waarin de export komt")
    p.set_defaults(func=cmd_cohort_export)

    p = sub.add_parser("report", help="rapport van een cohort: CSV en pagina met grafieken")
    p.add_argument("cohort")
    p.add_argument("--out", help="map voor het rapport (standaard rapport/ in het cohort)")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("hub", help="een cohort op vele toestellen: JupyterHub (als root)")
    p.add_argument("--cohort", default=DEMO_COHORT)
    p.add_argument("--ip", default="127.0.0.1", help="adres van de hub (standaard 127.0.0.1)")
    p.add_argument("--port", type=int, default=int(os.environ.get("HUB_PORT", 8000)))
    p.add_argument(
        "--oidc", help="YAML-bestand met de OpenID Connect-login van de school (zie de gids)"
    )
    p.add_argument(
        "--lti",
        help="YAML-bestand met de LTI 1.3-koppeling van Smartschool of Moodle (zie de gids)",
    )
    p.add_argument("--module", action="append", help="geef alleen deze module vrij (herhaalbaar)")
    p.add_argument("--home-base", default="/home", help="map voor de thuismappen")
    p.set_defaults(func=cmd_hub)

    p = sub.add_parser("grade", help="verbeter de inzendingen van een cohort")
    p.add_argument("cohort")
    p.add_argument("module", nargs="?")
    p.add_argument("--jobs", type=int, help="aantal processen (standaard: alle kernen)")
    p.add_argument("--db-url", help="SQLAlchemy-URL van het puntenboek (standaard: cohort)")
    p.add_argument("--no-feedback", action="store_true", help="maak (nog) geen feedback")
    p.set_defaults(func=cmd_grade)

    if (sys.argv[1:] if argv is None else argv)[:1] == ["new"]:
        add_new_parser(sub)
    else:  # listed in the help; its options come from the templates, read only when used
        sub.add_parser("new", help=NEW_HELP)
    add_authoring_parsers(sub)

    parser.add_argument(
        "--debug", action="store_true", help="toon bij een fout ook de Python-traceback"
    )
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv or settings().debug
    args = parser.parse_args([a for a in argv if a != "--debug"])
    from leerpad.check import CheckFailed
    from leerpad.grading.cohort import CohortError

    if not debug:
        _quiet_rollback_log()
    try:
        return args.func(args)
    except CohortError as error:
        if debug:
            raise
        print(error, file=sys.stderr)
        return 2
    except CheckFailed as error:
        if debug:
            raise
        print(error.code, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        if debug:
            raise
        print(f"\nleerpad {args.command}: afgebroken.", file=sys.stderr)
        return 130
    except Exception as error:
        if debug:
            raise
        print(f"leerpad {args.command}: {explain(error)}", file=sys.stderr)
        return 1


# The causes a trainer can fix, found anywhere in an error's chain (nbgrader wraps SQLite's
# own message in a SQLAlchemy error, and its clean-up may raise a second, misleading one).
CAUSES = (
    ("readonly database", "het puntenboek is alleen-lezen (attempt to write a readonly "
     "database).", "geef schrijfrechten op de cohortmap en gradebook.db (ls -l var/cohorts/"
     "<cohort>), of draai leerpad als de gebruiker van die bestanden."),
    ("database or disk is full", "de schijf is vol: het puntenboek kan niet schrijven "
     "(database or disk is full).", "maak ruimte vrij (df -h toont hoeveel) en probeer opnieuw."),
    ("database is locked", "het puntenboek is bezet door een ander proces (database is "
     "locked).", "wacht tot het verbeteren klaar is en probeer opnieuw."),
    ("unable to open database file", "het puntenboek kan niet geopend worden (unable to open "
     "database file).", "kijk of de cohortmap bestaat en schrijfbaar is."),
    ("file is not a database", "het puntenboek is beschadigd (file is not a database).",
     "zet een reservekopie terug van gradebook.db."),
)  # fmt: skip
ERRNO_FIXES = {
    "ENOSPC": ("de schijf is vol", "maak ruimte vrij (df -h toont hoeveel) en probeer opnieuw."),
    "EROFS": ("het bestandssysteem is alleen-lezen", "kies een schrijfbare map."),
    "EACCES": ("geen toestemming", "geef schrijfrechten op die map of dat bestand."),
    "EPERM": ("geen toestemming", "geef schrijfrechten op die map of dat bestand."),
    "ENOENT": ("bestaat niet", "kijk het pad na."),
}


def _quiet_rollback_log() -> None:
    """nbgrader logs a database error with its whole traceback before it raises it; the
    error that follows is explained in Dutch (see explain), so its log stays quiet."""
    import logging

    logging.getLogger("tornado.application").addFilter(
        lambda record: "due to database error" not in record.getMessage()
    )


def _chain(error):
    seen = []
    while error is not None and error not in seen:
        seen.append(error)
        error = error.__cause__ or error.__context__
    return seen


def explain(error: BaseException) -> str:
    """An error in one Dutch paragraph: what happened, where, and the fix; the real cause
    first, not the last exception a clean-up raised."""
    import errno

    chain = _chain(error)
    for cause in chain:
        text = str(cause)
        for needle, problem, fix in CAUSES:
            if needle in text:
                return f"{problem} Oplossing: {fix}"
    for cause in chain:
        if isinstance(cause, OSError) and cause.errno in errno.errorcode:
            name = errno.errorcode[cause.errno]
            what, fix = ERRNO_FIXES.get(name, (cause.strerror or name, "kijk het pad na."))
            # a full disk fails on whatever file came next: that name would mislead
            where = f": {cause.filename}" if cause.filename and name != "ENOSPC" else ""
            return f"{what}{where} ({cause.strerror}). Oplossing: {fix}"
    for cause in chain:
        if isinstance(cause, ValueError) and "Oplossing:" in str(cause):
            return str(cause)  # leerpad's own errors (a module, a package) say it already
    return (
        f"onverwachte fout: {type(error).__name__}: {error}. Oplossing: probeer opnieuw; "
        "blijft het, draai dan hetzelfde commando met --debug en meld wat het toont."
    )


if __name__ == "__main__":
    sys.exit(main())


def run() -> None:
    """The ``leerpad`` command (``main`` is for callers in Python, such as the tests)."""
    argv = sys.argv[1:]
    code = main(argv)
    if code == 0 and argv[:1] == ["grade"]:
        # A grading run loads most of the Jupyter stack, and tearing all those modules
        # down at exit takes a fifth of a second. Here everything is written and closed:
        # run the exit handlers, flush, and leave.
        import atexit

        atexit._run_exitfuncs()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)
    sys.exit(code)
