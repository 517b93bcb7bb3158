"""Serve the built site on 127.0.0.1 (in classroom mode on the Wi-Fi, over HTTPS): the
static pages, and for a learner with a personal link two read-only answers from the cohort's
gradebook.

- ``/api/resultaten?cohort=C&leerling=L&sig=S``: where the learner stands in each module,
  as JSON: graded (score, maximum, late, waiting for the trainer, feedback ready), handed
  in, or started; the site's path and module pages show it instead of the browser's own
  marks, so her progress is the same on every device;
- ``/api/feedback?cohort=C&leerling=L&sig=S&module=M``: the feedback on one graded module
  as JSON (``leerpad.grading.feedback``), which the site's page ``feedback/`` shows.

The signature is the one of the personal link (``leerpad cohort links``), checked by the
same function as in the app: without it, with another learner's, an expired one or one made
before the trainer renewed the cohort's secret, nothing is shown. The published site works
without these; its pages then show only what the browser itself keeps.
"""

import argparse
import functools
import json
import re
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

MODULE_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,80}$")
NO_FEEDBACK = "Er is nog geen feedback voor deze module."
NOT_VALID = "Deze persoonlijke link is niet geldig. Vraag je trainer om je eigen link."


def strip_tags(text: str) -> str:
    return re.sub(r"<[^>]+>", "", text)


class LinkError(Exception):
    """A request that names no cohort, or whose personal link does not hold."""


def known_learner(query: dict, purposes=None):
    """(cohort, learner) of a request with a valid personal link; else LinkError. The one
    place where this server checks who asks: every answer about a learner goes through it."""
    from leerpad.grading.cohort import Cohort, CohortError
    from leerpad.grading.identity import PERSONAL, access_from_query

    try:
        cohort = Cohort(query.get("cohort", ""))
    except CohortError:
        raise LinkError(NOT_VALID) from None
    if not cohort.exists():
        raise LinkError(NOT_VALID)
    access = access_from_query(query, cohort.dir, purposes=purposes or (PERSONAL,))
    if access.mode != "personal":
        raise LinkError(NOT_VALID if access.mode != "refused" else strip_tags(access.error))
    return cohort, access.learner


def results_json(query: dict) -> dict:
    """Where the learner stands in each module, from the server alone (her hand-ins, her
    graded results, her kept answers), so every device and every fresh browser shows the
    same progress. A module that is not listed is not started."""
    cohort, learner = known_learner(query)
    return {"cohort": cohort.name, "cursist": learner, "modules": module_states(cohort, learner)}


def module_states(cohort, learner: str) -> dict[str, dict]:
    """{module: state} where state["staat"] is "verbeterd" (with score, max, te_laat,
    wacht_op_trainer, feedback), "ingeleverd" (not graded yet, or grading failed:
    verbeteren_mislukt) or "bezig" (answers kept on the server, not handed in)."""
    from leerpad.grading.cohort import show_time
    from leerpad.grading.feedback import feedback_ready
    from leerpad.grading.record import grading_failures
    from leerpad.grading.reports import learner_results

    states: dict[str, dict] = {}
    for module in started_modules(cohort, learner):
        states[module] = {"staat": "bezig"}
    failed = {m for (who, m) in grading_failures(cohort.dir) if who == learner}
    for module, when in handed_in(cohort, learner).items():
        states[module] = {
            "staat": "ingeleverd",
            "ingeleverd": show_time(when) if when else None,
            "verbeteren_mislukt": module in failed,
        }
    for module, result in learner_results(cohort, learner).items():
        states[module] = {
            "staat": "verbeterd",
            "score": result.score,
            "max": result.max_score,
            "te_laat": result.late,
            "wacht_op_trainer": result.needs_manual,
            "feedback": feedback_ready(cohort.dir, module, learner),
        }
    return states


def handed_in(cohort, learner: str) -> dict:
    """{module: when (aware UTC, or None)} of the learner's hand-ins: from the app (in the
    cohort's submitted/ folder) and from JupyterLab (waiting in nbgrader's exchange)."""
    from leerpad.grading.handin import inbound_hand_ins, submission_dir, submission_time

    found = {m: when for (who, m), when in inbound_hand_ins(cohort).items() if who == learner}
    for module in released_modules(cohort):
        folder = submission_dir(cohort.dir, learner, module)
        if folder.is_dir():
            found[module] = submission_time(folder) or found.get(module)
    return found


def started_modules(cohort, learner: str) -> list[str]:
    """The released modules in which the learner's record keeps an answer."""
    from leerpad.grading.reports import answered
    from leerpad.widgets.store import LearnerRecord

    return [
        module
        for module in released_modules(cohort)
        if any(
            answered(state)
            for state in LearnerRecord(learner, module, cohort=cohort.name).read().values()
        )
    ]


def released_modules(cohort) -> list[str]:
    folder = cohort.release_dir
    if not folder.is_dir():
        return []
    # a name with a dot is a release being built or set aside (leerpad.atomic), no module
    return sorted(p.name for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))


def feedback_json(query: dict) -> dict | None:
    """The feedback page takes a personal link, or the feedback link the app gives."""
    from leerpad.grading.feedback import learner_feedback
    from leerpad.grading.identity import FEEDBACK, PERSONAL

    cohort, learner = known_learner(query, purposes=(PERSONAL, FEEDBACK))
    module = query.get("module", "")
    if not MODULE_PATTERN.match(module):
        return None
    return learner_feedback(cohort, module, learner)


class SiteHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass

    def do_GET(self):
        url = urlsplit(self.path)
        if not url.path.startswith("/api/"):
            return super().do_GET()
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        # nbgrader imports in circles: a request thread importing it while warm_up still
        # does fails with "partially initialized module". Static pages need not wait.
        WARMED.wait()
        try:
            if url.path == "/api/resultaten":
                return self._send(200, "application/json", json.dumps(results_json(query)))
            if url.path == "/api/feedback":
                data = feedback_json(query)
                if data is None:
                    return self._send(404, "text/plain", NO_FEEDBACK)
                return self._send(200, "application/json", json.dumps(data, ensure_ascii=False))
        except LinkError as error:
            return self._send(403, "text/plain", str(error))
        return self._send(404, "text/plain", "Onbekend adres.")

    def _send(self, status: int, kind: str, body: str) -> None:
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", f"{kind}; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")  # scores change; and they are personal
        self.end_headers()
        self.wfile.write(data)


WARMED = threading.Event()  # set when warm_up has imported what the API uses


def warm_up() -> None:
    """Load nbgrader and the widgets before the first learner asks (seconds on a busy
    machine). jsonschema's optional IRI checker compiles a grammar on import: a format no
    notebook uses (as in the grading engine)."""
    sys.modules.setdefault("rfc3987_syntax", None)
    try:
        import leerpad.grading.fastpath  # noqa: F401
        import leerpad.grading.feedback  # noqa: F401
        import leerpad.grading.reports  # noqa: F401
    finally:
        WARMED.set()


def main(argv=None):
    parser = argparse.ArgumentParser(prog="leerpad.servers.site")
    parser.add_argument("directory")
    parser.add_argument("port", type=int)
    parser.add_argument("--host", default="127.0.0.1", help="in classroom mode the Wi-Fi's")
    parser.add_argument("--certfile", help="HTTPS: the certificate (PEM)")
    parser.add_argument("--keyfile", help="HTTPS: its key (PEM)")
    args = parser.parse_args(argv)
    threading.Thread(target=warm_up, daemon=True).start()
    handler = functools.partial(SiteHandler, directory=args.directory)
    with ThreadingHTTPServer((args.host, args.port), handler) as server:
        if args.certfile:
            from leerpad.classroom import server_context

            # The handshake happens on the first read, in the request's own thread: a slow
            # or silent client does not hold up accept() for the whole class.
            server.socket = server_context(args.certfile, args.keyfile).wrap_socket(
                server.socket, server_side=True, do_handshake_on_connect=False
            )
        server.serve_forever()


if __name__ == "__main__":
    main()
