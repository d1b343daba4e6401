"""A small offline kustomize renderer for the subset ``manifests/`` uses, so the tests need no binary.

Supported kustomization fields: ``resources`` (files and directories), ``namespace``, ``labels`` (with
``includeTemplates``; ``includeSelectors: true`` is refused), ``images``, and ``patches`` (strategic merge
patches, including ``$patch: delete`` of a whole resource, and JSON 6902 patches with a ``target``).
Anything else raises ``KustomizeError`` naming the field, so a manifest change that needs more kustomize
than this fails loudly instead of rendering something different from ``kubectl kustomize``.

Transformers run in kustomize's order: patches, namespace, labels, images.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

Resource = dict[str, Any]

SUPPORTED_FIELDS = {"apiVersion", "kind", "resources", "namespace", "labels", "images", "patches"}
KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
CLUSTER_SCOPED = {
    "Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "PersistentVolume",
    "StorageClass", "PriorityClass", "IngressClass", "ValidatingWebhookConfiguration",
    "MutatingWebhookConfiguration",
}
POD_TEMPLATE_KINDS = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"}
# Strategic-merge keys of the lists we patch (from the Kubernetes API's patchMergeKey markers).
MERGE_KEYS = {
    "containers": "name", "initContainers": "name", "env": "name", "volumes": "name",
    "volumeMounts": "mountPath", "imagePullSecrets": "name",
}


class KustomizeError(ValueError):
    pass


def resource_id(resource: Resource) -> tuple[str, str, str, str]:
    meta = resource.get("metadata") or {}
    return (_group(resource.get("apiVersion", "")), resource.get("kind", ""), meta.get("namespace") or "",
            meta.get("name", ""))


def _group(api_version: str) -> str:
    return api_version.split("/")[0] if "/" in api_version else ""


def _load_documents(path: Path) -> list[Resource]:
    try:
        docs = [doc for doc in yaml.safe_load_all(path.read_text()) if doc is not None]
    except yaml.YAMLError as exc:
        raise KustomizeError(f"{path}: invalid YAML: {exc}") from exc
    for doc in docs:
        if not isinstance(doc, dict) or "kind" not in doc or "apiVersion" not in doc:
            raise KustomizeError(f"{path}: every document must be a resource with apiVersion and kind")
    return docs


def _kustomization(directory: Path) -> tuple[Path, dict[str, Any]]:
    for name in KUSTOMIZATION_FILES:
        candidate = directory / name
        if candidate.is_file():
            data = yaml.safe_load(candidate.read_text()) or {}
            unknown = set(data) - SUPPORTED_FIELDS
            if unknown:
                raise KustomizeError(f"{candidate}: unsupported kustomization fields {sorted(unknown)}")
            return candidate, data
    raise KustomizeError(f"{directory}: no kustomization.yaml")


def render(directory: Path) -> list[Resource]:
    """The resources ``kubectl kustomize DIRECTORY`` would print (same content; order not guaranteed)."""
    source, kust = _kustomization(directory)
    resources: list[Resource] = []
    for entry in kust.get("resources", []):
        path = (directory / entry).resolve()
        if path.is_dir():
            resources.extend(render(path))
        elif path.is_file():
            resources.extend(_load_documents(path))
        else:
            raise KustomizeError(f"{source}: resource {entry!r} does not exist")
    _check_unique(resources, source)
    for patch in kust.get("patches", []):
        resources = _apply_patch(resources, patch, directory, source)
    if kust.get("namespace"):
        _set_namespace(resources, kust["namespace"])
    for entry in kust.get("labels", []):
        _add_labels(resources, entry, source)
    for image in kust.get("images", []):
        _set_image(resources, image)
    _check_unique(resources, source)
    return resources


def _check_unique(resources: list[Resource], source: Path) -> None:
    seen: set[tuple[str, str, str, str]] = set()
    for resource in resources:
        rid = resource_id(resource)
        if rid in seen:
            raise KustomizeError(f"{source}: resource {rid} is defined twice")
        seen.add(rid)


# ---- patches ----

def _apply_patch(
    resources: list[Resource], entry: dict[str, Any], directory: Path, source: Path
) -> list[Resource]:
    unknown = set(entry) - {"path", "patch", "target"}
    if unknown:
        raise KustomizeError(f"{source}: unsupported patch fields {sorted(unknown)}")
    if "path" in entry:
        text = (directory / entry["path"]).read_text()
    elif "patch" in entry:
        text = entry["patch"]
    else:
        raise KustomizeError(f"{source}: a patch needs `path` or `patch`")
    body = yaml.safe_load(text)  # JSON is YAML
    target = entry.get("target")
    if isinstance(body, list):
        if not target:
            raise KustomizeError(f"{source}: a JSON 6902 patch needs a target")
        matched = [r for r in resources if _matches(r, target)]
        if not matched:
            raise KustomizeError(f"{source}: JSON 6902 patch target {target} matches nothing")
        for resource in matched:
            for op in body:
                _json6902(resource, op, source)
        return resources
    if not isinstance(body, dict):
        raise KustomizeError(f"{source}: a patch must be a mapping or a list of JSON 6902 operations")
    selector = target or {"kind": body.get("kind"), "name": (body.get("metadata") or {}).get("name")}
    matched_ids = {id(r) for r in resources if _matches(r, selector)}
    if not matched_ids:
        raise KustomizeError(f"{source}: strategic merge patch for {selector} matches nothing")
    if body.get("$patch") == "delete":
        return [r for r in resources if id(r) not in matched_ids]
    patched = []
    for resource in resources:
        if id(resource) in matched_ids:
            fields = {k: v for k, v in body.items() if k not in ("apiVersion", "kind")}
            patched.append(_strategic_merge(resource, fields))
        else:
            patched.append(resource)
    return patched


def _matches(resource: Resource, target: dict[str, Any]) -> bool:
    meta = resource.get("metadata") or {}
    api_version = resource.get("apiVersion", "")
    checks = {
        "kind": resource.get("kind"),
        "name": meta.get("name"),
        "namespace": meta.get("namespace"),
        "group": _group(api_version),
        "version": api_version.split("/")[-1],
    }
    for key, wanted in target.items():
        if key not in checks:
            raise KustomizeError(f"unsupported patch target field {key!r}")
        if wanted is not None and checks[key] != wanted:
            return False
    return True


def _strategic_merge(base: Any, patch: Any) -> Any:
    if not (isinstance(base, dict) and isinstance(patch, dict)):
        return copy.deepcopy(patch)
    merged = copy.deepcopy(base)
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        elif key in merged and isinstance(value, dict) and isinstance(merged[key], dict):
            merged[key] = _strategic_merge(merged[key], value)
        elif key in MERGE_KEYS and isinstance(value, list) and isinstance(merged.get(key), list):
            merged[key] = _merge_list(merged[key], value, MERGE_KEYS[key])
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _merge_list(base: list[Any], patch: list[Any], key: str) -> list[Any]:
    result = copy.deepcopy(base)
    for item in patch:
        if not isinstance(item, dict) or key not in item:
            raise KustomizeError(f"strategic merge: list items need their merge key {key!r}: {item!r}")
        index = next((i for i, old in enumerate(result) if old.get(key) == item[key]), None)
        if item.get("$patch") == "delete":
            if index is not None:
                result.pop(index)
        elif index is None:
            result.append(copy.deepcopy(item))
        else:
            result[index] = _strategic_merge(result[index], item)
    return result


def _pointer(path: str) -> list[str]:
    if not path.startswith("/"):
        raise KustomizeError(f"JSON pointer must start with '/': {path!r}")
    return [part.replace("~1", "/").replace("~0", "~") for part in path[1:].split("/")]


def _json6902(resource: Resource, op: dict[str, Any], source: Path) -> None:
    kind = op.get("op")
    if kind not in ("add", "replace", "remove"):
        raise KustomizeError(f"{source}: unsupported JSON 6902 op {kind!r}")
    parts = _pointer(op["path"])
    parent: Any = resource
    for part in parts[:-1]:
        parent = parent[int(part)] if isinstance(parent, list) else parent[part]
    last = parts[-1]
    value = copy.deepcopy(op.get("value"))
    if isinstance(parent, list):
        if kind == "add":
            if last == "-":
                parent.append(value)
            else:
                parent.insert(int(last), value)
        elif kind == "replace":
            parent[int(last)] = value
        else:
            parent.pop(int(last))
        return
    if kind in ("replace", "remove") and last not in parent:
        raise KustomizeError(f"{source}: JSON 6902 {kind} of missing path {op['path']}")
    if kind == "remove":
        del parent[last]
    else:
        parent[last] = value


# ---- namespace, labels, images ----

def _set_namespace(resources: list[Resource], namespace: str) -> None:
    for resource in resources:
        if resource["kind"] not in CLUSTER_SCOPED:
            resource.setdefault("metadata", {})["namespace"] = namespace


def _add_labels(resources: list[Resource], entry: dict[str, Any], source: Path) -> None:
    if entry.get("includeSelectors"):
        raise KustomizeError(f"{source}: labels with includeSelectors: true are not supported here")
    pairs = entry.get("pairs") or {}
    for resource in resources:
        resource.setdefault("metadata", {}).setdefault("labels", {}).update(pairs)
        if entry.get("includeTemplates"):
            for template in _pod_templates(resource):
                template.setdefault("metadata", {}).setdefault("labels", {}).update(pairs)


def _pod_templates(resource: Resource) -> Iterator[dict[str, Any]]:
    spec = resource.get("spec") or {}
    if resource["kind"] in POD_TEMPLATE_KINDS and "template" in spec:
        yield spec["template"]
    elif resource["kind"] == "CronJob":
        yield spec["jobTemplate"]["spec"]["template"]


def pod_specs(resource: Resource) -> Iterator[dict[str, Any]]:
    for template in _pod_templates(resource):
        yield template["spec"]


def split_image(image: str) -> tuple[str, str | None, str | None]:
    """``name[:tag][@digest]`` -> (name, tag, digest); a registry port is not a tag."""
    digest = None
    if "@" in image:
        image, digest = image.split("@", 1)
    name, tag = image, None
    slash = image.rfind("/")
    colon = image.rfind(":")
    if colon > slash:
        name, tag = image[:colon], image[colon + 1:]
    return name, tag, digest


def _set_image(resources: list[Resource], entry: dict[str, Any]) -> None:
    for resource in resources:
        for spec in pod_specs(resource):
            for container in [*spec.get("containers", []), *spec.get("initContainers", [])]:
                name, tag, digest = split_image(container["image"])
                if name != entry["name"]:
                    continue
                name = entry.get("newName", name)
                if "digest" in entry:
                    tag, digest = None, entry["digest"]
                elif "newTag" in entry:
                    tag, digest = str(entry["newTag"]), None
                container["image"] = name + (f":{tag}" if tag else "") + (f"@{digest}" if digest else "")


def dump(resources: list[Resource]) -> str:
    """YAML stream of the rendered resources (for debugging: ``python -m tests.deploy.kustomize DIR``)."""
    return yaml.safe_dump_all(resources, sort_keys=False)


if __name__ == "__main__":
    import sys

    print(dump(render(Path(sys.argv[1]))) if len(sys.argv) > 1 else json.dumps({"usage": "DIR"}))
