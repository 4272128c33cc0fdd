"""DeleteSecurityGroup refuses like AWS while the group is still in use (added to ``EC2Response``).

AWS answers ``DependencyViolation`` while another group's rule references the group (the domain's
two NFS groups reference each other) or a network interface uses it (the home EFS mount targets).
moto deleted such groups, so a teardown that forgot to revoke rules or delete mount targets first
would pass offline and fail in class.
"""

from __future__ import annotations

from typing import Any

from moto.core.responses import ActionResult
from moto.ec2.exceptions import DependencyViolationError
from moto.ec2.responses import EC2Response
from moto.ec2.responses.security_groups import SecurityGroups

_original = SecurityGroups.delete_security_group


def group_in_use(ec2: Any, group_id: str) -> str | None:
    """Why AWS would refuse to delete ``group_id`` now, or None."""
    for vpc_groups in ec2.groups.values():
        for other in vpc_groups.values():
            if other.id == group_id:
                continue
            for rule in list(other.ingress_rules) + list(other.egress_rules):
                if (rule.source_group or {}).get("GroupId") == group_id:
                    return f"resource {group_id} has a dependent object"
    for eni in ec2.enis.values():
        if any(g.id == group_id for g in eni.group_set):
            return f"resource {group_id} has a dependent object"
    return None


def delete_security_group(self: EC2Response) -> ActionResult:
    group_id = self._get_param("GroupId")
    name = self._get_param("GroupName")
    if not group_id and name:
        group = self.ec2_backend.get_security_group_from_name(name)
        group_id = group.id if group is not None else None
    if group_id and not self._get_param("DryRun", False):
        reason = group_in_use(self.ec2_backend, group_id)
        if reason:
            raise DependencyViolationError(reason)
    return _original(self)


def install() -> None:
    EC2Response.delete_security_group = delete_security_group  # type: ignore[method-assign]
