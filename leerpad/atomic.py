"""Write a folder whole or not at all: the site, a release, a release in nbgrader's exchange.

A new version is built in a hidden folder beside its target (``.<name>-bouw-<pid>-...``) and
swapped in when complete; the old one steps aside as ``.<name>-oud-<pid>`` and goes only
after. Whatever a process killed halfway leaves is hidden (nothing serves or lists a name
with a dot), and the next run clears it: ``remove_leftovers`` deletes what a dead process
built and puts back an old version that a kill left aside.
"""

import os
import re
import shutil
import tempfile
from pathlib import Path

LEFTOVER = re.compile(r"^\.(?P<name>.+)-(?P<kind>bouw|oud)-(?P<pid>[0-9]+)(?:-[^-]*)?$")


def staging(parent: Path, name: str) -> Path:
    """A new hidden folder in `parent` to build `name` in; it carries this process's id."""
    parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".{name}-bouw-{os.getpid()}-", dir=parent))


def swap(new: Path, target: Path) -> None:
    """Put the folder `new` in the place of `target`; the old one goes only after."""
    target.parent.mkdir(parents=True, exist_ok=True)
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}-oud-{os.getpid()}")
        os.rename(target, old)
    os.rename(new, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def remove_leftovers(*folders: Path) -> None:
    """Clear what stopped processes left in these folders (their names carry the pid)."""
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            match = LEFTOVER.match(path.name)
            if not match or _alive(int(match["pid"])):
                continue
            target = folder / match["name"]
            if match["kind"] == "oud" and not target.exists():
                os.rename(path, target)  # killed between the two renames of swap
            elif path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)


def write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}-bouw-{os.getpid()}")
    tmp.write_text(text)
    os.replace(tmp, path)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
