"""The words the exercises speak. Dutch (Flemish usage) first, English where it is cheap."""

import os

TEXT = {
    "nl": {
        "check": "Controleer",
        "retry": "Probeer opnieuw",
        "show_solution": "Toon oplossing",
        "hint": "Tip",
        "no_answer": "Je hebt nog niets ingevuld.",
        "right": "Juist!",
        "wrong": "Nog niet juist.",
        "partial": "Gedeeltelijk juist.",
        "score": "Score: {score} van {points}",
        "attempts": "Poging {n}",
        "attempts_left": "Nog {n} poging(en).",
        "no_attempts_left": "Je pogingen zijn op. Bekijk de oplossing.",
        "solution": "Oplossing",
        "solution_seen": "Je bekeek de oplossing: wat je nu nog controleert, telt niet meer "
        "mee voor je score.",
        "no_key": "Je antwoord is bewaard. Je feedback volgt na het inleveren.",
        "saved": "Bewaard",
        "handin": "Inleveren",
        "handin_name": "Je naam of schuilnaam",
        "handin_done": "Ingeleverd om {time}.",
        "handin_grading": "Bezig met verbeteren...",
        "handin_queued": "In de wachtrij om verbeterd te worden...",
        "handin_queued_at": "In de wachtrij: nog {count} inlevering(en) voor de jouwe.",
        "handin_graded": "Verbeterd: {score} van {points} punten.",
        "handin_need_name": "Vul eerst je naam of schuilnaam in.",
        "handin_failed": "Inleveren lukte niet: {error}",
        "handin_grading_failed": "Je werk is ingeleverd, maar het verbeteren lukte niet. Je "
        "trainer ziet dat en verbetert het later; je hoeft niets opnieuw in te leveren.",
        "handin_pseudonym": "Je schuilnaam (van je leerkracht)",
        "handin_code": "Je code",
        "handin_signed_in": "Aangemeld als {name}: je antwoorden zijn geladen.",
        "handin_deadline": "Inleveren kan tot {deadline}.",
        "handin_late": "Te laat: de deadline was {deadline}. Je trainer ziet dat deze inzending "
        "te laat is.",
        "feedback": "Bekijk feedback",
        "back_to_path": "← Terug naar je leerpad",
        "back_to_module": "← Terug naar de module",
        "feedback_missing": "Er is nog geen feedback.",
        "open_answer_saved": "Je antwoord is bewaard. Je trainer beoordeelt het.",
        "up": "Omhoog",
        "down": "Omlaag",
        "true": "Juist",
        "false": "Fout",
        "choose": "Kies...",
        "blank": "Leeg vak {n}",
        "your_answer": "Jouw antwoord",
        "yes": "ja",
        "no": "nee",
    },
    "en": {
        "check": "Check",
        "retry": "Try again",
        "show_solution": "Show solution",
        "hint": "Hint",
        "no_answer": "You have not answered yet.",
        "right": "Correct!",
        "wrong": "Not correct yet.",
        "partial": "Partly correct.",
        "score": "Score: {score} of {points}",
        "attempts": "Attempt {n}",
        "attempts_left": "{n} attempt(s) left.",
        "no_attempts_left": "No attempts left. Look at the solution.",
        "solution": "Solution",
        "solution_seen": "You looked at the solution: what you check now no longer counts "
        "for your score.",
        "no_key": "Your answer is saved. Feedback follows after you hand in.",
        "saved": "Saved",
        "handin": "Hand in",
        "handin_name": "Your name or pseudonym",
        "handin_done": "Handed in at {time}.",
        "handin_grading": "Grading...",
        "handin_queued": "Waiting in line to be graded...",
        "handin_queued_at": "Waiting in line: {count} hand-in(s) before yours.",
        "handin_graded": "Graded: {score} of {points} points.",
        "handin_need_name": "Fill in your name or pseudonym first.",
        "handin_failed": "Hand-in failed: {error}",
        "handin_grading_failed": "Your work is handed in, but grading failed. Your trainer "
        "sees this and will grade it later; there is no need to hand in again.",
        "handin_pseudonym": "Your pseudonym (from your teacher)",
        "handin_code": "Your code",
        "handin_signed_in": "Signed in as {name}: your answers are loaded.",
        "handin_deadline": "Hand in before {deadline}.",
        "handin_late": "Late: the deadline was {deadline}. Your trainer sees that this hand-in "
        "is late.",
        "feedback": "View feedback",
        "back_to_path": "← Back to your learning path",
        "back_to_module": "← Back to the module",
        "feedback_missing": "No feedback yet.",
        "open_answer_saved": "Your answer is saved. Your trainer will grade it.",
        "up": "Up",
        "down": "Down",
        "true": "True",
        "false": "False",
        "choose": "Choose...",
        "blank": "Blank {n}",
        "your_answer": "Your answer",
        "yes": "yes",
        "no": "no",
    },
}


def language() -> str:
    lang = os.environ.get("LEERPAD_LANG", "nl")
    return lang if lang in TEXT else "nl"


def t(key: str, **values) -> str:
    """The text for `key` in the current language."""
    return TEXT[language()][key].format(**values)
