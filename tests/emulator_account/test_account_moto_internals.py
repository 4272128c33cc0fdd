"""Every moto internal that ``emulator.account`` relies on, exercised in-process.

moto is pinned to one exact version; the extension uses its backends' classes, attributes and
methods directly. If an upgrade renames or changes one of them, a test here fails and names it —
instead of the emulator failing obscurely in class. These tests run moto in this process (no HTTP);
each uses its own account id and drops that account's backends afterwards.
"""

from __future__ import annotations

import inspect
import json

import moto.sagemaker.models as sm_models
import pytest
from moto.budgets.exceptions import DuplicateRecordException, NotFoundException
from moto.budgets.models import Budget, Notification, budgets_backends
from moto.budgets.responses import BudgetsResponse
from moto.core.base_backend import BaseBackend
from moto.core.exceptions import JsonRESTError
from moto.core.resource_tagging import TaggedResource
from moto.core.responses import ActionResult, BaseResponse, EmptyResult
from moto.core.utils import method_names_from_class, utcnow
from moto.ec2.exceptions import DependencyViolationError
from moto.ec2.models import ec2_backends
from moto.ec2.responses import EC2Response
from moto.ec2.responses.security_groups import SecurityGroups
from moto.efs.models import efs_backends
from moto.iam.exceptions import DeleteConflictException, IAMException, InvalidInput, NoSuchEntity
from moto.iam.models import iam_backends
from moto.iam.responses import IamResponse
from moto.sagemaker.exceptions import ResourceInUseException, ResourceNotFound, ValidationError
from moto.sagemaker.responses import SageMakerResponse
from moto.sagemaker.utils import arn_formatter

from emulator.account import budgets as kit_budgets
from emulator.account import ec2_groups, home_efs, studio_api
from emulator.account import iam as kit_iam
from emulator.account.studio import StudioMixin
from emulator.account.tagging import plain_arn

ACCOUNT = "000000000042"
REGION = "us-east-1"


@pytest.fixture(autouse=True)
def _drop_account():
    yield
    for backends in (
        sm_models.sagemaker_backends,
        ec2_backends,
        efs_backends,
        iam_backends,
        budgets_backends,
    ):
        backends.pop(ACCOUNT, None)


class _StudioOnly(StudioMixin, sm_models.SageMakerModelBackend):
    """The Studio half of the emulator's backend, without the ML worker pool."""

    @property
    def _url_module(self):
        import moto.sagemaker.urls

        return moto.sagemaker.urls


# --- core ----------------------------------------------------------------------------------------------
def test_core_dispatch_finds_handlers_set_on_a_response_class():
    class Probe(SageMakerResponse):
        pass

    Probe.list_user_profiles = studio_api.list_user_profiles
    assert "list_user_profiles" in method_names_from_class(Probe)
    assert "call_action" in dict(inspect.getmembers(BaseResponse))
    for cls in (SageMakerResponse, IamResponse, BudgetsResponse):
        assert callable(cls._get_param)
    assert isinstance(SageMakerResponse.__dict__["sagemaker_backend"], property)
    assert isinstance(IamResponse.__dict__["backend"], property)
    assert isinstance(BudgetsResponse.__dict__["backend"], property)
    assert ActionResult({"a": 1}).result == {"a": 1} and EmptyResult().result is None
    assert utcnow().tzinfo is None or utcnow().utcoffset().total_seconds() == 0


def test_backend_init_signature_and_reset_clear_mixin_state():
    assert list(inspect.signature(BaseBackend.__init__).parameters)[1:3] == ["region_name", "account_id"]
    backend = _StudioOnly(REGION, ACCOUNT)
    backend.user_profiles[("d-x", "p")] = object()  # type: ignore[assignment]
    backend.reset()  # what /moto-api/reset calls on every backend
    assert backend.user_profiles == {} and backend.domains == {}


def test_sagemaker_backend_dict_class_is_replaceable():
    backends = sm_models.sagemaker_backends
    original = backends.backend
    assert isinstance(original, type)
    try:
        backends.backend = _StudioOnly
        backends.pop(ACCOUNT, None)
        assert isinstance(backends[ACCOUNT][REGION], _StudioOnly)
    finally:
        backends.backend = original


# --- SageMaker -------------------------------------------------------------------------------------------
def test_sagemaker_domain_object_and_arns():
    arn = arn_formatter("user-profile", "d-abc/alice", ACCOUNT, REGION)
    assert arn == f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:user-profile/d-abc/alice"
    domain = sm_models.Domain(
        domain_name="n",
        auth_mode="IAM",
        default_user_settings={},
        subnet_ids=["s"],
        vpc_id="v",
        domain_settings=None,
        tags=None,
        app_network_access_type=None,
        home_efs_file_system_kms_key_id=None,
        kms_key_id=None,
        app_security_group_management=None,
        default_space_settings=None,
        region_name=REGION,
        account_id=ACCOUNT,
    )
    for attr in (
        "id",
        "arn",
        "tags",
        "url",
        "status",
        "home_efs_file_system_id",
        "failure_reason",
        "security_group_id_for_domain_boundary",
        "single_sign_on_managed_application_instance_id",
        "single_sign_on_managed_application_arn",
        "default_user_settings",
        "default_space_settings",
        "domain_settings",
        "app_security_group_management",
        "app_network_access_type",
        "subnet_ids",
        "vpc_id",
        "last_modified_time",
    ):
        assert hasattr(domain, attr), attr
    domain.id, domain.status, domain.home_efs_file_system_id = "d-xyz", "Deleting", "fs-1"
    described = domain.describe()
    assert (described["DomainId"], described["Status"], described["HomeEfsFileSystemId"]) == (
        "d-xyz",
        "Deleting",
        "fs-1",
    )
    assert set(domain.summary()) >= {"DomainArn", "DomainId", "DomainName", "Status", "Url"}


def test_sagemaker_tag_calls_go_through_get_resource_from_arn():
    backend = _StudioOnly(REGION, ACCOUNT)
    vpc = ec2_backends[ACCOUNT][REGION].get_default_vpc()
    subnet = ec2_backends[ACCOUNT][REGION].describe_subnets(filters={"vpc-id": [vpc.id]})[0]
    domain_id = backend.create_domain("n", "IAM", {}, [subnet.id], vpc.id)["DomainId"]
    profile_arn = backend.create_user_profile(domain_id, "alice")
    backend.add_tags(profile_arn, [{"Key": "k", "Value": "1"}])
    tags, _ = backend.list_tags(arn=profile_arn)  # moto's paginated list_tags calls our lookup
    assert tags == [{"Key": "k", "Value": "1"}]
    backend.delete_tags(profile_arn, ["k"])
    assert backend.list_tags(arn=profile_arn)[0] == []
    domain_arn = backend.domains[domain_id].arn
    assert backend._get_resource_from_arn(domain_arn) is backend.domains[domain_id]  # moto's own parser
    kinds = {r.resource_type for r in backend.iter_tagged_resources()}
    assert {"sagemaker:domain", "sagemaker:user-profile"} <= kinds
    assert {f.name for f in TaggedResource.__dataclass_fields__.values()} >= {"arn", "tags", "resource_type"}
    backend.delete_user_profile(domain_id, "alice")
    backend.delete_domain(domain_id, {"HomeEfsFileSystem": "Delete"})
    assert backend.domains == {}


def test_sagemaker_endpoint_config_arn_shape_is_handled():
    backend = sm_models.SageMakerModelBackend(REGION, ACCOUNT)
    backend.create_model(
        model_name="m",
        execution_role_arn="arn:aws:iam::1:role/r",
        primary_container={"Image": "i"},
        vpc_config=None,
        containers=None,
        tags=[],
    )
    backend.create_endpoint_config(
        endpoint_config_name="c",
        production_variants=[
            {"VariantName": "v", "ModelName": "m", "InstanceType": "ml.m5.large", "InitialInstanceCount": 1}
        ],
        data_capture_config=None,
        tags=[],
        kms_key_id=None,
        async_inference_config=None,
    )
    [res] = [r for r in backend.iter_tagged_resources() if r.resource_type == "sagemaker:endpoint-config"]
    # moto 5.2.5 stores a one-element tuple; plain_arn gives AWS's string either way
    assert plain_arn(res.arn) == f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:endpoint-config/c"


def test_sagemaker_exception_codes():
    assert ValidationError(message="m").code == "ValidationException"
    assert ResourceNotFound(message="m").code == "ResourceNotFound"
    assert ResourceInUseException(message="m").code == "ResourceInUse"


# --- EC2 / EFS -------------------------------------------------------------------------------------------
def test_ec2_and_efs_calls_used_for_the_home_efs():
    ec2 = ec2_backends[ACCOUNT][REGION]
    efs = efs_backends[ACCOUNT][REGION]
    vpc = ec2.get_default_vpc()
    assert vpc.id in ec2.vpcs
    subnets = [s for s in ec2.describe_subnets() if s.vpc_id == vpc.id]
    by_zone = {s.availability_zone: s.id for s in subnets}
    ids = list(by_zone.values())[:2]
    assert [s.id for s in ec2.describe_subnets(subnet_ids=ids)] == ids
    home_efs.validate_network(ACCOUNT, REGION, vpc.id, ids)
    home = home_efs.create_home_efs(ACCOUNT, REGION, "d-abc", "arn:domain", vpc.id, ids)
    inbound = ec2.get_security_group_from_id(home.inbound_sg_id)
    assert inbound.vpc_id == vpc.id and inbound.name == "security-group-for-inbound-nfs-d-abc"
    assert [r.source_group["GroupId"] for r in inbound.ingress_rules] == [home.outbound_sg_id]
    targets = [mt for mt in efs.mount_targets_by_id.values() if mt.file_system_id == home.file_system_id]
    assert len(targets) == 2 and home.file_system_id in efs.file_systems_by_id
    with pytest.raises(Exception) as err:  # FileSystemInUse while mount targets exist
        efs.delete_file_system(home.file_system_id)
    assert "FileSystemInUse" in type(err.value).__name__ or "mount targets" in str(err.value)
    # what ec2_groups.group_in_use reads: groups by VPC, rules' source groups, interfaces' groups
    assert ec2_groups.group_in_use(ec2, home.outbound_sg_id)  # referenced by the inbound group's rule
    assert any(g.id == home.inbound_sg_id for eni in ec2.enis.values() for g in eni.group_set)
    assert home.inbound_sg_id in ec2.groups[vpc.id]
    assert DependencyViolationError("m").code == "DependencyViolation"
    assert callable(SecurityGroups.delete_security_group) and issubclass(EC2Response, SecurityGroups)
    home_efs.delete_home_efs(ACCOUNT, REGION, home)
    assert home.file_system_id not in efs.file_systems_by_id and efs.mount_targets_by_id == {}
    assert ec2.get_security_group_from_id(home.inbound_sg_id) is None
    assert ec2.get_security_group_from_id(home.outbound_sg_id) is None


def test_efs_size_and_delete_seams_used_for_efs_data(tmp_path, monkeypatch):
    """emulator/account/efs_data.py replaces FileSystem.size_in_bytes (a property read by info_json,
    i.e. DescribeFileSystems) and wraps EFSBackend.delete_file_system."""
    from moto.efs import models as efs_models

    from emulator.account import efs_data

    assert isinstance(inspect.getattr_static(efs_models.FileSystem, "size_in_bytes"), property)
    assert "size_in_bytes" in inspect.getsource(efs_models.FileSystem.info_json)
    monkeypatch.setenv(efs_data.EFS_DIR_ENV, str(tmp_path))
    efs_data.install()
    efs = efs_backends[ACCOUNT][REGION]
    fs = efs.create_file_system(
        creation_token="t",
        performance_mode="generalPurpose",
        encrypted=False,
        kms_key_id=None,  # type: ignore[arg-type]
        throughput_mode="bursting",
        provisioned_throughput_in_mibps=0,
        availability_zone_name=None,  # type: ignore[arg-type]
        backup=False,
        tags=[],
    )
    home = efs_data.mount_path(tmp_path, ACCOUNT, REGION, fs.file_system_id)
    home.mkdir(parents=True)
    (home / "f").write_bytes(b"x" * 4097)  # two 4-KiB blocks
    assert fs.info_json()["SizeInBytes"]["Value"] == (2048 + 4096) + (2048 + 2 * 4096)
    efs.delete_file_system(fs.file_system_id)
    assert not home.exists()


def test_sagemaker_request_seams_used_for_studio_tags():
    """emulator/account/studio_tags.py wraps SageMakerResponse.call_action and edits the parsed
    request (``params``, automated parameter parsing) before the handler reads ``Tags`` from it."""
    resp = SageMakerResponse()
    assert resp.automated_parameter_parsing is True
    assert 'self._get_param("Tags")' in inspect.getsource(SageMakerResponse.create_endpoint)
    assert "params = ChainMap(self.params" in inspect.getsource(BaseResponse._get_param)
    assert callable(SageMakerResponse.call_action)


# --- IAM -------------------------------------------------------------------------------------------------
def test_iam_models_used_for_delete_conflicts_and_simulation():
    backend = iam_backends[ACCOUNT]["aws"]
    user = backend.create_user(REGION, user_name="probe", path="/", tags=[])
    assert backend.get_user("probe") is user
    for attr in (
        "name",
        "create_date",
        "password",
        "password_reset_required",
        "access_keys",
        "signing_certificates",
        "ssh_public_keys",
        "mfa_devices",
        "policies",
        "managed_policies",
    ):
        assert hasattr(user, attr), attr
    backend.create_login_profile("probe", "pw")
    assert user.password == "pw"
    assert kit_iam.user_delete_conflict(backend, user) == (
        "Cannot delete entity, must delete login profile first."
    )
    backend.create_group("g", "/")
    backend.add_user_to_group("g", "probe")
    group = backend.get_group("g")
    assert group.users == [user] and group.policies == {} and group.managed_policies == {}
    assert [g.name for g in backend.get_groups_for_user("probe")] == ["g"]
    backend.put_group_policy(
        "g",
        "inline",
        json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
        ),
    )
    policies = kit_iam.principal_policies(backend, user.arn)
    assert [(p.source_id, p.source_type) for p in policies] == [("inline", "group")]
    managed = backend.create_policy(
        "desc",
        "/",
        json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]}
        ),
        "mp",
        tags=[],
    )
    assert [v.is_default for v in managed.versions] == [True] and managed.versions[0].document
    assert DeleteConflictException("m").code == "DeleteConflict"
    assert NoSuchEntity("m").code == "NoSuchEntity" and InvalidInput("m").code == "InvalidInput"
    with pytest.raises(IAMException) as err:  # the answer of SimulatePrincipalPolicy for a missing role
        backend.get_role("missing")
    assert err.value.code == "NoSuchEntity"


# --- Budgets ---------------------------------------------------------------------------------------------
def test_budgets_models_used_for_subscribers_and_tags():
    backend = budgets_backends[ACCOUNT]["aws"]
    note = {"NotificationType": "ACTUAL", "ComparisonOperator": "GREATER_THAN", "Threshold": 80}
    sub = {"SubscriptionType": "EMAIL", "Address": "a@example.com"}
    backend.create_budget(
        account_id=ACCOUNT,
        budget={
            "BudgetName": "b",
            "BudgetType": "COST",
            "TimeUnit": "MONTHLY",
            "BudgetLimit": {"Amount": "1", "Unit": "USD"},
        },
        notifications=[{"Notification": note, "Subscribers": [sub]}],
    )
    budget = backend.budgets[ACCOUNT]["b"]
    assert isinstance(budget, Budget) and budget.budget["BudgetName"] == "b"
    [notification] = budget.notifications
    assert isinstance(notification, Notification)
    assert notification.details == note and notification.subscribers == [sub]
    assert kit_budgets._same_notification(
        notification.details, {**note, "Threshold": 80.0, "ThresholdType": "PERCENTAGE"}
    )
    assert (
        DuplicateRecordException(record_type="subscriber", record_name="x").error_type
        == "DuplicateRecordException"
    )
    assert NotFoundException("m").error_type == "NotFoundException"
    assert issubclass(kit_budgets.InvalidParameterException, JsonRESTError)
