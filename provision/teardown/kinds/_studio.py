"""Shared helpers for SageMaker Studio kinds (apps, spaces, user profiles) of the class's domains."""

from __future__ import annotations

from collections.abc import Callable

from provision.teardown.aws import error_code, is_not_found, page_size, paged
from provision.teardown.model import Context, NotReady


def per_domain(ctx: Context, region: str, operation: str, key: str, domains: list[str]) -> list[dict]:
    """Every element of ``key`` for each domain (paged), an already deleted domain counting as empty."""
    sm = ctx.aws.client("sagemaker", region)
    out: list[dict] = []
    for domain in domains:
        try:
            out.extend(paged(sm, operation, key, DomainIdEquals=domain, MaxResults=page_size()))
        except Exception as err:
            if not is_not_found(err):
                raise
    return out


def studio_delete(call: Callable[[], object]) -> None:
    """Run a Studio delete: gone is fine; "in use" / "pending" means try again while waiting."""
    try:
        call()
    except Exception as err:
        if is_not_found(err):
            return
        if error_code(err) in {"ResourceInUse", "ValidationException", "ConflictException"}:
            raise NotReady(str(err)) from err
        raise
