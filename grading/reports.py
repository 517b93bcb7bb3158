"""``leerpad report COHORT``: what a cohort did, read from nbgrader's gradebook and the
hand-ins. Writes ``punten.csv`` (learners by modules) and ``index.html`` (progress of each
learner along the path, averages per module, item analysis per exercise) into the cohort's
``rapport/`` folder. The page is static HTML with inline SVG: no scripts, no CDN."""

import csv
import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from leerpad.grading.cohort import LOCAL_TIME, Cohort, show_time
from leerpad.grading.handin import submission_dir
from leerpad.grading.record import grading_failures
from leerpad.widgets.store import read_answers

from leerpad.templating import Templates

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

TEMPLATES = Templates(Path(__file__).resolve().parent / "templates", number=number, time=show_time)


def module_averages(data: CohortData, deadlines: dict) -> list[dict]:
    """Per module, in the path's order: the average score and what waits."""
    rows = []
    for module in data.modules:
        results = [r for (_, m), r in data.results.items() if m == module]
        maximum = data.max_scores[module]
        rows.append(
            {
                "module": module,
                "maximum": maximum,
                "average": (
                    sum(r.score for r in results) / len(results) if results and maximum else None
                ),
                "count": len(results),
                "deadline": deadlines.get(module),
                "late": sum(r.late for r in results),
                "waiting": sum(r.needs_manual for r in results),
            }
        )
    return rows


def render_html(data: CohortData, deadlines: dict | None = None, links=None) -> str:
    """The report page; ``deadlines`` maps modules to aware datetimes. Every time on the
    page is Belgian time (Europe/Brussels), as the deadlines are set. ``links``: the other
    trainer pages, when the trainer's server shows the report."""
    return TEMPLATES.render(
        "report.html.j2",
        title=f"Rapport cohort {data.cohort}",
        links=links,
        data=data,
        made=datetime.now(LOCAL_TIME),
        waiting=sum(r.needs_manual for r in data.results.values()),
        handed_in={
            learner: sum((learner, m) in data.results for m in data.modules)
            for learner in data.learners
        },
        averages=module_averages(data, deadlines or {}),
        top_wrong=TOP_WRONG,
    )


def write_report(cohort: Cohort, folder: Path | None = None, links=None) -> Path:
    folder = folder or cohort.dir / REPORT_DIR
    folder.mkdir(parents=True, exist_ok=True)
    data = collect(cohort)
    write_csv(data, folder / "punten.csv")
    deadlines = {m: d for m in data.modules if (d := cohort.deadline(m))}
    (folder / "index.html").write_text(render_html(data, deadlines, links), encoding="utf-8")
    return folder
