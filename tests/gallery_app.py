"""The gallery module as a real app: the apps server exactly as `leerpad start` runs it, with
the released gallery module only (faster than the whole platform). A fixture for the app
tests; it holds no tests itself."""

from contextlib import contextmanager

import pytest
from conftest import free_port, small_class_pools
from gallery import MODULE

APP = f"/voila/render/{MODULE}/{MODULE}.ipynb"


@contextmanager
def running_gallery_app(var, isolated_env, options=(), modules=(MODULE,), path=""):
    """The apps server as `leerpad start` runs it, on the released gallery module only (or
    `modules`, for a cohort on learning `path`), with `options` added to its command line
    (other limits)."""
    from leerpad.grading.cohort import Cohort
    from leerpad.grading.release import release_module

    from leerpad.catalogue import Catalogue
    from leerpad.platform import Platform, Ports

    with pytest.MonkeyPatch.context() as env:
        for name in ("LEERPAD_VAR", "PATH"):
            env.setenv(name, str(var) if name == "LEERPAD_VAR" else isolated_env[name])
        small_class_pools(var)
        cohort = Cohort("aanval")
        cohort.create(path_id=path)
        catalogue = Catalogue()
        for module in modules:
            release_module(cohort, catalogue.modules[module])
        ports = Ports(site=free_port(), apps=free_port(), lab=free_port(), trainer=free_port())
        platform = Platform(ports, "aanval")
        try:
            platform.start_apps(cohort, options=options)
            platform.wait_until_listening(names=("apps",))
            yield {
                "url": f"http://127.0.0.1:{ports.apps}",
                "pid": platform.processes[0][1].pid,
                "log": var / "logs" / "apps.log",
            }
        finally:
            platform.stop()


@pytest.fixture(scope="module")
def gallery_app(isolated_env, tmp_path_factory):
    """The apps server as `leerpad start` runs it, on the released gallery module only."""
    var = tmp_path_factory.mktemp("bounded") / "var"
    with running_gallery_app(var, isolated_env) as app:
        yield app
