"""The Kubernetes deployment as far as this machine can check it (no cluster, no docker):
the Zero to JupyterHub values file against the chart's structure and against leerpad's
real login classes, and the image definition against the repository's files and packages."""

import re
import shlex
import tomllib
from pathlib import Path

import yaml
from traitlets.config import Config

ROOT = Path(__file__).resolve().parent.parent
VALUES = ROOT / "deploy" / "kubernetes" / "values.yaml"
DOCKERFILE = ROOT / "deploy" / "image" / "Dockerfile"

# The keys of the jupyterhub Helm chart (values.schema.yaml of Zero to JupyterHub) that a
# leerpad deployment may set; a mistyped key is silently ignored by Helm, so it fails here.
# None: a free-form mapping (traitlets config, roles, services, files, environment).
VOLUMES = None
CHART = {
    "hub": {
        "image": {"name": str, "tag": str, "pullPolicy": str, "pullSecrets": list},
        "db": {"type": str, "url": str, "password": str, "upgrade": bool, "pvc": None},
        "config": None,
        "loadRoles": None,
        "services": None,
        "service": {"type": str, "ports": None, "extraPorts": list, "annotations": None},
        "networkPolicy": {"enabled": bool, "ingress": list, "egress": list,
                          "egressAllowRules": None, "interNamespaceAccessLabels": str},
        "extraEnv": None,
        "extraFiles": None,
        "extraVolumes": list,
        "extraVolumeMounts": list,
        "extraConfig": None,
        "existingSecret": str,
        "baseUrl": str,
        "cookieSecret": str,
        "resources": None,
    },
    "singleuser": {
        "image": {"name": str, "tag": str, "pullPolicy": str, "pullSecrets": list},
        "cmd": (str, list),
        "defaultUrl": str,
        "uid": int,
        "fsGid": int,
        "storage": {"type": str, "capacity": str, "homeMountPath": str, "dynamic": None,
                    "extraVolumes": list, "extraVolumeMounts": list, "static": None,
                    "extraLabels": None},
        "extraFiles": None,
        "extraEnv": None,
        "memory": {"guarantee": (str, int), "limit": (str, int)},
        "cpu": {"guarantee": (float, int), "limit": (float, int)},
        "networkPolicy": {"enabled": bool, "ingress": list, "egress": list,
                          "egressAllowRules": {"cloudMetadataServer": bool,
                                               "dnsPortsCloudMetadataServer": bool,
                                               "dnsPortsKubeSystemNamespace": bool,
                                               "dnsPortsPrivateIPs": bool,
                                               "nonPrivateIPs": bool, "privateIPs": bool}},
        "startTimeout": int,
        "profileList": list,
    },
    "cull": {"enabled": bool, "users": bool, "adminUsers": bool, "removeNamedServers": bool,
             "timeout": int, "every": int, "concurrency": int, "maxAge": int},
    "proxy": {"secretToken": str, "service": {"type": str, "annotations": None},
              "https": None, "chp": None},
    "ingress": {"enabled": bool, "hosts": list, "tls": list, "annotations": None,
                "ingressClassName": str, "pathSuffix": str, "pathType": str},
    "prePuller": None,
    "scheduling": None,
    "debug": {"enabled": bool},
}  # fmt: skip
EXTRA_FILE = {"mountPath", "mode", "data", "stringData", "binaryData"}


def _values() -> dict:
    return yaml.safe_load(VALUES.read_text())


def _wrong_keys(given, schema, place=""):
    """Each place in `given` that the chart's structure has not, or of another type."""
    if schema is None:
        return []
    if isinstance(schema, dict):
        if not isinstance(given, dict):
            return [f"{place}: verwacht een mapping"]
        wrong = []
        for key, value in given.items():
            if key not in schema:
                wrong.append(f"{place}.{key}".lstrip("."))
            else:
                wrong += _wrong_keys(value, schema[key], f"{place}.{key}")
        return wrong
    return [] if isinstance(given, schema) else [f"{place}: {type(given).__name__}"]


def test_values_follow_the_chart():
    values = _values()
    assert _wrong_keys(values, CHART) == []
    for section in ("hub", "singleuser"):
        for name, extra in values[section]["extraFiles"].items():
            assert set(extra) <= EXTRA_FILE and "mountPath" in extra, name
            if extra["mountPath"].endswith(".py"):
                compile(extra["stringData"], f"{section}.extraFiles.{name}", "exec")
    assert values["hub"]["db"]["type"] == "postgres"
    assert values["hub"]["db"]["url"].startswith("postgresql")
    assert values["cull"]["enabled"] and values["cull"]["timeout"] == 3600
    for section, volumes in (
        ("hub", values["hub"]),
        ("singleuser", values["singleuser"]["storage"]),
    ):
        named = {volume["name"] for volume in volumes["extraVolumes"]}
        mounted = {mount["name"] for mount in volumes["extraVolumeMounts"]}
        assert mounted <= named, section
    # the exchange in every pod; the cohort (keys, gradebook settings) in the hub's alone
    hub_mounts = {m["mountPath"] for m in values["hub"]["extraVolumeMounts"]}
    user_mounts = {m["mountPath"] for m in values["singleuser"]["storage"]["extraVolumeMounts"]}
    assert user_mounts == {"/srv/leerpad/var/exchange"} and "/srv/leerpad/var" in hub_mounts


def test_values_configure_leerpads_logins():
    """hub.config is traitlets configuration: each key a real option of its class, and
    leerpad's logins built from it offer both logins' routes."""
    from jupyterhub.app import JupyterHub
    from jupyterhub.auth import Authenticator

    from leerpad.hub import logins

    config = _values()["hub"]["config"]
    classes = {"JupyterHub": JupyterHub, "Authenticator": Authenticator,
               "SchoolLogins": logins.SchoolLogins, "SchoolAccount": logins.SchoolAccount,
               "LTILogin": logins.LTILogin}  # fmt: skip
    assert set(config) <= set(classes)
    for name, options in config.items():
        unknown = set(options) - set(classes[name].class_trait_names(config=True))
        assert not unknown, f"hub.config.{name}: {unknown}"
    assert config["JupyterHub"]["authenticator_class"] == "leerpad.hub.logins.SchoolLogins"
    hub = logins.SchoolLogins(config=Config(config))
    routes = {path.strip("/") for path, _handler in hub.get_handlers(None)}
    assert {"oauth_login", "oauth_callback", "lti13/oauth_login", "lti13/oauth_callback"} <= routes
    account, lti = hub.logins
    groups = {logins.TRAINERS, logins.LEARNERS}
    assert account.allowed_groups == groups and set(account.roles.values()) == groups
    assert set(lti.roles.values()) == groups
    assert hub.login_url("/hub/") == "/hub/oauth_login"


def test_values_formgrader_service_is_for_trainers_only():
    hub = _values()["hub"]
    assert hub["loadRoles"]["cohort-trainer"] == {
        "description": hub["loadRoles"]["cohort-trainer"]["description"],
        "scopes": ["access:services!service=formgrader"],
        "groups": ["trainers"],
    }
    service = hub["services"]["formgrader"]
    port = int(service["url"].rsplit(":", 1)[1])
    assert f"--ServerApp.port={port}" in service["command"]
    assert port in [p["port"] for p in hub["service"]["extraPorts"]]
    config_dir = service["environment"]["JUPYTER_CONFIG_DIR"]
    assert any(
        f["mountPath"] == f"{config_dir}/nbgrader_config.py" for f in hub["extraFiles"].values()
    )
    extra = hub["extraConfig"]["leerpad-uids"]
    c = Config()
    exec(compile(extra, "hub.extraConfig.leerpad-uids", "exec"), {"c": c})
    assert callable(c.KubeSpawner.uid)


def _stages(text: str) -> dict[str, list[str]]:
    """The Dockerfile's instructions per stage, continuation lines joined."""
    stages, current = {}, None
    for line in re.sub(r"\\\n\s*", " ", text).splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        match = re.match(r"FROM\s+\S+\s+AS\s+(\S+)", line, re.IGNORECASE)
        if match:
            current = stages.setdefault(match[1], [])
        elif current is not None:
            current.append(line)
    return stages


def test_image_definition_names_only_what_exists():
    stages = _stages(DOCKERFILE.read_text())
    assert set(stages) == {"singleuser", "hub"}
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    copied = {}
    for stage, lines in stages.items():
        for line in lines:
            words = shlex.split(line)
            if words[0] == "COPY":
                *sources, target = [w for w in words[1:] if not w.startswith("--")]
                for source in sources:
                    assert (ROOT / source).exists(), f"{stage}: COPY {source} bestaat niet"
                    copied.setdefault(stage, set()).add(source)
    # the teachers' image: leerpad's code, without module sources (answers), tests or data
    assert not {"courses", "tests", "var", "."} & copied["singleuser"]
    assert "courses" in copied["hub"]
    # pip install -e . (environment.yml) needs pyproject.toml and every package folder
    folders = set(project["tool"]["setuptools"]["package-dir"].values())
    assert {"pyproject.toml", "environment.yml", *folders} <= copied["singleuser"]
    text = " ".join(stages["singleuser"] + stages["hub"])
    assert "mamba env update --name base --file /opt/leerpad/environment.yml" in text
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert "-e ." in next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    installs = re.findall(r"pip install ([^&]+)", text)
    assert installs == ['--no-cache-dir --editable "/opt/leerpad[kubernetes]"'], installs
    assert "kubernetes" in project["project"]["optional-dependencies"]
    system = (ROOT / "scripts" / "system-packages.sh").read_text()
    for packages in re.findall(r"apt-get install (?:--\S+ )*([^&]+)", text):
        for package in packages.split():
            assert re.search(rf"\b{package}\b", system), f"{package}: niet in system-packages.sh"
    # values.yaml names the two targets as its images
    values = _values()
    assert values["singleuser"]["image"]["name"].endswith("leerpad-singleuser")
    assert values["hub"]["image"]["name"].endswith("leerpad-hub")
