"""The lesson's job runners: rainfall (regression), credit (binary classifier), spam (XGBoost + tuning).

Everything here talks to SageMaker and S3 only through the SageMaker Python SDK v3 and boto3, so the
same code runs on a real account and on the embedded AWS: only the endpoint URL and the credentials
in the environment differ.
"""

JOB_NAMES: tuple[str, ...] = ("rainfall", "credit", "spam")
