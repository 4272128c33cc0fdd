"""Fixtures for the embedded AWS's ML tests.

The data bucket is created once per test module (S3 calls and /moto-api/reset each take seconds on a
loaded 2-core machine); every test uses its own job names, and the module ends with a reset that wipes
everything it created.
"""

from __future__ import annotations

import pytest
from mlhelpers import BUCKET, binary_data, regression_data

from testkit import aws
from testkit.data import csv_rows

REGION = "us-east-1"


class ML:
    """boto3 clients bound to the emulator, plus the data sets uploaded to BUCKET."""

    def __init__(self, url: str) -> None:
        make = aws.clients(url)
        self.url = url
        self.s3, self.sm, self.rt, self.logs = (
            make("s3"),
            make("sagemaker"),
            make("sagemaker-runtime"),
            make("logs"),
        )
        self.reg = regression_data()
        self.bin = binary_data()

    def upload(self) -> None:
        X, y = self.reg
        put = self.s3.put_object
        self.s3.create_bucket(Bucket=BUCKET)
        put(Bucket=BUCKET, Key="reg/train/part-0.csv", Body=csv_rows(X[:200], y[:200]))
        put(Bucket=BUCKET, Key="reg/train/part-1.csv", Body=csv_rows(X[200:250], y[200:250]))
        put(Bucket=BUCKET, Key="reg/validation/v.csv", Body=csv_rows(X[250:], y[250:]))
        put(Bucket=BUCKET, Key="reg/test/t.csv", Body=csv_rows(X[250:], y[250:]))
        put(Bucket=BUCKET, Key="reg/batch/rows.csv", Body=csv_rows(X[250:]))
        Xb, yb = self.bin
        put(Bucket=BUCKET, Key="bin/train/t.csv", Body=csv_rows(Xb[:300], yb[:300]))
        put(Bucket=BUCKET, Key="bin/validation/v.csv", Body=csv_rows(Xb[300:], yb[300:]))


@pytest.fixture(scope="module")
def ml(emulator):
    """The emulator with the lesson-like data in BUCKET; reset (everything deleted) after the module."""
    m = ML(emulator.url)
    m.upload()
    yield m
    aws.reset(emulator.url)
