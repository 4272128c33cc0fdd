# The blog's other way to put the endpoint on the web: API Gateway (HTTP API) -> Lambda ->
# sagemaker-runtime InvokeEndpoint. Optional: `create = false` (the default) makes nothing.
# Limits on the embedded AWS: see README.md.

locals {
  create = var.create && var.endpoint_name != null && var.package_path != null
}

data "aws_region" "current" {}
data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

################################################################################
# IAM: the function may invoke this one endpoint and write its own logs
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

data "aws_iam_policy_document" "invoke" {
  count = local.create ? 1 : 0

  statement {
    sid       = "InvokeTheClassEndpoint"
    actions   = ["sagemaker:InvokeEndpoint"]
    resources = ["arn:${data.aws_partition.current.partition}:sagemaker:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:endpoint/${lower(var.endpoint_name)}"]
  }

  statement {
    sid       = "WriteOwnLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.function[0].arn}:*"]
  }
}

resource "aws_iam_role" "function" {
  count = local.create ? 1 : 0

  name               = "${var.name}-fn"
  assume_role_policy = data.aws_iam_policy_document.assume[0].json
  tags               = var.tags
}

resource "aws_iam_role_policy" "invoke" {
  count = local.create ? 1 : 0

  name   = "invoke-endpoint"
  role   = aws_iam_role.function[0].id
  policy = data.aws_iam_policy_document.invoke[0].json
}

################################################################################
# Lambda function
################################################################################

resource "aws_cloudwatch_log_group" "function" {
  count = local.create ? 1 : 0

  name              = "/aws/lambda/${var.name}"
  retention_in_days = var.log_retention_days
  tags              = var.tags
  # checkov:skip=CKV_AWS_158: a class's short-lived logs; AWS-managed encryption is enough
  # checkov:skip=CKV_AWS_338: a week of logs is the point for a class
}

resource "aws_lambda_function" "this" {
  count = local.create ? 1 : 0

  function_name    = var.name
  role             = aws_iam_role.function[0].arn
  runtime          = "python3.12"
  handler          = "index.handler"
  filename         = var.package_path
  source_code_hash = filebase64sha256(var.package_path)
  timeout          = 15
  memory_size      = 128
  tags             = var.tags

  environment {
    variables = {
      ENDPOINT_NAME  = var.endpoint_name
      CONTENT_TYPE   = var.content_type
      MAX_BODY_BYTES = tostring(var.max_body_bytes)
    }
  }

  tracing_config {
    mode = "PassThrough"
  }

  depends_on = [aws_cloudwatch_log_group.function, aws_iam_role_policy.invoke]
  # checkov:skip=CKV_AWS_116: no DLQ: a synchronous API call returns its error to the caller
  # checkov:skip=CKV_AWS_117: no VPC: the function only calls the SageMaker runtime API
  # checkov:skip=CKV_AWS_115: the API's throttling caps concurrency
  # checkov:skip=CKV_AWS_173: the environment holds no secret (endpoint name and limits)
  # checkov:skip=CKV_AWS_272: code signing is out of scope for a class demo
  # checkov:skip=CKV_AWS_50: X-Ray tracing is not needed for a class demo
}

################################################################################
# HTTP API: POST /predict -> the function (payload format 2.0)
################################################################################

resource "aws_apigatewayv2_api" "this" {
  count = local.create ? 1 : 0

  name          = var.name
  protocol_type = "HTTP"
  description   = "Asks SageMaker endpoint ${var.endpoint_name} (classroom kit)"
  tags          = var.tags
}

resource "aws_apigatewayv2_integration" "function" {
  count = local.create ? 1 : 0

  api_id                 = aws_apigatewayv2_api.this[0].id
  integration_type       = "AWS_PROXY"
  integration_uri        = aws_lambda_function.this[0].invoke_arn
  payload_format_version = "2.0"
  timeout_milliseconds   = 15000
}

resource "aws_apigatewayv2_route" "predict" {
  count = local.create ? 1 : 0

  api_id    = aws_apigatewayv2_api.this[0].id
  route_key = "POST /predict"
  target    = "integrations/${aws_apigatewayv2_integration.function[0].id}"
  # checkov:skip=CKV_AWS_309: an open demo URL is the blog's design; throttling caps its cost
}

resource "aws_apigatewayv2_stage" "default" {
  count = local.create ? 1 : 0

  api_id      = aws_apigatewayv2_api.this[0].id
  name        = "$default"
  auto_deploy = true
  tags        = var.tags

  default_route_settings {
    throttling_burst_limit = var.throttling_burst_limit
    throttling_rate_limit  = var.throttling_rate_limit
  }
  # checkov:skip=CKV_AWS_76: access logging is left out of the class demo
}

resource "aws_lambda_permission" "api" {
  count = local.create ? 1 : 0

  statement_id  = "AllowHttpApi"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.this[0].function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_apigatewayv2_api.this[0].execution_arn}/*/*/predict"
}
