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
# # Rainfall: a linear-learner regressor
#
# Does a warm day bring more rain in Austin? We teach SageMaker's built-in **linear learner** to
# predict the day's rain (inches) from its average temperature, deploy the model behind an
# **endpoint**, ask it about the days it has never seen, measure how wrong it is — and then delete
# the endpoint, because an endpoint is billed for every hour it exists, used or not.
#
# Run the cells from top to bottom (Shift+Enter).

# %% tags=["parameters"]
# Parameters: change them here (the kit's tests change them to run on small data).
X_FILE = "x_austin_final.csv"  # the day's weather, one row per day (column TempAvgF)
Y_FILE = "y_austin_final.csv"  # the rain of each day, one value per line
BUCKET = None  # None: the SageMaker default bucket, sagemaker-<region>-<account>
ROLE = None  # None: the execution role this notebook runs with
PREFIX = "lesson/rainfall"
INSTANCE_TYPE = "ml.m5.xlarge"  # free-tier eligible for training and hosting (first 2 months)
POLL = 5  # seconds between two status checks while we wait
EPOCHS = 10

# %% [markdown]
# ## 1. The session: where we are, which bucket, which role
#
# The **execution role** is the identity SageMaker uses to read our data and write the model; the
# **default bucket** is where the SDK keeps files for us.

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
print("region:", region)
print("bucket:", bucket)
print("role:  ", role)
print("files: ", f"s3://{bucket}/{prefix}/")

# %% [markdown]
# ## 2. The data
#
# `x` holds one row per day; we keep its average temperature. `y` holds the rain of the same days.

# %%
if Path(X_FILE).exists():
    x = pd.read_csv(X_FILE)[["TempAvgF"]].astype(float)
    y = pd.read_csv(Y_FILE, names=["PrecipitationSumInches"], header=None)["PrecipitationSumInches"]
    unit = "inches"
else:  # no lesson files beside the notebook: Seattle's daily weather, bundled in vega_datasets
    from vega_datasets import local_data

    w = local_data.seattle_weather()
    x = pd.DataFrame({"TempAvgF": (w["temp_max"] + w["temp_min"]) / 2})
    y = w["precipitation"]
    unit = "mm"
print(len(x), "days")
x.describe()

# %% [markdown]
# We keep a quarter of the days aside (**test set**): the model never sees them while it learns, so
# they tell us how it does on new days.

# %%
from sklearn.model_selection import train_test_split

x_train, x_test, y_train, y_test = train_test_split(x, y.astype(float), random_state=1)
print("train:", len(x_train), "days · test:", len(x_test), "days")

# %% [markdown]
# SageMaker's built-in algorithms read CSV with **the label in the first column and no header**.


# %%
def upload_csv(frame: pd.DataFrame, key: str) -> str:
    body = frame.to_csv(header=False, index=False, float_format="%.6g")
    s3.put_object(Bucket=bucket, Key=key, Body=body.encode())
    return f"s3://{bucket}/{key}"


train_uri = upload_csv(pd.concat([y_train, x_train], axis=1), f"{prefix}/train/train.csv")
test_uri = upload_csv(pd.concat([y_test, x_test], axis=1), f"{prefix}/test/test.csv")
print(train_uri, test_uri, sep="\n")

# %% [markdown]
# ## 3. Training
#
# **Hyperparameters** are the settings we choose *before* training (the algorithm learns the
# model's weights; we pick how it learns): one feature, batches of 100 days, 10 passes over the
# data (**epochs**), 32 models trained side by side (the best one is kept), and the absolute error
# as the loss to minimise.

# %%
from sagemaker.core.shapes import OutputDataConfig
from sagemaker.core.training.configs import Compute, InputData
from sagemaker.train import ModelTrainer

image = image_uris.retrieve(framework="linear-learner", region=region)
hyperparameters = {
    "predictor_type": "regressor",
    "feature_dim": 1,
    "mini_batch_size": 100,
    "epochs": EPOCHS,
    "num_models": 32,
    "loss": "absolute_loss",
}
trainer = ModelTrainer(
    training_image=image,
    role=role,
    sagemaker_session=session,
    base_job_name="rainfall",
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
model_data = job.model_artifacts.s3_model_artifacts
print("model:", model_data)

# %% [markdown]
# ## 4. Deploying: the endpoint
#
# An **endpoint** is a server that answers predictions over HTTPS. It runs on an instance that is
# billed **per hour while it exists** — ml.m5.xlarge costs about $0.23 an hour (us-east-1), about
# $170 a month if forgotten, even when nobody calls it. That is why this notebook deletes it at the
# end.

# %%
from sagemaker.core.resources import Endpoint, EndpointConfig, Model
from sagemaker.core.shapes import ContainerDefinition, ProductionVariant

name = job.training_job_name
model = Model.create(
    model_name=name,
    execution_role_arn=role,
    primary_container=ContainerDefinition(image=image, model_data_url=model_data),
)
endpoint_config = EndpointConfig.create(
    endpoint_config_name=name,
    production_variants=[
        ProductionVariant(
            variant_name="AllTraffic",
            model_name=name,
            initial_instance_count=1,
            instance_type=INSTANCE_TYPE,
        )
    ],
)
endpoint = Endpoint.create(endpoint_name=name, endpoint_config_name=name)
endpoint.wait_for_status("InService", poll=POLL)
print(name, "is in service")

# %% [markdown]
# ## 5. Predicting the test days and measuring the error
#
# We send the test days' temperatures (CSV, no label) and read one score per day back.

# %%
body = x_test.to_csv(header=False, index=False, float_format="%.6g")
answer = endpoint.invoke(body=body, content_type="text/csv", accept="application/json")
predictions = [p["score"] for p in json.loads(answer.body.read())["predictions"]]

# %% tags=["metrics"]
from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score

metrics = {
    "rmse": float(np.sqrt(mean_squared_error(y_test, predictions))),
    "mae": float(mean_absolute_error(y_test, predictions)),
    "r2": float(r2_score(y_test, predictions)),
    "n": len(predictions),
}
metrics

# %% [markdown]
# **RMSE** and **MAE** are in the label's unit (a typical error of this many inches of rain); an
# **R²** near 0 means the temperature explains almost none of the rain. The lesson is about the
# workflow, not about a good weather model.

# %%
import matplotlib.pyplot as plt

plt.scatter(x_test["TempAvgF"], y_test, s=8, label="actual")
plt.scatter(x_test["TempAvgF"], predictions, s=8, label="predicted")
plt.xlabel("average temperature")
plt.ylabel(f"rain ({unit})")
plt.legend()
plt.show()

# %% [markdown]
# ## 6. Clean up: delete what we deployed
#
# The endpoint (billed by the hour), its configuration and the model. The training job stays in
# the history; it costs nothing once finished.

# %% tags=["cleanup"]
endpoint.delete()
endpoint_config.delete()
model.delete()
sm = boto3.client("sagemaker", region_name=region)
while any(e["EndpointName"] == name for e in sm.list_endpoints(NameContains=name)["Endpoints"]):
    time.sleep(POLL)
print("deleted", name)
