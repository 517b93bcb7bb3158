"""Configuration of the two JupyterLab servers. Each gets its own Jupyter config folder, so
that the learner's server runs without formgrader and the trainer's with it, from one
Python environment."""

import json
from pathlib import Path

from leerpad.grading.cohort import Cohort
from leerpad.paths import exchange_dir, var_dir

LEARNER_DISABLED = [
    "@jupyter/nbgrader:formgrader",
    "@jupyter/nbgrader:create-assignment",
    "@jupyter/nbgrader:course-list",
]
LEARNER_SERVER_EXTENSIONS = {
    "nbgrader.server_extensions.formgrader": False,
    "nbgrader.server_extensions.course_list": False,
    "nbgrader.server_extensions.assignment_list": True,
    "nbgrader.server_extensions.validate_assignment": True,
    "voila.server_extension": False,
}


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def learner_server_config(cohort: Cohort, home: Path) -> dict:
    """Kernels in the sandbox, with the learner's folder and the released modules only;
    a contents API that follows no link out of that folder (leerpad.servers.learner)."""
    released = exchange_dir() / cohort.name / "outbound"
    return {
        "ServerApp": {
            "jpserver_extensions": LEARNER_SERVER_EXTENSIONS,
            "contents_manager_class": "leerpad.servers.learner.LearnerContentsManager",
            "kernel_spec_manager_class": "leerpad.kernelspecs.ProvisionedKernelSpecManager",
        },
        # Every kernelspec starts its kernel through the learner's sandbox, interrupted by
        # message (a signal does not reach a kernel in the sandbox's own session).
        "ProvisionedKernelSpecManager": {
            "provisioner_name": "leerpad-learner",
            "interrupt_mode": "message",
        },
        "LearnerProvisioner": {"home": str(home), "readonly_paths": [str(released)]},
    }


def learner_lab(
    cohort: Cohort, learner: str, config: Path | None = None, home: Path | None = None
) -> tuple[Path, Path]:
    """(config dir, root dir) of the learner's JupyterLab: released work only. The laptop's
    one demo learner by default; in hub mode each teacher's own (leerpad.hub.users)."""
    config = config or var_dir() / "servers" / "learner-lab" / "config"
    home = home or var_dir() / "learners" / learner
    home.mkdir(parents=True, exist_ok=True)
    _write(
        config / "nbgrader_config.py",
        "c = get_config()\n"
        f"c.CourseDirectory.course_id = {cohort.name!r}\n"
        f"c.CourseDirectory.student_id = {learner!r}\n"
        f"c.Exchange.root = {str(exchange_dir())!r}\n"
        # a link in the learner's folder never brings the file it points to
        "c.ExchangeFactory.submit = 'leerpad.grading.handin.DataOnlySubmit'\n",
    )
    _write(
        config / "jupyter_server_config.json",
        json.dumps(learner_server_config(cohort, home), indent=1),
    )
    _write(
        config / "labconfig" / "page_config.json",
        json.dumps({"disabledExtensions": {name: True for name in LEARNER_DISABLED}}, indent=1),
    )
    return config, home


# leerpad's own pages in the trainer server (leerpad.servers.trainer), behind its login
TRAINER_PAGES = {
    "report": "/leerpad/rapport/",
    "grading": "/leerpad/beoordelen/",
    "classroom": "/leerpad/klas/",
}
TRAINER_EXTENSION = "leerpad.servers.trainer"
# A "leerpad" menu in the trainer's JupyterLab with those pages: JupyterLab's own settings
# (a custom main menu of help:open commands), no front-end extension of ours.
TRAINER_MENU = {
    "@jupyterlab/mainmenu-extension:plugin": {
        "menus": [
            {
                "id": "jp-mainmenu-leerpad",
                "label": "leerpad",
                "rank": 90,
                "items": [
                    {
                        "command": "help:open",
                        "args": {"url": TRAINER_PAGES[page], "text": text, "newBrowserTab": True},
                    }
                    for page, text in (
                        ("grading", "Open vragen beoordelen"),
                        ("report", "Rapport van het cohort"),
                        ("classroom", "Klaslinks met QR-code"),
                    )
                ],
            }
        ]
    }
}


def trainer_lab(cohort: Cohort) -> Path:
    """The trainer's config dir: formgrader on the cohort's nbgrader course, and leerpad's
    trainer pages (report, rubric grading) for that cohort."""
    config = var_dir() / "servers" / "trainer" / "config"
    _write(
        config / "nbgrader_config.py",
        "c = get_config()\n"
        f"c.CourseDirectory.root = {str(cohort.dir)!r}\n"
        f"exec(open({str(cohort.dir / 'nbgrader_config.py')!r}).read())\n",
    )
    settings = config / "lab-settings"
    _write(settings / "overrides.json", json.dumps(TRAINER_MENU, indent=1))
    _write(
        config / "jupyter_server_config.json",
        json.dumps(
            {
                "LabApp": {"app_settings_dir": str(settings)},
                "ServerApp": {
                    "jpserver_extensions": {
                        "voila.server_extension": False,
                        TRAINER_EXTENSION: True,
                    }
                },
                "TrainerPages": {"cohort_dir": str(cohort.dir)},
            },
            indent=1,
        ),
    )
    return config
