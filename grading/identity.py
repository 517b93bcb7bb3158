"""Who hands in. A personal link carries the learner id and a signature made with the
cohort's secret, so nobody can hand in under another's name. Without a signed link the
learner types a name or a pseudonym; nothing else about them is stored."""

import hashlib
import hmac
import re
import secrets
import unicodedata
from pathlib import Path

from leerpad.paths import data_dir

LEARNER_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
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
    if not LEARNER_PATTERN.match(learner):
        raise ValueError(f"Ongeldige leerling-id: {learner!r}")
    return data_dir() / "answers" / learner / module
