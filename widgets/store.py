"""Where learner answers and answer keys live.

Answers: one JSON file per learner and module. Written atomically, so a crash never leaves
half a file. Keys: JSON files on the server (``$LEERPAD_KEYS``), one per module, written by
the release step; they never travel to the learner.
"""

import json
import os
import tempfile
from pathlib import Path

ANSWERS_FILE = "leerpad-answers.json"


def write_json_atomic(path: Path, data) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False, indent=1, sort_keys=True)
    os.replace(tmp, path)


class AnswerStore:
    """The saved state of each exercise in one module for one learner."""

    def __init__(self, path: Path | None):
        self.path = Path(path) if path else None
        self.data: dict = {}
        if self.path and self.path.exists():
            try:
                self.data = json.loads(self.path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                # A damaged file must not stop the learner: start fresh, keep the old one.
                self.path.replace(self.path.with_suffix(".damaged.json"))
                self.data = {}
        if not isinstance(self.data, dict):
            self.data = {}

    def get(self, exercise_id: str) -> dict:
        state = self.data.get(exercise_id)
        return state if isinstance(state, dict) else {}

    def put(self, exercise_id: str, state: dict) -> None:
        self.data[exercise_id] = state
        if self.path:
            write_json_atomic(self.path, self.data)


class KeyStore:
    """Answer keys by exercise id, read from the directory named by ``$LEERPAD_KEYS``."""

    def __init__(self, directory: Path | None = None):
        env = os.environ.get("LEERPAD_KEYS")
        self.directory = Path(directory) if directory else (Path(env) if env else None)
        self._keys: dict | None = None

    def _load(self) -> dict:
        keys: dict = {}
        if self.directory and self.directory.is_dir():
            for path in sorted(self.directory.glob("*.json")):
                keys.update(json.loads(path.read_text(encoding="utf-8")))
        return keys

    def get(self, exercise_id: str) -> dict | None:
        if self._keys is None:
            self._keys = self._load()
        return self._keys.get(exercise_id)
