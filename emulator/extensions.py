"""Install the kit's extensions into moto. Called once, in the emulator process, before serving.

The groups, each in its own subpackage:
- ``emulator.account`` — the account setup: Studio user profiles / apps / spaces, the domain's EFS
  and NFS security groups, IAM and Budgets gaps, tagging fixes;
- ``emulator.ml`` — real training (linear-learner, XGBoost), tuning, hosting, batch transform;
- ``emulator.serverless`` — Lambda execution, HTTP API invocation, schedules.
- ``emulator.iam`` — permission enforcement for requests signed by IAM users and role sessions.
- ``emulator.organizations`` — service control policies in that enforcement for member accounts.
Both contribute mixins to one SageMaker backend class (``emulator.sagemaker_backend``).
"""

from __future__ import annotations

_installed = False


def install() -> None:
    global _installed
    if _installed:
        return
    from emulator import account, iam, ml, organizations, sagemaker_backend, serverless

    sagemaker_backend.install()
    account.install()
    ml.install()
    serverless.install()
    iam.install()
    organizations.install()
    _installed = True
