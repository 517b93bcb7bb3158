"""A module that plants script in every authored field, for the script-injection tests."""

from pathlib import Path

from authoring_fixtures import make_catalogue

# What each payload would do if it ran: set a flag the test reads, and change the title.
RUN = "window.__xss=1;document.title='XSS'"
PAYLOADS = [
    f'<img src=x alt="foto" onerror="{RUN}">',
    f"<script>{RUN}</script>",
    f'"><svg onload="{RUN}">',
]
IMG, SCRIPT, SVG = PAYLOADS
LINK = f"[klik hier](javascript:{RUN})"
ALL = " ".join(PAYLOADS) + " " + LINK


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


MODULE_ID = "xss-mod"
MODULE_YML = f"""\
id: {MODULE_ID}
title: {_quoted(f"Titel </title>{SCRIPT} {IMG}")}
summary: {_quoted(f"Samenvatting {SCRIPT} {LINK}")}
goals:
  - {_quoted(f"Doel {SVG}")}
duration: 30
level: A2
audience: [basisonderwijs]
digcompedu: ["6.5"]
eindtermen: ["4.4"]
topics: [algoritmen]
licence: CC-BY-4.0
authors:
  - name: {_quoted(f"Auteur {IMG}")}
last_reviewed: 2026-01-15
app: true
pupils: false
"""


MODULE_MD = f"""\
# Titel </title>{SCRIPT} {IMG}

## Kop {SCRIPT}

Tekst {ALL}

[ander]: javascript:{RUN}

Nog een [ander][ander] en <a href="javascript:{RUN}">a</a> {{: onclick="{RUN}" }}

```{{meerkeuze}} xss-keuze
punten: 1
vraag: {_quoted("Vraag " + IMG + " " + LINK)}
opties:
  - {_quoted("Optie " + IMG)}
  - {_quoted("Optie " + SVG)}
  - {_quoted("Optie " + SCRIPT)}
antwoord: {_quoted("Optie " + IMG)}
feedback:
  {_quoted("Optie " + SVG)}: {_quoted("Feedback " + IMG + " " + LINK)}
  {_quoted("Optie " + SCRIPT)}: {_quoted("Feedback " + SCRIPT)}
tips:
  - {_quoted("Tip " + SVG)}
```

```{{meerdere-keuzes}} xss-meer
punten: 1
vraag: {_quoted("Meer " + SCRIPT)}
opties:
  - {_quoted("Keuze " + IMG)}
  - {_quoted("Keuze " + SVG)}
antwoord:
  - {_quoted("Keuze " + IMG)}
feedback:
  {_quoted("Keuze " + SVG)}: {_quoted("Feedback " + SVG)}
```

```{{volgorde}} xss-volgorde
punten: 1
vraag: {_quoted("Volgorde " + SVG)}
antwoord:
  - {_quoted("Eerst " + IMG)}
  - {_quoted("Dan " + SCRIPT)}
```

```{{koppelen}} xss-koppelen
punten: 1
vraag: Koppel.
antwoord:
  {_quoted("Links " + IMG)}: {_quoted("Rechts " + SVG)}
  {_quoted("Links " + SCRIPT)}: Rechts twee
```

```{{sorteren}} xss-sorteren
punten: 1
vraag: Sorteer.
categorieën: [{_quoted("Groep " + IMG)}, Groep twee]
antwoord:
  {_quoted("Ding " + SVG)}: {_quoted("Groep " + IMG)}
  Ding twee: Groep twee
```

```{{invullen}} xss-invullen
punten: 1
vraag: {_quoted("Invullen " + IMG)}
tekst: {_quoted("Tekst " + SVG + " ___ einde")}
antwoord:
  - [ja]
```

```{{flitskaarten}} xss-kaarten
vraag: Kaarten.
kaarten:
  - [{_quoted("Voor " + IMG)}, {_quoted("Achter " + SVG)}]
```

```{{scenario}} xss-scenario
punten: 1
vraag: Scenario.
start: begin
stappen:
  begin:
    tekst: {_quoted("Scene " + IMG)}
    keuzes:
      {_quoted("Keuze " + SVG)}: einde
  einde:
    tekst: {_quoted("Einde " + SCRIPT)}
    score: 1
```

```{{werkblad}}
titel: {_quoted("Werkblad " + SCRIPT)}
inhoud: {_quoted("Blad " + IMG + " " + LINK)}
```

```{{open-vraag}} xss-open
punten: 1
vraag: {_quoted("Open " + SVG)}
rubric:
  - {_quoted("Rubric " + IMG)}
```
"""

COURSE_YML = f"""\
id: cursus-a
title: {_quoted(f"Cursus {IMG}")}
description: {_quoted(f"Beschrijving {SCRIPT} {LINK}")}
audience: [basisonderwijs]
"""

PATH_YML = f"""\
id: xss-pad
title: {_quoted(f"Pad {IMG}")}
goal: {_quoted(f"Doel {SVG} {LINK}")}
audience: [basisonderwijs]
steps:
  - {MODULE_ID}
  - mod-a
  - gepland-xss
gepland:
  - id: gepland-xss
    title: {_quoted(f"Gepland {SCRIPT}")}
    duration: 30
    level: A1
    digcompedu: ["6.5"]
"""


def make_poisoned_catalogue(base: Path) -> Path:
    """The small catalogue of authoring_fixtures, with a course, a path and a module whose
    every authored field holds script."""
    courses = make_catalogue(base)
    (courses / "cursus-a" / "course.yml").write_text(COURSE_YML, encoding="utf-8")
    module = courses / "cursus-a" / MODULE_ID
    module.mkdir()
    (module / "module.yml").write_text(MODULE_YML, encoding="utf-8")
    (module / "module.md").write_text(MODULE_MD, encoding="utf-8")
    (courses / "paths" / "xss-pad.yml").write_text(PATH_YML, encoding="utf-8")
    return courses
