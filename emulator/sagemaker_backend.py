"""One SageMaker backend class for the whole emulator, composed from the extension mixins.

moto keeps SageMaker state in ``moto.sagemaker.models.sagemaker_backends`` (a BackendDict). We
replace the class it instantiates with a subclass composed of the kit's mixins, so that extra state
lives on the backend and ``/moto-api/reset`` clears it with everything else.
"""

from __future__ import annotations

import moto.sagemaker.models as sm_models
import moto.sagemaker.urls as sm_urls

from emulator.account.studio import StudioMixin
from emulator.account.studio_lcc import StudioLifecycleConfigMixin
from emulator.ml.backend import MLMixin
from emulator.notebooks import NotebookMixin


class KitSageMakerBackend(
    StudioLifecycleConfigMixin, NotebookMixin, StudioMixin, MLMixin, sm_models.SageMakerModelBackend
):
    """moto's SageMaker backend plus the kit's Studio (and its lifecycle configurations), notebook
    instance and ML behaviour."""

    @property
    def _url_module(self):  # BaseBackend derives the URL table from the class's module
        return sm_urls


def install() -> None:
    backends = sm_models.sagemaker_backends
    if backends.backend is not KitSageMakerBackend:
        backends.backend = KitSageMakerBackend
