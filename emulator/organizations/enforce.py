"""Service control policies in the embedded AWS's IAM enforcement (issue 13's ``emulator.iam.enforce``).

AWS evaluates SCPs for every request a principal of a member account makes (IAM user guide, "Policy
evaluation logic": an SCP that does not allow, or explicitly denies, ends the evaluation with a deny,
whatever the identity policies say); the management account is never restricted. The IAM enforcement
calls ``decide(who, action, resources, ctx, …)`` for every request of an IAM user or a role session
(S3 included), with the request context it built; this module wraps that function: for a principal of
a member account, the SCPs of the account's path (:func:`emulator.organizations.scp.levels_for`) are
evaluated first and a deny is AWS's ``… with an explicit deny in a service control policy`` (or
``… because no service control policy allows the … action``).

So SCPs are enforced exactly when the IAM enforcement is (``CLASSROOM_EMULATOR_IAM=off`` turns both
off). The bootstrapping principal (the ``testing`` keys of the kit and Terraform) acts in the
management account, which SCPs never restrict.
"""

from __future__ import annotations

from typing import Any

from emulator.organizations import scp

_installed = False


def check(who: Any, action: str, resources: list[str], ctx: dict[str, list[str]]) -> None:
    """Raise the IAM enforcement's ``Denied`` when an SCP denies ``who`` the request."""
    from emulator.iam import enforce as iam_enforce

    if who is None or action.lower() in iam_enforce.ALWAYS_ALLOWED:
        return
    levels = scp.levels_for(who.account)
    if levels is None:
        return
    full = dict(ctx)
    full.update(who.context())
    for resource in resources:
        d = scp.evaluate(levels, action, resource, full)
        if d.allowed:
            continue
        denied = iam_enforce.Denied(who.arn, action, resource, d.explicit)
        denied.message = (
            f"User: {who.arn} is not authorized to perform: {action} on resource: {resource} "
            + (
                "with an explicit deny in a service control policy"
                if d.explicit
                else f"because no service control policy allows the {action} action"
            )
        )
        denied.args = (denied.message,)
        raise denied


def install() -> None:
    """Wrap ``emulator.iam.enforce.decide`` with the SCP check. Idempotent."""
    global _installed
    if _installed:
        return
    from emulator.iam import enforce as iam_enforce

    original = iam_enforce.decide

    def decide(who: Any, action: str, resources: list[str], ctx: dict[str, list[str]], **kwargs: Any) -> None:
        check(who, action, resources, ctx)
        original(who, action, resources, ctx, **kwargs)

    iam_enforce.decide = decide
    _installed = True
