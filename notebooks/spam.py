# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Spam: XGBoost, a tuner, batch transform and an endpoint
#
# The capstone: tell spam from normal mail ("ham") in the SpamAssassin corpus. We turn each
# message into numbers (TF-IDF: how telling each word is), train **XGBoost** with fixed settings
# and score the test messages by **batch transform** (a job that scores a whole file and stops),
# then let a **tuner** try many settings, deploy the best model behind an **endpoint**, call it
# with a new e-mail — and delete everything we deployed.

# %% tags=["parameters"]
# Parameters: change them here (the kit's tests change them to run on small data).
CORPUS_DIR = "spamassassin"  # a folder with easy_ham/ and spam/ (one message per file)
DOWNLOAD = True  # if CORPUS_DIR is missing: fetch the 2003-02-28 corpus from spamassassin.apache.org
BUCKET = None  # None: the SageMaker default bucket, sagemaker-<region>-<account>
ROLE = None  # None: the execution role this notebook runs with
PREFIX = "lesson/spam"
INSTANCE_TYPE = "ml.m5.xlarge"  # free-tier eligible for training and hosting (first 2 months)
POLL = 5  # seconds between two status checks while we wait
MAX_FEATURES = 3000
MAX_JOBS = 20  # training jobs the tuner runs in all
MAX_PARALLEL = 3  # ... and at the same time

# %% [markdown]
# ## 1. The session: region, bucket, role

# %%
import email
import email.policy
import html
import io
import re
import tarfile
import time
import urllib.request
import uuid
from pathlib import Path

import boto3
import numpy as np
import pandas as pd
from sagemaker.core import image_uris
from sagemaker.core.helper.session_helper import Session, get_execution_role

session = Session()
region = session.boto_region_name
bucket = BUCKET or session.default_bucket()
role = ROLE or get_execution_role(session)
s3 = boto3.client("s3", region_name=region)
# every run in its own folder: classmates may share the bucket
prefix = f"{PREFIX}/{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:4]}"
sm = boto3.client("sagemaker", region_name=region)
print("region:", region, "· bucket:", bucket, "· role:", role)
print("files go to", f"s3://{bucket}/{prefix}/")

# %% [markdown]
# ## 2. The messages
#
# Each file is one e-mail. We keep its subject and its text (HTML tags removed).

# %%
corpus = Path(CORPUS_DIR)
if not corpus.is_dir():
    if not DOWNLOAD:
        raise FileNotFoundError(f"{corpus} is missing: put the easy_ham and spam folders there")
    base = "https://spamassassin.apache.org/old/publiccorpus/"
    for archive in ("20030228_easy_ham.tar.bz2", "20030228_spam.tar.bz2"):
        with urllib.request.urlopen(base + archive, timeout=60) as r:
            tarfile.open(fileobj=io.BytesIO(r.read())).extractall(corpus, filter="data")

TAG = re.compile(r"<[^>]+>")


def message_text(raw: bytes) -> str:
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    parts = [str(msg.get("subject", "") or "")]
    for part in msg.walk():
        if part.get_content_type() not in ("text/plain", "text/html") or part.is_multipart():
            continue
        try:
            body = part.get_content()
        except (LookupError, ValueError, AssertionError):
            body = (part.get_payload(decode=True) or b"").decode("latin-1", errors="replace")
        parts.append(html.unescape(TAG.sub(" ", body)) if part.get_content_type() == "text/html" else body)
    return "\n".join(parts)


def read_folder(kind: str) -> list[str]:
    folders = sorted(d for d in corpus.rglob("*") if d.is_dir() and kind in d.name.lower())
    if kind == "ham":
        folders = [d for d in folders if "spam" not in d.name.lower()]
    files = sorted(
        f
        for d in folders
        for f in d.rglob("*")
        if f.is_file() and not f.name.startswith((".", "cmds")) and f.suffix != ".json"
    )
    return [t for t in (message_text(f.read_bytes()) for f in files) if t.strip()]


ham, spam = read_folder("ham"), read_folder("spam")
texts = np.asarray(ham + spam, dtype=object)
y = np.asarray([0] * len(ham) + [1] * len(spam))
print(len(ham), "ham ·", len(spam), "spam")

# %% [markdown]
# Three sets: **test** (30 %, kept for the end), **validation** (the tuner compares settings on it)
# and **train**. TF-IDF learns its vocabulary on the training messages only.

# %%
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.model_selection import train_test_split

t_rest, t_test, y_rest, y_test = train_test_split(texts, y, test_size=0.3, random_state=1, stratify=y)
t_train, t_val, y_train, y_val = train_test_split(
    t_rest, y_rest, test_size=0.3, random_state=1, stratify=y_rest
)
tfidf = TfidfVectorizer(
    max_features=MAX_FEATURES,
    sublinear_tf=True,
    min_df=2,
    token_pattern=r"(?u)\b[a-zA-Z][a-zA-Z]+\b",
    dtype=np.float32,
)
a_train = tfidf.fit_transform(t_train)
a_val, a_test = tfidf.transform(t_val), tfidf.transform(t_test)
print("train", a_train.shape, "· validation", a_val.shape, "· test", a_test.shape)


# %%
def upload_csv(features, labels, key: str) -> str:
    frame = pd.DataFrame(features.toarray())
    if labels is not None:
        frame.insert(0, "label", labels)
    body = frame.to_csv(header=False, index=False, float_format="%.6g")
    s3.put_object(Bucket=bucket, Key=key, Body=body.encode())
    return f"s3://{bucket}/{key}"


train_uri = upload_csv(a_train, y_train, f"{prefix}/train/train.csv")
val_uri = upload_csv(a_val, y_val, f"{prefix}/validation/validation.csv")
test_uri = upload_csv(a_test, None, f"{prefix}/test/test.csv")  # features only: what we ask about

# %% [markdown]
# ## 3. XGBoost with fixed hyperparameters
#
# **Hyperparameters** of the capstone: trees at most 5 deep, a learning rate (`eta`) of 0.2, up to
# 500 rounds, stopping when the validation error has not improved for 10 rounds.

# %%
from sagemaker.core.shapes import OutputDataConfig
from sagemaker.core.training.configs import Compute, InputData
from sagemaker.train import ModelTrainer

image = image_uris.retrieve(framework="xgboost", region=region, version="1.7-1")
fixed = {
    "max_depth": 5,
    "eta": 0.2,
    "gamma": 4,
    "min_child_weight": 6,
    "subsample": 0.8,
    "objective": "binary:logistic",
    "early_stopping_rounds": 10,
    "num_round": 500,
}
channels = [
    InputData(channel_name="train", data_source=train_uri, content_type="text/csv"),
    InputData(channel_name="validation", data_source=val_uri, content_type="text/csv"),
]


def trainer(hyperparameters: dict, name: str) -> ModelTrainer:
    return ModelTrainer(
        training_image=image,
        role=role,
        sagemaker_session=session,
        base_job_name=name,
        compute=Compute(instance_type=INSTANCE_TYPE, instance_count=1),
        output_data_config=OutputDataConfig(s3_output_path=f"s3://{bucket}/{prefix}/output"),
        hyperparameters={k: str(v) for k, v in hyperparameters.items()},
    )


fixed_trainer = trainer(fixed, "spam-fixed")
fixed_trainer.train(input_data_config=channels, wait=False)
fixed_job = fixed_trainer._latest_training_job  # the job this trainer started
fixed_job.wait(poll=POLL)
print(fixed_job.training_job_name, fixed_job.training_job_status)

# %% [markdown]
# ## 4. Batch transform: score the whole test file
#
# A batch transform starts an instance, scores the file and stops: it is billed only while it
# runs. It needs a **model** (the trained artifact plus the algorithm's image).

# %%
from sagemaker.core.resources import Model, TransformJob
from sagemaker.core.shapes import (
    ContainerDefinition,
    TransformDataSource,
    TransformInput,
    TransformOutput,
    TransformResources,
    TransformS3DataSource,
)

deployed_models = []  # every model we create, deleted at the end
fixed_model = Model.create(
    model_name=fixed_job.training_job_name,
    execution_role_arn=role,
    primary_container=ContainerDefinition(
        image=image, model_data_url=fixed_job.model_artifacts.s3_model_artifacts
    ),
)
deployed_models.append(fixed_model)
out_prefix = f"s3://{bucket}/{prefix}/batch-out"
transform = TransformJob.create(
    transform_job_name=fixed_job.training_job_name + "-bt",
    model_name=fixed_model.model_name,
    transform_input=TransformInput(
        data_source=TransformDataSource(
            s3_data_source=TransformS3DataSource(s3_data_type="S3Prefix", s3_uri=test_uri)
        ),
        content_type="text/csv",
        split_type="Line",
    ),
    transform_output=TransformOutput(s3_output_path=out_prefix, assemble_with="Line", accept="text/csv"),
    transform_resources=TransformResources(instance_type=INSTANCE_TYPE, instance_count=1),
    batch_strategy="MultiRecord",
    max_payload_in_mb=5,
)
transform.wait(poll=POLL)
out = s3.get_object(Bucket=bucket, Key=f"{prefix}/batch-out/test.csv.out")["Body"].read().decode()
batch_scores = [float(v) for v in re.split(r"[,\s]+", out.strip())]

# %% tags=["metrics"]
from sklearn.metrics import accuracy_score, precision_score, recall_score

batch_pred = [int(s >= 0.5) for s in batch_scores]
fixed_metrics = {
    "accuracy": float(accuracy_score(y_test, batch_pred)),
    "precision": float(precision_score(y_test, batch_pred, zero_division=0)),
    "recall": float(recall_score(y_test, batch_pred, zero_division=0)),
    "n": len(batch_pred),
}
fixed_metrics

# %% [markdown]
# ## 5. The tuner: let SageMaker try the settings
#
# The **tuner** runs `MAX_JOBS` training jobs (`MAX_PARALLEL` at a time), each with hyperparameters
# picked in the ranges below, learning from the previous results (Bayesian search), and keeps the
# job with the lowest validation error (`validation:rmse`). Each job is billed for its minutes.

# %%
from sagemaker.core.parameter import ContinuousParameter, IntegerParameter
from sagemaker.train.tuner import HyperparameterTuner

static = {
    k: v for k, v in fixed.items() if k not in ("max_depth", "eta", "min_child_weight", "subsample", "gamma")
}
tuner = HyperparameterTuner(
    model_trainer=trainer(static, "spam-tuned"),
    objective_metric_name="validation:rmse",
    objective_type="Minimize",
    hyperparameter_ranges={
        "max_depth": IntegerParameter(1, 10),
        "eta": ContinuousParameter(0.05, 0.5),
        "min_child_weight": IntegerParameter(1, 10),
        "subsample": ContinuousParameter(0.5, 0.9),
        "gamma": ContinuousParameter(0, 10),
        "alpha": ContinuousParameter(0, 2),
    },
    max_jobs=MAX_JOBS,
    max_parallel_jobs=MAX_PARALLEL,
    strategy="Bayesian",
    base_tuning_job_name="spam",
)
tuner.tune(inputs=channels, wait=False)
tuning_name = tuner.latest_tuning_job.hyper_parameter_tuning_job_name
while True:
    d = sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=tuning_name)
    if d["HyperParameterTuningJobStatus"] in ("Completed", "Failed", "Stopped"):
        break
    time.sleep(POLL)
best = d["BestTrainingJob"]
print(
    tuning_name, d["HyperParameterTuningJobStatus"], "·", d["TrainingJobStatusCounters"]["Completed"], "jobs"
)
print("best:", best["TrainingJobName"], best["TunedHyperParameters"])

# %% [markdown]
# ## 6. Deploy the best model and ask it
#
# The **endpoint** runs on an ml.m5.xlarge: about $0.23 per hour (us-east-1) for as long as it
# exists. We delete it at the end.

# %%
from sagemaker.core.resources import Endpoint, EndpointConfig, TrainingJob
from sagemaker.core.shapes import ProductionVariant

best_job = TrainingJob.get(training_job_name=best["TrainingJobName"])
name = best_job.training_job_name
best_model = Model.create(
    model_name=name,
    execution_role_arn=role,
    primary_container=ContainerDefinition(
        image=image, model_data_url=best_job.model_artifacts.s3_model_artifacts
    ),
)
deployed_models.append(best_model)
endpoint_config = EndpointConfig.create(
    endpoint_config_name=name,
    production_variants=[
        ProductionVariant(
            variant_name="AllTraffic", model_name=name, initial_instance_count=1, instance_type=INSTANCE_TYPE
        )
    ],
)
endpoint = Endpoint.create(endpoint_name=name, endpoint_config_name=name)
endpoint.wait_for_status("InService", poll=POLL)


def ask(features) -> list[float]:
    body = pd.DataFrame(features.toarray()).to_csv(header=False, index=False, float_format="%.6g")
    answer = endpoint.invoke(body=body, content_type="text/csv", accept="text/csv").body.read().decode()
    return [float(v) for v in re.split(r"[,\s]+", answer.strip())]


tuned_scores = ask(a_test)

# %% tags=["metrics"]
tuned_pred = [int(s >= 0.5) for s in tuned_scores]
tuned_metrics = {
    "training_job": name,
    "accuracy": float(accuracy_score(y_test, tuned_pred)),
    "precision": float(precision_score(y_test, tuned_pred, zero_division=0)),
    "recall": float(recall_score(y_test, tuned_pred, zero_division=0)),
    "n": len(tuned_pred),
}
tuned_metrics

# %% [markdown]
# **The web call**: what a web page does with a pasted e-mail — the same TF-IDF, one request to the
# endpoint, a score between 0 (ham) and 1 (spam).

# %%
new_mail = "Subject: you are a winner\n\nClick now to claim your free prize money, cheap offer!"
score = ask(tfidf.transform([new_mail]))[0]
print(f"spam score {score:.3f} →", "spam" if score >= 0.5 else "ham")

# %% [markdown]
# ## 7. Clean up: delete what we deployed
#
# The endpoint (billed by the hour), its configuration and both models. Training, tuning and
# transform jobs stay in the history; finished, they cost nothing.

# %% tags=["cleanup"]
endpoint.delete()
endpoint_config.delete()
for m in deployed_models:
    m.delete()
while any(e["EndpointName"] == name for e in sm.list_endpoints(NameContains=name)["Endpoints"]):
    time.sleep(POLL)
print("deleted", name, "and", len(deployed_models), "models")
