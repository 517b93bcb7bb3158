"""Write the site's Markdown pages from the catalogue.

Generation is a separate step from rendering: ``python -m leerpad.site`` writes plain
Markdown into ``build/docs``, then ``mkdocs build`` (or its successor) turns it into HTML.
No notebook is executed and no answer key is read: exercises are described from their
public fields only (see ``render.py``).
"""

import html
import json
import shutil
from pathlib import Path

import nbformat
import yaml

from leerpad.catalogue import Catalogue, Module, Problem
from leerpad.markup import clean_markdown, markdown_text

from .render import images_without_alt, public_notebook, render_notebook

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


def slug(value) -> str:
    return str(value).replace(".", "-")


def esc(text) -> str:
    """Authored plain text (a title, a name) for a Markdown page: shown as written."""
    return markdown_text(text)


def prose(text) -> str:
    """Authored Markdown on one line (a summary, a goal): see leerpad.markup."""
    return clean_markdown(" ".join(str(text).split()))


def script_json(data) -> str:
    """JSON for a <script type="application/json"> element: no '<', '>' or '&' in it, so
    no authored text can end or bend the element."""
    text = json.dumps(data, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def attr(text) -> str:
    return html.escape(str(text), quote=True)


def count(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"


def alt_problems(path: Path, text: str, where: str = "") -> list[Problem]:
    return [
        Problem(
            path,
            f"{where}regel {line}",
            f"afbeelding '{image}' heeft geen alt-tekst.",
            "beschrijf wat erop staat tussen de [ ] (![Een robot op een rooster](robot.png)) "
            'of in alt="..." bij <img>.',
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


def minutes(total: int) -> str:
    hours, rest = divmod(total, 60)
    if not hours:
        return f"{rest} minuten"
    text = f"{hours} uur"
    return text + (f" {rest} minuten" if rest else "")


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

    def topic(self, topic_id) -> str:
        return self.fw.topics.get(str(topic_id), self.fw.topics.get(topic_id, {})).get(
            "nl", str(topic_id)
        )

    def competence_link(self, cid, base="../competenties/", long=False) -> str:
        name = self.fw.digcompedu.get(str(cid), {}).get("nl", "")
        text = f"{cid} {name}" if long and name else str(cid)
        return f"[{esc(text)}]({base}{slug(cid)}.md)"

    def eindterm_link(self, tid, base="../eindtermen/") -> str:
        return f"[{esc(tid)}]({base}{slug(tid)}.md)"

    def module_link(self, module: Module, base="../modules/") -> str:
        return f"[{esc(module.title)}]({base}{module.id}.md)"

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
        self.competence_pages()
        self.eindterm_pages()
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

    def home(self):
        total = sum(m.meta["duration"] for m in self.modules)
        lines = [
            "# leerpad",
            "",
            "leerpad is het lesmateriaal en de leerpaden van de **digitale bootcamps voor "
            "Vlaamse leraren**. Elke module is een notebook met uitleg, voorbeelden uit de klas "
            "en oefeningen die je meteen verbeterd krijgt. Je opent een module als **app** in je "
            "browser (geen code te zien) of als notebook in **JupyterLab**.",
            "",
            "leerpad is er voor leraren basis- en secundair onderwijs, ICT-coördinatoren, "
            "directies en studenten in de lerarenopleiding, en voor de trainers die een "
            "bootcamp begeleiden. Elke module sluit aan bij het Europese kader **DigCompEdu** "
            "en bij de Vlaamse **eindtermen digitale competentie en mediawijsheid**.",
            "",
            f"Er zijn nu {count(len(self.modules), 'module', 'modules')} in "
            f"{count(len(self.cat.courses), 'cursus', 'cursussen')}, "
            f"samen {minutes(total)}.",
            "",
            "## Waar begin je?",
            "",
            "- Niet zeker waar je staat? Doe de [zelfscan](zelfscan.md): acht uitspraken, "
            "een radardiagram en een voorstel voor een leerpad.",
            "- Blader door de [catalogus](modules/index.md) en filter op doelgroep, duur, "
            "competentie of eindterm.",
            "- Zoek op [DigCompEdu-competentie](competenties/index.md) of op "
            "[eindterm](eindtermen/index.md).",
            "",
            "## Leerpaden",
            "",
        ]
        for learning_path in self.cat.paths:
            lines.append(
                f"- [{esc(learning_path.meta.get('title', learning_path.id))}]"
                f"(paden/{learning_path.id}.md): " + prose(learning_path.meta.get("goal", ""))
            )
        if not self.cat.paths:
            lines.append("Er zijn nog geen leerpaden.")
        lines += ["", "## Cursussen", ""]
        for course in self.cat.courses:
            lines.append(
                f"- [{esc(course.meta.get('title', course.id))}](cursussen/{course.id}.md)"
            )
        lines += [
            "",
            "## Voor trainers en auteurs",
            "",
            "- De [gids voor trainers](gids-trainer.md): het platform starten, een cohort "
            "aanmaken, verbeteren en feedback geven.",
            "- De [gids voor auteurs](gids-auteur.md): zelf een module schrijven in Markdown.",
            "- De [architectuur](architectuur.md): hoe leerpad in elkaar zit.",
            "",
            "Je voortgang (welke modules je klaar hebt) en je zelfscan blijven in je eigen "
            "browser. Deze site stuurt niets door. Kwam je binnen via de persoonlijke link "
            "van je trainer? Dan vraagt het leerpad jouw verbeterde modules op bij de server "
            "van je bootcamp en toont het je punten en feedback; alleen jij ziet ze.",
        ]
        self.write("index.md", "\n".join(lines))

    def paths_pages(self):
        lines = [
            "# Leerpaden",
            "",
            "Een leerpad is een reeks modules in een vaste volgorde, met één doel.",
            "",
        ]
        if self.cat.paths:
            lines += ["| Leerpad | Voor | Modules | Tijd |", "| --- | --- | --- | --- |"]
        for learning_path in self.cat.paths:
            steps = self.cat.path_steps(learning_path)
            ready = [s["module"] for s in steps if s["module"]]
            total = sum(step_minutes(s) for s in steps)
            audience = ", ".join(self.audience(a) for a in self.path_audiences(learning_path))
            lines.append(
                f"| [{esc(learning_path.meta.get('title', learning_path.id))}]"
                f"({learning_path.id}.md) | {esc(audience)} | {len(ready)} van {len(steps)} "
                f"beschikbaar | {minutes(total)} |"
            )
            self.path_page(learning_path, steps, ready)
        if not self.cat.paths:
            lines.append("Er zijn nog geen leerpaden.")
        self.write("paden/index.md", "\n".join(lines))

    def path_page(self, learning_path, steps, ready):
        meta = learning_path.meta
        audience = ", ".join(self.audience(a) for a in self.path_audiences(learning_path))
        total = sum(step_minutes(s) for s in steps)
        waiting = sum(step_minutes(s) for s in steps if not s["module"])
        time = minutes(total)
        if len(ready) < len(steps):
            time += f" (waarvan {minutes(waiting)} in modules die nog in voorbereiding zijn)"
        ids = " ".join(m.id for m in ready)
        lines = [
            f"# {esc(meta.get('title', learning_path.id))}",
            "",
            f"**Doel:** {prose(meta.get('goal', ''))}",
            "",
            f"**Voor:** {esc(audience)}",
            "",
            f"**Totale tijd:** {time}",
            "",
            f'<div class="leerpad-voortgang" data-modules="{attr(ids)}" '
            f'data-gepland="{len(steps) - len(ready)}" aria-live="polite">'
            "Je voortgang wordt in deze browser bijgehouden.</div>",
            "",
            "## Stappen",
            "",
        ]
        for number, step in enumerate(steps, 1):
            module = step["module"]
            if module:
                lines.append(
                    f"{number}. {self.module_link(module)}: {module.meta['duration']} minuten, "
                    f"niveau {module.meta['level']} "
                    f'<span class="leerpad-stap" data-module="{attr(module.id)}"></span> '
                    f'<span class="leerpad-resultaat" data-module="{attr(module.id)}"></span>'
                )
                continue
            facts = [f"{step['duration']} minuten"] if step.get("duration") else []
            if step.get("level"):
                facts.append(f"niveau {step['level']}")
            if step.get("digcompedu"):
                facts.append(
                    "DigCompEdu " + ", ".join(self.competence_link(c) for c in step["digcompedu"])
                )
            lines.append(
                f'{number}. <span class="leerpad-gepland" data-gepland="{attr(step["id"])}">'
                f"{esc(step.get('title') or step['id'])}</span>: "
                + "".join(f"{fact}, " for fact in facts)
                + "*nog in voorbereiding*"
            )
        if len(ready) < len(steps):
            lines += [
                "",
                "Een module *in voorbereiding* wordt nog geschreven. Je kunt de andere stappen "
                "al volgen; zodra de module klaar is, staat ze hier met een link.",
            ]
        self.write(f"paden/{learning_path.id}.md", "\n".join(lines))

    def catalogue_page(self):
        courses = {c.id: c.meta.get("title", c.id) for c in self.cat.courses}

        def select(name, label, options):
            opts = "".join(
                f'<option value="{attr(v)}">{html.escape(t)}</option>' for v, t in options
            )
            return (
                f'<label for="filter-{name}">{label}</label>'
                f'<select id="filter-{name}" name="{name}"><option value="">alle</option>'
                f"{opts}</select>"
            )

        def used(field):
            return sorted({str(v) for m in self.modules for v in m.meta[field]})

        form = (
            '<form class="leerpad-filter" id="leerpad-filter" hidden>'
            + select("audience", "Doelgroep", [(a, self.audience(a)) for a in used("audience")])
            + select("course", "Cursus", list(courses.items()))
            + select("duration", "Duur", DURATIONS)
            + select(
                "competence",
                "DigCompEdu",
                [(c, f"{c} {self.fw.digcompedu[c]['nl']}") for c in used("digcompedu")],
            )
            + select("eindterm", "Eindterm", [(t, t) for t in used("eindtermen")])
            + '<p class="leerpad-filter-count" aria-live="polite"></p></form>'
        )
        lines = [
            "# Catalogus",
            "",
            "Alle modules. Kies een doelgroep, cursus, duur, competentie of eindterm om de lijst "
            "te filteren.",
            "",
            form,
            "",
            "| Module | Cursus | Minuten | Niveau | Voor | DigCompEdu | Eindtermen |",
            "| --- | --- | --- | --- | --- | --- | --- |",
        ]
        for module in self.modules:
            meta = module.meta
            course_id = module.course.id if module.course else ""

            def joined(name, meta=meta):
                return attr(" ".join(map(str, meta[name])))

            data = (
                f'<span class="leerpad-rij" hidden data-audience="{joined("audience")}" '
                f'data-course="{attr(course_id)}" data-duration="{meta["duration"]}" '
                f'data-competence="{joined("digcompedu")}" '
                f'data-eindterm="{joined("eindtermen")}"></span>'
            )
            lines.append(
                f"| {data}[{esc(module.title)}]({module.id}.md) "
                f"| [{esc(courses.get(course_id, course_id))}](../cursussen/{course_id}.md) "
                f"| {meta['duration']} | {meta['level']} "
                f"| {esc(', '.join(self.audience(a) for a in meta['audience']))} "
                f"| {', '.join(self.competence_link(c) for c in meta['digcompedu'])} "
                f"| {', '.join(self.eindterm_link(t) for t in meta['eindtermen'])} |"
            )
        if not self.modules:
            lines.append("| Nog geen modules. | | | | | | |")
        self.write("modules/index.md", "\n".join(lines))

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
        rendered = self.rendered[mid]
        level = meta["level"]
        level_text = f"{level} ({self.levels[level]})" if level in self.levels else level
        course = module.course
        licence = meta["licence"]
        licence_text = (
            f"[{licence}]({LICENCE_URLS[licence]})" if licence in LICENCE_URLS else esc(licence)
        )
        authors = ", ".join(
            esc(a["name"]) if isinstance(a, dict) else esc(a) for a in meta["authors"]
        )
        app_note = "" if meta.get("app", True) else " (deze module is bedoeld voor JupyterLab)"
        lines = [
            f"# {esc(meta['title'])}",
            "",
            prose(meta["summary"]),
            "",
            '<div class="leerpad-knoppen" markdown>',
            "",
            f"[Open als app]({self.apps_url}/voila/render/{mid}/{mid}.ipynb)"
            "{ .md-button .md-button--primary }"
            f" [Open in JupyterLab]({self.lab_url}/lab){{ .md-button }}"
            f" [Download]({mid}/{mid}.ipynb){{ .md-button download }}"
            f' <button type="button" class="md-button leerpad-klaar" data-module="{attr(mid)}" '
            'aria-pressed="false" hidden>Markeer als klaar</button>',
            "",
            "</div>",
            "",
            f'<p class="leerpad-resultaat" data-module="{attr(mid)}" aria-live="polite"></p>',
            "",
            f"*Download* geeft de notebook zonder antwoordsleutels en oplossingen{app_note}. "
            "Verbeteren doet de server van je bootcamp: open de module daarom als app of in "
            "JupyterLab om je antwoorden te laten nakijken.",
            "",
            "## Over deze module",
            "",
            "| Kenmerk | Waarde |",
            "| --- | --- |",
            f"| Duur | {meta['duration']} minuten |",
            f"| Niveau | {esc(level_text)} |",
            f"| Voor | {esc(', '.join(self.audience(a) for a in meta['audience']))} |",
            "| Voor leerlingen | "
            + (
                "ja: deel de link *Open als app* met je klas; leerlingen hebben geen account "
                "nodig |"
                if meta.get("pupils")
                else "nee: bedoeld voor leerkrachten in de bootcamp |"
            ),
        ]
        if course:
            lines.append(
                f"| Cursus | [{esc(course.meta.get('title', course.id))}]"
                f"(../cursussen/{course.id}.md) |"
            )
        lines += [
            f"| DigCompEdu | "
            f"{', '.join(self.competence_link(c, long=True) for c in meta['digcompedu'])} |",
            f"| Eindtermen | {', '.join(self.eindterm_link(t) for t in meta['eindtermen'])} |",
            f"| Onderwerpen | {esc(', '.join(self.topic(t) for t in meta['topics']))} |",
            f"| Oefeningen met punten | {self.exercise_count(module)} |",
            f"| Licentie | {licence_text} |",
            f"| Auteurs | {authors} |",
            f"| Laatst nagekeken | {meta['last_reviewed']} |",
            "",
            "## Leerdoelen",
            "",
            *[f"- {prose(goal)}" for goal in meta["goals"]],
            "",
            "## Leesversie",
            "",
            '!!! note "Alleen lezen"',
            "    Hier lees je de module. De oefeningen maak je in de app of in JupyterLab; "
            "daar krijg je ook feedback.",
            "",
            rendered.markdown,
        ]
        self.write(f"modules/{mid}.md", "\n".join(lines))

    def _modules_for(self, field, value) -> list[Module]:
        return [m for m in self.modules if str(value) in {str(v) for v in m.meta[field]}]

    def planned(self) -> dict[str, dict]:
        """Modules named in a path but not written yet: id -> fields and the paths."""
        found = {}
        for learning_path in self.cat.paths:
            for step in self.cat.path_steps(learning_path):
                if not step["module"]:
                    entry = found.setdefault(step["id"], {**step, "paths": []})
                    entry["paths"].append(learning_path)
        return found

    def _planned_list(self, field, value) -> list[str]:
        planned = [
            p for p in self.planned().values() if str(value) in {str(v) for v in p.get(field) or []}
        ]
        if not planned:
            return []
        lines = ["", "## Nog in voorbereiding", ""]
        for entry in planned:
            paths = ", ".join(
                f"[{esc(lp.meta.get('title', lp.id))}](../paden/{lp.id}.md)"
                for lp in entry["paths"]
            )
            lines.append(
                f"- {esc(entry.get('title') or entry['id'])} ({step_minutes(entry)} minuten), "
                f"in het leerpad {paths}"
            )
        return lines

    def _module_list(self, modules) -> list[str]:
        if not modules:
            return ["Nog geen modules."]
        return [
            f"- {self.module_link(m)}: {prose(m.meta['summary'])} "
            f"({m.meta['duration']} minuten, niveau {m.meta['level']})"
            for m in modules
        ]

    def competence_pages(self):
        lines = [
            "# DigCompEdu-competenties",
            "",
            "DigCompEdu is het Europese kader voor de digitale competentie van leraren "
            "(Redecker, 2017): 6 gebieden, 22 competenties. Kies een competentie om de modules "
            "te zien die eraan werken.",
            "",
        ]
        current = None
        for cid, competence in self.fw.digcompedu.items():
            area = cid.split(".")[0]
            if area != current:
                current = area
                lines += ["", f"## {area}. {competence['area']}", ""]
            n = len(self._modules_for("digcompedu", cid))
            lines.append(
                f"- {self.competence_link(cid, '', long=True)} ({count(n, 'module', 'modules')})"
            )
            page = [
                f"# {cid} {competence['nl']}",
                "",
                f"**Gebied:** {area}. {competence['area']}",
                "",
                f"*In het Engels:* {competence.get('en', '')}",
                "",
                *self._serving_modules("digcompedu", cid, "Alle competenties"),
            ]
            self.write(f"competenties/{slug(cid)}.md", "\n".join(page))
        self.write("competenties/index.md", "\n".join(lines))

    def _serving_modules(self, field: str, value: str, back: str) -> list[str]:
        """The modules (written and planned) that serve one competence or eindterm."""
        return [
            "## Modules",
            "",
            *self._module_list(self._modules_for(field, value)),
            *self._planned_list(field, value),
            "",
            f"[{back}](index.md)",
        ]

    def eindterm_pages(self):
        lines = [
            "# Eindtermen",
            "",
            "De Vlaamse eindtermen voor de sleutelcompetentie *digitale competentie en "
            "mediawijsheid* (eerste graad secundair onderwijs). Kies een eindterm om de modules "
            "te zien die eraan werken.",
            "",
        ]
        current = None
        for tid, target in self.fw.eindtermen.items():
            if target["block"] != current:
                current = target["block"]
                lines += ["", f"## {current}", ""]
            n = len(self._modules_for("eindtermen", tid))
            lines.append(
                f"- [{esc(tid)}]({slug(tid)}.md): {target['nl']} ({count(n, 'module', 'modules')})"
            )
            page = [
                f"# Eindterm {tid}",
                "",
                f"> {target['nl']}",
                "",
                f"**Bouwsteen:** {target['block']}",
                "",
                *self._serving_modules("eindtermen", tid, "Alle eindtermen"),
            ]
            self.write(f"eindtermen/{slug(tid)}.md", "\n".join(page))
        self.write("eindtermen/index.md", "\n".join(lines))

    def course_pages(self):
        index = ["# Cursussen", ""]
        for course in self.cat.courses:
            title = course.meta.get("title", course.id)
            index.append(
                f"- [{esc(title)}]({course.id}.md): "
                + count(len(course.modules), "module", "modules")
            )
            lines = [
                f"# {esc(title)}",
                "",
                prose(course.meta.get("description", "")),
                "",
                "Oefeningen telt de oefeningen met punten, zonder oefenkaarten en andere "
                "oefeningen om te verkennen.",
                "",
                "| Module | Minuten | Oefeningen | Eindtermen | DigCompEdu |",
                "| --- | --- | --- | --- | --- |",
            ]
            for module in course.modules:
                meta = module.meta
                lines.append(
                    f"| {self.module_link(module)} | {meta['duration']} "
                    f"| {self.exercise_count(module)} "
                    f"| {', '.join(self.eindterm_link(t) for t in meta['eindtermen'])} "
                    f"| {', '.join(self.competence_link(c) for c in meta['digcompedu'])} |"
                )
            total = sum(m.meta["duration"] for m in course.modules)
            exercises = sum(self.exercise_count(m) for m in course.modules)
            lines.append(f"| **Totaal** | **{total}** | **{exercises}** | | |")
            self.write(f"cursussen/{course.id}.md", "\n".join(lines))
        if not self.cat.courses:
            index.append("Er zijn nog geen cursussen.")
        self.write("cursussen/index.md", "\n".join(index))

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
        payload = script_json(data)
        audiences = "".join(
            f'<option value="{attr(a)}">{html.escape(v["nl"])}</option>'
            for a, v in self.fw.audiences.items()
            if a != "leerlingen"
        )
        fieldsets = []
        for number, (area, text) in enumerate(SCAN_STATEMENTS, 1):
            radios = "".join(
                f'<label><input type="radio" name="s{number}" value="{value}" required> '
                f'{value} <span class="leerpad-schaal">{html.escape(word)}</span></label>'
                for value, word in enumerate(SCAN_SCALE, 1)
            )
            fieldsets.append(
                f'<fieldset data-area="{area}"><legend>{number}. {html.escape(text)}</legend>'
                f'<div class="leerpad-schaalrij">{radios}</div></fieldset>'
            )
        links = []
        for p in self.cat.paths:
            links.append(
                f'- [{esc(p.meta.get("title", p.id))}](paden/{p.id}.md){{ data-pad="{p.id}" }}'
            )
        for module in self.modules:
            links.append(
                f'- [{esc(module.title)}](modules/{module.id}.md){{ data-module="{module.id}" }}'
            )
        lines = [
            "# Zelfscan",
            "",
            "Waar sta jij met digitale middelen in je lessen? Geef bij elke uitspraak aan hoe "
            "goed ze bij jou past, van 1 (helemaal niet) tot 5 (helemaal wel). Je krijgt een "
            "radardiagram per DigCompEdu-gebied en een voorstel voor een leerpad en een eerste "
            "module.",
            "",
            "De zelfscan is gebaseerd op DigCompEdu, zoals Digisnap. Hij is kort en geeft een "
            "richting, geen oordeel. **Je antwoorden verlaten je browser niet**: ze worden alleen "
            "in deze browser bewaard (localStorage), zodat je later kunt vergelijken.",
            "",
            "<noscript><p>De zelfscan heeft JavaScript nodig.</p></noscript>",
            "",
            '<form id="leerpad-zelfscan" class="leerpad-zelfscan">'
            '<p><label for="zelfscan-doelgroep">Ik geef les in of werk als</label> '
            f'<select id="zelfscan-doelgroep" name="doelgroep">{audiences}</select></p>'
            + "".join(fieldsets)
            + '<p><button type="submit" class="md-button md-button--primary">Toon mijn resultaat'
            '</button> <button type="button" class="md-button" id="zelfscan-wissen">'
            "Wis mijn antwoorden</button></p></form>",
            "",
            '<div id="leerpad-zelfscan-resultaat" class="leerpad-zelfscan-resultaat" '
            'aria-live="polite" hidden></div>',
            "",
            f'<script type="application/json" id="leerpad-zelfscan-data">{payload}</script>',
            "",
            '<div id="leerpad-zelfscan-links" hidden markdown>',
            "",
            *links,
            "",
            "</div>",
        ]
        self.write("zelfscan.md", "\n".join(lines))

    def feedback_page(self):
        """The page a learner reads feedback on: its script asks the site's server for the
        feedback on one graded hand-in (``/api/feedback``) and shows it here. The page
        itself holds titles only: the server answers a valid personal link, no one else."""
        titles = {
            "modules": {m.id: m.title for m in self.modules},
            "paden": {p.id: p.meta.get("title", p.id) for p in self.cat.paths},
        }
        payload = script_json(titles)
        lines = [
            "# Feedback",
            "",
            '<div id="leerpad-feedback" class="leerpad-feedbackpagina" data-modules="../modules/" '
            'data-paden="../paden/" aria-live="polite">',
            "<p>Je feedback wordt geladen…</p>",
            "</div>",
            "",
            "<noscript><p>Deze pagina heeft JavaScript nodig om je feedback te tonen.</p>"
            "</noscript>",
            "",
            f'<script type="application/json" id="leerpad-feedback-data">{payload}</script>',
        ]
        self.write("feedback.md", "\n".join(lines))


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
