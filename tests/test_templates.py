"""Issue 18: every page's markup is a Jinja2 template. Each template renders, shows a hostile
title as text, and the Python that gathers a page's data holds no HTML tags."""

import ast
import re
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from injection_fixtures import MODULE_ID, PAYLOADS, make_poisoned_catalogue
from leerpad.grading import reports
from leerpad.site import generate
from leerpad.site.layout import TEMPLATES as SITE
from markupsafe import Markup

from leerpad import trainerpage
from leerpad.catalogue import Catalogue
from leerpad.servers import trainer

ROOT = Path(__file__).resolve().parent.parent
# The template each generated page comes from (the exercise on the module page).
SITE_PAGES = {
    "home.md.j2": "index.md",
    "paths.md.j2": "paden/index.md",
    "path.md.j2": "paden/xss-pad.md",
    "catalogue.md.j2": "modules/index.md",
    "module.md.j2": f"modules/{MODULE_ID}.md",
    "exercise.md.j2": f"modules/{MODULE_ID}.md",
    "competenties.md.j2": "competenties/index.md",
    "competence.md.j2": "competenties/6-5.md",
    "eindtermen.md.j2": "eindtermen/index.md",
    "eindterm.md.j2": "eindtermen/4-4.md",
    "courses.md.j2": "cursussen/index.md",
    "course.md.j2": "cursussen/cursus-a.md",
    "zelfscan.md.j2": "zelfscan.md",
    "feedback.md.j2": "feedback.md",
    "werkblad.md.j2": f"modules/{MODULE_ID}/werkblad.md",
}
# The hostile module title (see injection_fixtures), as text on a Markdown page.
TITLE_AS_TEXT = "&lt;script&gt;"
# The Python that gathers the data of a page: its markup belongs in a template.
PAGE_CODE = [
    ROOT / "leerpad" / "servers" / "trainer.py",
    ROOT / "leerpad" / "servers" / "apps.py",
    ROOT / "site" / "generator" / "pages.py",
    ROOT / "site" / "generator" / "render.py",
    ROOT / "site" / "generator" / "layout.py",
    ROOT / "grading" / "reports.py",
    ROOT / "leerpad" / "trainerpage.py",
]
TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(\s[^<>]*)?/?>")


@pytest.fixture(scope="module")
def poisoned(tmp_path_factory):
    base = tmp_path_factory.mktemp("templates")
    catalogue = Catalogue(make_poisoned_catalogue(base))
    generate(base / "docs", catalogue=catalogue)
    return {"docs": base / "docs", "catalogue": catalogue}


def test_every_site_template_makes_a_page():
    assert sorted(SITE.names()) == sorted(SITE_PAGES)


@pytest.mark.parametrize("template", sorted(SITE_PAGES))
def test_a_site_page_shows_a_hostile_title_as_text(poisoned, template):
    text = (poisoned["docs"] / SITE_PAGES[template]).read_text(encoding="utf-8")
    assert text.strip()
    for payload in PAYLOADS:
        assert payload not in text, (template, payload)
    if template == "exercise.md.j2":
        assert 'data-oefening="xss-keuze"' in text and "Vraag &lt;img" in text
    if "xss-mod" in text and template not in ("zelfscan.md.j2", "feedback.md.j2"):
        assert TITLE_AS_TEXT in text  # the title is shown, as text
    if template in ("zelfscan.md.j2", "feedback.md.j2"):
        assert "\\u003cscript\\u003e" in text  # the titles in the page's JSON


def hostile_report() -> reports.CohortData:
    script = "<script>alert(1)</script>"
    result = reports.Result(1, 2, True, True, datetime(2026, 3, 1, 12, tzinfo=UTC))
    item = reports.Item(script, "vraag" + script, 2, [1], reports.Counter({script: 2}), 1)
    return reports.CohortData(
        cohort="gent" + script,
        path="pad" + script,
        modules=[script, "m2"],
        max_scores={script: 2, "m2": 1},
        learners=["an" + script, "tom"],
        results={("an" + script, script): result},
        items=[item],
        failed={("tom", "m2"): "kapot " + script},
    )


def test_the_report_escapes_what_it_shows():
    report = reports.render_html(hostile_report(), {"m2": datetime(2026, 3, 2, tzinfo=UTC)})
    assert "<script" not in report
    assert report.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 8
    assert "verbeteren mislukt" in report and "wacht op een trainer" in report
    assert "<svg width='80'" in report and "<h3>&lt;script&gt;" in report
    assert "<nav" not in report  # a report on disk links nowhere; the server's has the menu
    links = dict.fromkeys(("grading", "report", "classroom", "lab", "formgrader"), "/x")
    served = reports.render_html(hostile_report(), links=links)
    assert "<main><nav class='muted'><a href='/x'>Open vragen beoordelen</a>" in served


def test_the_trainer_pages_of_the_server_escape_what_they_show():
    """The open answers and the rubric grading (leerpad.servers.trainer), rendered as its
    handlers do, with script in every field a learner or author wrote."""
    assert sorted(reports.TEMPLATES.names()) == [
        "classroom.html.j2",
        "grade.html.j2",
        "open-answers.html.j2",
        "page.html.j2",
        "report.html.j2",
    ]
    script = "<script>alert(1)</script>"
    criterion = SimpleNamespace(text="Helder" + script, points=2, levels=[0, 1, 2])
    answer = SimpleNamespace(
        learner="an" + script,
        module="m" + script,
        exercise="open" + script,
        waiting=True,
        manual_score=None,
        max_score=2,
        question="Vraag" + script,
        answer="Antwoord" + script,
        comment="Commentaar" + script,
        criteria=[criterion],
        choices=[1],
    )
    common = {
        "links": dict.fromkeys(("grading", "report", "classroom", "lab", "formgrader"), "/x"),
        "points": trainer.points,
        "amount": trainer.count,
    }
    listing = reports.TEMPLATES.render(
        "open-answers.html.j2",
        title="Open vragen beoordelen",
        cohort="gent" + script,
        answers=[answer],
        waiting=1,
        saved="Bewaard" + script,
        link=lambda a: "/x/" + a.exercise,
        **common,
    )
    grading = reports.TEMPLATES.render(
        "grade.html.j2",
        title=f"{answer.learner}: {answer.exercise}",
        a=answer,
        chosen=[1],
        error="Fout" + script,
        xsrf=Markup("<input type='hidden' name='_xsrf' value='t'>"),
        **common,
    )
    for page in (listing, grading):
        assert script not in page and "wacht op een trainer</span>" in page
        assert "<nav class='muted'><a href='/x'>Open vragen beoordelen</a>" in page
    # cohort, saved; learner, module and exercise in the row; the link and its label
    assert listing.count("&lt;script&gt;") == 8
    # learner and exercise in the title and the heading; module, question, answer, error,
    # criterion, comment and the learner above the answer
    assert grading.count("&lt;script&gt;") == 11
    assert "value='1' required checked> 1 punt" in grading and "name='_xsrf'" in grading
    assert "Math.min(sum, 2)" in grading
    from leerpad.classroom import qr_svg

    link = "https://192.0.2.2:8866/voila/render/m/m.ipynb?klas=a'b" + script
    classroom = reports.TEMPLATES.render(
        "classroom.html.j2",
        title="Klaslinks",
        links_by_module={"m" + script: link},
        qr=lambda link, title: Markup(qr_svg(link, title)),
        **common,
    )
    assert script not in classroom and "<svg" in classroom
    # the module in the heading and the QR title; the link as address and as text
    assert classroom.count("&lt;script&gt;") == 4


def test_the_trainer_pages_show_a_hostile_title_as_text(poisoned, tmp_path):
    assert sorted(trainerpage.TEMPLATES.names()) == [
        "full.html.j2",  # the apps server's "Even geduld": test_the_full_page_says_so_in_dutch
        "trainer-index.md.j2",
        "trainer.md.j2",
        "xr-webxr.html.j2",  # an exported 3D scene: test_xr_widgets (the scene can't break out)
    ]
    module = poisoned["catalogue"].modules[MODULE_ID]
    page = trainerpage.write_trainer_page(tmp_path, module).read_text(encoding="utf-8")
    index = trainerpage.write_trainer_index(tmp_path, [module]).read_text(encoding="utf-8")
    # the answers are code blocks (shown literally); the rest is text
    prose, answers = page.split("## Antwoorden")
    for text in (prose, index):
        assert TITLE_AS_TEXT in text and "Alleen voor trainers" in text
        for payload in PAYLOADS:
            assert payload not in text
    assert "### `xss-keuze` (meerkeuze)\n\n```yaml\n" in answers


def test_the_full_page_says_so_in_dutch():
    from leerpad.servers.apps import FULL, FULL_PAGE

    assert FULL_PAGE.startswith("<!doctype html>") and '<html lang="nl">' in FULL_PAGE
    assert f"<p>{FULL}</p>" in FULL_PAGE


def html_in_strings(path: Path) -> list[str]:
    """Every string literal in `path` that holds an HTML tag; docstrings and the patterns of
    re.compile (``(?P<name>...)``, ``<img\\b``) are no markup."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    skipped = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef) and node.body:
            if isinstance(node.body[0], ast.Expr):
                skipped.add(id(node.body[0].value))
        if isinstance(node, ast.Call) and ast.unparse(node.func) == "re.compile":
            skipped.update(id(arg) for arg in node.args)
    found = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in skipped
        and TAG.search(node.value)
    ]
    return [
        f"{path.name}:{node.lineno}: {node.value[:60]!r}"
        for node in sorted(found, key=lambda node: (node.lineno, node.col_offset))
    ]


def test_the_python_of_a_page_holds_no_html():
    assert [found for path in PAGE_CODE for found in html_in_strings(path)] == []


def test_the_scan_finds_html_in_a_string(tmp_path):
    """The scan above can fail: HTML in an f-string, as the pages were built before."""
    code = tmp_path / "page.py"
    code.write_text(
        'def row(x):\n    """A <tr> row."""\n    return f"<tr><td>{x}</td></tr>"\n'
        'ALT = "geen alt-tekst bij <img> (schrijf alt=...)"\n'
        'IMAGE = re.compile(r"!\\[(?P<alt>[^\\]]*)\\]|<img\\b[^>]*>")\n'
    )
    assert [f.split(":")[1] for f in html_in_strings(code)] == ["3", "3", "4"]
