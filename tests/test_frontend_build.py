"""The learner app's front-end in the repository (the app template's static folder) is the
build of its source in widgets/frontend: a change to the source without `make frontend`, or
a hand-edited bundle, fails here."""

import subprocess

from tests.conftest import ROOT

SOURCE = ROOT / "widgets" / "frontend"
BUILT = ROOT / "leerpad" / "share" / "jupyter" / "voila" / "templates" / "leerpad" / "static"


def test_the_committed_bundle_is_the_build_of_its_source(tmp_path):
    assert (SOURCE / "node_modules" / ".installed").exists(), (
        "widgets/frontend/node_modules ontbreekt: voer `make frontend` uit (make test doet het ook)"
    )
    subprocess.run(["node", "build.mjs", str(tmp_path)], cwd=SOURCE, check=True, timeout=300)
    built = {path.name: path.read_bytes() for path in tmp_path.iterdir()}
    committed = {path.name: path.read_bytes() for path in BUILT.iterdir()}
    assert "leerpad-app.js" in built and "leerpad-app.css" in built, sorted(built)
    assert sorted(committed) == sorted(built), "voer `make frontend` uit en commit het resultaat"
    stale = [name for name in built if committed[name] != built[name]]
    assert not stale, f"{stale}: verouderd, voer `make frontend` uit en commit het resultaat"
