"""Realistic hand-ins for tests and benchmarks: answers of every kind (right, partly right,
wrong, empty, malformed) for the widget exercises of a released module, and, for coding
modules, notebooks as a learner hands them in from JupyterLab (solution cells filled in
right, wrong, or not at all). Deterministic for a given seed."""

import ast
import json
import random
from pathlib import Path

import nbformat
from leerpad.grading.cells import exercise_calls
from leerpad.grading.handin import submit_from_app
from leerpad.widgets.session import Session, active
from leerpad.widgets.store import AnswerStore, KeyStore


def released_notebook(cohort_dir, module: str):
    return nbformat.read(Path(cohort_dir) / "release" / module / f"{module}.ipynb", as_version=4)


def exercises(cohort_dir, module: str) -> list:
    """Each widget exercise of a released module, built with its key (no kernel needed)."""
    keys = json.loads((Path(cohort_dir) / "keys" / f"{module}.json").read_text())
    found = []
    with active(Session(AnswerStore(None), KeyStore(Path(cohort_dir) / "keys"))):
        for cell in released_notebook(cohort_dir, module).cells:
            if cell.cell_type != "code":
                continue
            for call, cls in exercise_calls(cell.source):
                kwargs = {k.arg: ast.literal_eval(k.value) for k in call.keywords}
                key = {k: v for k, v in keys.get(kwargs["id"], {}).items() if k != "notebook"}
                found.append(cls(**kwargs, **key))
    return found


def random_answer(exercise, rng: random.Random):
    """An answer as the widget would store it, or junk a hostile client might send."""
    config = exercise.config
    kind = type(exercise).__name__
    roll = rng.random()
    if roll < 0.1:
        return None
    if roll < 0.15:
        return rng.choice(["??", 42, ["x"], {"a": 1}, ""])
    if kind in ("SingleChoice", "TrueFalse"):
        return rng.choice(config["options"])
    if kind == "MultipleChoice":
        return rng.sample(config["options"], rng.randint(1, len(config["options"])))
    if kind == "Ordering":
        items = list(config["items"])
        if rng.random() < 0.4 and exercise._key:
            return list(exercise._key["answer"])
        rng.shuffle(items)
        return items
    if kind == "FillInTheBlanks":
        alternatives = exercise._key["answer"] if exercise._key else [[""]] * config["blanks"]
        return [rng.choice([rng.choice(a), "iets anders", ""]) for a in alternatives]
    if kind == "NumericAnswer":
        right = exercise._key["answer"] if exercise._key else 0
        return rng.choice([f"{right:g}".replace(".", ","), f"{right + 1:g}", "veel", ""])
    if kind == "OpenAnswer":
        return rng.choice(["", "Ik laat mijn klas een stappenplan schrijven voor de refter."])
    return None


def random_answers(exercises_, rng: random.Random) -> dict:
    answers = {}
    for exercise in exercises_:
        if rng.random() < 0.1:
            continue  # never touched
        checked = rng.random() < 0.7
        answers[exercise.id] = {
            "type": type(exercise).__name__,
            "answer": random_answer(exercise, rng),
            "attempts": rng.randint(0, 3) if checked else 0,
            "checked": checked,
            "solution_shown": rng.random() < 0.1,
        }
    return answers


def code_notebook(cohort_dir, module: str, rng: random.Random):
    """The released notebook with its solution cells filled in as a learner might."""
    source = nbformat.read(
        Path(cohort_dir) / "source" / module / f"{module}.ipynb", as_version=4
    ).cells
    solutions = {
        c.metadata["nbgrader"]["grade_id"]: c.source
        for c in source
        if c.metadata.get("nbgrader", {}).get("solution") and c.cell_type == "code"
    }
    nb = released_notebook(cohort_dir, module)
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if cell.cell_type != "code" or grade_id not in solutions:
            continue
        roll = rng.random()
        if roll < 0.5:
            cell.source = (
                solutions[grade_id]
                .replace("### BEGIN SOLUTION\n", "")
                .replace("### END SOLUTION", "")
            )
        elif roll < 0.8:
            first = solutions[grade_id].splitlines()[0]
            cell.source = first + "\n    return None" if first.startswith("def ") else "x = 1"
        # else: left as released
    return nb


def hand_ins(cohort_dir, module: str, learners, seed=0, from_lab=False) -> None:
    """One hand-in per learner: answers from the app, and with `from_lab` a notebook edited
    in JupyterLab as well."""
    exercises_ = exercises(cohort_dir, module)
    for learner in learners:
        rng = random.Random(f"{seed}-{learner}-{module}")
        target = submit_from_app(cohort_dir, module, learner, random_answers(exercises_, rng))
        if from_lab:
            nb = code_notebook(cohort_dir, module, rng)
            nbformat.write(nb, target / f"{module}.ipynb")


def has_code_cells(cohort_dir, module: str) -> bool:
    """Whether a module asks the learner to write code in notebook cells."""
    return any(
        c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("solution")
        for c in released_notebook(cohort_dir, module).cells
    )


def clone_cohort(source_dir, root, name: str):
    """A copy of a released cohort with its hand-ins but nothing graded: the same
    gradebook (assignments, source cells) without submissions, its own folders."""
    import shutil

    from leerpad.grading.cohort import Cohort

    skip = shutil.ignore_patterns("autograded", "feedback", ".leerpad-grading*", "gradebook.db")
    target = Path(root) / name
    shutil.copytree(source_dir, target, ignore=skip)
    shutil.copy(Path(source_dir) / "gradebook.db", target / "gradebook.db")
    cohort = Cohort(name, Path(root))
    # Its own gradebook: the copied settings still name the source's.
    cohort.create(
        path_id=cohort.settings.get("path", ""), db_url=f"sqlite:///{target / 'gradebook.db'}"
    )
    with cohort.gradebook() as gb:
        for assignment in gb.assignments:
            for submission in list(assignment.submissions):
                gb.remove_submission(assignment.name, submission.student.id)
    return cohort


def grades(db_url: str, course_id: str) -> dict:
    """Every grade and comment in a gradebook, by (learner, module, notebook, cell)."""
    from nbgrader.api import Gradebook

    found = {}
    with Gradebook(db_url, course_id=course_id) as gb:
        for assignment in gb.assignments:
            for submission in assignment.submissions:
                for notebook in submission.notebooks:
                    where = (submission.student.id, assignment.name, notebook.name)
                    for g in notebook.grades:
                        found[(*where, g.name)] = (
                            g.auto_score,
                            g.manual_score,
                            g.needs_manual_grade,
                            g.max_score,
                        )
                    for c in notebook.comments:
                        found[(*where, c.name, "comment")] = c.auto_comment
                    found[(*where, "late")] = notebook.late_submission_penalty
    return found
