"""Trainer material reaches trainers only (issue 13, attack 6).

Authors mark it with a ``{trainer}`` block. It never enters the notebook, so the release, the
Voilà app and the website leave it out (the site's own check is in test_site.py); it is on the
trainer page in the cohort folder. ``leerpad check`` warns when learner text names an answer.
"""

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest
from authoring_fixtures import MODULE_YML, make_catalogue
from conftest import free_port, stop_process_group

from leerpad.authoring import AuthoringError, compile_markdown, trainer_notes
from leerpad.catalogue import Catalogue, Module
from leerpad.check import check
from leerpad.leaks import answers, distinctive, exercises

ROOT = Path(__file__).resolve().parent.parent
# One distinctive sentence of each module's trainer material, as the author wrote it.
PHRASES = {
    "ct-01-algoritme": "Veel cursisten noemen een doel",
    "ct-02-gridrobot": "Wie C4 kiest, telde de V's verkeerd",
    "ct-03-decompositie": "telt alle taken op en vergeet dat bevers tegelijk werken",
    "ct-04-abstractie-data": "Het aantal waarden en het grootste getal door elkaar halen",
    "ct-05-zoeken-sorteren": "Het verschil tussen 24 en 5 maakt meer indruk dan de formule",
    "ct-06-debuggen": "`>` wordt `>=`, `3` wordt `len(punten)`",
    "ct-07-python-eerste-stappen": "wie 40 antwoordt, gebruikte de oude waarde 20",
    "galerij-oefentypes": "Laat cursisten eerst alle types proberen",
    "ai-01-wat-is-ai": "geen fout om af te straffen",
    "ai-02-leren-uit-data": "Met twee lukt het niet: van de vijf dichtste buren",
    "ai-04-beslissingsbomen": "De boom van scikit-learn (gulzig) haalt er 11.",
    "ai-06-overfitten": "Zou een nieuw plantje op dat eilandje echt slecht groeien?",
    "ai-03-taalmodellen": "Een naïeve Bayes-classificatie (scikit-learn",
    "ai-05-verantwoorde-ai": "Verzonnen data met een vast zaadgetal",
    "ai-07-beeldherkenning": "laat cursisten in duo's",
    "galerij-ai-interactief": "wie eerst voorspelt, leert meer van de feedback",
    "xr-01-wat-is-xr": "krijgt het vierde punt niet: vraag dan wat een gewone demonstratie",
    "xr-02-de-3d-ruimte": "leerlingen met een CAD-achtergrond (bouw, hout, mechanica)",
    "xr-03-een-scene-bouwen": "Probeer vóór de sessie of een headset in het netwerk van de",
    "xr-04-360-uitstappen": "cursisten moeten achter zich kijken",
    "xr-05-xr-lessen-ontwerpen": "ontwerp eerst met dezelfde rubric lezen",
}


def trainer_phrases(module) -> list[str]:
    """Plain sentences of a module's trainer material (markup removed), to look for in
    rendered pages: every sentence of five words or more."""
    phrases = []
    for note in module.trainer_notes:
        text = re.sub(r"[*`]|^\s*- ", "", note.markdown, flags=re.M)
        for sentence in re.split(r"(?<=[.:?!])\s+", " ".join(text.split())):
            words = sentence.strip(" .:").split()
            if len(words) >= 5 and not re.search(r"[<>=\"'\[\]]", sentence):
                phrases.append(" ".join(words[:8]))
    return phrases


def notebook_text(nb) -> str:
    """All cell sources and outputs of a notebook, whitespace collapsed."""
    return (
        " ".join(nbformat.writes(nb).split())
        + " "
        + " ".join(" ".join(c.source for c in nb.cells).split())
    )


@pytest.fixture(scope="module")
def catalogue():
    return Catalogue()


def test_every_module_marks_its_trainer_material(catalogue):
    assert set(PHRASES) == set(catalogue.modules), "a phrase for every module"
    for module_id, module in catalogue.modules.items():
        source = module.markdown_path.read_text(encoding="utf-8")
        assert "## Voor de trainer" not in source, f"{module_id}: an unmarked trainer section"
        notes = "\n".join(n.markdown for n in module.trainer_notes)
        assert PHRASES[module_id] in notes, module_id
        notebook = notebook_text(module.notebook)
        assert PHRASES[module_id] not in notebook, module_id
        assert "{trainer}" not in notebook
        for phrase in trainer_phrases(module):
            assert phrase not in notebook, f"{module_id}: '{phrase}' in the notebook"
        assert len(trainer_phrases(module)) >= 2, module_id


def test_trainer_blocks_anywhere_with_code_inside():
    text = (
        "# Module\n\n## 1. Begin\n\nUitleg voor iedereen.\n\n"
        "```{trainer}\nTip bij het begin: start klassikaal.\n```\n\n"
        "## 2. Verder\n\n"
        "````{trainer}\nToon deze code:\n\n```python\nprint('geheim')\n```\n````\n\n"
        "```{getal} m-getal\nvraag: Hoeveel?\nantwoord: 3\n```\n"
    )
    nb = compile_markdown(text, "m/module.md", "m")
    written = nbformat.writes(nb)
    assert "Uitleg voor iedereen" in written and "m-getal" in written
    assert "start klassikaal" not in written and "geheim" not in written
    notes = trainer_notes(text, "m/module.md")
    assert [n.section for n in notes] == ["1. Begin", "2. Verder"]
    assert [n.line for n in notes] == [7, 13]
    assert "```python\nprint('geheim')\n```" in notes[1].markdown


def test_trainer_block_mistakes_name_the_line():
    with pytest.raises(AuthoringError) as err:
        compile_markdown("# M\n\n```{trainer} tips\nTekst\n```\n", "m/module.md", "m")
    assert err.value.line == 3 and "geen id" in err.value.problem
    with pytest.raises(AuthoringError) as err:
        compile_markdown("# M\n\n````{trainer}\nTekst\n```\n", "m/module.md", "m")
    assert err.value.line == 3 and "````" in err.value.fix


def test_notebook_module_cells_tagged_trainer(tmp_path):
    """An author who writes a notebook tags the cell; nbgrader's generate step drops such a
    cell too, for a notebook put in source/ by hand."""
    from leerpad.grading.preprocessors import RemoveTrainerCells

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Een notebook\n\n## Deel 1"),
        nbformat.v4.new_markdown_cell("Alleen voor de trainer: het antwoord is 42.", metadata={}),
        nbformat.v4.new_markdown_cell("Tekst voor iedereen."),
    ]
    nb.cells[1].metadata["tags"] = ["trainer"]
    folder = tmp_path / "nb-module"
    folder.mkdir()
    nbformat.write(nb, folder / "nb-module.ipynb")
    module = Module(folder, {"id": "nb-module", "title": "Een notebook"})
    assert "het antwoord is 42" not in nbformat.writes(module.notebook)
    assert "Tekst voor iedereen" in nbformat.writes(module.notebook)
    assert [n.section for n in module.trainer_notes] == ["Deel 1"]
    cleaned, _ = RemoveTrainerCells().preprocess(nbformat.read(folder / "nb-module.ipynb", 4), {})
    assert len(cleaned.cells) == 2 and "het antwoord is 42" not in nbformat.writes(cleaned)


def test_release_leaves_trainer_material_out_and_writes_the_trainer_page(
    catalogue, tmp_path, monkeypatch
):
    """Real nbgrader generate and release; the trainer page beside them in the cohort."""
    from leerpad.grading.cohort import Cohort
    from leerpad.grading.release import release_all

    monkeypatch.setenv("LEERPAD_VAR", str(tmp_path / "var"))
    monkeypatch.setenv("PATH", str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"])
    cohort = Cohort("trainerproef").create()
    chosen = ["ct-03-decompositie", "ct-06-debuggen"]
    release_all(cohort, [catalogue.modules[m] for m in chosen], log=lambda *_: None)
    for module_id in chosen:
        module = catalogue.modules[module_id]
        released = [
            *cohort.release_dir.joinpath(module_id).rglob("*.ipynb"),
            *cohort.dir.joinpath("source", module_id).rglob("*.ipynb"),
        ]
        assert len(released) == 2, released
        for path in released:
            json.loads(path.read_text(encoding="utf-8"))  # notebook JSON
            text = notebook_text(nbformat.read(path, as_version=4))
            assert "ct0" in text and PHRASES[module_id] not in text, path
            for phrase in trainer_phrases(module):
                assert phrase not in text, f"{path}: '{phrase}'"
        page = (cohort.dir / "trainer" / f"{module_id}.md").read_text(encoding="utf-8")
        assert PHRASES[module_id] in page
        plain = " ".join(re.sub(r"[*`]|^\s*- ", "", page, flags=re.M).split())
        assert all(phrase in plain for phrase in trainer_phrases(module))
        assert "## Antwoorden" in page
    page = (cohort.dir / "trainer" / "ct-03-decompositie.md").read_text(encoding="utf-8")
    assert "### `ct03-bebras-dam` (bebras)" in page and "antwoord: 5" in page
    page = (cohort.dir / "trainer" / "ct-06-debuggen.md").read_text(encoding="utf-8")
    assert "### BEGIN SOLUTION" in page  # the model solution of a code exercise
    index = (cohort.dir / "trainer" / "index.md").read_text(encoding="utf-8")
    assert "(ct-03-decompositie.md)" in index and "(ct-06-debuggen.md)" in index


LEAKY = """\
# Een module met verklapte antwoorden

Bij groepswerk in 6 tafelgroepen deelt juf Leen de schriften uit.

```{getal} lek-getal
punten: 1
vraag: Hoeveel keer stapt juf Leen naar een tafel?
antwoord: 6
tips:
  - Ze stapt 6 keer.
```

Het juiste antwoord is 6 keer: één keer per tafelgroep.

```{meerkeuze} lek-keuze
punten: 1
vraag: Welke beschrijving is een algoritme?
opties:
  - Maak de klas netjes.
  - Zet de stoelen op de bank en veeg de vloer.
antwoord: Zet de stoelen op de bank en veeg de vloer.
```

Onthoud: zet de stoelen op de bank en veeg de vloer.

```{invullen} lek-invul
punten: 1
vraag: Vul in.
tekst: "Een algoritme is een eindige reeks ___ stappen."
antwoord:
  - [precieze]
```

Een algoritme is een eindige reeks precieze stappen, in een vaste volgorde.

```{code} lek-code
punten: 1
opdracht: Schrijf een functie `dubbel(x)`.
start: |
  def dubbel(x):
oplossing: |
  return 2 * x
testen: |
  assert dubbel(2) == 4
```

Zo doe je het: `return 2 * x`.

```{trainer}
De trainer mag alles weten: het antwoord is 6, en zet de stoelen op de bank en veeg de vloer.
```
"""


def test_check_warns_where_learner_text_names_the_answer(tmp_path, isolated_env):
    courses = make_catalogue(tmp_path)
    folder = courses / "cursus-a" / "lek-module"
    folder.mkdir()
    (folder / "module.yml").write_text(MODULE_YML.replace("mod-a", "lek-module"))
    (folder / "module.md").write_text(LEAKY, encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "leerpad", "check", str(folder)],
        env={**isolated_env, "LEERPAD_COURSES": str(courses)},
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr  # a warning does not stop an author
    # the leak warnings (the fixture's exercises also lack per-answer feedback: other warnings)
    lines = [line for line in proc.stdout.splitlines() if "noemt het antwoord" in line]
    expected = {
        10: "een tip van oefening 'lek-getal' noemt het antwoord ('6')",
        13: "noemt het antwoord van oefening 'lek-getal' ('6')",
        24: "noemt het antwoord van oefening 'lek-keuze'",
        34: "noemt het antwoord van oefening 'lek-invul'",
        47: "noemt het antwoord van oefening 'lek-code' ('return 2 * x')",
    }
    assert len(lines) == len(expected), proc.stdout
    for line_number, message in expected.items():
        found = [line for line in lines if f"module.md: regel {line_number}: " in line]
        assert found and message in found[0], (line_number, proc.stdout)
        assert "lek-module/module.md" in found[0] and "Oplossing:" in found[0]
    assert "regel 3:" not in proc.stdout  # the 6 of the problem statement is no answer
    assert "regel 50" not in proc.stdout  # the trainer block may name every answer
    assert "OK, met " in proc.stdout


def test_check_is_quiet_on_the_real_courses(catalogue):
    problems = check(None, catalogue)
    assert [str(p) for p in problems if p.warning] == []


def test_author_guide_shows_no_answer_of_a_real_exercise(catalogue):
    """The public guides teach with made-up exercises, never with a course's own answers."""
    guides = {p.name: p.read_text(encoding="utf-8") for p in (ROOT / "site" / "docs").glob("*.md")}
    examples = re.findall(r"^```\{[a-z-]+\}[ \t]*(\S+)", guides["gids-auteur.md"], re.M)
    real = {e.id: e for m in catalogue.modules.values() for e in exercises(m.notebook)}
    assert len(real) > 50 and len(examples) >= 14
    assert not set(examples) & set(real), "an example of the author guide is a real exercise"
    for exercise in real.values():
        for value in answers(exercise):
            if isinstance(value, str) and distinctive(value):
                for name, text in guides.items():
                    assert value not in text, f"{name}: answer of {exercise.id}"


@pytest.mark.servers
def test_app_page_has_no_trainer_material(isolated_env, tmp_path):
    """`leerpad preview` serves the module with the real Voilà apps server."""
    module_id, port = "ct-03-decompositie", free_port()
    var = tmp_path / "var"
    env = {**isolated_env, "LEERPAD_VAR": str(var), "BROWSER": ""}
    env.pop("DISPLAY", None)
    log_path = tmp_path / "preview.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "leerpad", "preview", module_id, "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 300
            while "Voorbeeld van" not in log_path.read_text():
                assert proc.poll() is None, log_path.read_text()
                assert time.monotonic() < deadline, log_path.read_text()
                time.sleep(0.3)
            url = f"http://127.0.0.1:{port}/voila/render/{module_id}/{module_id}.ipynb"
            with urllib.request.urlopen(url, timeout=300) as response:
                page = response.read().decode("utf-8")
            os.killpg(proc.pid, signal.SIGINT)
            proc.wait(60)
        finally:
            stop_process_group(proc)
    assert "Uitgewerkt voorbeeld: de schooluitstap" in page  # the module's own text
    assert "Een Bebras-taak: de dam van de bevers" in page
    assert PHRASES[module_id] not in page
    module = Catalogue().modules[module_id]
    for phrase in trainer_phrases(module):
        assert phrase not in " ".join(page.split()), phrase
    trainer_page = var / "cohorts" / "voorbeeld" / "trainer" / f"{module_id}.md"
    assert PHRASES[module_id] in trainer_page.read_text(encoding="utf-8")
