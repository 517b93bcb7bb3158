"""The feedback nbgrader generated for a learner."""

from pathlib import Path


def feedback_html(cohort_dir, module: str, learner: str) -> str | None:
    folder = Path(cohort_dir) / "feedback" / learner / module
    pages = sorted(folder.glob("*.html"))
    return pages[0].read_text(encoding="utf-8") if pages else None
