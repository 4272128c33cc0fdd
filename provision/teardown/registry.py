"""The registry of resource kinds and the deletion order derived from their declared dependencies.

Each module in ``provision.teardown.kinds`` registers one kind with ``@register``. The order is a
topological sort of the ``depends_on`` graph (ties keep registration order), never the order of calls
in some function: adding a kind with its dependencies puts it in the right place.
"""

from __future__ import annotations

from provision.teardown.model import Kind

_KINDS: dict[str, Kind] = {}


class RegistryError(Exception):
    """A kind depends on an unknown kind, or the dependencies form a cycle."""


def register(cls: type[Kind]) -> type[Kind]:
    """Class decorator: add one kind to the registry (its name must be unique)."""
    if cls.name in _KINDS and type(_KINDS[cls.name]) is not cls:
        raise RegistryError(f"two kinds are named {cls.name!r}")
    _KINDS[cls.name] = cls()
    return cls


def _load() -> None:
    import provision.teardown.kinds  # noqa: F401  (registers every kind)


def kinds() -> dict[str, Kind]:
    _load()
    return dict(_KINDS)


def get(name: str) -> Kind:
    return kinds()[name]


def topological(graph: dict[str, list[str]]) -> list[str]:
    """Kahn's algorithm over ``node -> nodes it depends on``; ties broken by the dict's order."""
    for node, deps in graph.items():
        for d in deps:
            if d not in graph:
                raise RegistryError(f"{node} depends on unknown kind {d!r}")
    position = {n: i for i, n in enumerate(graph)}
    waiting = {n: set(deps) for n, deps in graph.items()}
    done: list[str] = []
    ready = sorted((n for n, deps in waiting.items() if not deps), key=position.__getitem__)
    while ready:
        n = ready.pop(0)
        done.append(n)
        for m, deps in waiting.items():
            if n in deps:
                deps.discard(n)
                if not deps and m not in done and m not in ready:
                    ready.append(m)
        ready.sort(key=position.__getitem__)
        waiting = {m: d for m, d in waiting.items() if m not in done}
    if len(done) != len(graph):
        stuck = sorted(set(graph) - set(done))
        raise RegistryError(f"dependency cycle among kinds: {', '.join(stuck)}")
    return done


def order() -> list[Kind]:
    """Every registered kind, dependencies first."""
    ks = kinds()
    return [ks[n] for n in topological({n: list(k.depends_on) for n, k in ks.items()})]


def dependents(name: str) -> set[str]:
    """Every kind that (transitively) waits for ``name``."""
    ks = kinds()
    out: set[str] = set()
    frontier = {name}
    while frontier:
        nxt = {n for n, k in ks.items() if frontier & set(k.depends_on)} - out
        out |= nxt
        frontier = nxt
    return out
