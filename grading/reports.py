"""``leerpad report COHORT``: what a cohort did, read from nbgrader's gradebook and the
hand-ins. Writes ``punten.csv`` (learners by modules) and ``index.html`` (progress of each
learner along the path, averages per module, item analysis per exercise) into the cohort's
``rapport/`` folder. The page is static HTML with inline SVG: no scripts, no CDN."""

import csv
import html
import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from leerpad.grading.cohort import LOCAL_TIME, Cohort, show_time
from leerpad.grading.handin import submission_dir
from leerpad.grading.record import grading_failures
from leerpad.widgets.store import read_answers

REPORT_DIR = "rapport"
TOP_WRONG = 3


@dataclass
class Result:
    """One learner's hand-in of one module, as the gradebook holds it."""

    score: float
    max_score: float
    late: bool
    needs_manual: bool
    handed_in: datetime | None = None  # aware, UTC


@dataclass
class Item:
    """One graded exercise (an nbgrader grade cell) across the cohort."""

    module: str
    name: str
    max_score: float
    scores: list[float] = field(default_factory=list)
    wrong: Counter = field(default_factory=Counter)
    blank: int = 0

    @property
    def share_right(self) -> float | None:
        if not self.scores:
            return None
        return sum(s >= self.max_score for s in self.scores) / len(self.scores)


@dataclass
class CohortData:
    cohort: str
    path: str  # the cohort's learning path ('' for none: every released module)
    modules: list[str]
    max_scores: dict[str, float]
    learners: list[str]
    results: dict[tuple[str, str], Result]
    items: list[Item]
    failed: dict[tuple[str, str], str] = field(default_factory=dict)  # grading failed: why


def answer_text(answer) -> str:
    """A learner's answer as one short line: lists joined, text trimmed."""
    if isinstance(answer, list):
        return " | ".join(answer_text(a) for a in answer)
    if isinstance(answer, dict):
        return json.dumps(answer, ensure_ascii=False, sort_keys=True)
    return " ".join(str(answer).split())[:120]


def answered(state) -> bool:
    return isinstance(state, dict) and state.get("answer") not in (None, "", [], {})


def answer_keys(cohort: Cohort, module: str) -> dict:
    """The module's widget exercises by id (the release step keeps their keys here)."""
    try:
        return json.loads((cohort.keys_dir / f"{module}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def submitted_answers(cohort: Cohort, learner: str, module: str) -> dict:
    return read_answers(submission_dir(cohort.dir, learner, module))


def submission_result(submission) -> Result:
    return Result(
        score=submission.score,
        max_score=submission.max_score,
        late=submission.total_seconds_late > 0,
        needs_manual=submission.needs_manual_grade,
        handed_in=submission.timestamp.replace(tzinfo=UTC) if submission.timestamp else None,
    )


def learner_results(cohort: Cohort, learner: str) -> dict[str, Result]:
    """One learner's graded hand-ins, by module: what the site shows the learner."""
    from nbgrader.api import MissingEntry

    with cohort.gradebook() as gb:
        try:
            student = gb.find_student(learner)
        except MissingEntry:
            return {}
        return {s.assignment.name: submission_result(s) for s in student.submissions}


def collect(cohort: Cohort) -> CohortData:
    """Everything the report shows, in one pass over the gradebook."""
    with cohort.gradebook() as gb:
        # The cohort's path, in its order; released modules only: a module that is not
        # released yet has no points. Without a path: every released module.
        released = {a.name for a in gb.assignments if (cohort.release_dir / a.name).is_dir()}
        modules = [m for m in cohort.path_modules() if m in released]
        learners = sorted({s.id for s in gb.students} | set(cohort.roster))
        max_scores, results, items = {}, {}, []
        for module in modules:
            assignment = gb.find_assignment(module)
            max_scores[module] = assignment.max_score
            by_name = {}
            for notebook in assignment.notebooks:
                for cell in notebook.grade_cells:
                    by_name[cell.name] = Item(module, cell.name, cell.max_score)
            items.extend(by_name.values())
            widget_ids = set(answer_keys(cohort, module))
            for submission in assignment.submissions:
                learner = submission.student.id
                results[(learner, module)] = submission_result(submission)
                answers = submitted_answers(cohort, learner, module)
                for notebook in submission.notebooks:
                    for grade in notebook.grades:
                        item = by_name.get(grade.name)
                        if item is None or grade.score is None or grade.needs_manual_grade:
                            continue
                        item.scores.append(grade.score)
                        state = answers.get(grade.name)
                        if grade.name in widget_ids and not answered(state):
                            item.blank += 1
                        elif (  # a trainer's judgement of an open answer is no "wrong answer"
                            grade.score < item.max_score
                            and grade.manual_score is None
                            and answered(state)
                        ):
                            item.wrong[answer_text(state["answer"])] += 1
    failed = {key: entry["message"] for key, entry in grading_failures(cohort.dir).items()}
    learners = sorted(set(learners) | {learner for learner, m in failed if m in modules})
    path = cohort.settings.get("path", "")
    return CohortData(cohort.name, path, modules, max_scores, learners, results, items, failed)


def number(value: float) -> str:
    """1.5 -> '1,5': the decimal comma a Flemish spreadsheet expects."""
    return f"{value:g}".replace(".", ",")


def write_csv(data: CohortData, path: Path) -> None:
    """Learners by modules, ';'-separated with decimal commas (Excel in nl-BE opens it)."""
    with open(path, "w", newline="", encoding="utf-8-sig") as f:
        writer = csv.writer(f, delimiter=";")
        writer.writerow(["cursist", *data.modules, "totaal", "te laat"])
        for learner in data.learners:
            row, total, late = [learner], 0.0, []
            for module in data.modules:
                result = data.results.get((learner, module))
                row.append(number(result.score) if result else "")
                total += result.score if result else 0
                if result and result.late:
                    late.append(module)
            writer.writerow([*row, number(total), " ".join(late)])
        maximum = [data.max_scores[m] for m in data.modules]
        writer.writerow(["maximum", *map(number, maximum), number(sum(maximum)), ""])


# --- the page ------------------------------------------------------------------------------

STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem;color:#1a1a1a;max-width:70rem}
h1,h2,h3{color:#0b3d6b} table{border-collapse:collapse;margin:1rem 0}
th,td{border:1px solid #bbb;padding:.3rem .5rem;text-align:left;vertical-align:middle}
th{background:#eef3f8} .late{color:#8a1c00;font-weight:600} .muted{color:#555}
.failed{color:#a31515}
caption{text-align:left;font-weight:600;padding:.3rem 0}
.flag{background:#fff1cc;color:#6b4500;border:1px solid #b38600;border-radius:.3rem;
  padding:0 .3rem;font-weight:600} .done{color:#1f6f43;font-weight:600}
.saved{background:#e5f4ea;border-left:4px solid #1f6f43;padding:.5rem}
.grade{display:grid;grid-template-columns:1fr 1fr;gap:2rem}
@media (max-width:50rem){.grade{grid-template-columns:1fr}}
.answer{white-space:pre-wrap;border:1px solid #bbb;border-radius:.3rem;padding:.8rem;
  background:#fafafa;line-height:1.5}
fieldset{border:1px solid #bbb;border-radius:.3rem;margin:0 0 .8rem;padding:.5rem .8rem}
legend{font-weight:600;padding:0 .3rem} .level{display:inline-block;margin:.3rem 1.2rem .3rem 0;
  min-height:44px;line-height:44px} .level input{width:1.2rem;height:1.2rem;vertical-align:middle}
textarea{width:100%;font:inherit;box-sizing:border-box}
button{font:inherit;padding:.6rem 1.2rem;background:#0b3d6b;color:#fff;border:0;
  border-radius:.3rem;min-height:44px;cursor:pointer}
nav{margin-bottom:1rem}
"""


def page(title: str, body: str, nav: str = "") -> str:
    """A page in the report's style: the report and the trainer's pages share it."""
    return f"""<!doctype html>
<html lang="nl"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title><style>{STYLE}</style></head>
<body><main>{nav}
<h1>{html.escape(title)}</h1>
{body}
</main></body></html>
"""


COLOURS = {"done": "#1f6f43", "partial": "#b35c00", "low": "#a31515", "none": "#ddd"}


def bar(fraction: float | None, label: str, width=120) -> str:
    """A horizontal bar as inline SVG, with its value as text for screen readers."""
    if fraction is None:
        return (
            f"<svg width='{width}' height='14' role='img' aria-label='{html.escape(label)}'>"
            f"<title>{html.escape(label)}</title>"
            f"<rect width='{width}' height='14' fill='{COLOURS['none']}'/></svg>"
        )
    colour = COLOURS["done" if fraction >= 0.8 else "partial" if fraction >= 0.5 else "low"]
    filled = max(0.0, min(1.0, fraction)) * width
    return (
        f"<svg width='{width}' height='14' role='img' aria-label='{html.escape(label)}'>"
        f"<title>{html.escape(label)}</title>"
        f"<rect width='{width}' height='14' fill='{COLOURS['none']}'/>"
        f"<rect width='{filled:.1f}' height='14' fill='{colour}'/></svg>"
    )


def progress_cell(result: Result | None, failed: str | None = None) -> str:
    if failed is not None:
        # a hand-in that could not be graded: never shown as a score, not even a zero
        shown = f"{number(result.score)}/{number(result.max_score)} eerder, " if result else ""
        return (
            f"<td class='failed'><strong>verbeteren mislukt</strong> "
            f"<span class='muted'>({shown}{html.escape(failed)})</span></td>"
        )
    if result is None:
        return f"<td>{bar(None, 'niet ingeleverd', 80)} <span class='muted'>—</span></td>"
    fraction = result.score / result.max_score if result.max_score else 0
    text = f"{number(result.score)}/{number(result.max_score)}"
    notes = []
    if result.handed_in:
        notes.append(f"<br><span class='muted'>ingeleverd {show_time(result.handed_in)}</span>")
    if result.late:
        notes.append("<span class='late'>te laat</span>")
    if result.needs_manual:
        notes.append("<span class='flag'>wacht op een trainer</span>")
    return f"<td>{bar(fraction, text, 80)} {text} {' '.join(notes)}</td>"


def progress_table(data: CohortData) -> str:
    head = "".join(f"<th scope='col'>{html.escape(m)}</th>" for m in data.modules)
    rows = []
    for learner in data.learners:
        done = sum((learner, m) in data.results for m in data.modules)
        cells = "".join(
            progress_cell(data.results.get((learner, m)), data.failed.get((learner, m)))
            for m in data.modules
        )
        rows.append(
            f"<tr><th scope='row'>{html.escape(learner)}</th>{cells}"
            f"<td>{done} van {len(data.modules)}</td></tr>"
        )
    return (
        "<table><caption>Voortgang langs het leerpad (punten per module)</caption>"
        f"<tr><th scope='col'>Cursist</th>{head}<th scope='col'>Ingeleverd</th></tr>"
        + "".join(rows)
        + "</table>"
    )


def module_averages(data: CohortData, deadlines: dict) -> str:
    rows = []
    for module in data.modules:
        results = [r for (_, m), r in data.results.items() if m == module]
        maximum = data.max_scores[module]
        if results and maximum:
            average = sum(r.score for r in results) / len(results)
            label = f"gemiddeld {number(round(average, 1))} van {number(maximum)}"
            chart = bar(average / maximum, label, 240)
        else:
            label, chart = "nog geen inzendingen", bar(None, "nog geen inzendingen", 240)
        late = sum(r.late for r in results)
        waiting = sum(r.needs_manual for r in results)
        deadline = deadlines.get(module)
        rows.append(
            f"<tr><th scope='row'>{html.escape(module)}</th><td>{chart} {label}</td>"
            f"<td>{len(results)}</td><td>{show_time(deadline) if deadline else '—'}</td>"
            f"<td>{late}</td><td>{waiting}</td></tr>"
        )
    return (
        "<table><caption>Gemiddelde score per module (in de volgorde van het leerpad)</caption>"
        "<tr><th scope='col'>Module</th><th scope='col'>Gemiddelde</th>"
        "<th scope='col'>Inzendingen</th><th scope='col'>Deadline</th>"
        "<th scope='col'>Te laat</th><th scope='col'>Wachten op een trainer</th></tr>"
        + "".join(rows)
        + "</table>"
    )


def item_table(data: CohortData, module: str) -> str:
    rows = []
    for item in (i for i in data.items if i.module == module):
        share = item.share_right
        label = "nog niet verbeterd" if share is None else f"{round(share * 100)}% juist"
        wrong = "".join(
            f"<li>{html.escape(text)} <span class='muted'>({count}×)</span></li>"
            for text, count in item.wrong.most_common(TOP_WRONG)
        )
        rows.append(
            f"<tr><th scope='row'>{html.escape(item.name)}</th><td>{number(item.max_score)}</td>"
            f"<td>{bar(share, label)} {label}</td><td>{len(item.scores)}</td><td>{item.blank}</td>"
            f"<td>{f'<ol>{wrong}</ol>' if wrong else '—'}</td></tr>"
        )
    return (
        f"<table><caption>Itemanalyse {html.escape(module)}</caption>"
        "<tr><th scope='col'>Oefening</th><th scope='col'>Punten</th>"
        "<th scope='col'>Aandeel juist</th><th scope='col'>Verbeterd</th>"
        "<th scope='col'>Leeg gelaten</th>"
        "<th scope='col'>Vaakste foute antwoorden</th></tr>" + "".join(rows) + "</table>"
    )


def render_html(data: CohortData, deadlines: dict | None = None) -> str:
    """The report page; ``deadlines`` maps modules to aware datetimes. Every time on the
    page is Belgian time (Europe/Brussels), as the deadlines are set."""
    items = "".join(
        f"<h3>{html.escape(m)}</h3>{item_table(data, m)}"
        for m in data.modules
        if any(i.module == m for i in data.items)
    )
    made = show_time(datetime.now(LOCAL_TIME))
    path = f"leerpad <strong>{html.escape(data.path)}</strong>" if data.path else "geen leerpad"
    waiting = sum(r.needs_manual for r in data.results.values())
    flag = (
        f"<p><span class='flag'>{waiting} inzending(en) wachten op een trainer</span> "
        "(open vragen): beoordeel ze op <a href='/leerpad/beoordelen/'>Open vragen "
        "beoordelen</a>.</p>"
        if waiting
        else ""
    )
    body = f"""<p class="muted">Cohort {html.escape(data.cohort)}, {path}. Gemaakt op {made}
(Belgische tijd) uit het puntenboek (nbgrader). De punten per cursist en module staan ook in
<a href="punten.csv">punten.csv</a>.</p>{flag}
<h2>Voortgang per cursist</h2>{progress_table(data)}
<h2>Per module</h2>{module_averages(data, deadlines or {})}
<h2>Itemanalyse per oefening</h2>
<p>Aandeel juist: het deel van de verbeterde inzendingen met alle punten voor die oefening.
Foute en lege antwoorden komen uit de ingeleverde antwoorden (<code>leerpad-answers.json</code>).
Open vragen tellen mee zodra je ze beoordeeld hebt.</p>{items}"""
    return page(f"Rapport cohort {data.cohort}", body)


def write_report(cohort: Cohort, folder: Path | None = None) -> Path:
    folder = folder or cohort.dir / REPORT_DIR
    folder.mkdir(parents=True, exist_ok=True)
    data = collect(cohort)
    write_csv(data, folder / "punten.csv")
    deadlines = {m: d for m in data.modules if (d := cohort.deadline(m))}
    (folder / "index.html").write_text(render_html(data, deadlines), encoding="utf-8")
    return folder
