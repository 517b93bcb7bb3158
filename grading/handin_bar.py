"""The hand-in bar at the end of a module app: who hands in, "Inleveren", the grade, the
feedback. It binds the app to the learner, so it also restores saved answers."""

import html
import os
import threading

import ipywidgets as w
from leerpad.widgets.session import in_voila, request_query, session

from leerpad.i18n import t
from leerpad.settings import settings


class HandIn(w.VBox):
    def __init__(self):
        super().__init__()
        self.add_class("leerpad-handin")
        self.cohort = settings().cohort
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
        self.learner = None
        self._tried = None  # the last wrong pseudonym and code, so one mistake counts once
        refusal = self.access.refusal(self.cohort_info)
        in_class = self.access.mode == "class"
        self.name = w.Text(
            value=self.access.learner or "",
            description=t("handin_pseudonym") if in_class else t("handin_name"),
            disabled=self.access.mode in ("personal", "refused"),
            continuous_update=False,  # checked when the field is left, not per keystroke
            style={"description_width": "initial"},
            layout=w.Layout(width="28em"),
        )
        self.code = w.Text(
            description=t("handin_code"),
            continuous_update=False,
            style={"description_width": "initial"},
            layout=w.Layout(width="12em"),
        )
        self.button = w.Button(
            description=t("handin"),
            button_style="success",
            disabled=bool(refusal),
        )
        self.button.on_click(lambda _: self.hand_in())
        self.feedback_link = w.HTML("")  # a link to the feedback page, once there is feedback
        deadline = self.cohort_info.deadline(session().module)
        self.deadline_note = w.HTML(
            f"<p>{t('handin_deadline', deadline=show_time(deadline))}</p>" if deadline else ""
        )
        fields = [self.name, self.code] if in_class else [self.name]
        back = back_link(self.cohort_info, session().module, self.access)
        self.children = [
            self.deadline_note,
            self._row([*fields, self.button, self.feedback_link]),
            self.status,
            *([w.HTML(back)] if back else []),
        ]
        if refusal:
            self._say(refusal)
        if self.access.mode == "personal":
            self._bind(self.access.learner)
        elif in_class:
            self.name.observe(self._sign_in, "value")
            self.code.observe(self._sign_in, "value")
        else:
            if self.access.storage and in_voila():
                session().identify(self.access.storage)  # this browser's answers come back
            self.name.observe(self._open_name, "value")

    @staticmethod
    def _row(children) -> w.HBox:
        """The hand-in row; on a phone it wraps, each control the full width."""
        row = w.HBox(children)
        row.add_class("leerpad-handin-row")
        return row

    def _allowed(self, take=False) -> tuple[str | None, str | None]:
        name, code = self.name.value, self.code.value
        if self._tried and self._tried[0] == (name, code):
            return None, self._tried[1]
        learner, why = self.access.check_name(name, self.cohort_info, code=code, take=take)
        self._tried = ((name, code), why) if self.access.counted else None
        return learner, why

    def _bind(self, learner: str, load=True, feedback=True) -> None:
        """Hand in as this learner; `load`: their saved answers come back (a verified
        identity only); `feedback`: offer feedback that is already there."""
        from leerpad.grading.feedback import feedback_ready

        self.learner = learner
        if load and in_voila():
            session().identify(learner)
        self.show_feedback(feedback and feedback_ready(self.cohort, session().module, learner))

    def _sign_in(self, change):
        """Class link: a pseudonym and its code, once both are filled in, open the pupil's
        own answers."""
        if self.learner or not (self.name.value.strip() and self.code.value.strip()):
            return
        learner, why = self._allowed()
        if not learner:
            self._say(why)
            return
        self._bind(learner)
        self.name.disabled = self.code.disabled = True
        self._say(t("handin_signed_in", name=learner))

    def _open_name(self, change):
        """No link: the name is only who hands in; answers stay with this device. Feedback
        is offered for a name this device handed in under before."""
        learner, _ = self._allowed()
        self.learner = None
        self.show_feedback(False)
        if learner:
            owns = self.access.owns_name(self.cohort_info, learner)
            self._bind(learner, load=False, feedback=owns)

    def _say(self, text):
        self.status.value = f"<p role='status' aria-live='polite'>{text}</p>"

    def hand_in(self):
        from leerpad.grading.cohort import LOCAL_TIME, show_time
        from leerpad.grading.handin import submission_time, submit_from_app

        learner, refusal = self._allowed(take=True)
        if not learner:
            self._say(refusal)
            return
        self._bind(learner, load=self.access.mode != "open")
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
        self._say(message + " " + t("handin_queued"))
        self.button.disabled = True
        # The grading service does the work; this thread only waits for its answer.
        threading.Thread(target=self._grade, daemon=True).start()

    def _waiting(self, before: int | None) -> None:
        """The grading service's news: `before` hand-ins wait before this one; None: it is
        being graded now."""
        if before is None:
            news = t("handin_grading")
        elif before:
            news = t("handin_queued_at", count=before)
        else:
            news = t("handin_queued")
        self._say(f"{self.handed_in} {news}")

    def _grade(self):
        from leerpad.grading.autograde import grade_one
        from leerpad.grading.service import ServiceFull

        try:
            score, max_score = grade_one(
                self.cohort, session().module, self.learner, on_wait=self._waiting
            )
            graded = t("handin_graded", score=f"{score:g}", points=f"{max_score:g}")
            self._say(f"{self.handed_in} {graded}")
            self.show_feedback(True)
        except ServiceFull as full:  # the hand-in is stored; only its score waits
            self._say(f"{self.handed_in} {html.escape(str(full))}")
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


def back_link(cohort, module: str, access) -> str:
    """The way back to the site from an app: a teacher's own learning path (signed for her,
    so the site knows her there too), else the module's page; none for pupils, whose class
    link is all they need. Empty without a site."""
    from urllib.parse import quote

    from leerpad.grading.identity import personal_query

    site = settings().site_url.rstrip("/")
    if not site or access.mode in ("class", "refused"):
        return ""
    path = cohort.settings.get("path")
    if access.mode == "personal" and path:
        query = personal_query(cohort.dir, access.learner, cohort.link_days)
        url, text = f"{site}/paden/{quote(path)}/?cohort={quote(cohort.name)}&{query}", "path"
    else:
        url, text = f"{site}/modules/{quote(module)}/", "module"
    return f'<p><a class="leerpad-back" href="{html.escape(url)}">{t("back_to_" + text)}</a></p>'


def feedback_url(cohort_dir, module: str, learner: str | None) -> str | None:
    """The site's feedback page for this learner and module, with the learner's own signed
    link: the site's server shows feedback to that link only. None without a site."""
    from urllib.parse import quote

    from leerpad.grading.identity import feedback_query

    site = settings().site_url.rstrip("/")
    if not site or not learner:
        return None
    cohort = quote(os.path.basename(os.path.normpath(cohort_dir)))
    query = feedback_query(cohort_dir, learner)
    return f"{site}/feedback/?cohort={cohort}&{query}&module={quote(module)}"
