# A small account setup applied to the embedded AWS by test_terraform.py: a Studio domain with three
# user profiles, a budget with an e-mail alert, and an IAM user with a login profile.
terraform {
  required_version = ">= 1.5"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
}

variable "endpoint" {
  type        = string
  description = "URL of the embedded AWS"
}

variable "prefix" {
  type        = string
  description = "Name prefix of everything created"
  default     = "tfacct"
}

provider "aws" {
  region                      = "us-east-1"
  access_key                  = "testing"
  secret_key                  = "testing"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_requesting_account_id  = true
  s3_use_path_style           = true
  max_retries                 = 1

  endpoints {
    budgets   = var.endpoint
    ec2       = var.endpoint
    efs       = var.endpoint
    iam       = var.endpoint
    s3        = var.endpoint
    sagemaker = var.endpoint
    sts       = var.endpoint
  }
}

data "aws_caller_identity" "current" {}

data "aws_vpc" "default" {
  default = true
}

data "aws_subnets" "default" {
  filter {
    name   = "vpc-id"
    values = [data.aws_vpc.default.id]
  }
}

resource "aws_iam_role" "studio" {
  name = "${var.prefix}-studio"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "sagemaker.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_sagemaker_domain" "this" {
  domain_name = "${var.prefix}-domain"
  auth_mode   = "IAM"
  vpc_id      = data.aws_vpc.default.id
  subnet_ids  = slice(sort(data.aws_subnets.default.ids), 0, 2)

  default_user_settings {
    execution_role = aws_iam_role.studio.arn
  }

  retention_policy {
    home_efs_file_system = "Delete"
  }

  tags = { Purpose = "test" }
}

resource "aws_sagemaker_user_profile" "student" {
  for_each          = toset(["student-1", "student-2", "student-3"])
  domain_id         = aws_sagemaker_domain.this.id
  user_profile_name = each.key
  tags              = { Student = each.key }
}

resource "aws_budgets_budget" "monthly" {
  account_id   = data.aws_caller_identity.current.account_id
  name         = "${var.prefix}-budget"
  budget_type  = "COST"
  limit_amount = "10"
  limit_unit   = "USD"
  time_unit    = "MONTHLY"

  notification {
    comparison_operator        = "GREATER_THAN"
    threshold                  = 80
    threshold_type             = "PERCENTAGE"
    notification_type          = "ACTUAL"
    subscriber_email_addresses = ["teacher@example.com"]
  }

  tags = { Purpose = "test" }
}

resource "aws_iam_user" "admin" {
  name          = "${var.prefix}-admin"
  force_destroy = true
}

resource "aws_iam_user_login_profile" "admin" {
  user                    = aws_iam_user.admin.name
  password_reset_required = true
}

output "domain_id" {
  value = aws_sagemaker_domain.this.id
}

output "efs_id" {
  value = aws_sagemaker_domain.this.home_efs_file_system_id
}
