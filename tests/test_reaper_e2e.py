"""Issue 16's "done when": nothing bills after its time even with every kit process stopped.

`classroom up` (real Terraform) deploys the class's reaper; `classroom train rainfall` and
`classroom deploy rainfall --minutes 1` put an endpoint up for one minute; then no kit command runs
at all (no sweep before a command can help): the embedded AWS's EventBridge rule runs the reaper
Lambda on its schedule, sped up with ``KIT_EMULATOR_TIME_SCALE`` (rate(5 minutes) every 5 s), and the
reaper deletes the endpoint, its config and its model once the minute is over. `classroom status`
then shows the run; `classroom down` removes the reaper last and nothing of it is left.
"""

from __future__ import annotations

import json
import time

import pytest

from testkit import aws
from testkit.cli import emulator_url, env_for, run, stop_emulator

CLASS = "reaper-e2e"
SETTINGS = f"""
[class]
name = "{CLASS}"
region = "us-east-1"
target = "local"

[admin]
account_alias = ""

[studio]
enabled = false

[budget]
email = "teacher@example.org"

[reaper]
enabled = true
ends_at = "2099-01-01T00:00:00Z"
"""


@pytest.mark.terraform
@pytest.mark.slow
def test_the_scheduled_reaper_removes_an_expired_endpoint_with_no_kit_process(tmp_path):
    state = tmp_path / "state"
    env = env_for(state, KIT_EMULATOR_TIME_SCALE="60")
    (tmp_path / "classroom.toml").write_text(SETTINGS)
    try:
        run(["up"], tmp_path, env)
        url = emulator_url(state)
        client = aws.clients(url)
        sm, lam, events, logs, iam, sns = (
            client(s) for s in ("sagemaker", "lambda", "events", "logs", "iam", "sns")
        )
        fn = lam.get_function(FunctionName=f"{CLASS}-reaper")["Configuration"]
        assert fn["Runtime"] == "python3.12" and fn["Handler"] == "handler.handler"
        assert json.loads(fn["Environment"]["Variables"]["CLASS_TAGS"]) == {"classroom": CLASS}
        [rule] = events.list_rules(NamePrefix=f"{CLASS}-reaper")["Rules"]
        assert rule["ScheduleExpression"] == "rate(5 minutes)"
        assert [t["Arn"] for t in events.list_targets_by_rule(Rule=rule["Name"])["Targets"]] == [
            fn["FunctionArn"]
        ]
        assert len(sns.list_topics()["Topics"]) == 1

        # Studio is off in this slice, so there is no execution role: one made by hand, deleted below
        trust = (
            '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":'
            '{"Service":"sagemaker.amazonaws.com"},"Action":"sts:AssumeRole"}]}'
        )
        role = iam.create_role(RoleName="reaper-e2e-training", AssumeRolePolicyDocument=trust)["Role"]["Arn"]
        # IAM is enforced on the role (issue 13): this throwaway role may do what training needs
        iam.put_role_policy(
            RoleName="reaper-e2e-training",
            PolicyName="train",
            PolicyDocument=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Action": ["ecr:*", "s3:*", "logs:*", "cloudwatch:PutMetricData", "sagemaker:*"],
                            "Resource": "*",
                        }
                    ],
                }
            ),
        )
        bucket = json.loads((state / "classes" / CLASS / "outputs.json").read_text())["models_bucket"]
        run(["train", "rainfall", "--bucket", bucket, "--role", role], tmp_path, env, timeout=900)
        deploy = run(["deploy", "rainfall", "--minutes", "1"], tmp_path, env)
        [endpoint] = [e["EndpointName"] for e in sm.list_endpoints()["Endpoints"]]
        assert endpoint in deploy.stdout
        config = sm.describe_endpoint(EndpointName=endpoint)["EndpointConfigName"]
        model = sm.describe_endpoint_config(EndpointConfigName=config)["ProductionVariants"][0]["ModelName"]
        tags = {
            t["Key"]: t["Value"]
            for t in sm.list_tags(ResourceArn=sm.describe_endpoint(EndpointName=endpoint)["EndpointArn"])[
                "Tags"
            ]
        }
        expires_at = tags["expires-at"]
        deployed_at = time.monotonic()

        # from here on no kit command runs: only the embedded AWS and its schedule
        while sm.list_endpoints()["Endpoints"]:
            assert time.monotonic() - deployed_at < 240, "the reaper did not remove the expired endpoint"
            time.sleep(2)
        assert sm.list_endpoint_configs()["EndpointConfigs"] == []
        assert model not in [m["ModelName"] for m in sm.list_models()["Models"]]
        group = f"/aws/lambda/{CLASS}-reaper"
        messages = [e["message"] for e in logs.filter_log_events(logGroupName=group)["events"]]
        runs = [json.loads(m)["kit-reaper"] for m in messages if m.startswith('{"kit-reaper"')]
        [removal] = [r for r in runs if f"endpoint {endpoint}" in r["removed"]]
        assert removal["ran_at"] >= expires_at  # not before its minute was over (ISO UTC strings)
        assert any(m.startswith("REPORT RequestId:") for m in messages)

        status = run(["status"], tmp_path, env)
        assert "reaper: last ran" in status.stdout

        iam.delete_role_policy(RoleName="reaper-e2e-training", PolicyName="train")
        iam.delete_role(RoleName="reaper-e2e-training")
        down = run(["down", "--yes"], tmp_path, env)
        assert "0 left" in down.stdout
        assert lam.list_functions()["Functions"] == []
        assert events.list_rules()["Rules"] == []
        assert not [g for g in logs.describe_log_groups()["logGroups"] if "reaper" in g["logGroupName"]]
        assert not [r for r in iam.list_roles()["Roles"] if r["RoleName"].startswith(f"{CLASS}-reaper")]
        assert sns.list_topics()["Topics"] == []
        assert not (state / "classes" / CLASS / "reaper.zip").exists()
    finally:
        stop_emulator(tmp_path, env)
