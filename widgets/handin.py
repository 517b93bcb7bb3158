"""The hand-in bar at the end of a module app: who hands in, "Inleveren", the grade, the
feedback. It binds the app to the learner, so it also restores saved answers."""

import html
import os
import threading
from datetime import datetime

import ipywidgets as w

from .i18n import t
from .session import in_voila, request_query, session


class HandIn(w.VBox):
    def __init__(self):
        super().__init__()
        self.add_class("leerpad-handin")
        self.cohort = os.environ.get("LEERPAD_COHORT")
        self.status = w.HTML("")
        self.feedback_view = w.HTML("")
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
        from leerpad.grading.identity import learner_from_query

        learner, locked = learner_from_query(request_query(), self.cohort)
        self.name = w.Text(
            value=learner or "",
            description=t("handin_name"),
            disabled=locked,
            style={"description_width": "initial"},
            layout=w.Layout(width="28em"),
        )
        self.button = w.Button(description=t("handin"), button_style="success")
        self.button.on_click(lambda _: self.hand_in())
        self.feedback_button = w.Button(description=t("feedback"), disabled=True)
        self.feedback_button.on_click(lambda _: self.show_feedback())
        self.children = [
            w.HBox([self.name, self.button, self.feedback_button]),
            self.status,
            self.feedback_view,
        ]
        if learner:
            session().identify(learner)
        self.name.observe(self._identify, "value")

    def _identify(self, change):
        from leerpad.grading.identity import normalize_learner

        learner = normalize_learner(change["new"])
        if learner and in_voila():
            session().identify(learner)

    def _say(self, text):
        self.status.value = f"<p role='status' aria-live='polite'>{text}</p>"

    def hand_in(self):
        from leerpad.grading.handin import submit_from_app
        from leerpad.grading.identity import normalize_learner

        learner = normalize_learner(self.name.value)
        if not learner:
            self._say(t("handin_need_name"))
            return
        session().identify(learner)
        try:
            submit_from_app(self.cohort, session().module, learner, session().answers.data)
        except (OSError, ValueError) as error:
            self._say(t("handin_failed", error=html.escape(str(error))))
            return
        self.learner = learner
        self._say(
            t("handin_done", time=datetime.now().strftime("%H:%M")) + " " + t("handin_grading")
        )
        self.button.disabled = True
        threading.Thread(target=self._grade, daemon=True).start()

    def _grade(self):
        from leerpad.grading.autograde import grade_one

        try:
            score, max_score = grade_one(self.cohort, session().module, self.learner)
            self._say(t("handin_graded", score=f"{score:g}", points=f"{max_score:g}"))
            self.feedback_button.disabled = False
        except Exception as error:  # the learner must see that grading failed, and why
            self._say(t("handin_failed", error=html.escape(str(error))))
        finally:
            self.button.disabled = False

    def show_feedback(self):
        from leerpad.grading.feedback import feedback_html

        page = feedback_html(self.cohort, session().module, self.learner)
        if page is None:
            self.feedback_view.value = f"<p>{t('feedback_missing')}</p>"
            return
        self.feedback_view.value = (
            "<iframe title='Feedback' class='leerpad-feedback-frame' "
            "style='width:100%;height:70vh;border:1px solid #ccc' "
            f'srcdoc="{html.escape(page, quote=True)}"></iframe>'
        )
