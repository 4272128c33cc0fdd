"""IAM for real in the embedded AWS: AWS's policy evaluation (``policy``), the Service Authorization
Reference as data (``sar``), who signed a request (``principals``) and the enforcement hook into moto
(``enforce``). SimulatePrincipalPolicy (``emulator.account.iam``) uses the same evaluator.
"""

from __future__ import annotations


def install() -> None:
    from emulator.iam import enforce

    enforce.install()
