"""The registry: one module per kind, declared dependencies with reasons, and the order derived from
them (no AWS needed)."""

from __future__ import annotations

import pytest

from provision.teardown import registry
from provision.teardown.registry import RegistryError, topological

REQUIRED = {
    "training-jobs",
    "tuning-jobs",
    "transform-jobs",
    "endpoints",
    "endpoint-configs",
    "models",
    "studio-apps",
    "spaces",
    "user-profiles",
    "domain",
    "efs-mount-targets",
    "efs-file-systems",
    "nfs-security-groups",
    "notebook-instances",
    "buckets",
    "sdk-default-bucket",
    "log-groups",
    "terraform",
}

BEFORE = [  # (must be gone first, then) — the pitfalls' order
    ("tuning-jobs", "training-jobs"),
    ("endpoints", "endpoint-configs"),
    ("endpoint-configs", "models"),
    ("studio-apps", "spaces"),
    ("spaces", "user-profiles"),
    ("studio-apps", "user-profiles"),
    ("user-profiles", "domain"),
    ("domain", "efs-mount-targets"),
    ("efs-mount-targets", "efs-file-systems"),
    ("efs-mount-targets", "nfs-security-groups"),
    ("training-jobs", "buckets"),
    ("tuning-jobs", "buckets"),
    ("endpoints", "buckets"),
]


def test_every_required_kind_is_registered_with_reasons():
    kinds = registry.kinds()
    assert REQUIRED <= set(kinds)
    for name, kind in kinds.items():
        assert kind.title, name
        for dep, reason in kind.depends_on.items():
            assert dep in kinds, (name, dep)
            assert len(reason) > 15, (name, dep)


def test_order_respects_every_declared_dependency():
    names = [k.name for k in registry.order()]
    pos = {n: i for i, n in enumerate(names)}
    for a, b in BEFORE:
        assert pos[a] < pos[b], (a, b)
    for name, kind in registry.kinds().items():
        for dep in kind.depends_on:
            assert pos[dep] < pos[name], (dep, name)
    # terraform destroy runs after every kind except those that wait for it (the account's password
    # policy and alias, put back after terraform destroy deleted the class's)
    after = {n for n, k in registry.kinds().items() if "terraform" in k.depends_on}
    assert after == {"password-policy", "account-alias"}
    assert names[-1 - len(after)] == "terraform" and set(names[-len(after) :]) == after
    sagemaker_writers = (
        "training-jobs",
        "tuning-jobs",
        "transform-jobs",
        "endpoints",
        "notebook-instances",
        "studio-apps",
        "domain",
    )
    assert all(pos["log-groups"] > pos[w] for w in sagemaker_writers)


def test_order_comes_from_the_graph_not_from_registration():
    # the same graph declared in reverse order sorts the same way
    graph = {"domain": ["profiles"], "profiles": ["apps"], "apps": []}
    assert topological(graph) == ["apps", "profiles", "domain"]
    assert topological(dict(reversed(list(graph.items())))) == ["apps", "profiles", "domain"]


def test_cycles_and_unknown_dependencies_are_refused():
    with pytest.raises(RegistryError, match="cycle"):
        topological({"a": ["b"], "b": ["a"], "c": []})
    with pytest.raises(RegistryError, match="unknown kind 'nope'"):
        topological({"a": ["nope"]})


def test_dependents_are_transitive():
    deps = registry.dependents("studio-apps")
    assert {"spaces", "user-profiles", "domain", "efs-file-systems", "log-groups", "terraform"} <= deps
    assert "endpoints" not in deps
