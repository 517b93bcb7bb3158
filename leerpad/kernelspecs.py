"""Kernelspecs that name their kernel provisioner.

jupyter_client starts a kernel through the provisioner its kernelspec names
(``metadata.kernel_provisioner``; the provisioners are entry points in the group
``jupyter_client.kernel_provisioners``, see pyproject.toml). A notebook asks for a kernel by
name (``python3``), whose installed kernelspec names none: this kernel spec manager names
one for every kernelspec it gives out. The grader's sandbox (``leerpad.sandbox``), the
learner's JupyterLab (``leerpad.servers.learner``) and the apps' ceiling
(``leerpad.servers.apps``) are such provisioners.
"""

from jupyter_client.kernelspec import KernelSpecManager
from traitlets import Unicode


class ProvisionedKernelSpecManager(KernelSpecManager):
    """jupyter_client's kernelspecs, each starting its kernel through `provisioner_name`."""

    provisioner_name = Unicode(
        "local-provisioner", help="The kernel provisioner (entry point name) of every kernel."
    ).tag(config=True)
    interrupt_mode = Unicode(
        "",
        help="'message' to interrupt by a message on the control channel (a signal does not "
        "reach a kernel in a sandbox's own session); empty: the kernelspec's own.",
    ).tag(config=True)

    def get_kernel_spec(self, kernel_name):
        spec = super().get_kernel_spec(kernel_name)
        provisioner = {"provisioner_name": self.provisioner_name, "config": {}}
        spec.metadata = {**spec.metadata, "kernel_provisioner": provisioner}
        if self.interrupt_mode:
            spec.interrupt_mode = self.interrupt_mode
        return spec
