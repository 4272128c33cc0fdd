"""Account-setup extensions (Studio, domain EFS, IAM, Budgets, tagging, EC2 regions).

The backend side (Studio state and rules) is ``studio.StudioMixin``, composed into the emulator's
SageMaker backend by ``emulator.sagemaker_backend``. ``install()`` adds the API handlers moto lacks
(or gets wrong) to moto's response classes. Every moto internal relied on here is exercised by
``tests/emulator_account/test_moto_internals.py``.
"""

from __future__ import annotations


def install() -> None:
    """Patch moto's response classes with the account-setup operations. Idempotent."""
    from emulator.account import (
        budgets,
        ec2_groups,
        efs_data,
        iam,
        quotas,
        regions,
        s3_policy_race,
        studio_api,
        studio_lcc,
        studio_tags,
    )

    studio_api.install()
    studio_lcc.install()
    studio_tags.install()
    iam.install()
    budgets.install()
    efs_data.install()
    ec2_groups.install()
    regions.install()
    quotas.install()
    s3_policy_race.install()
