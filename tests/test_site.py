"""The website: generated pages, a strict MkDocs build, no answer keys, no other hosts."""

import ast
import html
import json
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
import yaml
from leerpad.grading.cells import exercise_calls, split_keys
from leerpad.site import generate
from leerpad.site.render import render_notebook

from leerpad.authoring import compile_markdown
from leerpad.catalogue import Catalogue

ROOT = Path(__file__).resolve().parent.parent
APPS = "http://apps.bootcamp.test:8866"
LAB = "http://lab.bootcamp.test:8888"
MISSING_STEP = "ct-99-nog-niet-geschreven"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Generate the pages from a copy of courses/ (plus a path with a missing step) and
    build them with mkdocs --strict into a temporary folder."""
    tmp = tmp_path_factory.mktemp("site")
    courses = tmp / "courses"
    shutil.copytree(ROOT / "courses", courses)
    (courses / "paths" / "testpad.yml").write_text(
        "id: testpad\ntitle: Testpad\ngoal: Een pad om de site te testen.\n"
        "audience: [secundair]\nsteps:\n  - ct-01-algoritme\n"
        f"  - {MISSING_STEP}\ngepland:\n"
        f"  - {{id: {MISSING_STEP}, title: Een module die nog komt, duration: 45, "
        'digcompedu: ["6.5", "2.2"], eindtermen: ["4.1"]}\n',
        encoding="utf-8",
    )
    catalogue = Catalogue(courses)
    assert not catalogue.problems, catalogue.problems
    docs, site = tmp / "docs", tmp / "site"
    written = generate(docs, APPS, LAB, catalogue=catalogue)
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    config["docs_dir"] = str(docs)
    config["site_dir"] = str(site)
    config["theme"]["custom_dir"] = str(ROOT / config["theme"]["custom_dir"])
    config_file = tmp / "mkdocs.yml"
    config_file.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config_file)],
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        cwd=tmp,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    return {"docs": docs, "site": site, "catalogue": catalogue, "written": written}


def page(built, relative: str) -> str:
    return (built["site"] / relative / "index.html").read_text(encoding="utf-8")


def text_of(markup: str) -> str:
    """Visible text of HTML, whitespace collapsed."""
    markup = re.sub(r"<script\b.*?</script>", " ", markup, flags=re.S)
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())
    return re.sub(r" ([,.;:?!])", r"\1", text)


def test_home_and_guides(built):
    home = page(built, "")
    for target in ("paden/", "modules/", "zelfscan/", "gids-trainer/", "gids-auteur/"):
        assert f'href="{target}' in home, target
    for guide in ("gids-trainer", "gids-auteur", "architectuur"):
        assert (built["site"] / guide / "index.html").exists()
    trainer = text_of(page(built, "gids-trainer"))
    for fact in ("make start", "8866", "8888", "8890", "8000", "trainertoken", "formgrader"):
        assert fact.lower() in trainer.lower(), fact


def test_path_page_lists_steps_and_coming_soon(built):
    index = page(built, "paden")
    assert 'href="testpad/"' in index and 'href="bootcamp-basisonderwijs/"' in index
    testpad = page(built, "paden/testpad")
    assert 'href="../../modules/ct-01-algoritme/"' in testpad
    assert "Een module die nog komt" in testpad and "nog in voorbereiding" in testpad
    assert MISSING_STEP not in re.findall(r'href="([^"]+)"', testpad)
    assert 'class="leerpad-voortgang" data-modules="ct-01-algoritme"' in testpad
    text = text_of(testpad)
    assert "Totale tijd: 1 uur 45 minuten (waarvan 45 minuten in modules die nog in" in text
    assert "Een module die nog komt: 45 minuten, DigCompEdu 6.5, 2.2, nog in voorbereiding" in text
    # a planned module shows on the pages of its competences and eindtermen, with its path
    for framework_page in ("competenties/2-2", "eindtermen/4-1"):
        markup = page(built, framework_page)
        assert "Nog in voorbereiding" in markup and "Een module die nog komt" in markup
        assert 'href="../../paden/testpad/"' in markup


def test_module_page(built):
    catalogue = built["catalogue"]
    for module_id, module in catalogue.modules.items():
        markup = page(built, f"modules/{module_id}")
        app = f"{APPS}/voila/render/{module_id}/{module_id}.ipynb"
        assert f'href="{app}"' in markup and "Open als app" in markup
        assert f'href="{LAB}/lab"' in markup and "Open in JupyterLab" in markup
        assert f'href="{module_id}.ipynb"' in markup
        assert (built["site"] / "modules" / module_id / f"{module_id}.ipynb").exists()
        assert 'class="md-button leerpad-klaar"' in markup
        text = text_of(markup)
        for value in (module.title, module.meta["level"], str(module.meta["last_reviewed"])):
            assert value in text
        for cid in module.meta["digcompedu"]:
            assert f'href="../../competenties/{cid.replace(".", "-")}/"' in markup
        for tid in module.meta["eindtermen"]:
            assert f'href="../../eindtermen/{tid.replace(".", "-")}/"' in markup
    ct01 = text_of(page(built, "modules/ct-01-algoritme"))
    assert "Oefening (meerkeuze, 1 punt) Welke beschrijving is een algoritme?" in ct01
    assert "Oefening (code, 2 punten)" in ct01
    assert "Oefening (open vraag, 4 punten)" in ct01


def test_worksheet_page_prints_the_sheet_alone(built):
    """A {werkblad} gets its own print page beside the module page, linked from it; a
    module without one has none."""
    module = page(built, "modules/galerij-oefentypes")
    assert 'href="werkblad/"' in module and "werkblad om af te drukken" in module
    sheet = page(built, "modules/galerij-oefentypes/werkblad")
    assert 'class="leerpad-werkblad"' in sheet
    text = text_of(sheet)
    assert "Werkblad: de schoolweg in stappen" in text and "Materiaal:" in text
    assert "<table>" in sheet  # the sheet's Markdown is rendered, its table too
    assert 'href="../"' in sheet  # back to the module
    assert not (built["site"] / "modules" / "ai-01-wat-is-ai" / "werkblad").exists()
    assert "ai-01-wat-is-ai/werkblad" not in page(built, "modules/ai-01-wat-is-ai")
    css = (built["site"] / "assets" / "leerpad.css").read_text(encoding="utf-8")
    rules = css[css.index("/* A worksheet page") :]
    assert "@media print" in rules and ".leerpad-werkblad" in rules and "break-after: page" in rules


def test_competence_eindterm_and_course_pages(built):
    catalogue = built["catalogue"]
    for cid in catalogue.frameworks.digcompedu:
        assert (built["site"] / "competenties" / cid.replace(".", "-") / "index.html").exists()
    for tid in catalogue.frameworks.eindtermen:
        assert (built["site"] / "eindtermen" / tid.replace(".", "-") / "index.html").exists()
    competence = page(built, "competenties/6-5")
    assert 'href="../../modules/ct-01-algoritme/"' in competence
    eindterm = page(built, "eindtermen/4-4")
    assert 'href="../../modules/ct-01-algoritme/"' in eindterm
    for tid in catalogue.frameworks.eindtermen:
        used = any(tid in m.meta["eindtermen"] for m in catalogue.modules.values())
        assert used != ("Nog geen modules" in page(built, f"eindtermen/{tid.replace('.', '-')}"))
    course = text_of(page(built, "cursussen/computationeel-denken"))
    assert "Module Minuten Oefeningen Eindtermen DigCompEdu" in course
    module = catalogue.modules["ct-01-algoritme"]
    exercises = sum(
        sum(cls.graded for _call, cls in exercise_calls(c.source))
        + ("### BEGIN SOLUTION" in c.source)
        for c in module.notebook.cells
        if c.cell_type == "code"
    )
    assert exercises >= 5
    assert f"Wat is een algoritme? 60 {exercises} 4.4 6.5, 3.1" in course
    for course in catalogue.courses:  # one row per module, in the order of the course
        rows = re.findall(
            r"<tr>\s*<td><a href=\"../../modules/([^/]+)/\"", page(built, f"cursussen/{course.id}")
        )
        assert rows == [m.id for m in course.modules]


def test_exercise_count_leaves_out_practice():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(
            "SingleChoice(id='a', points=2, question='Q?', options=['x', 'y'], answer='x')"
        ),
        nbformat.v4.new_code_cell("Flashcards(id='b', cards=[['voor', 'achter']])"),
    ]
    rendered = render_notebook(nb)
    assert [e.id for e in rendered.exercises] == ["a", "b"]
    assert [e.id for e in rendered.graded] == ["a"]


def test_catalogue_filter_and_scan(built):
    catalogue = page(built, "modules")
    for name in ("audience", "course", "duration", "competence", "eindterm"):
        assert f'<select id="filter-{name}"' in catalogue
    assert catalogue.count('class="leerpad-rij"') == len(built["catalogue"].modules)
    scan = page(built, "zelfscan")
    assert scan.count("<fieldset") >= 6
    areas = {m for m in re.findall(r'<fieldset data-area="(\d)"', scan)}
    assert areas == {"1", "2", "3", "4", "5", "6"}
    assert 'data-pad="testpad"' in scan and 'data-module="ct-01-algoritme"' in scan
    script = (built["site"] / "assets" / "leerpad.js").read_text(encoding="utf-8")
    for needed in ("localStorage", "createElementNS", "leerpad:klaar", "Markeer als klaar"):
        assert needed in script
    for forbidden in ("XMLHttpRequest", "sendBeacon", "WebSocket"):
        assert forbidden not in script
    # Two requests, to the site's own server, and they only read: a personal link's results,
    # and on the page feedback/ its feedback on one module. Progress and the self-scan never
    # leave the browser.
    assert script.count("fetch(") == 2 and 'fetch("/api/resultaten?" + linkQuery(who)' in script
    assert 'fetch("/api/feedback?" + linkQuery(who) + "&module="' in script
    feedback = page(built, "feedback")
    assert 'id="leerpad-feedback"' in feedback and 'data-modules="../modules/"' in feedback
    titles = re.search(r'id="leerpad-feedback-data">(.*?)</script>', feedback, re.S)[1]
    module = built["catalogue"].modules["ct-01-algoritme"]
    assert json.loads(titles)["modules"][module.id] == module.title


# -- no answer keys ---------------------------------------------------------------------
def flatten(value):
    """Every text in a key. Dict keys name options or items, which are public: skipped."""
    if isinstance(value, bool) or value is None:
        return
    if isinstance(value, dict):
        for item in value.values():
            yield from flatten(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from flatten(item)
    else:
        yield " ".join(str(value).split())


def dict_keys(value):
    """The names in a public field's dicts (regions, hotspots, steps): shown to the learner."""
    if isinstance(value, dict):
        yield from (" ".join(str(k).split()) for k in value)
        value = list(value.values())
    if isinstance(value, list | tuple):
        for item in value:
            yield from dict_keys(item)


def keys_and_public(module):
    """({exercise id: key}, {exercise id: its public texts}, all public text, solution lines).

    Public texts are the values of the exercise calls after split_keys removed the keys.
    """
    keys, public_calls, public_text, solutions = {}, {}, [], []
    for cell in module.notebook.cells:
        if cell.cell_type == "markdown":
            public_text.append(cell.source)
            continue
        public, found = split_keys(cell.source)
        keys.update(found)
        for call, _cls in exercise_calls(public):
            values = {k.arg: ast.literal_eval(k.value) for k in call.keywords if k.arg}
            public = [v for k, v in values.items() if k != "id"]
            texts = " ".join([*flatten(public), *dict_keys(public)])  # e.g. region names
            public_calls[values["id"]] = texts
            public_text.append(texts)
        if "### BEGIN SOLUTION" in cell.source:
            inside = cell.source.split("### BEGIN SOLUTION", 1)[1].split("### END SOLUTION")[0]
            solutions += [line.strip() for line in inside.splitlines() if line.strip()]
    return keys, public_calls, " ".join(" ".join(public_text).split()), solutions


def blocks(markup: str) -> dict[str, str]:
    found = {}
    for match in re.finditer(
        r'<div class="leerpad-oefening" data-oefening="([^"]+)">(.*?)</div>', markup, re.S
    ):
        body = re.sub(r"<p><strong>Oefening \([^)]*\)</strong></p>", " ", match[2])
        found[match[1]] = body
    return found


def ordering_shown(block: str) -> list[str]:
    """Items as the page lists them: list items, or the lines of a code block."""
    items = re.findall(r"<li>(.*?)</li>", block, re.S)
    if items:
        return [text_of(i) for i in items]
    code = re.search(r"<pre><code[^>]*>(.*?)</code></pre>", block, re.S)
    lines = html.unescape(code[1]).splitlines() if code else []
    return [" ".join(line.split()) for line in lines if line.strip()]


def answer_items(answer) -> list[str]:
    return [" ".join(str(a).split()) for a in answer]


def test_no_answer_keys_on_any_page(built):
    pages = {p: p.read_text(encoding="utf-8") for p in built["site"].rglob("*.html")}
    notebooks = {p: p.read_text(encoding="utf-8") for p in built["site"].rglob("*.ipynb")}
    assert notebooks, "every module page offers a key-free notebook to download"
    for path, text in {**pages, **notebooks}.items():
        for marker in (
            "answer=",
            "feedback=",
            "distractors=",
            "BEGIN SOLUTION",
            "BEGIN HIDDEN TESTS",
            "score(",
        ):
            assert marker not in text, f"{marker} in {path}"
    checked = 0
    for module_id, module in built["catalogue"].modules.items():
        keys, public_calls, public_text, solutions = keys_and_public(module)
        assert keys, f"{module_id} has exercises with keys"
        markup = page(built, f"modules/{module_id}")
        visible = text_of(markup)
        download = nbformat.reads(
            (built["site"] / "modules" / module_id / f"{module_id}.ipynb").read_text(), 4
        )
        download_text = " ".join(" ".join(c.source for c in download.cells).split())
        exercise_blocks = blocks(markup)
        for exercise_id, key in keys.items():
            assert exercise_id in exercise_blocks, f"{exercise_id} is described on the page"
            block = text_of(exercise_blocks[exercise_id])
            call = public_calls.get(exercise_id) or ""
            for value in flatten(key):
                if value not in public_text and len(value) >= 4:  # feedback, a typed answer
                    assert value not in visible, f"{module_id}: key '{value}' on the page"
                    assert value not in download_text, f"{module_id}: key '{value}' downloadable"
                if value not in call:
                    assert not re.search(rf"(?<![\w.]){re.escape(value)}(?![\w]|\.\d)", block), (
                        f"{module_id}/{exercise_id}: key '{value}' in the exercise"
                    )
                checked += 1
            answer = key.get("answer")
            if (
                isinstance(answer, list)
                and len(answer) > 1
                and all(isinstance(a, str) for a in answer)
            ):
                shown = ordering_shown(exercise_blocks[exercise_id])
                assert shown != answer_items(answer), f"{exercise_id}: the right order is shown"
        for line in solutions:  # lines of a code solution that the prompt does not show
            if len(line) > 8 and " ".join(line.split()) not in public_text:
                assert line not in visible and line not in download_text, line
    assert checked > 20


def test_no_trainer_material_on_any_page_or_in_the_search_index(built):
    """{trainer} blocks are on no page, in no download and not in search/search_index.json."""
    from test_trainer_material import PHRASES, trainer_phrases

    index = built["site"] / "search" / "search_index.json"
    docs = json.loads(index.read_text(encoding="utf-8"))["docs"]
    searchable = " ".join(text_of(d["title"] + " " + d["text"]) for d in docs).lower()
    assert "de volgorde doet ertoe" in searchable  # the modules' reading versions are in it
    texts = {index: searchable}
    for path in built["site"].rglob("*.html"):
        texts[path] = text_of(path.read_text(encoding="utf-8"))
    for path in [*built["site"].rglob("*.ipynb"), *built["docs"].rglob("*.md")]:
        texts[path] = " ".join(path.read_text(encoding="utf-8").split())
    phrases = [PHRASES[m] for m in PHRASES if "`" not in PHRASES[m]]
    phrases += [p for m in built["catalogue"].modules.values() for p in trainer_phrases(m)]
    assert len(phrases) > 40
    for path, text in texts.items():
        for phrase in phrases:
            assert phrase.lower() not in text.lower(), f"trainer material '{phrase}' in {path}"
    for path in built["site"].rglob("*"):
        assert "{trainer}" not in path.name and not path.match("trainer/*.md"), path


def test_fill_in_numeric_and_order_keys_absent(built):
    """The plain check, per kind: typed answers, numbers, the right order, option feedback."""
    seen = set()
    for module_id, module in built["catalogue"].modules.items():
        keys, calls, public_text, _solutions = keys_and_public(module)
        markup = page(built, f"modules/{module_id}")
        exercise = blocks(markup)
        kinds = {}
        for cell in module.notebook.cells:
            for call, cls in exercise_calls(split_keys(cell.source)[0]):
                ids = [ast.literal_eval(k.value) for k in call.keywords if k.arg == "id"]
                kinds[ids[0]] = cls.__name__
        for exercise_id, key in keys.items():
            kind, block = kinds[exercise_id], text_of(exercise[exercise_id])
            if kind == "FillInTheBlanks":
                hidden = [v for v in flatten(key["answer"]) if v not in public_text]
                assert all(v not in text_of(markup) for v in hidden), hidden
                seen.add(kind)
            elif kind == "NumericAnswer":
                number = rf"(?<![\w,.]){key['answer']:g}(?![\w]|[,.]\d)"
                if not re.search(number, calls[exercise_id]):  # not part of the question
                    assert not re.search(number, block), (exercise_id, block)
                seen.add(kind)
            elif kind == "Ordering":
                assert ordering_shown(exercise[exercise_id]) != answer_items(key["answer"])
                assert sorted(ordering_shown(exercise[exercise_id])) == sorted(
                    answer_items(key["answer"])
                )
                seen.add(kind)
            for feedback in (key.get("feedback") or {}).values():
                assert " ".join(feedback.split()) not in text_of(markup)
    assert {"FillInTheBlanks", "NumericAnswer", "Ordering"} <= seen


# -- nothing from other hosts -------------------------------------------------------------
class Resources(HTMLParser):
    TAGS = {
        "link",
        "script",
        "img",
        "iframe",
        "source",
        "audio",
        "video",
        "embed",
        "object",
        "track",
        "input",
    }
    ATTRS = {"src", "href", "srcset", "data", "poster"}

    def __init__(self):
        super().__init__()
        self.urls, self.images_without_alt = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "img" and not (attrs.get("alt") or "").strip():
            self.images_without_alt.append(attrs.get("src"))
        if tag in self.TAGS:
            self.urls += [v for k, v in attrs.items() if k in self.ATTRS and v]
        if attrs.get("style"):
            self.urls += re.findall(r"url\(([^)]*)\)", attrs["style"])

    def handle_data(self, data):
        self.urls += re.findall(r"@import\s+[\"']?([^\"';\s]+)", data)


EXTERNAL = re.compile(r"""^\s*["']?(https?:)?//""", re.I)


def test_no_requests_to_other_hosts(built):
    offenders = []
    for path in built["site"].rglob("*.html"):
        parser = Resources()
        parser.feed(path.read_text(encoding="utf-8"))
        offenders += [(path.name, url) for url in parser.urls if EXTERNAL.match(url)]
        assert not parser.images_without_alt, f"{path}: image without alt text"
    for path in built["site"].rglob("*.css"):
        css = path.read_text(encoding="utf-8")
        offenders += [(path.name, u) for u in re.findall(r"@import\s+([^;]+)", css)]
        offenders += [
            (path.name, u) for u in re.findall(r"url\(\s*([^)]*)\)", css) if EXTERNAL.match(u)
        ]
    assert not offenders, offenders
    home = page(built, "")
    assert "fonts.googleapis.com" not in home and "fonts.gstatic.com" not in home


def test_resource_check_can_fail():
    parser = Resources()
    parser.feed(
        '<link rel="stylesheet" href="https://fonts.googleapis.com/css?family=Roboto">'
        '<img src="x.png">'
    )
    assert [u for u in parser.urls if EXTERNAL.match(u)] and parser.images_without_alt


# -- the author guide and the command line --------------------------------------------------
def test_author_guide_examples_compile():
    guide = (ROOT / "site" / "docs" / "gids-auteur.md").read_text(encoding="utf-8")
    examples = re.findall(r"^````markdown\n(.*?)^````$", guide, re.S | re.M)
    kinds = {re.match(r"```\{([a-z-]+)\}", e)[1] for e in examples} - {"trainer", "werkblad"}
    assert {
        "meerkeuze",
        "juist-fout",
        "volgorde",
        "invullen",
        "getal",
        "open-vraag",
        "code",
    } <= kinds
    nb = compile_markdown("# Voorbeeld\n\n" + "\n\n".join(examples), "gids-auteur.md", "voorbeeld")
    assert sum(1 for c in nb.cells if "BEGIN HIDDEN TESTS" in c.source) >= len(kinds) - 1
    # The guide's trainer block is an example too, and stays out of the notebook.
    assert "zes poten" in guide and "zes poten" not in nbformat.writes(nb)


def test_command_line_and_safe_output_folder(tmp_path):
    docs = tmp_path / "docs"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "leerpad.site",
            "--docs",
            str(docs),
            "--apps-url",
            "https://apps.example.test/",
            "--lab-url",
            "https://lab.example.test",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr
    assert (docs / "index.md").exists() and (docs / "gids-trainer.md").exists()
    module = (docs / "modules" / "ct-01-algoritme.md").read_text(encoding="utf-8")
    assert (
        "(https://apps.example.test/voila/render/ct-01-algoritme/ct-01-algoritme.ipynb)" in module
    )
    assert "(https://lab.example.test/lab)" in module
    other = tmp_path / "eigen-map"
    other.mkdir()
    (other / "belangrijk.txt").write_text("niet wissen")
    with pytest.raises(SystemExit):
        generate(other, catalogue=Catalogue())
    assert (other / "belangrijk.txt").exists()


# -- every image has an alt text ------------------------------------------------------------
def test_image_without_alt_text_stops_the_build(tmp_path):
    courses = tmp_path / "courses"
    shutil.copytree(ROOT / "courses", courses)
    module_md = courses / "computationeel-denken" / "ct-01-algoritme" / "module.md"
    lines = module_md.read_text(encoding="utf-8").splitlines()
    lines.insert(2, "![](robot.png) en ook <img src='klas.png'>")
    module_md.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(SystemExit) as stop:
        generate(tmp_path / "docs", catalogue=Catalogue(courses))
    message = str(stop.value)
    assert "elke afbeelding heeft een alt-tekst nodig" in message
    assert "ct-01-algoritme/module.md: regel 3: afbeelding 'robot.png' heeft geen alt" in message
    assert "module.md: regel 3: afbeelding 'klas.png'" in message


def test_images_without_alt_finds_markdown_and_html_but_not_code():
    from leerpad.site.render import images_without_alt

    text = (
        "a ![](x.png) b ![Een klas](y.png)\n"
        "`![](in-code.png)`\n"
        "````markdown\n![](fenced.png)\n```\nnog code\n````\n"
        "<img src=\"z.png\"> <img src='w.png' alt='Een bord'> <img alt=\"\" src=v.png>\n"
        "![ ][ref]\n"
    )
    assert images_without_alt(text) == [(1, "x.png"), (8, "z.png"), (8, "v.png"), (9, "ref")]
