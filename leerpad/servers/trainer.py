"""leerpad's pages in the trainer's JupyterLab server: the cohort's report and the rubric
grading of open answers. A Jupyter server extension, enabled only in the trainer server's
config (``leerpad.servers.lab.trainer_lab``), so every page sits behind the trainer's own
Jupyter login: whoever opened the workspace with the token needs nothing more."""

import asyncio
from urllib.parse import quote, urlencode

from jupyter_server.base.handlers import JupyterHandler
from markupsafe import Markup
from tornado import web
from traitlets import Unicode
from traitlets.config import Configurable

from leerpad.grading.cohort import Cohort
from leerpad.grading.reports import TEMPLATES, write_report
from leerpad.grading.rubric import (
    RubricError,
    open_answers,
    refresh_feedback,
    save_rubric_grade,
)
from leerpad.servers.lab import TRAINER_PAGES


class TrainerPages(Configurable):
    cohort_dir = Unicode("", help="The cohort whose report and open answers these pages show.").tag(
        config=True
    )


class TrainerHandler(JupyterHandler):
    @property
    def cohort(self) -> Cohort:
        return Cohort.at(self.settings["leerpad_cohort_dir"])

    def at(self, path: str) -> str:
        """An address on this server (behind JupyterHub, under the user's base URL)."""
        return self.base_url.rstrip("/") + path

    def page(self, template: str, title: str, **data) -> None:
        """A trainer page: `template` of grading/templates, with the way to the others."""
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(
            TEMPLATES.render(
                template, title=title, links=self.links(), points=points, amount=count, **data
            )
        )

    def links(self) -> dict[str, str]:
        """The trainer pages, JupyterLab and formgrader on this server."""
        return {
            "grading": self.at(TRAINER_PAGES["grading"]),
            "report": self.at(TRAINER_PAGES["report"]),
            "classroom": self.at(TRAINER_PAGES["classroom"]),
            "lab": self.at("/lab"),
            "formgrader": self.at("/formgrader"),
        }


class ReportHandler(TrainerHandler):
    """The report, made fresh from the gradebook at each visit."""

    @web.authenticated
    def get(self, name=""):
        cohort = self.cohort
        folder = write_report(cohort, links=self.links())
        if name == "punten.csv":
            self.set_header("Content-Type", "text/csv; charset=utf-8")
            self.set_header("Content-Disposition", f"attachment; filename={cohort.name}-punten.csv")
            self.finish((folder / "punten.csv").read_bytes())
            return
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish((folder / "index.html").read_bytes())


def grading_path(answer) -> str:
    parts = (answer.module, answer.learner, answer.exercise)
    return TRAINER_PAGES["grading"] + "/".join(quote(p) for p in parts)


def count(number: float, one: str, many: str) -> str:
    """'1 open antwoord', '3 open antwoorden': Dutch singular and plural."""
    return f"{number:g} {one if number == 1 else many}".replace(".", ",")


def points(value: float) -> str:
    return count(value, "punt", "punten")


class ListHandler(TrainerHandler):
    @web.authenticated
    def get(self):
        answers = open_answers(self.cohort)
        self.page(
            "open-answers.html.j2",
            "Open vragen beoordelen",
            cohort=self.cohort.name,
            answers=answers,
            waiting=sum(a.waiting for a in answers),
            saved=self.get_argument("bewaard", ""),
            link=lambda answer: self.at(grading_path(answer)),
        )


RUNNING: set = set()  # feedback being remade: kept referenced until done


class GradeHandler(TrainerHandler):
    def _find(self, module, learner, exercise):
        for answer in open_answers(self.cohort, module, learner):
            if answer.exercise == exercise:
                return answer
        raise web.HTTPError(404, f"Geen open antwoord {exercise} van {learner} in {module}.")

    @web.authenticated
    def get(self, module, learner, exercise, error=""):
        a = self._find(module, learner, exercise)
        self.page(
            "grade.html.j2",
            f"{a.learner}: {a.exercise}",
            a=a,
            chosen=a.choices + [None] * (len(a.criteria) - len(a.choices)),
            error=error,
            xsrf=Markup(self.xsrf_form_html()),
        )

    @web.authenticated
    def post(self, module, learner, exercise):
        a = self._find(module, learner, exercise)
        try:
            choices = [float(self.get_body_argument(f"c{n}")) for n in range(len(a.criteria))]
        except (web.MissingArgumentError, ValueError):
            self.set_status(400)
            return self.get(module, learner, exercise, "Kies een niveau voor elk criterium.")
        comment = self.get_body_argument("commentaar", "")
        try:
            score = save_rubric_grade(self.cohort, learner, module, exercise, choices, comment)
        except RubricError as err:
            self.set_status(400)
            return self.get(module, learner, exercise, str(err))
        # the learner's feedback page gets the score and comment in the background
        task = asyncio.ensure_future(refresh_feedback(self.cohort, learner, module))
        RUNNING.add(task)
        task.add_done_callback(RUNNING.discard)
        saved = (
            f"Bewaard: {learner} {exercise}, {points(score)} van {a.max_score:g}. "
            "De feedback voor de cursist wordt bijgewerkt."
        )
        self.redirect(self.at(TRAINER_PAGES["grading"]) + "?" + urlencode({"bewaard": saved}))


class ClassroomHandler(TrainerHandler):
    """Each module's class link as a QR code, large enough to scan from a projector. The
    links use the address the platform runs on (in classroom mode: the Wi-Fi's)."""

    @web.authenticated
    def get(self):
        from leerpad.classroom import qr_svg
        from leerpad.platform import addresses

        self.page(
            "classroom.html.j2",
            "Klaslinks",
            links_by_module=self.cohort.class_links(addresses().apps),
            qr=lambda link, title: Markup(qr_svg(link, title)),  # segno's SVG, made from a link
        )


def _jupyter_server_extension_points():
    return [{"module": "leerpad.servers.trainer"}]


def _load_jupyter_server_extension(serverapp):
    settings = TrainerPages(config=serverapp.config)
    serverapp.web_app.settings["leerpad_cohort_dir"] = settings.cohort_dir
    base = serverapp.web_app.settings.get("base_url", "/").rstrip("/")
    report, grading = TRAINER_PAGES["report"], TRAINER_PAGES["grading"]
    classroom = TRAINER_PAGES["classroom"]
    serverapp.web_app.add_handlers(
        ".*$",
        [
            (base + report.rstrip("/"), web.RedirectHandler, {"url": base + report}),
            (base + report + r"(punten\.csv)?", ReportHandler),
            (base + grading.rstrip("/"), web.RedirectHandler, {"url": base + grading}),
            (base + grading, ListHandler),
            (base + grading + r"([^/]+)/([^/]+)/([^/]+)", GradeHandler),
            (base + classroom, ClassroomHandler),
        ],
    )
    serverapp.log.info("leerpad: trainerpagina's voor %s", settings.cohort_dir)
