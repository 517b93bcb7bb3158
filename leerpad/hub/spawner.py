"""The spawner of a teacher's JupyterLab: JupyterHub's LocalProcessSpawner, with the server
inside leerpad's sandbox (leerpad.sandbox) as her own Unix user.

The sandbox shows the system, Python and leerpad read-only, her home read-write, her Lab's
settings read-only and nbgrader's exchange (where she fetches and hands in; nbgrader's own
permissions keep the hand-ins of the others from her). Nothing else of the host exists in
there: no other homes, no cohort folder (keys, gradebook settings), no hub secrets. It
keeps the network, unlike a kernel's sandbox: the proxy must reach her server. Her kernels
go into a sandbox of their own, without network (leerpad.servers.learner).
"""

import os
import pwd

from jupyterhub.spawner import LocalProcessSpawner
from traitlets import Unicode

from leerpad.sandbox import bwrap_command, drop_privileges


class SandboxedSpawner(LocalProcessSpawner):
    config_dir = Unicode(
        help="The folder with a folder per teacher holding her Lab's settings (config/)."
    ).tag(config=True)
    exchange = Unicode(help="nbgrader's exchange root, shown read-write.").tag(config=True)

    def make_preexec_fn(self, name):
        """bwrap starts as the hub's user (root) and drops to hers inside (setpriv)."""
        home = pwd.getpwnam(name).pw_dir
        return lambda: os.chdir(home)

    def sandbox(self) -> list[str]:
        user = pwd.getpwnam(self.user.name)
        settings = os.path.join(self.config_dir, self.user.name)
        return [
            *bwrap_command(
                "bwrap",
                [(user.pw_dir, user.pw_dir), (self.exchange, self.exchange)],
                user.pw_dir,
                readonly=[settings],
                uid=user.pw_uid,
                network=True,
            ),
            "--",
            *drop_privileges(user.pw_uid, user.pw_gid),
        ]

    async def start(self):
        server = list(self.cmd)
        self.cmd = [*self.sandbox(), *server]
        try:
            return await super().start()
        finally:
            self.cmd = server
