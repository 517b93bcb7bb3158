"""Who hands in. A personal link carries the learner id and a signature made with the
cohort's secret, so nobody can hand in under another's name. Without a signed link the
learner types a name or a pseudonym; nothing else about them is stored."""

import hashlib
import hmac
import html
import re
import secrets
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from leerpad.widgets.store import LEARNER_PATTERN, LearnerRecord

SECRET_FILE = ".leerpad-secret"


def normalize_learner(name: str) -> str | None:
    """'Juf Anaïs ' -> 'juf-anais'. None when nothing usable is left."""
    text = unicodedata.normalize("NFKD", name or "").encode("ascii", "ignore").decode()
    text = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40]
    return text if LEARNER_PATTERN.match(text or "") else None


def cohort_secret(cohort_dir) -> bytes:
    path = Path(cohort_dir) / SECRET_FILE
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip().encode()


def sign(cohort_dir, learner: str) -> str:
    return hmac.new(cohort_secret(cohort_dir), learner.encode(), hashlib.sha256).hexdigest()[:24]


def learner_from_query(query: dict, cohort_dir) -> tuple[str | None, bool]:
    """(learner, locked): locked when the link is signed and the signature holds."""
    learner = normalize_learner(query.get("leerling", ""))
    signature = query.get("sig", "")
    if learner and signature and hmac.compare_digest(signature, sign(cohort_dir, learner)):
        return learner, True
    return None, False


def learner_dir(learner: str, module: str) -> Path:
    return LearnerRecord(learner, module).folder


# --- Links: personal (signed), class (pseudonyms), open -----------------------------------

ANIMALS = (
    "tijger leeuw olifant zebra giraf panda vos uil egel dolfijn pinguin koala otter bever das "
    "haas kikker schildpad valk zwaan eekhoorn lama kameel walvis zeehond wolf beer hert mol "
    "mus merel specht ooievaar papegaai krokodil slak vlinder mier bij reiger"
).split()


def class_code(cohort_dir) -> str:
    """The code in a cohort's class link: signed like a personal link, for no one in person."""
    return sign(cohort_dir, "klas:")


def personal_query(cohort_dir, learner: str) -> str:
    return f"leerling={learner}&sig={sign(cohort_dir, learner)}"


def class_query(cohort_dir) -> str:
    return f"klas={class_code(cohort_dir)}"


def new_pseudonyms(count: int, taken=()) -> list[str]:
    """`count` fresh pseudonyms such as 'tijger-3', none of them in `taken`."""
    taken, fresh = set(taken), []
    limit = len(ANIMALS) * 99
    if count + len(taken) > limit:
        raise ValueError(f"Hoogstens {limit} schuilnamen per cohort.")
    while len(fresh) < count:
        name = f"{secrets.choice(ANIMALS)}-{secrets.randbelow(99) + 1}"
        if name not in taken:
            taken.add(name)
            fresh.append(name)
    return fresh


BAD_PERSONAL_LINK = (
    "Deze persoonlijke link is niet geldig: de code achter <code>sig=</code> hoort niet bij "
    "de naam achter <code>leerling=</code>. Inleveren kan niet met deze link. Open de app via "
    "de link die je van je trainer kreeg, of vraag een nieuwe."
)
BAD_CLASS_LINK = (
    "Deze klaslink is niet geldig: de code achter <code>klas=</code> klopt niet. Inleveren kan "
    "niet met deze link. Vraag je leerkracht om de juiste klaslink."
)


@dataclass
class Access:
    """How the app was opened. mode: 'personal' (signed link), 'class' (class link: a
    pseudonym from the teacher's list), 'open' (a plain link: any name not on the roster) or
    'refused' (a bad link: no hand-in; `error` says why)."""

    mode: str
    learner: str | None = None
    error: str | None = None

    @property
    def locked(self) -> bool:
        return self.mode == "personal"

    def check_name(self, name: str, roster=(), pseudonyms=()) -> tuple[str | None, str | None]:
        """(learner, None) when this name may hand in through this link, else (None, why)."""
        if self.mode == "refused":
            return None, self.error
        if self.mode == "personal":
            return self.learner, None
        learner = normalize_learner(name)
        if self.mode == "class":
            if learner in set(pseudonyms):
                return learner, None
            shown = html.escape(name.strip()) or "(leeg)"
            return None, (
                f"'{shown}' staat niet op de lijst met schuilnamen van je leerkracht. Vul de "
                "schuilnaam in die je kreeg, bijvoorbeeld tijger-3."
            )
        if not learner:
            from leerpad.widgets.i18n import t

            return None, t("handin_need_name")
        if learner in set(roster):
            return None, (
                f"'{learner}' hoort bij een persoonlijke link. Open de app via je eigen link "
                "van je trainer; zo kan niemand onder jouw naam inleveren."
            )
        return learner, None


def access_from_query(query: dict, cohort_dir) -> Access:
    """Read the app's URL: a signed personal link, a class link, or neither."""
    if "leerling" in query or "sig" in query:
        learner, locked = learner_from_query(query, cohort_dir)
        if locked:
            return Access("personal", learner)
        return Access("refused", error=BAD_PERSONAL_LINK)
    if "klas" in query:
        if hmac.compare_digest(query.get("klas", ""), class_code(cohort_dir)):
            return Access("class")
        return Access("refused", error=BAD_CLASS_LINK)
    return Access("open")
