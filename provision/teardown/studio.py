"""Listing and deleting inside the class's Studio domains: shared by the Studio kinds (apps, spaces, user
profiles) and `classroom status`."""

from __future__ import annotations

from collections.abc import Callable

from provision.teardown.aws import error_code, is_not_found, page_size, paged
from provision.teardown.model import Context, NotReady


def per_domain(
    ctx: Context, region: str, operation: str, key: str, domains: list[str], kind: str | None = None
) -> list[dict]:
    """Every element of ``key`` for each domain (paged), an already deleted domain counting as empty.

    In a listing pass (plan, receipt) of ``kind``, a domain that DescribeDomain says no longer exists
    (that answer is shared with the domain kind's own listing in the same pass) is not listed: AWS deletes
    a domain only once its apps, spaces and user profiles are gone, so nothing can be inside it. That is
    recorded with ``ctx.note`` and shown in the receipt, never skipped silently.
    """
    from provision.teardown.kinds.domain import describe

    sm = ctx.aws.client("sagemaker", region)
    out: list[dict] = []
    for domain in domains:
        if kind and ctx.in_pass and describe(ctx, region, domain) is None:
            ctx.note(
                kind,
                region,
                f"not listed: domain {domain} no longer exists (DescribeDomain), "
                "and AWS deletes a domain only once nothing is inside it",
            )
            continue
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
