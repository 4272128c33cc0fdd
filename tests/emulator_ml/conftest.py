"""Fixtures for the embedded AWS's ML tests."""

from __future__ import annotations

import pytest
from mlhelpers import BUCKET, binary_data, csv_rows, regression_data


@pytest.fixture
def ml(client, reset_emulator):
    """boto3 clients on the emulator plus a bucket holding regression and binary data sets."""
    s3 = client("s3")
    s3.create_bucket(Bucket=BUCKET)
    X, y = regression_data()
    s3.put_object(Bucket=BUCKET, Key="reg/train/part-0.csv", Body=csv_rows(X[:200], y[:200]))
    s3.put_object(Bucket=BUCKET, Key="reg/train/part-1.csv", Body=csv_rows(X[200:250], y[200:250]))
    s3.put_object(Bucket=BUCKET, Key="reg/validation/v.csv", Body=csv_rows(X[250:], y[250:]))
    s3.put_object(Bucket=BUCKET, Key="reg/test/t.csv", Body=csv_rows(X[250:], y[250:]))
    s3.put_object(Bucket=BUCKET, Key="reg/batch/rows.csv", Body=csv_rows(X[250:]))
    Xb, yb = binary_data()
    s3.put_object(Bucket=BUCKET, Key="bin/train/t.csv", Body=csv_rows(Xb[:300], yb[:300]))
    s3.put_object(Bucket=BUCKET, Key="bin/validation/v.csv", Body=csv_rows(Xb[300:], yb[300:]))

    class ML:
        pass

    m = ML()
    m.s3, m.sm, m.rt, m.logs = s3, client("sagemaker"), client("sagemaker-runtime"), client("logs")
    m.reg = (X, y)
    m.bin = (Xb, yb)
    return m
