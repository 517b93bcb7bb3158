"""The whole platform as `make start` runs it: real site, real Voilà, real JupyterLabs."""

import re
import urllib.error
import urllib.request

import pytest

MODULE = "ct-01-algoritme"
APP = f"/voila/render/{MODULE}/{MODULE}.ipynb"

pytestmark = pytest.mark.servers


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect to the login page is an answer, not a page


OPENER = urllib.request.build_opener(NoRedirect)


def get(url, token=None):
    request = urllib.request.Request(
        url, headers={"Authorization": f"token {token}"} if token else {}
    )
    try:
        with OPENER.open(request, timeout=30) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode("utf-8", "replace")


def test_site_serves_a_learning_path_that_leads_to_an_app(platform):
    status, home = get(platform["site"] + "/")
    assert status == 200 and "leerpad" in home
    status, path_page = get(platform["site"] + "/paden/bootcamp-basisonderwijs/")
    assert status == 200
    assert "Bootcamp basisonderwijs" in path_page
    status, module_page = get(platform["site"] + f"/modules/{MODULE}/")
    assert status == 200
    links = re.findall(r'href="([^"]+voila/render[^"]+)"', module_page)
    assert links and links[0].startswith(platform["apps"])


def test_learner_server_offers_apps_only(platform):
    apps = platform["apps"]
    status, page = get(apps + APP)
    assert status == 200 and "jupyter-widgets" in page or "widget-view" in page
    for refused in (
        "/lab",
        "/tree",
        "/api/contents",
        "/api/contents/" + MODULE,
        "/voila/tree",
        "/voila/api/contents/",
        "/formgrader",
        "/api/sessions",
        "/",
        f"/voila/files/{MODULE}/{MODULE}.ipynb",
    ):
        status, _ = get(apps + refused)
        assert status in (403, 404), f"{refused} gaf {status}"


def test_app_page_fetches_nothing_from_other_hosts(platform):
    _, page = get(platform["apps"] + APP)
    assert "cdn.jsdelivr.net" not in page
    external = re.findall(r'(?:src|href)="(https?://(?!127\.0\.0\.1)[^"]+)"', page)
    assert external == []


def test_trainer_workspace_needs_the_token(platform):
    trainer, token = platform["trainer"], platform["trainer_token"]
    for path in ("/api/contents", "/formgrader/api/assignments", "/api/kernels"):
        status, _ = get(trainer + path)
        assert status in (302, 403), f"{path} zonder token gaf {status}"
    status, _ = get(trainer + "/api/contents", token)
    assert status == 200
    status, body = get(trainer + "/formgrader/api/assignments", token)
    assert status == 200 and "ct-01-algoritme" in body


def test_learner_lab_has_assignments_but_no_formgrader(platform):
    lab = platform["lab"]
    token = (platform["var"] / "servers" / "learner-lab" / "token").read_text().strip()
    status, _ = get(lab + "/formgrader", token)
    assert status == 404
    status, body = get(lab + "/assignments?course_id=demo", token)
    assert status == 200 and MODULE in body
    status, body = get(lab + "/api/contents", token)
    assert status == 200 and "source" not in body and "gradebook" not in body
