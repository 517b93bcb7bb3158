"""The feedback nbgrader generated for a learner, fit to show inside an app."""

import re
from pathlib import Path

# nbgrader's feedback page loads MathJax from a CDN; pupils' browsers talk to our server only.
EXTERNAL_SCRIPT = re.compile(r"<script[^>]*\ssrc=[\"']https?://[^>]*>\s*</script>", re.I)


def feedback_html(cohort_dir, module: str, learner: str) -> str | None:
    folder = Path(cohort_dir) / "feedback" / learner / module
    pages = sorted(folder.glob("*.html"))
    if not pages:
        return None
    return EXTERNAL_SCRIPT.sub("", pages[0].read_text(encoding="utf-8"))
