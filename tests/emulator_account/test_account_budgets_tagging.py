"""Budgets subscriber and tag calls, and the tagging API's ARNs, on the embedded AWS (boto3)."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

ACCOUNT = "123456789012"
ARN = f"arn:aws:budgets::{ACCOUNT}:budget/monthly"
NOTE = {
    "NotificationType": "ACTUAL",
    "ComparisonOperator": "GREATER_THAN",
    "Threshold": 80.0,
    "ThresholdType": "PERCENTAGE",
}
TEACHER = {"SubscriptionType": "EMAIL", "Address": "teacher@example.com"}
HELPER = {"SubscriptionType": "EMAIL", "Address": "helper@example.com"}


def _code(exc: pytest.ExceptionInfo[ClientError]) -> str:
    return exc.value.response["Error"]["Code"]


@pytest.fixture(scope="module")
def budgets(account_clients):
    return account_clients("budgets")


def _budget(limit: str = "10") -> dict:
    return {
        "BudgetName": "monthly",
        "BudgetType": "COST",
        "TimeUnit": "MONTHLY",
        "BudgetLimit": {"Amount": limit, "Unit": "USD"},
    }


def test_budget_subscribers_and_tags(budgets):
    budgets.create_budget(
        AccountId=ACCOUNT,
        Budget=_budget(),
        NotificationsWithSubscribers=[{"Notification": NOTE, "Subscribers": [TEACHER]}],
        ResourceTags=[{"Key": "course", "Value": "ml"}],
    )
    assert budgets.describe_notifications_for_budget(AccountId=ACCOUNT, BudgetName="monthly")[
        "Notifications"
    ] == [NOTE]
    subs = lambda: budgets.describe_subscribers_for_notification(  # noqa: E731
        AccountId=ACCOUNT, BudgetName="monthly", Notification=NOTE
    )["Subscribers"]
    assert subs() == [TEACHER]
    budgets.create_subscriber(AccountId=ACCOUNT, BudgetName="monthly", Notification=NOTE, Subscriber=HELPER)
    assert subs() == [TEACHER, HELPER]
    with pytest.raises(ClientError) as err:
        budgets.create_subscriber(
            AccountId=ACCOUNT, BudgetName="monthly", Notification=NOTE, Subscriber=HELPER
        )
    assert _code(err) == "DuplicateRecordException"
    budgets.update_subscriber(
        AccountId=ACCOUNT,
        BudgetName="monthly",
        Notification=NOTE,
        OldSubscriber=HELPER,
        NewSubscriber={**HELPER, "Address": "ta@example.com"},
    )
    assert [s["Address"] for s in subs()] == ["teacher@example.com", "ta@example.com"]
    budgets.delete_subscriber(
        AccountId=ACCOUNT,
        BudgetName="monthly",
        Notification=NOTE,
        Subscriber={**HELPER, "Address": "ta@example.com"},
    )
    assert subs() == [TEACHER]
    with pytest.raises(ClientError) as err:
        budgets.delete_subscriber(
            AccountId=ACCOUNT, BudgetName="monthly", Notification=NOTE, Subscriber=HELPER
        )
    assert _code(err) == "NotFoundException"
    with pytest.raises(ClientError) as err:  # a notification the budget does not have
        budgets.describe_subscribers_for_notification(
            AccountId=ACCOUNT, BudgetName="monthly", Notification={**NOTE, "Threshold": 50.0}
        )
    assert _code(err) == "NotFoundException"

    tags = lambda: budgets.list_tags_for_resource(ResourceARN=ARN)["ResourceTags"]  # noqa: E731
    assert tags() == [{"Key": "course", "Value": "ml"}]
    budgets.tag_resource(
        ResourceARN=ARN,
        ResourceTags=[{"Key": "course", "Value": "ml2"}, {"Key": "owner", "Value": "teacher"}],
    )
    assert sorted((t["Key"], t["Value"]) for t in tags()) == [("course", "ml2"), ("owner", "teacher")]
    budgets.untag_resource(ResourceARN=ARN, ResourceTagKeys=["course"])
    assert tags() == [{"Key": "owner", "Value": "teacher"}]

    budgets.update_budget(AccountId=ACCOUNT, NewBudget=_budget("20"))
    assert budgets.describe_budget(AccountId=ACCOUNT, BudgetName="monthly")["Budget"]["BudgetLimit"][
        "Amount"
    ] in ("20", "20.0")

    budgets.delete_budget(AccountId=ACCOUNT, BudgetName="monthly")
    assert budgets.describe_budgets(AccountId=ACCOUNT).get("Budgets", []) == []
    for call in (
        lambda: budgets.list_tags_for_resource(ResourceARN=ARN),
        lambda: budgets.describe_notifications_for_budget(AccountId=ACCOUNT, BudgetName="monthly"),
        lambda: budgets.describe_subscribers_for_notification(
            AccountId=ACCOUNT, BudgetName="monthly", Notification=NOTE
        ),
    ):
        with pytest.raises(ClientError) as err:
            call()
        assert _code(err) == "NotFoundException"
    with pytest.raises(ClientError) as err:
        budgets.list_tags_for_resource(ResourceARN="arn:aws:s3:::not-a-budget")
    assert _code(err) == "InvalidParameterException"


def test_tagging_api_gives_endpoint_config_arns_as_strings(account_clients):
    sm = account_clients("sagemaker")
    tagging = account_clients("resourcegroupstaggingapi")
    sm.create_model(
        ModelName="m",
        ExecutionRoleArn=f"arn:aws:iam::{ACCOUNT}:role/r",
        PrimaryContainer={"Image": f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/xgboost:1"},
    )
    arn = sm.create_endpoint_config(
        EndpointConfigName="cfg",
        Tags=[{"Key": "course", "Value": "ml"}],
        ProductionVariants=[
            {"VariantName": "v", "ModelName": "m", "InstanceType": "ml.m5.xlarge", "InitialInstanceCount": 1}
        ],
    )["EndpointConfigArn"]
    found = tagging.get_resources(ResourceTypeFilters=["sagemaker:endpoint-config"])["ResourceTagMappingList"]
    assert [r["ResourceARN"] for r in found] == [arn]
    assert arn == f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:endpoint-config/cfg"
    sm.delete_endpoint_config(EndpointConfigName="cfg")
    sm.delete_model(ModelName="m")
    assert tagging.get_resources(ResourceTypeFilters=["sagemaker"])["ResourceTagMappingList"] == []
