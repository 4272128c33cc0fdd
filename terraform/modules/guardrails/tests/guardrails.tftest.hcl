# Plan-level assertions, fully offline: fake credentials, every endpoint on a closed local port,
# so an unexpected API call fails at once instead of reaching AWS.
provider "aws" {
  region                      = "us-east-1"
  access_key                  = "offline"
  secret_key                  = "offline"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  s3_use_path_style           = true
  max_retries                 = 1

  endpoints {
    budgets   = "http://127.0.0.1:9"
    ec2       = "http://127.0.0.1:9"
    iam       = "http://127.0.0.1:9"
    s3        = "http://127.0.0.1:9"
    sagemaker = "http://127.0.0.1:9"
    sts       = "http://127.0.0.1:9"
  }
}

run "default_allowlists_are_the_free_tier" {
  command = plan

  variables {
    attach_to_groups = { students = "Students" }
    attach_to_roles  = { execution = "ml-class-sagemaker-execution" }
  }

  assert {
    condition = alltrue([
      for st in jsondecode(data.aws_iam_policy_document.this[0].json).Statement :
      st.Effect == "Deny" && st.Resource == "*" && (
        keys(st.Condition) == ["ForAnyValue:StringNotLike"] || keys(st.Condition) == ["Null"]
      )
    ])
    error_message = "every guardrail statement must be a Deny on ForAnyValue:StringNotLike (or the Null hole)"
  }

  # the hole: a CreateApp without an instance type has no sagemaker:InstanceTypes key at all
  assert {
    condition = [
      for st in jsondecode(data.aws_iam_policy_document.this[0].json).Statement :
      [flatten([st.Action]), st.Condition["Null"]["sagemaker:InstanceTypes"]] if st.Sid == "DenyAppsWithoutAnInstanceType"
    ] == [[["sagemaker:CreateApp"], "true"]]
    error_message = "a CreateApp without an instance type must be denied (Null condition on sagemaker:InstanceTypes)"
  }

  assert {
    condition = {
      for st in jsondecode(data.aws_iam_policy_document.this[0].json).Statement :
      st.Sid => toset(flatten([st.Condition["ForAnyValue:StringNotLike"]["sagemaker:InstanceTypes"]]))
      if st.Sid != "DenyAppsWithoutAnInstanceType"
      } == {
      DenyNotebookAndAppTypesOutsideAllowlist = toset(["ml.t3.medium", "ml.t2.medium", "system"])
      DenyTrainingTypesOutsideAllowlist       = toset(["ml.m4.xlarge", "ml.m5.xlarge"])
      DenyHostingTypesOutsideAllowlist        = toset(["ml.m4.xlarge", "ml.m5.xlarge"])
    }
    error_message = "the default allowlists must be the free-tier instance types"
  }

  assert {
    condition = toset(flatten([
      for st in jsondecode(data.aws_iam_policy_document.this[0].json).Statement : flatten([st.Action])
      if st.Sid != "DenyAppsWithoutAnInstanceType"
      ])) == toset([
      "sagemaker:CreateNotebookInstance", "sagemaker:UpdateNotebookInstance", "sagemaker:CreateApp",
      "sagemaker:CreateSpace", "sagemaker:UpdateSpace", "sagemaker:CreateDomain", "sagemaker:UpdateDomain",
      "sagemaker:CreateUserProfile", "sagemaker:UpdateUserProfile",
      "sagemaker:CreateTrainingJob", "sagemaker:CreateHyperParameterTuningJob", "sagemaker:CreateProcessingJob",
      "sagemaker:UpdateTrainingJob",
      "sagemaker:CreateEndpointConfig", "sagemaker:CreateTransformJob",
    ])
    error_message = "the guardrail must cover every call that carries sagemaker:InstanceTypes: training, tuning, processing, transform, endpoint config, notebook, app, space, domain and user profile create/update calls"
  }

  assert {
    condition     = keys(aws_iam_group_policy_attachment.this) == ["students"] && keys(aws_iam_role_policy_attachment.this) == ["execution"]
    error_message = "the guardrail must be attached to the Students group and the execution role"
  }
}

run "custom_allowlist" {
  command = plan

  variables {
    training_instance_types = ["ml.c5.xlarge"]
  }

  assert {
    condition = one([
      for st in jsondecode(data.aws_iam_policy_document.this[0].json).Statement :
      st.Condition["ForAnyValue:StringNotLike"]["sagemaker:InstanceTypes"]
      if st.Sid == "DenyTrainingTypesOutsideAllowlist"
    ]) == "ml.c5.xlarge"
    error_message = "a custom training allowlist must replace the default"
  }
}
