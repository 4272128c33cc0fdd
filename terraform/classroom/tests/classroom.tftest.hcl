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
  target = module.studio.data.aws_caller_identity.current[0]
  values = {
    account_id = "123456789012"
  }
}

override_data {
  target = module.students.data.aws_caller_identity.current[0]
  values = {
    account_id = "123456789012"
  }
}

override_data {
  target = module.reaper.data.aws_caller_identity.current
  values = {
    account_id = "123456789012"
  }
}

override_data {
  target = module.studio.data.aws_vpc.default[0]
  values = {
    id = "vpc-0123456789abcdef0"
  }
}

override_data {
  target = module.studio.data.aws_subnets.this[0]
  values = {
    ids = ["subnet-aaaa", "subnet-bbbb"]
  }
}

run "whole_class_plan" {
  command = plan

  variables {
    class_name    = "ml-class"
    stamp         = "20260101-0900"
    account_alias = "ml-class-20260101-0900"
    students = {
      ada   = { email = "ada@example.org", display_name = "Ada L." }
      grace = { email = "grace@example.org" }
      alan  = { email = "alan@example.org" }
    }
  }

  assert {
    condition     = output.models_bucket == "sm-models-20260101-0900" && output.share_bucket == "public-share-20260101-0900"
    error_message = "bucket names must follow the seed: sm-models-<stamp>, public-share-<stamp>"
  }

  assert {
    condition     = output.share_public_prefix == "share/"
    error_message = "only share/ is public"
  }

  assert {
    condition     = output.sign_in_url == "https://ml-class-20260101-0900.signin.aws.amazon.com/console"
    error_message = "the sign-in URL must use the account alias"
  }

  assert {
    condition     = toset(keys(output.students)) == toset(["ada", "grace", "alan"]) && output.students["ada"].display_name == "Ada L."
    error_message = "every student of the roster must be planned"
  }

  assert {
    condition     = output.guardrail_attached_to.groups == ["Students"] && output.guardrail_attached_to.roles == ["ml-class-sagemaker-execution"]
    error_message = "the guardrail must apply to Students and the execution role, not the instructor by default"
  }

  assert {
    condition     = output.budget_name == null && output.budget_note != null
    error_message = "without an e-mail the budget is skipped with a note"
  }
}

run "budget_and_instructor_guardrail" {
  command = plan

  variables {
    stamp                          = "20260101-0900"
    account_alias                  = "ml-class-20260101-0900"
    budget_email                   = "teacher@example.org"
    guardrails_apply_to_instructor = true
  }

  assert {
    condition     = output.budget_note == null
    error_message = "with an e-mail the budget is created"
  }

  assert {
    condition     = toset(output.guardrail_attached_to.groups) == toset(["Students", "Administrators"])
    error_message = "apply_to_instructor must attach the guardrail to the Administrators group"
  }
}
