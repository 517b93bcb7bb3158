"""The trainer page of a module: its trainer material and its answers, for trainers only.

Authors mark trainer material with a ``{trainer}`` block (see ``leerpad.authoring``); it never
enters the notebook, so no release, app, site page, search index or feedback holds it. This
page is where it goes instead: ``trainer/<module-id>.md`` in the cohort folder, which only the
trainer's JupyterLab (root = the cohort folder) opens. It is never part of the website.
"""

from pathlib import Path

import yaml

from leerpad.authoring import FIELDS
from leerpad.catalogue import Module
from leerpad.markup import clean_markdown
from leerpad.templating import Templates

FOLDER = "trainer"  # inside the cohort folder
TEMPLATES = Templates(Path(__file__).resolve().parent / "page_templates")


def trainer_page(module: Module) -> str:
    """Markdown of the trainer page: the trainer notes, then the answer of every exercise."""
    from leerpad.site.render import shift_headings

    notes = [
        (note.section, clean_markdown(shift_headings(note.markdown, 2)))
        for note in module.trainer_notes
    ]
    text = TEMPLATES.render(
        "trainer.md.j2",
        module=module,
        source=_source(module),
        notes=notes,
        answers=answer_overview(module.notebook),
    )
    return text.rstrip() + "\n"


def answer_overview(nb) -> list[tuple[str, str, str]]:
    """(exercise id, kind, Markdown) for every answer key and model solution in a notebook,
    with the field names authors write (antwoord, feedback, oplossing)."""
    from leerpad.grading.cells import exercise_calls, split_keys

    found = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        meta = cell.metadata.get("nbgrader", {})
        if "### BEGIN SOLUTION" in cell.source:
            exercise_id = str(meta.get("grade_id", "")).removesuffix("-code")
            found.append((exercise_id, "code", _fence(cell.source, "python")))
            continue
        _public, keys = split_keys(cell.source)
        kinds = {}
        for call, cls in exercise_calls(cell.source):
            for keyword in call.keywords:
                if keyword.arg == "id" and hasattr(keyword.value, "value"):
                    kinds[keyword.value.value] = cls
        for exercise_id, key in keys.items():
            cls = kinds.get(exercise_id)
            dutch = {v: k for k, v in {**FIELDS, **(cls.fields if cls else {})}.items()}
            written = {dutch.get(name, name): value for name, value in key.items()}
            text = yaml.safe_dump(written, allow_unicode=True, sort_keys=False, width=90)
            found.append((exercise_id, cls.kind if cls else "oefening", _fence(text, "yaml")))
    return found


def _fence(text: str, lang: str) -> str:
    marker = "~~~~" if "```" in text else "```"
    return f"{marker}{lang}\n{text.rstrip()}\n{marker}"


def _source(module: Module) -> str:
    path = module.markdown_path if module.markdown_path.exists() else module.notebook_path
    return f"{module.folder.parent.name}/{module.folder.name}/{path.name}"


def write_if_changed(path: Path, text: str) -> Path:
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    return path


def write_trainer_page(cohort_dir: Path, module: Module) -> Path:
    return write_if_changed(Path(cohort_dir) / FOLDER / f"{module.id}.md", trainer_page(module))


def write_trainer_index(cohort_dir: Path, modules) -> Path:
    """trainer/index.md: every module of the cohort with a trainer page."""
    folder = Path(cohort_dir) / FOLDER
    pages = sorted(p.stem for p in folder.glob("*.md") if p.stem != "index")
    titles = {m.id: m.title for m in modules}
    text = TEMPLATES.render("trainer-index.md.j2", pages=[(p, titles.get(p, p)) for p in pages])
    return write_if_changed(folder / "index.md", text)
