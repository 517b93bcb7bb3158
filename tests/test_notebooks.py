"""Every course notebook executes cleanly, as its author wrote it (keys inline)."""

import pytest
from nbclient import NotebookClient

from leerpad.catalogue import Catalogue

CATALOGUE = Catalogue()


@pytest.mark.parametrize("module_id", sorted(CATALOGUE.modules))
def test_module_notebook_executes(module_id, tmp_path, monkeypatch):
    monkeypatch.delenv("LEERPAD_KEYS", raising=False)
    nb = CATALOGUE.modules[module_id].notebook
    for asset in CATALOGUE.modules[module_id].assets():
        target = tmp_path / asset.relative_to(CATALOGUE.modules[module_id].folder)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(asset.read_bytes())
    NotebookClient(nb, timeout=120, resources={"metadata": {"path": str(tmp_path)}}).execute()
    errors = [
        (i, o.get("ename"), o.get("evalue"))
        for i, cell in enumerate(nb.cells)
        for o in cell.get("outputs", [])
        if o.output_type == "error"
    ]
    assert errors == []
    widgets = [
        o
        for cell in nb.cells
        for o in cell.get("outputs", [])
        if "application/vnd.jupyter.widget-view+json" in o.get("data", {})
    ]
    assert widgets, "a module shows at least one exercise widget"
