"""What SageMaker does with a job's execution role: the embedded AWS acts as that role.

On AWS, SageMaker assumes the execution role of a training job, a transform job or a model to pull
the algorithm image from ECR, read the input data and write the output in S3, and write the
container's logs (SageMaker Developer Guide, "How to use SageMaker AI execution roles":
CreateTrainingJob / CreateTransformJob / CreateModel API execution role permissions). A job whose role
lacks one of these fails with a ``ClientError`` FailureReason; logs the role may not write are not
written. The worker threads that run jobs call :func:`acting_as` and the data readers call
:func:`check` before each S3 or ECR access.

A role ARN that names no role in the emulator's IAM (tests that never create one) is not checked.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from emulator.iam import enforce, principals
from emulator.iam import policy as P

_local = threading.local()


class RoleDenied(Exception):
    """The execution role may not do what the job needs; ``str()`` is the reason."""


@contextmanager
def acting_as(account: str, region: str, role_arn: str | None) -> Iterator[None]:
    previous = getattr(_local, "role", None)
    _local.role = (account, region, role_arn) if role_arn else None
    try:
        yield
    finally:
        _local.role = previous


def _policies(account: str, role_arn: str) -> list[P.Policy] | None:
    from moto.iam.models import iam_backends

    name = role_arn.rsplit("/", 1)[-1]
    try:
        iam = iam_backends[account]["aws"]
        iam.get_role(name)
    except Exception:  # noqa: BLE001 - no such role: not checked (see the module docstring)
        return None
    return principals.role_policies(iam, name)


def allowed(action: str, resource: str, context: dict[str, list[str]] | None = None) -> bool:
    """Whether the role the current thread acts as may do ``action`` (True when none is set)."""
    current = getattr(_local, "role", None)
    if current is None or not enforce.enabled():
        return True
    account, region, role_arn = current
    policies = _policies(account, role_arn)
    if policies is None:
        return True
    ctx = enforce.request_context(action.split(":")[0], action.split(":")[1], {}, region, context)
    ctx.update({"aws:principalarn": [role_arn], "aws:principalaccount": [account]})
    return P.evaluate(policies, action, resource, ctx).allowed


def check(action: str, resource: str, what: str, context: dict[str, list[str]] | None = None) -> None:
    """Raise :class:`RoleDenied` unless the current role may do ``action`` on ``resource``."""
    if not allowed(action, resource, context):
        role_arn = _local.role[2]
        raise RoleDenied(
            f"{what}: the execution role {role_arn} is not authorized to perform: {action} on resource: "
            f"{resource}"
        )


def image_repository_arn(image: str | None) -> str | None:
    """``arn:aws:ecr:<region>:<registry>:repository/<name>`` of an ECR image URI."""
    if not image or ".dkr.ecr." not in image:
        return None
    host, _, path = image.partition("/")
    registry = host.split(".", 1)[0]
    region = host.split(".dkr.ecr.", 1)[1].split(".", 1)[0]
    repo = path.split("@", 1)[0].rsplit(":", 1)[0] if ":" in path.split("/")[-1] else path.split("@", 1)[0]
    return f"arn:aws:ecr:{region}:{registry}:repository/{repo}"


def check_image_pull(image: str | None) -> None:
    """The ECR calls a container pull makes under the role (GetAuthorizationToken, BatchGetImage ...)."""
    repo = image_repository_arn(image)
    if repo is None:
        return
    check("ecr:GetAuthorizationToken", "*", f"Cannot pull the image {image}")
    for action in ("ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"):
        check(action, repo, f"Cannot pull the image {image}")
