"""Budgets calls Terraform's aws_budgets_budget makes and moto lacks, added to ``BudgetsResponse``.

DescribeSubscribersForNotification, Create/Update/DeleteSubscriber, UpdateBudget,
UpdateNotification, TagResource / UntagResource / ListTagsForResource (and CreateBudget keeping its
``ResourceTags``). Tags live on moto's Budget objects (``kit_tags``), so a reset clears them.
"""

from __future__ import annotations

import json
from typing import Any

from moto.budgets.exceptions import DuplicateRecordException, NotFoundException
from moto.budgets.models import Budget, Notification
from moto.budgets.responses import BudgetsResponse
from moto.core.exceptions import JsonRESTError
from moto.core.utils import unix_time


class InvalidParameterException(JsonRESTError):
    code = 400

    def __init__(self, message: str):
        super().__init__("InvalidParameterException", message)


def _budget(self: BudgetsResponse, account_id: str, name: str, verb: str = "get") -> Budget:
    budget = self.backend.budgets[account_id].get(name)
    if budget is None:
        raise NotFoundException(f"Unable to {verb} budget: {name} - the budget doesn't exist.")
    return budget


def _same_notification(a: dict[str, Any], b: dict[str, Any]) -> bool:
    def norm(n: dict[str, Any]) -> tuple[Any, ...]:
        return (
            n.get("NotificationType"),
            n.get("ComparisonOperator"),
            float(n.get("Threshold", 0)),
            n.get("ThresholdType") or "PERCENTAGE",
        )

    return norm(a) == norm(b)


def _notification(budget: Budget, details: dict[str, Any]) -> Notification:
    for notification in budget.notifications:
        if _same_notification(notification.details, details):
            return notification
    raise NotFoundException("Unable to find notification - the notification doesn't exist.")


def _same_subscriber(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return (a.get("SubscriptionType"), a.get("Address")) == (b.get("SubscriptionType"), b.get("Address"))


def _tags(budget: Budget) -> list[dict[str, str]]:
    if not hasattr(budget, "kit_tags"):
        budget.kit_tags = []  # type: ignore[attr-defined]
    return budget.kit_tags  # type: ignore[attr-defined,no-any-return]


def _budget_from_arn(self: BudgetsResponse, arn: str) -> Budget:
    # arn:aws:budgets::123456789012:budget/name
    parts = (arn or "").split(":", 5)
    if len(parts) != 6 or parts[2] != "budgets" or not parts[5].startswith("budget/"):
        raise InvalidParameterException(f"Invalid budget ARN: {arn}")
    return _budget(self, parts[4], parts[5][len("budget/") :])


# --- handlers ----------------------------------------------------------------------------------------
def create_budget(self: BudgetsResponse) -> str:
    account_id = self._get_param("AccountId")
    budget = self._get_param("Budget")
    self.backend.create_budget(
        account_id=account_id,
        budget=budget,
        notifications=self._get_param("NotificationsWithSubscribers", []),
    )
    created = self.backend.budgets[account_id][budget["BudgetName"]]
    _tags(created).extend(self._get_param("ResourceTags") or [])
    return json.dumps({})


def update_budget(self: BudgetsResponse) -> str:
    account_id = self._get_param("AccountId")
    new = self._get_param("NewBudget")
    budget = _budget(self, account_id, new["BudgetName"], verb="update")
    kept = {k: budget.budget[k] for k in ("TimePeriod",) if k in budget.budget and k not in new}
    budget.budget = {**new, **kept}
    budget.budget["LastUpdatedTime"] = unix_time()
    return json.dumps({})


def describe_notifications_for_budget(self: BudgetsResponse) -> str:
    budget = _budget(self, self._get_param("AccountId"), self._get_param("BudgetName"))
    return json.dumps({"Notifications": [n.details for n in budget.notifications]})


def update_notification(self: BudgetsResponse) -> str:
    budget = _budget(self, self._get_param("AccountId"), self._get_param("BudgetName"))
    notification = _notification(budget, self._get_param("OldNotification"))
    notification.details = self._get_param("NewNotification")
    return json.dumps({})


def describe_subscribers_for_notification(self: BudgetsResponse) -> str:
    budget = _budget(self, self._get_param("AccountId"), self._get_param("BudgetName"))
    notification = _notification(budget, self._get_param("Notification"))
    return json.dumps({"Subscribers": list(notification.subscribers)})


def create_subscriber(self: BudgetsResponse) -> str:
    budget = _budget(self, self._get_param("AccountId"), self._get_param("BudgetName"))
    notification = _notification(budget, self._get_param("Notification"))
    subscriber = self._get_param("Subscriber")
    if any(_same_subscriber(s, subscriber) for s in notification.subscribers):
        raise DuplicateRecordException(record_type="subscriber", record_name=subscriber.get("Address", ""))
    notification.subscribers = list(notification.subscribers) + [subscriber]
    return json.dumps({})


def update_subscriber(self: BudgetsResponse) -> str:
    budget = _budget(self, self._get_param("AccountId"), self._get_param("BudgetName"))
    notification = _notification(budget, self._get_param("Notification"))
    old, new = self._get_param("OldSubscriber"), self._get_param("NewSubscriber")
    for i, s in enumerate(notification.subscribers):
        if _same_subscriber(s, old):
            notification.subscribers[i] = new
            return json.dumps({})
    raise NotFoundException("Unable to update subscriber - the subscriber doesn't exist.")


def delete_subscriber(self: BudgetsResponse) -> str:
    budget = _budget(self, self._get_param("AccountId"), self._get_param("BudgetName"))
    notification = _notification(budget, self._get_param("Notification"))
    subscriber = self._get_param("Subscriber")
    kept = [s for s in notification.subscribers if not _same_subscriber(s, subscriber)]
    if len(kept) == len(notification.subscribers):
        raise NotFoundException("Unable to delete subscriber - the subscriber doesn't exist.")
    notification.subscribers = kept
    return json.dumps({})


def tag_resource(self: BudgetsResponse) -> str:
    budget = _budget_from_arn(self, self._get_param("ResourceARN"))
    new = self._get_param("ResourceTags") or []
    keys = {t["Key"] for t in new}
    budget.kit_tags = [t for t in _tags(budget) if t["Key"] not in keys] + list(new)  # type: ignore[attr-defined]
    return json.dumps({})


def untag_resource(self: BudgetsResponse) -> str:
    budget = _budget_from_arn(self, self._get_param("ResourceARN"))
    keys = set(self._get_param("ResourceTagKeys") or [])
    budget.kit_tags = [t for t in _tags(budget) if t["Key"] not in keys]  # type: ignore[attr-defined]
    return json.dumps({})


def list_tags_for_resource(self: BudgetsResponse) -> str:
    budget = _budget_from_arn(self, self._get_param("ResourceARN"))
    return json.dumps({"ResourceTags": list(_tags(budget))})


HANDLERS = {
    fn.__name__: fn
    for fn in (
        create_budget,
        update_budget,
        describe_notifications_for_budget,
        update_notification,
        describe_subscribers_for_notification,
        create_subscriber,
        update_subscriber,
        delete_subscriber,
        tag_resource,
        untag_resource,
        list_tags_for_resource,
    )
}


def install() -> None:
    for name, fn in HANDLERS.items():
        setattr(BudgetsResponse, name, fn)
