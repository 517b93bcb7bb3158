"""What the learner's JupyterLab runs with: kernels in the grading sandbox, and a contents
API that stays inside the learner's folder.

A learner's kernel runs learner code, so it gets what a grading kernel gets (bubblewrap, no
network, resource limits, a clean environment, a private unprivileged id) with two
differences: the learner's own folder is bound read-write as it is (not a copy: the
learner's work must stay), and the released modules are shown read-only. Nothing else of
the host: no ``var/`` (keys, gradebooks, cohort secrets, server tokens, answers of other
learners), no ``courses/``.

The Lab server itself runs with more rights than its kernels. A kernel can leave a symbolic
link in the learner's folder that points anywhere on the host; the server must not follow
it, so its contents API refuses any path that resolves outside the learner's folder.
"""

import errno
import hashlib
import os
from pathlib import Path

from jupyter_server.services.contents.largefilemanager import AsyncLargeFileManager
from tornado.web import HTTPError
from traitlets import Unicode

from leerpad.sandbox import SandboxProvisioner, give_to

LEARNER_UIDS = (300_000, 360_000)  # apart from the graders' throw-away ids


def learner_uid(home: str) -> int | None:
    """The learner's own unprivileged id (the same each time, so the learner's files stay
    the learner's), when we are root; else None: our own id in a user namespace."""
    if os.geteuid() != 0:
        return None
    digest = int(hashlib.sha256(os.path.realpath(home).encode()).hexdigest(), 16)
    return LEARNER_UIDS[0] + digest % (LEARNER_UIDS[1] - LEARNER_UIDS[0])


class LearnerProvisioner(SandboxProvisioner):
    """A kernel of the learner's JupyterLab, in the sandbox, in the learner's own folder
    (entry point ``leerpad-learner``, named by the Lab's kernelspecs: see learner_lab)."""

    home = Unicode("", help="The learner's folder: the only folder the kernel may write to.").tag(
        config=True
    )

    def prepare_box(self, cwd: str) -> None:
        # The box holds only the kernel's sockets; the learner works in the folder itself.
        self.make_box("leerpad-lab-")
        home = os.path.realpath(self.home or cwd)
        where = os.path.realpath(cwd)
        self.work_copy = home
        self.work_inside = where if (where + os.sep).startswith(home + os.sep) else home

    def owner_for_box(self) -> int | None:
        uid = learner_uid(self.work_copy)
        give_to(self.box, uid)
        give_to(self.work_copy, uid)  # what the server made there since (fetched modules)
        return uid

    def kernel_env(self, work: str) -> dict:
        return {**super().kernel_env(work), "HOME": self.work_copy}

    def writable_folders(self, work: str) -> list[tuple[str, str]]:
        run = str(Path(self.box, "run"))
        return [(run, run), (self.work_copy, self.work_copy)]  # the folder at its own path


class OutsideTheFolder(HTTPError, OSError):
    """A 404 for the API; for a folder listing, an unreadable entry (left out silently)."""

    def __init__(self, path: str):
        HTTPError.__init__(self, 404, "%s wijst naar een plaats buiten je eigen map", path)
        self.errno = errno.EACCES


class LearnerContentsManager(AsyncLargeFileManager):
    """Jupyter's file contents manager, refusing paths that resolve (through a symbolic link)
    outside the learner's folder."""

    def _get_os_path(self, path):
        os_path = super()._get_os_path(path)
        root = os.path.realpath(self.root_dir)
        real = os.path.realpath(os_path)
        if real != root and not real.startswith(root + os.sep):
            raise OutsideTheFolder(path)
        return os_path
