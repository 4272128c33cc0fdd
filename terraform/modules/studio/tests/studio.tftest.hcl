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

override_data {
  target = data.aws_caller_identity.current[0]
  values = {
    account_id = "123456789012"
  }
}

override_data {
  target = data.aws_vpc.default[0]
  values = {
    id = "vpc-0123456789abcdef0"
  }
}

override_data {
  target = data.aws_subnets.this[0]
  values = {
    ids = ["subnet-bbbb", "subnet-aaaa"]
  }
}

run "domain_role_and_retention" {
  command = plan

  variables {
    domain_name         = "ml-class"
    execution_role_name = "ml-class-sagemaker-execution"
    bucket_arns         = ["arn:aws:s3:::sm-models-20260101-0900", "arn:aws:s3:::public-share-20260101-0900"]
  }

  assert {
    condition     = aws_sagemaker_domain.this[0].tag_propagation == "ENABLED"
    error_message = "the domain must propagate the class's tags to what students create in Studio (teardown scopes by them)"
  }

  assert {
    condition     = aws_sagemaker_domain.this[0].retention_policy[0].home_efs_file_system == "Delete"
    error_message = "the home EFS volume must be deleted with the domain (the API default Retain leaves a billed volume)"
  }

  assert {
    condition = (
      aws_sagemaker_domain.this[0].auth_mode == "IAM" &&
      aws_sagemaker_domain.this[0].vpc_id == "vpc-0123456789abcdef0" &&
      aws_sagemaker_domain.this[0].subnet_ids == toset(["subnet-aaaa", "subnet-bbbb"])
    )
    error_message = "the domain must use IAM auth in the default VPC's subnets"
  }

  assert {
    condition = alltrue([
      for apps in [
        aws_sagemaker_domain.this[0].default_user_settings[0].jupyter_lab_app_settings[0],
        aws_sagemaker_domain.this[0].default_user_settings[0].code_editor_app_settings[0],
        ] : (
        apps.app_lifecycle_management[0].idle_settings[0].lifecycle_management == "ENABLED" &&
        apps.app_lifecycle_management[0].idle_settings[0].idle_timeout_in_minutes == 60 &&
        apps.default_resource_spec[0].instance_type == "ml.t3.medium"
      )
    ])
    error_message = "JupyterLab and Code Editor apps must shut down after 60 idle minutes on ml.t3.medium"
  }

  assert {
    condition     = jsondecode(data.aws_iam_policy_document.assume[0].json).Statement[0].Principal == { Service = "sagemaker.amazonaws.com" }
    error_message = "the execution role must be trusted by SageMaker only"
  }

  assert {
    condition = alltrue([
      for st in jsondecode(data.aws_iam_policy_document.execution[0].json).Statement :
      alltrue([for a in flatten([st.Action]) : !endswith(a, ":*")])
    ])
    error_message = "the execution policy must not grant a whole service (no sagemaker:* or s3:*)"
  }

  assert {
    condition = toset(flatten([
      for st in jsondecode(data.aws_iam_policy_document.execution[0].json).Statement :
      flatten([st.Resource]) if anytrue([for a in flatten([st.Action]) : startswith(a, "s3:")])
      ])) == toset([
      "arn:aws:s3:::sm-models-20260101-0900", "arn:aws:s3:::public-share-20260101-0900",
      "arn:aws:s3:::sm-models-20260101-0900/*", "arn:aws:s3:::public-share-20260101-0900/*",
      # the SDK's default bucket, which Session().default_bucket() creates (teardown deletes it)
      "arn:aws:s3:::sagemaker-us-east-1-123456789012", "arn:aws:s3:::sagemaker-us-east-1-123456789012/*",
    ])
    error_message = "S3 access must be scoped to the kit's two buckets and the SDK's default bucket"
  }

  assert {
    condition = one([
      for st in jsondecode(data.aws_iam_policy_document.execution[0].json).Statement : st
      if st.Sid == "PassThisRoleToSageMaker"
      ]).Resource == "arn:aws:iam::123456789012:role/ml-class-sagemaker-execution" && one([
      for st in jsondecode(data.aws_iam_policy_document.execution[0].json).Statement : st
      if st.Sid == "PassThisRoleToSageMaker"
    ]).Condition.StringEquals["iam:PassedToService"] == "sagemaker.amazonaws.com"
    error_message = "the role may pass only itself, and only to SageMaker"
  }

  assert {
    condition     = aws_sagemaker_user_profile.instructor[0].user_profile_name == "instructor"
    error_message = "the instructor gets a Studio user profile"
  }
}
