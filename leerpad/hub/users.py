"""Teachers as Unix users: the hub starts each one's JupyterLab with her own user id, so
the system itself keeps her files from the others (a home only she can read) and the
cohort's folder (keys, gradebook settings) from all of them."""

import os
import pwd
import re
import subprocess
from pathlib import Path

from leerpad.grading.cohort import Cohort
from leerpad.servers.lab import learner_lab

# Hub names become Unix user names and learner ids of personal links (leerpad.grading.identity):
# lower case, digits and '-', at most 32 characters.
USERNAME_PATTERN = r"^[a-z][a-z0-9-]{0,31}$"
NAME = re.compile(USERNAME_PATTERN)


def ensure_unix_user(name: str, home_base: Path) -> pwd.struct_passwd:
    """The Unix user `name`, made when missing: no password, no login shell, a home under
    `home_base` that only she can open."""
    if not NAME.match(name):
        raise ValueError(
            f"'{name}' kan geen Unix-gebruiker worden: kleine letters, cijfers en '-', "
            "hoogstens 32 tekens. Oplossing: laat de identiteitsprovider een andere "
            "gebruikersnaam (claim preferred_username) geven."
        )
    try:
        user = pwd.getpwnam(name)
    except KeyError:
        home_base.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["useradd", "--create-home", "--base-dir", str(home_base), "--user-group",
             "--shell", "/usr/sbin/nologin", "--comment", "leerpad hub", name],
            check=True, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        user = pwd.getpwnam(name)
    os.chmod(user.pw_dir, 0o700)
    return user


def remove_unix_user(name: str) -> None:
    """Remove a user leerpad made, with her home (used by the tests)."""
    subprocess.run(["userdel", "--remove", name], capture_output=True, timeout=60, check=False)


def prepare_learner(name: str, settings: dict) -> None:
    """Her Unix user and her Lab's configuration: the laptop's learner Lab (sandboxed
    kernels in her home, the released modules read-only, hand-ins through the exchange),
    in a folder she can read and not change (she could otherwise hand in under another
    name)."""
    user = ensure_unix_user(name, Path(settings["home_base"]))
    config = Path(settings["users_dir"]) / name / "config"
    learner_lab(Cohort(settings["cohort"]), name, config=config, home=Path(user.pw_dir))
    for folder, _dirs, files in os.walk(config.parent):
        os.chmod(folder, 0o755)
        for file in files:
            os.chmod(os.path.join(folder, file), 0o644)
