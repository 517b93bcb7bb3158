"""The servers of the platform, each one process: the site, the learner apps (Voilà), the
learner's JupyterLab and the trainer workspace (JupyterLab with formgrader)."""
