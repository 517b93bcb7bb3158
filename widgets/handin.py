"""The hand-in bar at the end of a module app: who hands in, "Inleveren", the grade, the
feedback. It binds the app to the learner, so it also restores saved answers."""

import html
import os
import threading

import ipywidgets as w

from .i18n import t
from .session import in_voila, request_query, session


class HandIn(w.VBox):
    def __init__(self):
        super().__init__()
        self.add_class("leerpad-handin")
        self.cohort = os.environ.get("LEERPAD_COHORT")
        self.status = w.HTML("")
        if not self.cohort:
            # JupyterLab or a downloaded notebook: nbgrader's own assignment list hands in.
            self.children = [
                w.HTML(
                    "<p>Inleveren doe je in JupyterLab via het tabblad <em>Assignments</em> "
                    "(nbgrader). Je antwoorden worden bewaard in "
                    "<code>leerpad-answers.json</code> naast deze notebook.</p>"
                )
            ]
            return
        from leerpad.grading.cohort import Cohort, show_time
        from leerpad.grading.identity import access_from_query

        self.cohort_info = Cohort.at(self.cohort)
        self.access = access_from_query(request_query(), self.cohort)
        self.learner = self.access.learner
        label = t("handin_pseudonym") if self.access.mode == "class" else t("handin_name")
        self.name = w.Text(
            value=self.learner or "",
            description=label,
            disabled=self.access.mode in ("personal", "refused"),
            style={"description_width": "initial"},
            layout=w.Layout(width="28em"),
        )
        self.button = w.Button(
            description=t("handin"),
            button_style="success",
            disabled=self.access.mode == "refused",
        )
        self.button.on_click(lambda _: self.hand_in())
        self.feedback_link = w.HTML("")  # a link to the feedback page, once there is feedback
        deadline = self.cohort_info.deadline(session().module)
        self.deadline_note = w.HTML(
            f"<p>{t('handin_deadline', deadline=show_time(deadline))}</p>" if deadline else ""
        )
        self.children = [
            self.deadline_note,
            w.HBox([self.name, self.button, self.feedback_link]),
            self.status,
        ]
        if self.access.error:
            self._say(self.access.error)
        if self.learner:
            self._bind(self.learner)
        self.name.observe(self._identify, "value")

    def _allowed(self, name: str) -> tuple[str | None, str | None]:
        info = self.cohort_info
        return self.access.check_name(name, info.roster, info.pseudonyms)

    def _bind(self, learner: str) -> None:
        """Load the learner's saved answers; offer feedback that is already there."""
        from leerpad.grading.feedback import feedback_ready

        self.learner = learner
        session().identify(learner)
        self.show_feedback(feedback_ready(self.cohort, session().module, learner))

    def _identify(self, change):
        learner, _ = self._allowed(change["new"])
        if learner and in_voila():
            self._bind(learner)

    def _say(self, text):
        self.status.value = f"<p role='status' aria-live='polite'>{text}</p>"

    def hand_in(self):
        from leerpad.grading.cohort import LOCAL_TIME, show_time
        from leerpad.grading.handin import submission_time, submit_from_app

        learner, refusal = self._allowed(self.name.value)
        if not learner:
            self._say(refusal)
            return
        self._bind(learner)
        module = session().module
        try:
            # the record as every tab of this learner left it, not only this tab's answers
            target = submit_from_app(self.cohort, module, learner, session().answers.reload())
        except ValueError as error:  # HandInError: in Dutch, without server paths
            self._say(t("handin_failed", error=html.escape(str(error))))
            return
        when = submission_time(target)
        message = t("handin_done", time=when.astimezone(LOCAL_TIME).strftime("%H:%M"))
        if self.cohort_info.is_late(module, when):
            deadline = show_time(self.cohort_info.deadline(module))
            message += " <strong>" + t("handin_late", deadline=deadline) + "</strong>"
        self.handed_in = message
        self._say(message + " " + t("handin_grading"))
        self.button.disabled = True
        threading.Thread(target=self._grade, daemon=True).start()

    def _grade(self):
        from leerpad.grading.autograde import grade_one

        try:
            score, max_score = grade_one(self.cohort, session().module, self.learner)
            graded = t("handin_graded", score=f"{score:g}", points=f"{max_score:g}")
            self._say(f"{self.handed_in} {graded}")
            self.show_feedback(True)
        except Exception:  # the learner sees that grading failed; the trainer sees why
            self._say(f"{self.handed_in} {t('handin_grading_failed')}")
        finally:
            self.button.disabled = False

    def show_feedback(self, ready: bool) -> None:
        """A link that opens the learner's feedback page on the site in a new tab."""
        url = feedback_url(self.cohort, session().module, self.learner) if ready else None
        self.feedback_link.value = (
            f'<a class="leerpad-feedback-link jupyter-button mod-info" href="{html.escape(url)}" '
            'target="_blank" rel="noopener" style="text-decoration:none;display:inline-flex;'
            f'align-items:center">{t("feedback")}</a>'
            if url
            else ""
        )


def feedback_url(cohort_dir, module: str, learner: str | None) -> str | None:
    """The site's feedback page for this learner and module, with the learner's own signed
    link: the site's server shows feedback to that link only. None without a site."""
    from urllib.parse import quote

    from leerpad.grading.identity import personal_query

    site = os.environ.get("LEERPAD_SITE_URL", "").rstrip("/")
    if not site or not learner:
        return None
    cohort = quote(os.path.basename(os.path.normpath(cohort_dir)))
    query = personal_query(cohort_dir, learner)
    return f"{site}/feedback/?cohort={cohort}&{query}&module={quote(module)}"
