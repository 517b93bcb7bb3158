"""Put first on the path of a grading kernel (``SandboxProvisioner.kernel_env``).

ipykernel loads the debugger (debugpy) when it can: a third of a kernel's start-up. Nobody
debugs a kernel that grades one hand-in and stops, so here the import fails and ipykernel
starts without the debugger.
"""

raise ImportError("geen debugger in een verbeterkernel")
