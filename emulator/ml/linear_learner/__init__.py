"""A stand-in for SageMaker's built-in linear-learner, in plain numpy.

AWS publishes no source for linear-learner; this follows its documented behaviour
(``ll_hyperparameters.md``, ``ll_how-it-works.md``, ``linear-learner-tuning.md``):

- ``normalize_data`` / ``normalize_label``: mean and standard deviation learned from a sample of
  ``num_point_for_scaler`` training rows; the scaler is stored in the model and applied (and undone for
  the label) at inference, so clients send raw features and get scores in label units;
- mini-batch training for ``epochs`` passes with ``mini_batch_size`` rows per step, optimiser adam (auto),
  sgd (with momentum) or rmsprop, optional step-decay learning-rate scheduler, L2 (``wd``) and L1;
- ``num_models`` variants trained together: variant 0 uses the given settings, the others nearby
  learning rates and regularisation; the winner is picked on validation data (or a training sample): the
  lowest objective loss for regression, the best ``binary_classifier_model_selection_criteria`` (after
  calibrating each variant's decision threshold) for binary classification;
- early stopping on the selection metric with ``early_stopping_patience`` / ``early_stopping_tolerance``;
- losses: squared, absolute, huber, quantile, eps-insensitive squared/absolute (regressor), logistic and
  hinge (binary), softmax (multiclass).

Metric names and log lines follow the ones the service's metric definitions match, e.g.
``#quality_metric: host=algo-1, epoch=3, validation absolute_loss_objective <loss>=0.41``.

One module per concern: ``config`` (hyperparameters), ``model`` (the trained model and prediction),
``metrics`` (evaluation and threshold calibration), ``training`` (the training loop).
"""

from emulator.ml.linear_learner.config import Config, Dataset, parse_hyperparameters
from emulator.ml.linear_learner.metrics import calibrate_threshold, evaluate, roc_auc
from emulator.ml.linear_learner.model import LinearModel, TrainResult
from emulator.ml.linear_learner.training import train

__all__ = [
    "Config",
    "Dataset",
    "LinearModel",
    "TrainResult",
    "calibrate_threshold",
    "evaluate",
    "parse_hyperparameters",
    "roc_auc",
    "train",
]
