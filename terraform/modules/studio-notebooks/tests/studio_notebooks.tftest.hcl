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
    s3        = "http://127.0.0.1:9"
    sagemaker = "http://127.0.0.1:9"
    sts       = "http://127.0.0.1:9"
  }
}

variables {
  bucket = "public-share-20260101-0900"
  notebooks = {
    "rainfall.ipynb" = "tests/fixture.ipynb"
    "spam.ipynb"     = "tests/fixture.ipynb"
  }
}

run "publishes_and_copies_each_notebook" {
  command = plan

  assert {
    condition     = aws_sagemaker_studio_lifecycle_config.this[0].studio_lifecycle_config_app_type == "JupyterLab"
    error_message = "the lifecycle configuration must be for JupyterLab apps"
  }

  assert {
    condition     = toset(keys(aws_s3_object.notebook)) == toset(["rainfall.ipynb", "spam.ipynb"])
    error_message = "each notebook is uploaded once"
  }

  assert {
    condition     = aws_s3_object.notebook["spam.ipynb"].key == "share/notebooks/spam.ipynb"
    error_message = "notebooks go under the prefix"
  }

  assert {
    condition = (strcontains(local.script, "if [ -e \"$DEST/rainfall.ipynb\" ]; then")
      && strcontains(local.script, "s3://public-share-20260101-0900/share/notebooks/spam.ipynb")
    && strcontains(local.script, "exit 0"))
    error_message = "the script copies each notebook only when it is not there yet, and never fails"
  }

  assert {
    condition     = base64decode(aws_sagemaker_studio_lifecycle_config.this[0].studio_lifecycle_config_content) == local.script
    error_message = "the lifecycle configuration's content is the base64 of the script"
  }
}

run "disabled_creates_nothing" {
  command = plan

  variables {
    create = false
  }

  assert {
    condition     = length(aws_sagemaker_studio_lifecycle_config.this) == 0 && length(aws_s3_object.notebook) == 0
    error_message = "create = false must create nothing"
  }
}

run "prefix_must_end_with_a_slash" {
  command = plan

  variables {
    prefix = "share/notebooks"
  }

  expect_failures = [var.prefix]
}
