# The class's reaper: a small Lambda function that EventBridge runs every 5 minutes. It deletes the
# class's endpoints whose `expires-at` tag has passed and, from `ends_at` on, everything of the class
# that bills by the hour (see README.md and provision/reaper/handler.py). The kit zips the function
# (no archive provider offline) and passes the zip's path.

locals {
  create     = var.create && var.package_path != null
  notify     = local.create && var.notify_email != null && var.notify_email != ""
  class_tags = var.class_tags
  # the first class tag scopes the function's destructive SageMaker calls (aws:ResourceTag condition)
  scope_tag_key   = keys(var.class_tags)[0]
  scope_tag_value = values(var.class_tags)[0]
  sagemaker_arn   = "arn:${data.aws_partition.current.partition}:sagemaker:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}"
}

data "aws_region" "current" {}
data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

################################################################################
# IAM: list what the class may own, delete/stop only what carries the class tag
################################################################################

data "aws_iam_policy_document" "assume" {
  count = local.create ? 1 : 0

  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "reaper" {
  count = local.create ? 1 : 0

  statement {
    sid = "List"
    # these List calls support no resource-level permissions (SageMaker service authorization reference)
    actions = [
      "sagemaker:ListEndpoints", "sagemaker:ListNotebookInstances", "sagemaker:ListApps",
      "sagemaker:ListTrainingJobs", "sagemaker:ListHyperParameterTuningJobs", "sagemaker:ListTransformJobs",
    ]
    resources = ["*"]
  }

  statement {
    sid     = "ReadTagsAndConfigs"
    actions = ["sagemaker:ListTags", "sagemaker:DescribeEndpoint", "sagemaker:DescribeEndpointConfig"]
    resources = [
      "${local.sagemaker_arn}:endpoint/*", "${local.sagemaker_arn}:endpoint-config/*",
      "${local.sagemaker_arn}:notebook-instance/*", "${local.sagemaker_arn}:training-job/*",
      "${local.sagemaker_arn}:hyper-parameter-tuning-job/*", "${local.sagemaker_arn}:transform-job/*",
    ]
  }

  statement {
    sid = "RemoveTheClassTaggedOnly"
    actions = [
      "sagemaker:DeleteEndpoint", "sagemaker:StopNotebookInstance", "sagemaker:DeleteNotebookInstance",
      "sagemaker:StopTrainingJob", "sagemaker:StopHyperParameterTuningJob", "sagemaker:StopTransformJob",
    ]
    resources = [
      "${local.sagemaker_arn}:endpoint/*", "${local.sagemaker_arn}:notebook-instance/*",
      "${local.sagemaker_arn}:training-job/*", "${local.sagemaker_arn}:hyper-parameter-tuning-job/*",
      "${local.sagemaker_arn}:transform-job/*",
    ]
    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/${local.scope_tag_key}"
      values   = [local.scope_tag_value]
    }
  }

  statement {
    sid = "RemoveConfigAndModelOfAClassEndpoint"
    # the function deletes a config and its models only after deleting the class endpoint that used
    # them; `classroom deploy` tags the endpoint, not every config and model
    actions   = ["sagemaker:DeleteEndpointConfig", "sagemaker:DeleteModel"]
    resources = ["${local.sagemaker_arn}:endpoint-config/*", "${local.sagemaker_arn}:model/*"]
  }

  dynamic "statement" {
    for_each = var.domain_id == null ? [] : [var.domain_id]

    content {
      sid       = "StopAppsOfTheClassDomain"
      actions   = ["sagemaker:DeleteApp"]
      resources = ["${local.sagemaker_arn}:app/${statement.value}/*"]
    }
  }

  statement {
    sid       = "WriteOwnLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.this[0].arn}:*"]
  }

  dynamic "statement" {
    for_each = local.notify ? [1] : []

    content {
      sid       = "NotifyTheBudgetEmail"
      actions   = ["sns:Publish"]
      resources = [aws_sns_topic.this[0].arn]
    }
  }
}

resource "aws_iam_role" "this" {
  count = local.create ? 1 : 0

  name               = "${var.name}-fn"
  assume_role_policy = data.aws_iam_policy_document.assume[0].json
  tags               = var.tags
}

resource "aws_iam_role_policy" "this" {
  count = local.create ? 1 : 0

  name   = "reaper"
  role   = aws_iam_role.this[0].id
  policy = data.aws_iam_policy_document.reaper[0].json
}

################################################################################
# Notification: the budget e-mail hears what was removed when the class ended
################################################################################

resource "aws_sns_topic" "this" {
  count = local.notify ? 1 : 0

  name = var.name
  tags = var.tags
  # checkov:skip=CKV_AWS_26: the message lists resource names only; AWS-managed encryption is enough
}

resource "aws_sns_topic_subscription" "email" {
  count = local.notify ? 1 : 0

  topic_arn = aws_sns_topic.this[0].arn
  protocol  = "email"
  endpoint  = var.notify_email
}

################################################################################
# The function and its schedule
################################################################################

resource "aws_cloudwatch_log_group" "this" {
  count = local.create ? 1 : 0

  name              = "/aws/lambda/${var.name}"
  retention_in_days = var.log_retention_days
  tags              = var.tags
  # checkov:skip=CKV_AWS_158: a class's short-lived logs; AWS-managed encryption is enough
  # checkov:skip=CKV_AWS_338: two weeks of logs are the point for a class
}

resource "aws_lambda_function" "this" {
  count = local.create ? 1 : 0

  function_name    = var.name
  description      = "Removes class ${var.class_name}'s expired endpoints, and everything billable after ${var.ends_at}"
  role             = aws_iam_role.this[0].arn
  runtime          = "python3.12"
  handler          = "handler.handler"
  filename         = var.package_path
  source_code_hash = filebase64sha256(var.package_path)
  timeout          = var.timeout_seconds
  memory_size      = 128
  tags             = var.tags

  environment {
    variables = {
      CLASS_NAME = var.class_name
      CLASS_TAGS = jsonencode(local.class_tags)
      ENDS_AT    = var.ends_at
      DOMAIN_ID  = var.domain_id == null ? "" : var.domain_id
      TOPIC_ARN  = local.notify ? aws_sns_topic.this[0].arn : ""
    }
  }

  tracing_config {
    mode = "PassThrough"
  }

  depends_on = [aws_cloudwatch_log_group.this, aws_iam_role_policy.this]
  # checkov:skip=CKV_AWS_116: no DLQ: the next run (5 minutes later) retries whatever failed
  # checkov:skip=CKV_AWS_117: no VPC: the function only calls the SageMaker and SNS APIs
  # checkov:skip=CKV_AWS_115: one scheduled run at a time
  # checkov:skip=CKV_AWS_173: the environment holds no secret (class name, tags, a time)
  # checkov:skip=CKV_AWS_272: code signing is out of scope for a class kit
  # checkov:skip=CKV_AWS_50: X-Ray tracing is not needed
}

resource "aws_cloudwatch_event_rule" "this" {
  count = local.create ? 1 : 0

  name                = var.name
  description         = "Runs the class's reaper"
  schedule_expression = var.schedule_expression
  tags                = var.tags
}

resource "aws_cloudwatch_event_target" "this" {
  count = local.create ? 1 : 0

  rule      = aws_cloudwatch_event_rule.this[0].name
  target_id = "reaper"
  arn       = aws_lambda_function.this[0].arn
}

resource "aws_lambda_permission" "events" {
  count = local.create ? 1 : 0

  statement_id  = "AllowTheSchedule"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.this[0].function_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.this[0].arn
}
