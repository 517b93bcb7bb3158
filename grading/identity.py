"""Who is answering, and who may hand in. One function, `access_from_query`, reads an app's or
a site request's URL; the app, the site server and the hand-in all use it.

- A **personal link** (``leerling=L&sig=T``) carries a token signed with the cohort's secret
  for one purpose, one cohort and one learner, with an expiry (itsdangerous).
- A **class link** (``klas=T``) is signed the same way for the class. A pupil types a
  pseudonym and the short code that came with it; both are checked, and failed attempts are
  limited per pseudonym and per device or app session (persisted in the cohort folder).
- Without a link (**open**): answers are kept under the browser's random device id
  (``toestel=``, added by the site's script) until a name is given. A name may hand in only in
  an open cohort (no roster, or made open by the trainer), never a roster name or a class
  pseudonym, and an open name belongs to the device that first handed in under it.

Rotating the cohort's secret (`rotate_secret`) ends every link and code made before.
"""

import fcntl
import hashlib
import hmac
import json
import re
import secrets
import time
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from itsdangerous import BadSignature, URLSafeSerializer
from leerpad.widgets.store import LEARNER_PATTERN, LearnerRecord

DEVICE_PATTERN = re.compile(r"^[a-z0-9]{16,32}$")
OLD_SIGNATURE = re.compile(r"^[0-9a-f]{24}$")  # the unsigned-expiry HMAC links before itsdangerous
SECRET_FILE = ".leerpad-secret"
ATTEMPTS_FILE = "pogingen.json"
CLAIMS_FILE = "open-namen.json"
DEFAULT_DAYS = 365
MAX_ATTEMPTS = 5
LOCK_SECONDS = 15 * 60
CODE_ALPHABET = "ACDEFGHJKLMNPQRTUVWXY3479"  # no 0/O, 1/I/L, 2/Z, 5/S, 6/G, 8/B to mix up
CODE_LENGTH = 4
PERSONAL, CLASS, FEEDBACK = "persoonlijke-link", "klaslink", "feedback"
FEEDBACK_DAYS = 30


def normalize_learner(name: str) -> str | None:
    """'Juf Anaïs ' -> 'juf-anais'. None when nothing usable is left."""
    text = unicodedata.normalize("NFKD", name or "").encode("ascii", "ignore").decode()
    text = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40]
    return text if LEARNER_PATTERN.match(text or "") else None


def learner_dir(learner: str, module: str) -> Path:
    return LearnerRecord(learner, module).folder


def device_storage(device: str) -> str:
    """Where an anonymous device keeps its answers. The '_' keeps it apart from every name:
    `normalize_learner` never makes one."""
    return f"toestel_{device}"


# --- The cohort's secret ------------------------------------------------------------------


def cohort_secret(cohort_dir) -> bytes:
    path = Path(cohort_dir) / SECRET_FILE
    if not path.exists():
        _write_secret(path)
    return path.read_text().strip().encode()


def _write_secret(path: Path) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(secrets.token_hex(32))
    tmp.chmod(0o600)
    tmp.replace(path)


def rotate_secret(cohort_dir) -> None:
    """A new secret: every personal link, class link and pseudonym code made before stops."""
    _write_secret(Path(cohort_dir) / SECRET_FILE)


def _serializer(cohort_dir, purpose: str) -> URLSafeSerializer:
    return URLSafeSerializer(cohort_secret(cohort_dir), salt=f"leerpad:{purpose}")


def sign_token(cohort_dir, purpose: str, subject: str, days: int = DEFAULT_DAYS, now=None) -> str:
    """A token for one purpose, cohort and subject, valid for `days` days from now."""
    until = int((now or time.time()) + days * 86400)
    payload = {"c": Path(cohort_dir).name, "s": subject, "tot": until}
    return _serializer(cohort_dir, purpose).dumps(payload)


class LinkRefused(Exception):
    """A link that does not hold; the message says why, in Dutch."""


def verify_token(cohort_dir, purpose: str, token: str, subject: str, now=None) -> None:
    """Nothing when the token was signed for this purpose, cohort and subject and has not
    expired; else LinkRefused."""
    if OLD_SIGNATURE.match(token or ""):
        raise LinkRefused(OLD_LINK)
    try:
        payload = _serializer(cohort_dir, purpose).loads(token or "")
    except BadSignature:
        raise LinkRefused(BAD_LINK[purpose]) from None
    if not isinstance(payload, dict):
        raise LinkRefused(BAD_LINK[purpose])
    if payload.get("c") != Path(cohort_dir).name or payload.get("s") != subject:
        raise LinkRefused(BAD_LINK[purpose])
    until = payload.get("tot")
    if not isinstance(until, int) or until < (now or time.time()):
        day = datetime.fromtimestamp(until or 0, ZoneInfo("Europe/Brussels"))
        raise LinkRefused(EXPIRED_LINK.format(day=f"{day.day}/{day.month}/{day.year}"))


def verify_any(cohort_dir, purposes, token: str, subject: str, now=None) -> None:
    """verify_token for the first purpose that holds; else the first purpose's refusal."""
    refusals = []
    for purpose in purposes:
        try:
            return verify_token(cohort_dir, purpose, token, subject, now)
        except LinkRefused as refused:
            refusals.append(refused)
    raise refusals[0]


def personal_query(cohort_dir, learner: str, days: int = DEFAULT_DAYS) -> str:
    return f"leerling={learner}&sig={sign_token(cohort_dir, PERSONAL, learner, days)}"


def feedback_query(cohort_dir, learner: str, days: int = FEEDBACK_DAYS) -> str:
    """The link from an app to the learner's feedback page: it reads feedback, nothing more
    (it opens no app and hands nothing in), so a pupil's feedback link is not her pseudonym."""
    return f"leerling={learner}&sig={sign_token(cohort_dir, FEEDBACK, learner, days)}"


def class_query(cohort_dir, days: int = DEFAULT_DAYS) -> str:
    return f"klas={sign_token(cohort_dir, CLASS, 'klas', days)}"


# --- Pseudonyms and their codes ---------------------------------------------------------------

ANIMALS = (
    "tijger leeuw olifant zebra giraf panda vos uil egel dolfijn pinguin koala otter bever das "
    "haas kikker schildpad valk zwaan eekhoorn lama kameel walvis zeehond wolf beer hert mol "
    "mus merel specht ooievaar papegaai krokodil slak vlinder mier bij reiger"
).split()


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


def pseudonym_code(cohort_dir, pseudonym: str) -> str:
    """The short code a pupil gets with a pseudonym ('K7P2'): derived from the cohort's
    secret, so nothing extra is stored, and a new secret gives new codes."""
    digest = hmac.new(cohort_secret(cohort_dir), f"code:{pseudonym}".encode(), hashlib.sha256)
    number = int.from_bytes(digest.digest()[:8], "big")
    code = ""
    for _ in range(CODE_LENGTH):
        number, index = divmod(number, len(CODE_ALPHABET))
        code += CODE_ALPHABET[index]
    return code


def normalize_code(text: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", (text or "").upper())


# --- Locked JSON files in the cohort folder ------------------------------------------------


@contextmanager
def _locked_json(path: Path):
    """Read, change and write one small JSON file, one process or thread at a time."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            data = json.loads(path.read_text()) if path.exists() else {}
        except ValueError:
            data = {}
        data = data if isinstance(data, dict) else {}
        yield data
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, sort_keys=True))
        tmp.replace(path)


class Attempts:
    """Failed pseudonym attempts, per key ('schuilnaam:mier-82', 'toestel:…', 'app:…'); after
    `limit` failures a key is locked for `lock_seconds`. Kept in the cohort folder, so a new
    tab, a new kernel or a restart does not reset it."""

    def __init__(self, cohort_dir, limit=MAX_ATTEMPTS, lock_seconds=LOCK_SECONDS, clock=time.time):
        self.path = Path(cohort_dir) / ATTEMPTS_FILE
        self.limit, self.lock_seconds, self.clock = limit, lock_seconds, clock

    def wait(self, keys) -> int:
        """Seconds until these keys may try again (0: now)."""
        with _locked_json(self.path) as data:
            now = self.clock()
            waits = [
                data[k]["last"] + self.lock_seconds - now
                for k in keys
                if k in data and data[k]["fails"] >= self.limit
            ]
        return max([0, *(int(w) + 1 for w in waits if w > 0)])

    def failed(self, keys) -> None:
        with _locked_json(self.path) as data:
            now = self.clock()
            for stale in [k for k, v in data.items() if v["last"] + self.lock_seconds < now]:
                del data[stale]  # the file stays small: old failures are forgotten
            for key in keys:
                entry = data.setdefault(key, {"fails": 0, "last": now})
                entry["fails"] += 1
                entry["last"] = now

    def succeeded(self, keys) -> None:
        with _locked_json(self.path) as data:
            for key in keys:
                data.pop(key, None)


def open_name_owner(cohort_dir, name: str, holder: str, take: bool) -> str | None:
    """In an open cohort, a name belongs to the device (or app session) that first handed in
    under it. Returns its holder (None: nobody yet); with `take`, an unused name becomes
    `holder`'s."""
    with _locked_json(Path(cohort_dir) / CLAIMS_FILE) as claims:
        if take and name not in claims:
            claims[name] = holder
        return claims.get(name)


def holder_key(device: str | None) -> str:
    """A claimant as stored: a hash, so the file does not hold the device ids themselves."""
    return hashlib.sha256((device or "").encode()).hexdigest()[:32]


# --- Messages (Dutch; none repeats the name it refuses) --------------------------------------

BAD_LINK = {
    PERSONAL: (
        "Deze persoonlijke link is niet geldig: de code achter <code>sig=</code> hoort niet bij "
        "de naam achter <code>leerling=</code>, of je trainer heeft intussen nieuwe links "
        "gemaakt. Inleveren kan niet met deze link. Vraag je trainer je nieuwe link."
    ),
    FEEDBACK: (
        "Deze link naar je feedback is niet geldig of verlopen. Open je feedback opnieuw via de "
        "knop in de app."
    ),
    CLASS: (
        "Deze klaslink is niet geldig: de code achter <code>klas=</code> klopt niet, of er is "
        "intussen een nieuwe klaslink. Inleveren kan niet met deze link. Vraag je leerkracht "
        "om de juiste klaslink."
    ),
}
BAD_PERSONAL_LINK, BAD_CLASS_LINK = BAD_LINK[PERSONAL], BAD_LINK[CLASS]
OLD_LINK = (
    "Deze link is gemaakt met een oudere versie van leerpad en geldt niet meer. Vraag je "
    "trainer of leerkracht een nieuwe link."
)
EXPIRED_LINK = (
    "Deze link is verlopen op {day}. Inleveren kan niet meer met deze link. Vraag je trainer "
    "of leerkracht een nieuwe link."
)
WRONG_PSEUDONYM = (
    "Deze schuilnaam en code horen niet bij elkaar. Kijk ze na op het briefje van je "
    "leerkracht en probeer opnieuw (na {limit} foute pogingen moet je even wachten)."
)
LOCKED = (
    "Te veel foute pogingen. Wacht {minutes} minuten en probeer dan opnieuw, of vraag je "
    "leerkracht om hulp."
)
NEED_CODE = "Vul ook de code in die je bij je schuilnaam kreeg."
NEED_PSEUDONYM = "Vul eerst je schuilnaam en je code in: ze staan op het briefje van je leerkracht."
RESERVED_NAME = (
    "Onder deze naam kan je hier niet inleveren: hij hoort bij een persoonlijke link of bij "
    "een klaslink. Open de app via de link die je kreeg, of kies een andere naam."
)
CLOSED_COHORT = (
    "Dit cohort werkt met persoonlijke links: open de app via de link van je trainer, of via "
    "je leerpad op de website als je daar met je eigen link binnenkwam. Je antwoorden blijven "
    "in deze browser bewaard, maar inleveren kan zo niet."
)
NAME_TAKEN = (
    "Onder deze naam is al ingeleverd vanop een ander toestel. Kies een andere naam, of open "
    "de app op het toestel (of via de website in de browser) waarmee je eerder inleverde."
)


# --- How the app was opened ---------------------------------------------------------------


@dataclass
class Access:
    """How the app was opened. mode: 'personal' (signed link), 'class' (class link: a
    pseudonym and its code), 'open' (a plain link) or 'refused' (a bad link: no hand-in;
    `error` says why). `device`: the browser's random id, for open mode only."""

    mode: str
    learner: str | None = None
    error: str | None = None
    device: str | None = None
    session_key: str = field(default_factory=lambda: secrets.token_hex(12))
    counted: bool = False  # the last check counted as a failed attempt

    @property
    def locked(self) -> bool:
        return self.mode == "personal"

    @property
    def storage(self) -> str | None:
        """Where answers are kept before (and, open, after) a name: the verified learner, or
        the device of an open visitor; None keeps them in memory only."""
        if self.mode in ("personal", "class"):
            return self.learner
        if self.mode == "open" and self.device:
            return device_storage(self.device)
        return None

    def refusal(self, cohort) -> str | None:
        """Why nobody can hand in through this link at all (before a name is typed)."""
        if self.mode == "refused":
            return self.error
        if self.mode == "open" and not cohort.is_open:
            return CLOSED_COHORT
        return None

    def check_name(self, name: str, cohort, code: str = "", take=False, attempts=None):
        """(learner, None) when this name (and code) may hand in through this link, else
        (None, why). In class mode a pupil who gets it right is bound to the pseudonym
        (`self.learner`). `take`: an open name becomes this device's (at a hand-in)."""
        self.counted = False
        blocked = self.refusal(cohort)
        if blocked:
            return None, blocked
        if self.mode == "personal" or (self.mode == "class" and self.learner):
            return self.learner, None
        learner = normalize_learner(name)
        if not learner and self.mode == "class":
            return None, NEED_PSEUDONYM
        if not learner:
            from leerpad.i18n import t

            return None, t("handin_need_name")
        if self.mode == "class":
            return self._check_pseudonym(learner, code, cohort, attempts or Attempts(cohort.dir))
        if learner in set(cohort.roster) | set(cohort.pseudonyms):
            return None, RESERVED_NAME
        if open_name_owner(cohort.dir, learner, self.holder, take) not in (None, self.holder):
            return None, NAME_TAKEN
        return learner, None

    @property
    def holder(self) -> str:
        return holder_key(self.device or self.session_key)

    def owns_name(self, cohort, learner: str) -> bool:
        """Open mode: this device handed in under this name before (so its feedback is
        theirs to see)."""
        return open_name_owner(cohort.dir, learner, self.holder, take=False) == self.holder

    def _check_pseudonym(self, learner: str, code: str, cohort, attempts: Attempts):
        code = normalize_code(code)
        if not code:
            return None, NEED_CODE
        known = learner in set(cohort.pseudonyms)
        keys = [f"app:{self.session_key}"]
        if self.device:
            keys.append(f"toestel:{holder_key(self.device)}")
        if known:
            keys.append(f"schuilnaam:{learner}")
        wait = attempts.wait(keys)
        if wait:
            return None, LOCKED.format(minutes=max(1, round(wait / 60)))
        if known and hmac.compare_digest(code, pseudonym_code(cohort.dir, learner)):
            attempts.succeeded(keys)
            self.learner = learner
            return learner, None
        attempts.failed(keys)
        self.counted = True
        return None, WRONG_PSEUDONYM.format(limit=attempts.limit)


def access_from_query(query: dict, cohort_dir, now=None, purposes=(PERSONAL,)) -> Access:
    """Read a URL's query: a personal link, a class link, or neither (with or without a
    device id). The one check of links, for the app, the site server and the hand-in.
    `purposes`: what a learner's token may have been signed for (the site's feedback page
    also takes a feedback link)."""
    device = query.get("toestel", "")
    device = device if DEVICE_PATTERN.match(device) else None
    try:
        if "leerling" in query or "sig" in query:
            learner = normalize_learner(query.get("leerling", ""))
            if not learner or learner != query.get("leerling"):
                raise LinkRefused(BAD_PERSONAL_LINK)
            verify_any(cohort_dir, purposes, query.get("sig", ""), learner, now)
            return Access("personal", learner)
        if "klas" in query:
            verify_token(cohort_dir, CLASS, query.get("klas", ""), "klas", now)
            return Access("class", device=device)  # the device only counts failed attempts
    except LinkRefused as refused:
        return Access("refused", error=str(refused))
    return Access("open", device=device)
