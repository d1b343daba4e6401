"""manifests/ rendered offline (tests/deploy/kustomize.py), validated against Kubernetes' JSON schemas (the
``kubernetes-validate`` wheel; KEDA's from tests/deploy/schemas), then checked for what a schema cannot see:
non-root, read-only root filesystems, resources, probes on the app's real routes, selectors that select,
references that resolve, and settings the app actually reads."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml

from githubapp.app import create_app
from githubapp.cli.main import build_parser
from githubapp.settings import Settings
from githubapp.worker import healthcheck

from .kustomize import KustomizeError, Resource, pod_specs, render, split_image

ROOT = Path(__file__).resolve().parents[2]
MANIFESTS = ROOT / "manifests"
SCHEMAS = Path(__file__).parent / "schemas"
OVERLAYS = ["example", "keda"]
# The oldest and newest Kubernetes minor versions we promise to run on.
KUBERNETES_VERSIONS = ["1.29", "1.37"]
SECRET_TEMPLATE = MANIFESTS / "secret.template.yaml"
WORKLOAD_KINDS = {"Deployment", "Job"}


def rendered(overlay: str) -> list[Resource]:
    """An overlay rendered; ``base_only`` is the base itself."""
    return render(MANIFESTS / "base") if overlay == "base_only" else render(MANIFESTS / "overlays" / overlay)


def by_kind(resources: list[Resource], kind: str) -> list[Resource]:
    return [r for r in resources if r["kind"] == kind]


def named(resources: list[Resource], kind: str, name: str) -> Resource:
    found = [r for r in by_kind(resources, kind) if r["metadata"]["name"] == name]
    assert len(found) == 1, f"expected one {kind}/{name}, found {len(found)}"
    return found[0]


def containers(resource: Resource) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    for spec in pod_specs(resource):
        for container in [*spec.get("containers", []), *spec.get("initContainers", [])]:
            yield spec, container


def selects(selector: Mapping[str, str], labels: Mapping[str, str]) -> bool:
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def pod_labels(resources: list[Resource]) -> list[tuple[str, dict[str, str]]]:
    out = []
    for r in resources:
        if r["kind"] in WORKLOAD_KINDS:
            out.append((f"{r['kind']}/{r['metadata']['name']}", r["spec"]["template"]["metadata"]["labels"]))
    return out


class RecordingEnv(dict[str, str]):
    """An empty environment that remembers every variable ``Settings.from_env`` looks up."""

    def __init__(self) -> None:
        super().__init__()
        self.read: set[str] = set()

    def get(self, key: str, default: Any = None) -> Any:
        self.read.add(key)
        return super().get(key, default)

    def __getitem__(self, key: str) -> str:
        self.read.add(key)
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        if isinstance(key, str):
            self.read.add(key)
        return super().__contains__(key)


@pytest.fixture(scope="module")
def settings_variables(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    env = RecordingEnv()
    env_data_dir = tmp_path_factory.mktemp("empty-data-dir")
    dict.__setitem__(env, "CI_TRIAGE_DATA_DIR", str(env_data_dir))
    Settings.from_env(env)
    assert {"DATABASE_URL", "REDIS_URL", "GITHUB_PRIVATE_KEY_FILE"} <= env.read  # the recorder works
    return env.read


def env_example_variables() -> set[str]:
    names = set()
    for line in (ROOT / ".env.example").read_text().splitlines():
        match = re.match(r"^([A-Z][A-Z0-9_]*)=", line)
        if match:
            names.add(match.group(1))
    return names


def secret_template() -> Resource:
    docs = [d for d in yaml.safe_load_all(SECRET_TEMPLATE.read_text()) if d]
    assert len(docs) == 1 and docs[0]["kind"] == "Secret"
    return docs[0]


# ---- rendering and schemas ----

@pytest.mark.parametrize("overlay", OVERLAYS)
def test_overlay_renders(overlay: str) -> None:
    resources = rendered(overlay)
    kinds = {r["kind"] for r in resources}
    expected = {"Deployment", "Job", "Service", "Ingress", "ConfigMap", "PodDisruptionBudget",
                "NetworkPolicy"}
    assert expected <= kinds


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
@pytest.mark.parametrize("overlay", OVERLAYS)
def test_resources_match_kubernetes_schemas(overlay: str, version: str) -> None:
    for resource in rendered(overlay):
        where = f"{resource['kind']}/{resource['metadata']['name']}"
        if resource["apiVersion"].startswith("keda.sh/"):
            schema = json.loads((SCHEMAS / f"{resource['kind'].lower()}-keda.sh-v1alpha1.json").read_text())
            try:
                jsonschema.Draft7Validator(schema).validate(resource)
            except jsonschema.ValidationError as exc:
                pytest.fail(f"{where}: {exc.message} at {list(exc.absolute_path)}")
            continue
        try:
            kubernetes_validate.validate(resource, version, strict=True)
        except kubernetes_validate.ValidationError as exc:
            pytest.fail(f"{where} (Kubernetes {version}): {exc.message} at {list(exc.path)}")


def test_secret_template_matches_the_schema() -> None:
    kubernetes_validate.validate(secret_template(), KUBERNETES_VERSIONS[-1], strict=True)


def test_schema_validation_catches_a_misspelt_field() -> None:
    web = named(rendered("example"), "Deployment", "ci-triage-web")
    web["spec"]["template"]["spec"]["containers"][0]["readinesProbe"] = {}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(web, KUBERNETES_VERSIONS[-1], strict=True)


def test_renderer_refuses_what_it_does_not_implement(tmp_path: Path) -> None:
    (tmp_path / "kustomization.yaml").write_text("resources: []\nnamePrefix: x-\n")
    with pytest.raises(KustomizeError, match="namePrefix"):
        render(tmp_path)


# ---- security and resources ----

@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_container_is_non_root_read_only_and_sized(overlay: str) -> None:
    resources = rendered(overlay)
    config = named(resources, "ConfigMap", "ci-triage-config")["data"]
    workloads = [r for r in resources if r["kind"] in WORKLOAD_KINDS]
    names = {r["metadata"]["name"] for r in workloads}
    assert names == {"ci-triage-web", "ci-triage-worker", "ci-triage-migrate"}
    for workload in workloads:
        for spec, container in containers(workload):
            where = f"{workload['metadata']['name']}/{container['name']}"
            pod_sc, sc = spec.get("securityContext", {}), container.get("securityContext", {})
            assert sc.get("runAsNonRoot", pod_sc.get("runAsNonRoot")) is True, where
            assert sc.get("runAsUser", pod_sc.get("runAsUser", 0)) != 0, where
            assert sc.get("readOnlyRootFilesystem") is True, where
            assert sc.get("allowPrivilegeEscalation") is False, where
            assert sc.get("capabilities", {}).get("drop") == ["ALL"], where
            assert spec.get("automountServiceAccountToken") is False, where
            resources_ = container.get("resources", {})
            assert {"cpu", "memory"} <= set(resources_.get("requests", {})), where
            assert "memory" in resources_.get("limits", {}), where
            # The writable places: /tmp and the data dir, both emptyDir volumes.
            volumes = {v["name"]: v for v in spec.get("volumes", [])}
            mounts = {m["mountPath"]: m["name"] for m in container.get("volumeMounts", [])}
            for path in ("/tmp", config["CI_TRIAGE_DATA_DIR"]):
                assert path in mounts, f"{where}: {path} is not mounted"
                assert "emptyDir" in volumes[mounts[path]], f"{where}: {path} is not an emptyDir"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_images_are_the_overlays_and_commands_exist(overlay: str) -> None:
    commands = set(build_parser()._subparsers._group_actions[0].choices)  # type: ignore[union-attr]
    expected = {"ci-triage-web": ["web"], "ci-triage-worker": ["worker"], "ci-triage-migrate": ["migrate"]}
    for workload in rendered(overlay):
        if workload["kind"] not in WORKLOAD_KINDS:
            continue
        for _, container in containers(workload):
            name, tag, _ = split_image(container["image"])
            assert name == "registry.example.com/platform/ci-triage" and tag == "0.1.0", container["image"]
            assert container["args"] == expected[workload["metadata"]["name"]]
            assert container["args"][0] in commands


# ---- probes and ports against the app itself ----

def test_web_probes_hit_the_apps_health_routes() -> None:
    resources = rendered("example")
    config = named(resources, "ConfigMap", "ci-triage-config")["data"]
    app_paths = {route.path for route in create_app(Settings()).routes}  # type: ignore[attr-defined]
    web = named(resources, "Deployment", "ci-triage-web")
    container = web["spec"]["template"]["spec"]["containers"][0]
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert ports["http"] == int(config["PORT"])
    assert config["HOST"] == "0.0.0.0"  # reachable from the Service, not only loopback
    assert container["readinessProbe"]["httpGet"]["path"] == "/health/ready"
    assert container["livenessProbe"]["httpGet"]["path"] == "/health"
    for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
        get = container[probe]["httpGet"]
        assert get["path"] in app_paths, f"{probe} path {get['path']} is not a route of the app"
        assert get["port"] in ports or get["port"] in ports.values()


def test_worker_liveness_runs_the_heartbeat_check() -> None:
    worker = named(rendered("example"), "Deployment", "ci-triage-worker")
    probe = worker["spec"]["template"]["spec"]["containers"][0]["livenessProbe"]
    command = probe["exec"]["command"]
    assert command[:3] == ["python", "-m", "githubapp.worker.healthcheck"]
    assert command[3:] == ["--command", "worker"]
    assert healthcheck.main.__module__ == "githubapp.worker.healthcheck"  # the module the probe runs


def test_metrics_are_refused_at_the_edge() -> None:
    """/metrics is unauthenticated: every Ingress path that would reach it must carry the deny annotation."""
    app_paths = {route.path for route in create_app(Settings()).routes}  # type: ignore[attr-defined]
    if "/metrics" not in app_paths:
        pytest.skip("the app serves no /metrics")
    resources = rendered("example")
    hosts = {rule["host"] for i in by_kind(resources, "Ingress") for rule in i["spec"]["rules"]}
    for host in hosts:
        best = None  # the most specific path matching /metrics on this host, as the controller picks it
        for ingress in by_kind(resources, "Ingress"):
            for rule in ingress["spec"]["rules"]:
                if rule["host"] != host:
                    continue
                for path in rule["http"]["paths"]:
                    exact = path["pathType"] == "Exact" and path["path"] == "/metrics"
                    prefix = path["pathType"] == "Prefix" and "/metrics".startswith(path["path"])
                    if exact or prefix:
                        rank = (exact, len(path["path"]))
                        if best is None or rank > best[0]:
                            best = (rank, ingress)
        assert best is not None
        annotations = best[1]["metadata"].get("annotations", {})
        assert annotations.get("nginx.ingress.kubernetes.io/denylist-source-range") == "0.0.0.0/0,::/0", host
        assert best[1]["spec"]["ingressClassName"] == named(resources, "Ingress", "ci-triage")["spec"][
            "ingressClassName"]


def test_ingress_routes_the_webhook_to_the_web_service() -> None:
    resources = rendered("example")
    ingress = named(resources, "Ingress", "ci-triage")
    service = named(resources, "Service", "ci-triage-web")
    service_ports = {p["name"] for p in service["spec"]["ports"]}
    paths = {}
    for rule in ingress["spec"]["rules"]:
        for path in rule["http"]["paths"]:
            backend = path["backend"]["service"]
            assert backend["name"] == "ci-triage-web" and backend["port"]["name"] in service_ports
            paths[path["path"]] = path["pathType"]
    assert paths.get("/webhooks/github") == "Exact"
    assert ingress["spec"]["tls"][0]["hosts"] == [ingress["spec"]["rules"][0]["host"]]
    # GitHub sends payloads up to 25 MB; ingress-nginx's default body limit is 1 MB.
    assert ingress["metadata"]["annotations"]["nginx.ingress.kubernetes.io/proxy-body-size"] == "25m"
    web = named(resources, "Deployment", "ci-triage-web")
    target = service["spec"]["ports"][0]["targetPort"]
    assert target in {p["name"] for p in web["spec"]["template"]["spec"]["containers"][0]["ports"]}


# ---- selectors and references ----

@pytest.mark.parametrize("overlay", OVERLAYS)
def test_selectors_select_the_right_pods(overlay: str) -> None:
    resources = rendered(overlay)
    pods = pod_labels(resources)
    for deployment in by_kind(resources, "Deployment"):
        selector = deployment["spec"]["selector"]["matchLabels"]
        assert selects(selector, deployment["spec"]["template"]["metadata"]["labels"])
        others = [name for name, labels in pods if selects(selector, labels)]
        assert others == [f"Deployment/{deployment['metadata']['name']}"], "selectors must not overlap"
    service = named(resources, "Service", "ci-triage-web")
    chosen = [n for n, labels in pods if selects(service["spec"]["selector"], labels)]
    assert chosen == ["Deployment/ci-triage-web"]
    for pdb in by_kind(resources, "PodDisruptionBudget"):
        chosen = [n for n, labels in pods if selects(pdb["spec"]["selector"]["matchLabels"], labels)]
        assert chosen == [f"Deployment/{pdb['metadata']['name']}"], pdb["metadata"]["name"]
    for policy in by_kind(resources, "NetworkPolicy"):
        assert [n for n, labels in pods if selects(policy["spec"]["podSelector"]["matchLabels"], labels)]
    # Only the web pods accept connections, and only on the HTTP port.
    policies = by_kind(resources, "NetworkPolicy")
    ingress_rules = {p["metadata"]["name"]: p["spec"].get("ingress") for p in policies
                     if "Ingress" in p["spec"]["policyTypes"]}
    assert ingress_rules["ci-triage-deny-ingress"] is None
    assert ingress_rules["ci-triage-web"] == [{"ports": [{"port": 8000, "protocol": "TCP"}]}]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_autoscalers_target_existing_deployments_once(overlay: str) -> None:
    resources = rendered(overlay)
    deployments = {d["metadata"]["name"] for d in by_kind(resources, "Deployment")}
    targets = []
    for hpa in by_kind(resources, "HorizontalPodAutoscaler"):
        ref = hpa["spec"]["scaleTargetRef"]
        assert ref["kind"] == "Deployment" and ref["name"] in deployments
        assert hpa["spec"]["minReplicas"] >= 2  # PDBs need a second replica to allow drains
        targets.append(ref["name"])
    for scaled in by_kind(resources, "ScaledObject"):
        assert scaled["spec"]["scaleTargetRef"]["name"] in deployments
        targets.append(scaled["spec"]["scaleTargetRef"]["name"])
    assert len(targets) == len(set(targets)), "two autoscalers fight over one Deployment"
    assert "ci-triage-web" in targets and "ci-triage-worker" in targets


def test_keda_scales_workers_on_the_apps_queue() -> None:
    resources = rendered("keda")
    config = named(resources, "ConfigMap", "ci-triage-config")["data"]
    scaled = named(resources, "ScaledObject", "ci-triage-worker")
    redis = [t for t in scaled["spec"]["triggers"] if t["type"] == "redis"]
    assert len(redis) == 1
    assert redis[0]["metadata"]["listName"] == config["CI_TRIAGE_QUEUE"] == Settings().queue_name
    auth = named(resources, "TriggerAuthentication", redis[0]["authenticationRef"]["name"])
    assert {ref["parameter"] for ref in auth["spec"]["secretTargetRef"]} == {"address", "password"}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_everything_lands_in_the_overlays_namespace(overlay: str) -> None:
    resources = rendered(overlay)
    namespace = named(resources, "Namespace", "ci-triage")
    assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    for resource in resources:
        if resource["kind"] != "Namespace":
            assert resource["metadata"].get("namespace") == "ci-triage", resource["metadata"]["name"]


# ---- configuration: only settings the app reads; the Secret template holds nothing ----

@pytest.mark.parametrize("overlay", OVERLAYS)
def test_env_references_resolve_to_settings(overlay: str, settings_variables: set[str]) -> None:
    resources = rendered(overlay)
    configmaps = {c["metadata"]["name"]: c for c in by_kind(resources, "ConfigMap")}
    secret = secret_template()
    assert not by_kind(resources, "Secret"), "applying the manifests must never overwrite the real Secret"
    for workload in resources:
        if workload["kind"] not in WORKLOAD_KINDS:
            continue
        for _, container in containers(workload):
            for source in container.get("envFrom", []):
                if "configMapRef" in source:
                    keys = set(configmaps[source["configMapRef"]["name"]]["data"])
                else:
                    assert source["secretRef"]["name"] == secret["metadata"]["name"]
                    keys = set(secret["stringData"])
                unread = sorted(keys - settings_variables)
                assert not unread, f"not read by Settings: {unread}"
            for var in container.get("env", []):
                assert var["name"] in settings_variables, var["name"]


def test_every_documented_variable_is_deployable() -> None:
    config = named(rendered("example"), "ConfigMap", "ci-triage-config")["data"]
    secret = secret_template()["stringData"]
    missing = env_example_variables() - set(config) - set(secret)
    assert not missing, f".env.example variables neither in the ConfigMap nor the Secret template: {missing}"
    assert not set(config) & set(secret), "a variable is both in the ConfigMap and the Secret"


# ConfigMap values that differ from .env.example on purpose (the container, not a laptop).
DEPLOYMENT_VALUES = {"HOST", "PUBLIC_URL", "CI_TRIAGE_DATA_DIR", "S3_BUCKET", "CHROMIUM_PATH", "TRUSTED_PROXIES"}


def test_configmap_defaults_follow_env_example() -> None:
    """A default changed in .env.example (and Settings) must not be silently overridden by a stale copy."""
    config = named(rendered("base_only"), "ConfigMap", "ci-triage-config")["data"]
    for line in (ROOT / ".env.example").read_text().splitlines():
        match = re.match(r"^([A-Z][A-Z0-9_]*)=(\S*)", line)
        if not match or match.group(1) not in config or match.group(1) in DEPLOYMENT_VALUES:
            continue
        name, default = match.groups()
        assert config[name] in (default, ""), f"{name}: ConfigMap {config[name]!r}, .env.example {default!r}"


def test_secret_template_has_no_values() -> None:
    secret = secret_template()
    assert "data" not in secret
    assert secret["stringData"] and all(value == "" for value in secret["stringData"].values())


def test_secrets_stay_out_of_the_configmap() -> None:
    config = named(rendered("example"), "ConfigMap", "ci-triage-config")["data"]
    secretish = re.compile(r"(SECRET|PASSWORD|PRIVATE_KEY|TOKEN|API_KEY|_URL$)")
    allowed_urls = {"PUBLIC_URL", "GITHUB_API_URL", "GITHUB_URL", "S3_ENDPOINT_URL", "OPENAI_BASE_URL"}
    leaked = {k for k in config if secretish.search(k) and k not in allowed_urls}
    assert not leaked, f"credentials belong in the Secret: {leaked}"
