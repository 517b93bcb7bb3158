"""leerpad's pages in the trainer's JupyterLab server: the cohort's report and the rubric
grading of open answers. A Jupyter server extension, enabled only in the trainer server's
config (``leerpad.servers.lab.trainer_lab``), so every page sits behind the trainer's own
Jupyter login: whoever opened the workspace with the token needs nothing more."""

import asyncio
import html
from urllib.parse import quote, urlencode

from jupyter_server.base.handlers import JupyterHandler
from tornado import web
from traitlets import Unicode
from traitlets.config import Configurable

from leerpad.grading.cohort import Cohort
from leerpad.grading.reports import page, write_report
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

    def page(self, title: str, body: str) -> None:
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(page(title, body, nav=self.navigation()))

    def navigation(self) -> str:
        return (
            f"<nav class='muted'><a href='{self.at(TRAINER_PAGES['grading'])}'>Open vragen "
            f"beoordelen</a> · <a href='{self.at(TRAINER_PAGES['report'])}'>Rapport</a> · "
            f"<a href='{self.at(TRAINER_PAGES['classroom'])}'>Klaslinks</a> · "
            f"<a href='{self.at('/lab')}'>JupyterLab</a> · "
            f"<a href='{self.at('/formgrader')}'>Formgrader</a></nav>"
        )


class ReportHandler(TrainerHandler):
    """The report, made fresh from the gradebook at each visit."""

    @web.authenticated
    def get(self, name=""):
        cohort = self.cohort
        folder = write_report(cohort)
        if name == "punten.csv":
            self.set_header("Content-Type", "text/csv; charset=utf-8")
            self.set_header("Content-Disposition", f"attachment; filename={cohort.name}-punten.csv")
            self.finish((folder / "punten.csv").read_bytes())
            return
        self.set_header("Content-Type", "text/html; charset=utf-8")
        report = (folder / "index.html").read_text(encoding="utf-8")
        # the file stands alone; here it gets the way to the other trainer pages
        self.finish(report.replace("<main>", "<main>" + self.navigation(), 1))


def grading_path(answer) -> str:
    parts = (answer.module, answer.learner, answer.exercise)
    return TRAINER_PAGES["grading"] + "/".join(quote(p) for p in parts)


def grading_link(answer, base: str) -> str:
    action = "Beoordeel" if answer.waiting else "Bekijk"
    label = html.escape(f"{action} {answer.learner}, {answer.exercise}")
    return f"<a href='{base}{grading_path(answer)}' aria-label='{label}'>{action}</a>"


def count(number: float, one: str, many: str) -> str:
    """'1 open antwoord', '3 open antwoorden': Dutch singular and plural."""
    return f"{number:g} {one if number == 1 else many}".replace(".", ",")


def points(value: float) -> str:
    return count(value, "punt", "punten")


def status(answer) -> str:
    if answer.waiting:
        return "<span class='flag'>wacht op een trainer</span>"
    return f"<span class='done'>beoordeeld: {points(answer.manual_score)}</span>"


FORGET = """<script>
const address = new URL(location.href);
address.searchParams.delete("bewaard");
history.replaceState(history.state, "", address);
</script>"""


class ListHandler(TrainerHandler):
    @web.authenticated
    def get(self):
        answers = open_answers(self.cohort)
        waiting = sum(a.waiting for a in answers)
        rows = "".join(
            f"<tr><th scope='row'>{html.escape(a.learner)}</th><td>{html.escape(a.module)}</td>"
            f"<td>{html.escape(a.exercise)}</td><td>{status(a)}</td>"
            f"<td>{grading_link(a, self.at(''))}</td>"
            "</tr>"
            for a in answers
        )
        saved = self.get_argument("bewaard", "")
        # shown once: the address loses ?bewaard=, so a reload does not say it again
        note = f"<p class='saved' role='status'>{html.escape(saved)}</p>{FORGET}" if saved else ""
        table = (
            "<table><caption>Ingeleverde open vragen (wie wacht, staat bovenaan)</caption>"
            "<tr><th scope='col'>Cursist</th><th scope='col'>Module</th>"
            "<th scope='col'>Vraag</th><th scope='col'>Status</th><th scope='col'></th></tr>"
            f"{rows}</table>"
            if answers
            else "<p>Nog geen ingeleverde open vragen.</p>"
        )
        self.page(
            "Open vragen beoordelen",
            f"{note}<p>Cohort <strong>{html.escape(self.cohort.name)}</strong>: "
            f"{count(len(answers), 'open antwoord', 'open antwoorden')}, "
            f"{count(waiting, 'wacht', 'wachten')} op een trainer.</p>{table}",
        )


def criterion_fieldset(n: int, criterion, chosen) -> str:
    radios = "".join(
        f"<label class='level'><input type='radio' name='c{n}' value='{level:g}' required"
        f"{' checked' if chosen == level else ''}> {points(level)}</label>"
        for level in criterion.levels
    )
    return (
        f"<fieldset><legend>{n + 1}. {html.escape(criterion.text)} "
        f"<span class='muted'>(max. {points(criterion.points)})</span></legend>{radios}</fieldset>"
    )


# The running total while the trainer chooses; the server computes the stored score itself.
TOTAL_SCRIPT = """<script>
const form = document.querySelector("form"), out = document.querySelector("output");
function total() {
  let sum = 0, open = 0;
  form.querySelectorAll("fieldset").forEach((set) => {
    const chosen = set.querySelector("input:checked");
    if (chosen) sum += Number(chosen.value); else open += 1;
  });
  const text = `Totaal: ${String(Math.min(sum, MAX)).replace(".", ",")} van MAX punten`;
  const left = `nog ${open} ${open === 1 ? "criterium" : "criteria"} te kiezen`;
  out.textContent = open ? `${text} (${left})` : text;
}
form.addEventListener("change", total); total();
</script>"""


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
        chosen = a.choices + [None] * (len(a.criteria) - len(a.choices))
        fieldsets = "".join(criterion_fieldset(n, c, chosen[n]) for n, c in enumerate(a.criteria))
        answer = html.escape(a.answer) if a.answer else "<em>(leeg ingeleverd)</em>"
        problem = f"<p class='flag' role='alert'>{html.escape(error)}</p>" if error else ""
        self.page(
            f"{a.learner}: {a.exercise}",
            f"""<p><a href="{self.at(TRAINER_PAGES["grading"])}">&larr; Alle open vragen</a></p>
<p>{html.escape(a.module)} · {status(a)} · max. {points(a.max_score)}</p>{problem}
<div class="grade">
<section aria-labelledby="antwoord"><h2 id="antwoord">Antwoord van {html.escape(a.learner)}</h2>
<p class="muted">{html.escape(a.question)}</p><div class="answer">{answer}</div></section>
<section aria-labelledby="rubriek"><h2 id="rubriek">Rubriek</h2>
<form method="post">{self.xsrf_form_html()}{fieldsets}
<label for="commentaar"><strong>Commentaar voor de cursist</strong></label>
<textarea id="commentaar" name="commentaar" rows="5">{html.escape(a.comment)}</textarea>
<p><output for="{" ".join(f"c{n}" for n in range(len(a.criteria)))}" aria-live="polite">
</output></p><p><button type="submit">Bewaar beoordeling</button></p></form></section></div>
{TOTAL_SCRIPT.replace("MAX", f"{a.max_score:g}")}""",
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

        links = self.cohort.class_links(addresses().apps)
        items = "".join(
            f"<li><h2>{html.escape(module)}</h2>{qr_svg(link, f'Klaslink {module}')}"
            f"<p><a href='{html.escape(link)}'>{html.escape(link)}</a></p></li>"
            for module, link in links.items()
        )
        self.page(
            "Klaslinks",
            "<p>Leerlingen scannen de code van hun module en vullen hun "
            f"schuilnaam en code in.</p><ul class='qr'>{items}</ul>",
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
