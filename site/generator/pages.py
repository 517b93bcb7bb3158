"""Write the site's Markdown pages from the catalogue.

Generation is a separate step from rendering: ``python -m leerpad.site`` writes plain
Markdown into ``build/docs``, then ``mkdocs build`` (or its successor) turns it into HTML.
No notebook is executed and no answer key is read: exercises are described from their
public fields only (see ``render.py``). This module gathers what goes on each page; the
markup is in ``templates/*.md.j2`` (see ``layout.py``).
"""

import json
import shutil
from pathlib import Path

import nbformat
import yaml

from leerpad.authoring import notebook_worksheets
from leerpad.catalogue import Catalogue, Module, Problem

from .layout import TEMPLATES, slug
from .render import images_without_alt, public_notebook, render_notebook, shift_headings

HERE = Path(__file__).resolve().parent
HANDWRITTEN = HERE.parent / "docs"
MARKER = ".leerpad-site"
DEFAULT_APPS_URL = "http://127.0.0.1:8866"
DEFAULT_LAB_URL = "http://127.0.0.1:8888"
LICENCE_URLS = {
    "CC-BY-4.0": "https://creativecommons.org/licenses/by/4.0/deed.nl",
    "CC-BY-SA-4.0": "https://creativecommons.org/licenses/by-sa/4.0/deed.nl",
    "CC0-1.0": "https://creativecommons.org/publicdomain/zero/1.0/deed.nl",
}
DURATIONS = [
    ("30", "tot 30 minuten"),
    ("60", "tot 60 minuten"),
    ("90", "tot 90 minuten"),
    ("91", "langer dan 90 minuten"),
]

# The self-scan: one or two statements per DigCompEdu area, as in Digisnap.
SCAN_STATEMENTS = [
    (
        "1",
        "Ik gebruik digitale kanalen om met collega's, leerlingen en ouders te communiceren "
        "en samen te werken.",
    ),
    (
        "1",
        "Ik denk na over hoe ik digitale middelen in mijn lessen gebruik en ik volg daar "
        "zelf nascholing over.",
    ),
    (
        "2",
        "Ik zoek en beoordeel digitale lesmaterialen, pas ze aan voor mijn klas en respecteer "
        "daarbij auteursrecht en open licenties.",
    ),
    (
        "3",
        "Ik zet digitale middelen doelgericht in tijdens mijn lessen, ook om leerlingen te "
        "begeleiden en samen te laten werken.",
    ),
    (
        "4",
        "Ik gebruik digitale middelen om te evalueren en om leerlingen snel gerichte feedback "
        "te geven.",
    ),
    (
        "5",
        "Ik gebruik digitale middelen om te differentiëren, zodat alle leerlingen actief en "
        "toegankelijk kunnen leren.",
    ),
    (
        "6",
        "Ik leer mijn leerlingen informatie kritisch beoordelen en verantwoord omgaan met media.",
    ),
    (
        "6",
        "Ik laat mijn leerlingen zelf digitale inhoud maken en problemen oplossen met "
        "computationeel denken, bijvoorbeeld met een algoritme.",
    ),
]
SCAN_SCALE = ["helemaal niet", "eerder niet", "soms", "eerder wel", "helemaal wel"]
AREA_SHORT = {
    "1": "Betrokkenheid",
    "2": "Bronnen",
    "3": "Lesgeven",
    "4": "Evalueren",
    "5": "Lerenden versterken",
    "6": "Digitale competentie leerlingen",
}


def script_json(data) -> str:
    """JSON for a <script type="application/json"> element: no '<', '>' or '&' in it, so
    no authored text can end or bend the element."""
    text = json.dumps(data, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def alt_problems(path: Path, text: str, where: str = "") -> list[Problem]:
    return [
        Problem(
            path,
            f"{where}regel {line}",
            f"afbeelding '{image}' heeft geen alt-tekst.",
            "beschrijf wat erop staat tussen de [ ] (![Een robot op een rooster](robot.png)) "
            'of in het alt-attribuut van een HTML-afbeelding (alt="...").',
        )
        for line, image in images_without_alt(text)
    ]


def step_minutes(step: dict) -> int:
    """Minutes of a path step: the module's duration, or the planned one."""
    if step.get("module"):
        return step["module"].meta["duration"]
    return step["duration"] if isinstance(step.get("duration"), int) else 0


def competence_areas(competences) -> list[str]:
    """The DigCompEdu areas ("3") of competences ("3.1")."""
    return sorted({str(c).split(".")[0] for c in competences})


def scan_module(module) -> dict:
    """A released module as the zelfscan script sees it: what it trains."""
    return {
        "id": module.id,
        "title": module.title,
        "areas": competence_areas(module.meta["digcompedu"]),
        "planned": False,
    }


def scan_step(step: dict) -> dict:
    """A path step as the zelfscan script sees it; a planned module is never a start."""
    if step["module"]:
        return scan_module(step["module"])
    return {
        "id": step["id"],
        "title": step.get("title") or step["id"],
        "areas": competence_areas(step.get("digcompedu") or []),
        "planned": True,
    }


class Site:
    def __init__(self, docs_dir: Path, apps_url: str, lab_url: str, catalogue: Catalogue):
        self.docs = Path(docs_dir)
        self.apps_url = apps_url.rstrip("/")
        self.lab_url = lab_url.rstrip("/")
        self.cat = catalogue
        self.fw = catalogue.frameworks
        self.written: list[Path] = []
        levels_file = catalogue.root / "frameworks" / "digcompedu.yml"
        levels = yaml.safe_load(levels_file.read_text(encoding="utf-8")).get("levels", [])
        self.levels = {str(level["id"]): level["nl"] for level in levels}
        self.areas = self._areas()
        self.rendered = {}
        for module in self.modules:
            self.rendered[module.id] = render_notebook(
                module.notebook, module.title, module.id, self._asset_names(module)
            )

    # -- helpers --------------------------------------------------------------------
    @property
    def modules(self) -> list[Module]:
        return list(self.cat.modules.values())

    def _areas(self) -> dict[str, str]:
        areas = {}
        for competence_id, competence in self.fw.digcompedu.items():
            areas.setdefault(competence_id.split(".")[0], competence["area"])
        return areas

    @staticmethod
    def _asset_names(module: Module) -> list[str]:
        return module.published_files()

    def write(self, relative: str, text: str) -> Path:
        path = self.docs / relative
        if path in self.written:
            raise ValueError(
                f"{relative} wordt twee keer geschreven (staat het ook in site/docs?)."
            )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text.rstrip() + "\n", encoding="utf-8")
        self.written.append(path)
        return path

    def audience(self, audience_id) -> str:
        return self.fw.audiences.get(str(audience_id), {}).get("nl", str(audience_id))

    def audiences(self, ids) -> str:
        return ", ".join(self.audience(a) for a in ids)

    def topic(self, topic_id) -> str:
        return self.fw.topics.get(str(topic_id), self.fw.topics.get(topic_id, {})).get(
            "nl", str(topic_id)
        )

    def topics(self, ids) -> str:
        return ", ".join(self.topic(t) for t in ids)

    def exercise_count(self, module: Module) -> int:
        """Graded exercises: the ones a learner earns points with."""
        return len(self.rendered[module.id].graded)

    def path_audiences(self, learning_path) -> list[str]:
        audience = learning_path.meta.get("audience") or []
        return [str(a) for a in (audience if isinstance(audience, list) else [audience])]

    # -- pages ----------------------------------------------------------------------
    def build(self) -> list[Path]:
        self.copy_handwritten()
        self.home()
        self.paths_pages()
        self.catalogue_page()
        for module in self.modules:
            self.module_page(module)
        self.framework_pages("digcompedu", "competenties", "competence.md.j2", "Alle competenties")
        self.framework_pages("eindtermen", "eindtermen", "eindterm.md.j2", "Alle eindtermen")
        self.course_pages()
        self.zelfscan()
        self.feedback_page()
        self.check_alt_texts()
        return self.written

    # -- every image has an alt text ---------------------------------------------------
    def check_alt_texts(self):
        """Stop the build when an image has no alt text, naming the file and line to fix.

        The sources come first (module.md or the notebook, the hand-written pages); the
        generated pages are checked too, for images that reach a page another way."""
        problems = []
        for module in self.modules:
            if module.markdown_path.exists():
                text = module.markdown_path.read_text(encoding="utf-8")
                problems += alt_problems(module.markdown_path, text)
                continue
            for index, cell in enumerate(module.notebook.cells, 1):
                if cell.cell_type == "markdown":
                    problems += alt_problems(module.notebook_path, cell.source, f"cel {index}, ")
        for source in sorted(HANDWRITTEN.rglob("*.md")):
            problems += alt_problems(source, source.read_text(encoding="utf-8"))
        if not problems:
            for page in self.written:
                if page.suffix == ".md":
                    problems += alt_problems(page, page.read_text(encoding="utf-8"))
        if problems:
            raise SystemExit(
                "De website wordt niet gebouwd: elke afbeelding heeft een alt-tekst nodig.\n"
                + "\n".join(f"  {p}" for p in problems)
            )

    def copy_handwritten(self):
        for source in sorted(HANDWRITTEN.rglob("*")):
            if source.is_file():
                target = self.docs / source.relative_to(HANDWRITTEN)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target)
                self.written.append(target)

    def page(self, relative: str, template: str, **data) -> Path:
        """Write one page: `template` filled with `data` and what every page may use."""
        text = TEMPLATES.render(
            template,
            fw=self.fw,
            audiences=self.audiences,
            topics=self.topics,
            **data,
        )
        return self.write(relative, text)

    def home(self):
        self.page(
            "index.md",
            "home.md.j2",
            modules=self.modules,
            courses=self.cat.courses,
            paths=self.cat.paths,
            total=sum(m.meta["duration"] for m in self.modules),
        )

    def paths_pages(self):
        rows = []
        for learning_path in self.cat.paths:
            steps = self.cat.path_steps(learning_path)
            row = {
                "path": learning_path,
                "steps": steps,
                "ready": [s["module"] for s in steps if s["module"]],
                "audience": self.audiences(self.path_audiences(learning_path)),
                "total": sum(step_minutes(s) for s in steps),
            }
            rows.append(row)
            self.path_page(**row)
        self.page("paden/index.md", "paths.md.j2", rows=rows)

    def path_page(self, path, steps, ready, audience, total):
        self.page(
            f"paden/{path.id}.md",
            "path.md.j2",
            path=path,
            steps=steps,
            ready=ready,
            audience=audience,
            total=total,
            waiting=sum(step_minutes(s) for s in steps if not s["module"]),
            waiting_steps=len(steps) - len(ready),
        )

    def catalogue_page(self):
        courses = {c.id: c.meta.get("title", c.id) for c in self.cat.courses}

        def used(field):
            return sorted({str(v) for m in self.modules for v in m.meta[field]})

        filters = [
            ("audience", "Doelgroep", [(a, self.audience(a)) for a in used("audience")]),
            ("course", "Cursus", list(courses.items())),
            ("duration", "Duur", DURATIONS),
            (
                "competence",
                "DigCompEdu",
                [(c, f"{c} {self.fw.digcompedu[c]['nl']}") for c in used("digcompedu")],
            ),
            ("eindterm", "Eindterm", [(t, t) for t in used("eindtermen")]),
        ]
        self.page(
            "modules/index.md",
            "catalogue.md.j2",
            filters=filters,
            courses=courses,
            modules=self.modules,
        )

    def module_page(self, module: Module):
        meta = module.meta
        mid = module.id
        for name in module.published_files():
            asset = module.folder / name
            target = self.docs / "modules" / mid / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(asset, target)
            self.written.append(target)
        download = self.docs / "modules" / mid / f"{mid}.ipynb"
        download.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(public_notebook(module.notebook), download)
        self.written.append(download)
        level = meta["level"]
        sheets = notebook_worksheets(module.notebook)
        if sheets:
            self.page(
                f"modules/{mid}/werkblad.md",
                "werkblad.md.j2",
                module=module,
                sheets=[(title, shift_headings(text)) for title, text in sheets],
            )
        self.page(
            f"modules/{mid}.md",
            "module.md.j2",
            module=module,
            apps_url=self.apps_url,
            lab_url=self.lab_url,
            level=f"{level} ({self.levels[level]})" if level in self.levels else level,
            licence_url=LICENCE_URLS.get(meta["licence"]),
            exercises=self.exercise_count(module),
            reading=self.rendered[mid].markdown,
            worksheet=bool(sheets),
        )

    def _modules_for(self, field, value) -> list[Module]:
        return [m for m in self.modules if str(value) in {str(v) for v in m.meta[field]}]

    def planned(self) -> dict[str, dict]:
        """Modules named in a path but not written yet: id -> fields and the paths."""
        found = {}
        for learning_path in self.cat.paths:
            for step in self.cat.path_steps(learning_path):
                if not step["module"]:
                    entry = found.setdefault(
                        step["id"], {**step, "minutes": step_minutes(step), "paths": []}
                    )
                    entry["paths"].append(learning_path)
        return found

    def serving(self, field: str, value: str, back: str) -> dict:
        """What _serving.md.j2 shows: the modules (written and planned) that serve one
        competence or eindterm."""
        planned = [
            p for p in self.planned().values() if str(value) in {str(v) for v in p.get(field) or []}
        ]
        return {"serving": self._modules_for(field, value), "planned": planned, "back": back}

    def framework_pages(self, field: str, folder: str, template: str, back: str):
        """A page per competence or eindterm (`template`) with the modules that serve it, and
        the index of them all (`folder`.md.j2)."""
        entries = []
        for key, entry in getattr(self.fw, field).items():
            serving = self.serving(field, key, back)
            entries.append({**entry, "id": key, "modules": len(serving["serving"])})
            self.page(f"{folder}/{slug(key)}.md", template, id=key, entry=entry, **serving)
        self.page(f"{folder}/index.md", f"{folder}.md.j2", entries=entries)

    def course_pages(self):
        for course in self.cat.courses:
            self.page(
                f"cursussen/{course.id}.md",
                "course.md.j2",
                course=course,
                total=sum(m.meta["duration"] for m in course.modules),
                exercises={m.id: self.exercise_count(m) for m in course.modules},
            )
        self.page("cursussen/index.md", "courses.md.j2", courses=self.cat.courses)

    def zelfscan(self):
        data = {
            "areas": [
                {"id": a, "name": name, "short": AREA_SHORT.get(a, name)}
                for a, name in self.areas.items()
            ],
            "statements": [{"area": area, "text": text} for area, text in SCAN_STATEMENTS],
            "paths": [
                {
                    "id": p.id,
                    "title": p.meta.get("title", p.id),
                    "audience": self.path_audiences(p),
                    "modules": [scan_step(s) for s in self.cat.path_steps(p)],
                }
                for p in self.cat.paths
            ],
            # Every released module, for a weak area that no proposed path trains.
            "modules": [scan_module(m) for m in self.modules],
        }
        self.page(
            "zelfscan.md",
            "zelfscan.md.j2",
            payload=script_json(data),
            groups=[(a, v["nl"]) for a, v in self.fw.audiences.items() if a != "leerlingen"],
            statements=SCAN_STATEMENTS,
            scale=SCAN_SCALE,
            paths=self.cat.paths,
            modules=self.modules,
        )

    def feedback_page(self):
        """The page a learner reads feedback on: its script asks the site's server for the
        feedback on one graded hand-in (``/api/feedback``) and shows it here. The page
        itself holds titles only: the server answers a valid personal link, no one else."""
        titles = {
            "modules": {m.id: m.title for m in self.modules},
            "paden": {p.id: p.meta.get("title", p.id) for p in self.cat.paths},
        }
        self.page("feedback.md", "feedback.md.j2", payload=script_json(titles))


def generate(
    docs_dir: Path,
    apps_url: str = DEFAULT_APPS_URL,
    lab_url: str = DEFAULT_LAB_URL,
    catalogue: Catalogue | None = None,
) -> list[Path]:
    """Copy the hand-written pages into ``docs_dir`` and write the generated pages there.

    Returns the files written. ``docs_dir`` is emptied first, so removed modules disappear.
    """
    docs_dir = Path(docs_dir)
    if docs_dir.exists() and any(docs_dir.iterdir()):
        if not (docs_dir / MARKER).exists() and not (docs_dir / "modules").is_dir():
            raise SystemExit(
                f"{docs_dir} bestaat al en is niet door leerpad gemaakt; kies een andere map."
            )
        shutil.rmtree(docs_dir)
    docs_dir.mkdir(parents=True, exist_ok=True)
    (docs_dir / MARKER).write_text("Gemaakt door python -m leerpad.site; wordt overschreven.\n")
    catalogue = catalogue or Catalogue()
    return Site(docs_dir, apps_url, lab_url, catalogue).build()
