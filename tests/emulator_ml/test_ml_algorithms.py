"""The algorithms and formats on their own (no emulator): linear-learner, XGBoost, RecordIO, CSV, pool."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest
from mlhelpers import binary_data, regression_data

from emulator.ml import algorithms, channels, recordio, xgboost_algo
from emulator.ml import linear_learner as LL
from emulator.ml.errors import AlgorithmError, StopRequested
from emulator.ml.workers import WorkerPool


# ------------------------------------------------------------------------------------ linear-learner
def test_regressor_learns_in_label_units_with_stored_scaler():
    X, y = regression_data()
    lines: list[str] = []
    r = LL.train(
        {"predictor_type": "regressor", "mini_batch_size": "50", "epochs": "30"},
        LL.Dataset(X[:250], y[:250]),
        test=LL.Dataset(X[250:], y[250:]),
        log=lines.append,
    )
    model = LL.LinearModel.from_bytes(r.model.to_bytes())  # what hosting loads
    # the scaler learned from the data is stored and undone: raw features in, label units out
    assert model.x_mean == pytest.approx(X[:250].mean(axis=0))
    assert model.y_std == pytest.approx(y[:250].std())
    pred = np.array([p["score"] for p in model.predict(X[250:])])
    assert np.sqrt(np.mean((pred - y[250:]) ** 2)) < 0.2  # noise 0.05, label std ≈ 2.4
    assert r.metrics["test:mse"] == pytest.approx(np.mean((pred - y[250:]) ** 2), rel=1e-6)
    assert {"test:mse", "test:absolute_loss", "test:objective_loss", "train:objective_loss"} <= set(r.metrics)
    assert "test:rmse" not in r.metrics  # not a documented linear-learner metric
    assert any(ln.startswith("#quality_metric: host=algo-1, test mse <loss>=") for ln in lines)


def test_absolute_loss_matches_least_absolute_deviation():
    from sklearn.linear_model import QuantileRegressor

    rng = np.random.default_rng(3)
    X = rng.normal(size=(400, 1))
    y = 2 * X[:, 0] + rng.standard_t(2, size=400)  # heavy tails: LAD ≠ least squares
    r = LL.train(
        {
            "predictor_type": "regressor",
            "loss": "absolute_loss",
            "mini_batch_size": "100",
            "epochs": "10",
            "num_models": "32",
        },
        LL.Dataset(X[:300], y[:300]),
        test=LL.Dataset(X[300:], y[300:]),
    )
    q = QuantileRegressor(quantile=0.5, alpha=0, solver="highs").fit(X[:300], y[:300])
    sk_mae = float(np.mean(np.abs(q.predict(X[300:]) - y[300:])))
    assert r.metrics["test:absolute_loss"] <= sk_mae * 1.02


def test_binary_classifier_calibrates_threshold_and_reports_documented_metrics():
    X, y = binary_data()
    r = LL.train(
        {
            "predictor_type": "binary_classifier",
            "mini_batch_size": "50",
            "binary_classifier_model_selection_criteria": "precision_at_target_recall",
            "target_recall": "0.9",
        },
        LL.Dataset(X[:300], y[:300]),
        validation=LL.Dataset(X[300:], y[300:]),
        test=LL.Dataset(X[300:], y[300:]),
    )
    assert {
        "binary_classification_accuracy",
        "binary_f_beta",
        "precision",
        "recall",
        "roc_auc_score",
        "objective_loss",
    } <= {k.split(":")[1] for k in r.metrics if k.startswith("test:")}
    # the threshold was calibrated on validation data to reach the target recall
    assert r.metrics["validation:recall"] >= 0.9
    assert r.model.threshold != 0.5
    preds = r.model.predict(X[:5])
    assert all(0 <= p["score"] <= 1 and p["predicted_label"] in (0, 1) for p in preds)
    assert r.metrics["test:roc_auc_score"] > 0.9


def test_threshold_calibration_maximises_accuracy():
    cfg = LL.parse_hyperparameters({"predictor_type": "binary_classifier"})
    scores = np.array([0.1, 0.2, 0.3, 0.35, 0.4, 0.8, 0.9])
    y = np.array([0, 0, 0, 0, 1, 1, 1], dtype=float)
    threshold, acc = LL.calibrate_threshold(cfg, scores, y)
    assert 0.35 < threshold < 0.4 and acc == 1.0


def test_multiclass_softmax():
    rng = np.random.default_rng(5)
    centers = np.array([[0, 0], [4, 0], [0, 4]])
    yi = rng.integers(0, 3, size=300)
    X = centers[yi] + rng.normal(size=(300, 2))
    r = LL.train(
        {"predictor_type": "multiclass_classifier", "num_classes": "3", "mini_batch_size": "32"},
        LL.Dataset(X[:240], yi[:240].astype(float)),
        test=LL.Dataset(X[240:], yi[240:].astype(float)),
    )
    assert r.metrics["test:multiclass_accuracy"] > 0.9
    p = r.model.predict(X[:1])[0]
    assert len(p["score"]) == 3 and p["predicted_label"] in (0, 1, 2)


def test_early_stopping_and_tuning_forces_one_model():
    X, y = regression_data()
    epochs_seen = []
    r = LL.train(
        {
            "predictor_type": "regressor",
            "epochs": "200",
            "mini_batch_size": "25",
            "early_stopping_patience": "2",
            "early_stopping_tolerance": "0.5",
            "_tuning_objective_metric": "validation:objective_loss",
        },
        LL.Dataset(X, y),
        validation=LL.Dataset(X, y),
        checkpoint=lambda epoch, m: epochs_seen.append((epoch, m["validation:objective_loss"])),
    )
    assert r.epochs_run < 200 and len(epochs_seen) == r.epochs_run
    assert (
        LL.parse_hyperparameters(
            {"predictor_type": "regressor", "num_models": "32", "_tuning_objective_metric": "validation:mse"}
        ).num_models
        == 1
    )


def test_checkpoint_can_stop_training():
    X, y = regression_data()

    def stop(epoch, metrics):
        if epoch == 1:
            raise StopRequested("Stopped")

    with pytest.raises(StopRequested):
        LL.train({"predictor_type": "regressor"}, LL.Dataset(X, y), checkpoint=stop)


@pytest.mark.parametrize(
    ("hp", "words"),
    [
        ({}, "'predictor_type' is a required property"),
        ({"predictor_type": "regressor", "foo": "1"}, "('foo' was unexpected)"),
        ({"predictor_type": "regressor", "loss": "logistic"}, "not compatible with predictor_type"),
        ({"predictor_type": "multiclass_classifier"}, "'num_classes' is a required property"),
        ({"predictor_type": "regressor", "epochs": "ten"}, "is not of type 'integer'"),
        ({"predictor_type": "regressor", "learning_rate": "-1"}, "is not greater than 0"),
    ],
)
def test_linear_learner_rejects_bad_hyperparameters(hp, words):
    with pytest.raises(AlgorithmError) as err:
        LL.parse_hyperparameters(hp)
    assert str(err.value).startswith("ClientError: ") and words in str(err.value)


def test_linear_learner_rejects_bad_labels_and_feature_dim():
    X, _ = binary_data()
    with pytest.raises(AlgorithmError, match="must be 0 or 1"):
        LL.train({"predictor_type": "binary_classifier"}, LL.Dataset(X, np.full(len(X), 2.0)))
    with pytest.raises(AlgorithmError, match="feature_dim"):
        LL.train({"predictor_type": "regressor", "feature_dim": "5"}, LL.Dataset(X, X[:, 0]))


# ------------------------------------------------------------------------------------------ XGBoost
def test_xgboost_hyperparameters_like_the_container():
    p = xgboost_algo.parse_hyperparameters(
        {
            "num_round": "10",
            "eta": "0.2",
            "eval_metric": "rmse,mae",
            "_tuning_objective_metric": "validation:rmse",
        }
    )
    assert p.params["learning_rate"] == 0.2 and p.eval_metrics == ["mae", "rmse"]  # objective last
    for hp, words in [
        ({}, "Missing required hyperparameter: num_round"),
        ({"num_round": "5", "foo": "1"}, "Extraneous hyperparameter found: foo"),
        ({"num_round": "5", "eta": "2"}, "less than or equal to 1"),
        ({"num_round": "5", "objective": "multi:softmax"}, "num_class"),
    ]:
        with pytest.raises(AlgorithmError, match=words.replace("(", r"\(")):
            xgboost_algo.parse_hyperparameters(hp)


def test_xgboost_trains_reports_rounds_and_round_trips_the_model():
    X, y = regression_data()
    lines: list[str] = []
    r = xgboost_algo.train(
        {"num_round": "15", "max_depth": "3"}, (X[:250], y[:250]), (X[250:], y[250:]), log=lines.append
    )
    assert r.rounds == 15 and {"train:rmse", "validation:rmse"} <= set(r.metrics)
    assert any(ln.startswith("[14]#011train-rmse:") and "#011validation-rmse:" in ln for ln in lines)
    model = xgboost_algo.XGBModel(
        algorithms.unpack(algorithms.pack("xgboost-model", r.model_bytes), "xgboost-model")
    )
    pred = model.predict(X[250:])
    assert np.sqrt(np.mean((pred - y[250:]) ** 2)) == pytest.approx(r.metrics["validation:rmse"], rel=1e-3)


def test_xgboost_bad_labels_fail_like_the_container():
    X, y = regression_data()
    with pytest.raises(AlgorithmError, match="label must be in \\[0,1\\]"):
        xgboost_algo.train({"num_round": "2", "objective": "binary:logistic"}, (X, y))


# --------------------------------------------------------------------------------------- data formats
def _record_class():
    """aialgs.data.Record built from the published record.proto with the real protobuf library."""
    pytest.importorskip("google.protobuf")  # installed with the SageMaker SDK
    from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

    f = descriptor_pb2.FileDescriptorProto(
        name="kit_record_test.proto", package="aialgs.data", syntax="proto2"
    )
    t = f.message_type.add(name="Float32Tensor")
    for name, num, typ in (("values", 1, 2), ("keys", 2, 4), ("shape", 3, 4)):
        t.field.add(
            name=name, number=num, type=typ, label=3, options=descriptor_pb2.FieldOptions(packed=True)
        )
    v = f.message_type.add(name="Value")
    v.field.add(name="float32_tensor", number=2, type=11, label=1, type_name=".aialgs.data.Float32Tensor")
    r = f.message_type.add(name="Record")
    for name, num in (("features", 1), ("label", 2)):
        e = r.nested_type.add(
            name=name.capitalize() + "Entry", options=descriptor_pb2.MessageOptions(map_entry=True)
        )
        e.field.add(name="key", number=1, type=9, label=1)
        e.field.add(name="value", number=2, type=11, label=1, type_name=".aialgs.data.Value")
        r.field.add(
            name=name, number=num, type=11, label=3, type_name=f".aialgs.data.Record.{name.capitalize()}Entry"
        )
    pool = descriptor_pool.DescriptorPool()
    pool.Add(f)
    return message_factory.GetMessageClass(pool.FindMessageTypeByName("aialgs.data.Record"))


def test_recordio_protobuf_matches_the_published_schema():
    Record = _record_class()
    # a record written by the real protobuf library (dense row + a sparse row) is read back
    dense = Record()
    dense.features["values"].float32_tensor.values.extend([1.5, -2.0, 3.0])
    dense.label["values"].float32_tensor.values.append(1.0)
    sparse = Record()
    t = sparse.features["values"].float32_tensor
    t.values.extend([7.0])
    t.keys.extend([2])
    t.shape.extend([3])
    sparse.label["values"].float32_tensor.values.append(0.0)
    import struct

    stream = b""
    for rec in (dense, sparse):
        payload = rec.SerializeToString()
        stream += struct.pack("<II", recordio.MAGIC, len(payload)) + payload + b"\0" * (-len(payload) % 4)
    X, y = recordio.read(stream)
    assert X.tolist() == [[1.5, -2.0, 3.0], [0.0, 0.0, 7.0]] and y.tolist() == [1.0, 0.0]
    # and what the kit writes parses with the real library
    ours = recordio.split_records(recordio.write(np.array([[1.0, 2.0]]), np.array([3.0])))[0]
    parsed = Record.FromString(ours)
    assert list(parsed.features["values"].float32_tensor.values) == [1.0, 2.0]
    assert list(parsed.label["values"].float32_tensor.values) == [3.0]
    with pytest.raises(recordio.RecordIOError):
        recordio.read(b"\x00\x01\x02\x03garbage!")


def test_csv_and_request_parsing():
    X, y = channels.parse_csv("1,2,3\n4,5,6\n", True, "train")
    assert y.tolist() == [1, 4] and X.tolist() == [[2, 3], [5, 6]]
    with pytest.raises(AlgorithmError, match="Unable to read data channel 'train'"):
        channels.parse_csv("label,a\n1,2\n", True, "train")
    assert channels.parse_request(b'{"instances":[{"features":[1,2]}]}', "application/json").tolist() == [
        [1, 2]
    ]
    assert channels.parse_request(b"1 1:5 3:2\n", "text/libsvm").shape == (1, 4)
    with pytest.raises(ValueError):
        channels.parse_request(b"not,numbers", "text/csv")


def test_large_csv_is_parsed_by_pandas_to_the_same_numbers_and_kept_by_content():
    rng = np.random.default_rng(7)
    values = rng.normal(size=(300, 60)) * 10.0 ** rng.integers(-8, 8, size=(300, 60))
    text = "\n".join(",".join(repr(float(v)) for v in row) for row in values) + "\n"
    assert len(text) >= channels.LARGE_BODY
    lines = [ln for ln in text.splitlines() if ln.strip()]
    fast = channels._fast_csv(lines, ",")
    assert fast is not None and np.array_equal(fast, values)  # bit for bit: Python's float()
    python_rows = np.asarray([[float(c) for c in ln.split(",")] for ln in lines])
    assert np.array_equal(fast, python_rows)
    body = text.encode()
    X1, y1 = channels.parse(body, channels.CSV, True, "train")
    X1[0, 0] = -1.0  # a caller's change never reaches the kept parse
    X2, y2 = channels.parse(body, channels.CSV, True, "train")
    assert np.array_equal(X2, values[:, 1:]) and np.array_equal(y2, values[:, 0])
    # what pandas declines (an empty cell, a word, ragged rows) goes to the Python reader and its words
    assert channels._fast_csv(["1,,2", "3,4,5"], ",") is None
    assert channels._fast_csv(["1,NA,2", "3,4,5"], ",") is None
    assert channels._fast_csv(["1,2", "3,4,5"], ",") is None
    bad = (text + "1,two" + ",0" * 59 + "\n").encode()
    with pytest.raises(AlgorithmError, match="the CSV must hold numbers only"):
        channels.parse(bad, channels.CSV, True, "train")
    first, rest = text.split(",", 1)  # an empty first cell: NaN, as the Python reader reads it
    X3, _ = channels.parse(("," + rest).encode(), channels.CSV, False, "train")
    assert np.isnan(X3[0, 0]) and np.array_equal(X3[1:], values[1:])


# ------------------------------------------------------------------------------------------- workers
def test_worker_pool_is_bounded_and_closes():
    pool = WorkerPool(size=2)
    running, peak, lock = [0], [0], threading.Lock()
    release = threading.Event()

    def task():
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        release.wait(5)
        with lock:
            running[0] -= 1
        return "done"

    futures = [pool.submit(task) for _ in range(5)]
    time.sleep(0.3)
    assert peak[0] == 2 and pool.alive_threads() == 2
    pool.close()  # queued tasks are cancelled, running ones finish
    release.set()
    assert sum(f.cancelled() for f in futures) == 3
    assert [f.result(5) for f in futures if not f.cancelled()] == ["done", "done"]
    deadline = time.monotonic() + 5
    while pool.alive_threads() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert pool.alive_threads() == 0
    assert pool.submit(task).cancelled()
