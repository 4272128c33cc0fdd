"""Notebook instances that stop and delete the way AWS's do.

moto stops and deletes a notebook instance at once. AWS goes InService → Stopping → Stopped and
Stopped → Deleting → gone, and answers every call about an instance that does not exist (any more)
with ``ValidationException`` "RecordNotFound" — the string terraform-provider-aws matches
(internal/service/sagemaker/find.go, findNotebookInstanceByName). DeleteNotebookInstance accepts
only Stopped or Failed, StopNotebookInstance only a running instance.

``KIT_EMULATOR_NOTEBOOK_S`` (seconds, default 0.3) is how long Stopping and Deleting last; as with
Studio apps, a client sees the intermediate status at least once (emulator/account/lifecycle.py).
"""

from __future__ import annotations

from typing import Any

from moto.sagemaker.exceptions import ValidationError

from emulator.account.lifecycle import Lifecycle, _env_seconds

GONE = "__gone__"
RUNNING = ("InService", "PendingMaintenance")


class NotebookMixin:
    """Mixed into the SageMaker backend: Stopping / Deleting transitions, RecordNotFound when gone."""

    def __init__(self, region_name: str, account_id: str):
        super().__init__(region_name, account_id)  # type: ignore[call-arg]
        self.kit_notebook_s = _env_seconds("KIT_EMULATOR_NOTEBOOK_S", 0.3)
        self.kit_notebooks: dict[str, Lifecycle] = {}

    def _kit_advance(self, name: str, observe: bool) -> None:
        nb = self.notebook_instances.get(name)  # type: ignore[attr-defined]
        life = self.kit_notebooks.get(name)
        if nb is None or life is None:
            return
        status = life.observe() if observe else life.peek()
        if status == GONE:
            del self.notebook_instances[name]  # type: ignore[attr-defined]
            del self.kit_notebooks[name]
        else:
            nb.status = status

    def get_notebook_instance(self, notebook_instance_name: str) -> Any:
        self._kit_advance(notebook_instance_name, observe=True)
        return super().get_notebook_instance(notebook_instance_name)  # type: ignore[misc]

    def stop_notebook_instance(self, notebook_instance_name: str) -> None:
        nb = self.get_notebook_instance(notebook_instance_name)
        if nb.status not in RUNNING:
            raise ValidationError(
                message=f"Status ({nb.status}) not in ([InService]). Unable to transition "
                f"to (Stopping) for Notebook Instance ({nb.arn})"
            )
        life = Lifecycle(nb.status)
        life.move("Stopping", "Stopped", self.kit_notebook_s)
        self.kit_notebooks[notebook_instance_name] = life
        nb.status = life.peek()

    def start_notebook_instance(self, notebook_instance_name: str) -> None:
        super().start_notebook_instance(notebook_instance_name)  # type: ignore[misc]
        self.kit_notebooks.pop(notebook_instance_name, None)

    def delete_notebook_instance(self, notebook_instance_name: str) -> None:
        nb = self.get_notebook_instance(notebook_instance_name)
        if not nb.is_deletable:
            raise ValidationError(
                message=f"Status ({nb.status}) not in ([Stopped, Failed]). Unable to "
                f"transition to (Deleting) for Notebook Instance ({nb.arn})"
            )
        life = Lifecycle(nb.status)
        life.move("Deleting", GONE, self.kit_notebook_s)
        self.kit_notebooks[notebook_instance_name] = life
        self._kit_advance(notebook_instance_name, observe=False)

    def list_notebook_instances(self, *args: Any, **kwargs: Any) -> Any:
        for name in list(self.kit_notebooks):
            self._kit_advance(name, observe=True)
        return super().list_notebook_instances(*args, **kwargs)  # type: ignore[misc]
