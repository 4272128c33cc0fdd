data "aws_partition" "current" {
  count = local.with_role ? 1 : 0
}

data "aws_region" "current" {
  count = local.with_role ? 1 : 0
}

data "aws_caller_identity" "current" {
  count = local.with_role ? 1 : 0
}

data "aws_vpc" "default" {
  count = var.create && var.vpc_id == null ? 1 : 0

  default = true
}

data "aws_subnets" "this" {
  count = var.create && length(var.subnet_ids) == 0 ? 1 : 0

  filter {
    name   = "vpc-id"
    values = [local.vpc_id]
  }
}

locals {
  with_role   = var.create || var.execution_role_only
  partition   = try(data.aws_partition.current[0].partition, "aws")
  region      = try(data.aws_region.current[0].name, "")
  account_id  = try(data.aws_caller_identity.current[0].account_id, "")
  create_role = local.with_role && var.create_execution_role
  vpc_id      = var.vpc_id != null ? var.vpc_id : try(data.aws_vpc.default[0].id, null)
  subnet_ids  = length(var.subnet_ids) > 0 ? var.subnet_ids : sort(try(data.aws_subnets.this[0].ids, []))
  role_arn    = local.create_role ? try(aws_iam_role.execution[0].arn, null) : var.execution_role_arn
  sagemaker   = "arn:${local.partition}:sagemaker:${local.region}:${local.account_id}"
}

################################################################################
# Execution role: trusted by SageMaker only
################################################################################

data "aws_iam_policy_document" "assume" {
  count = local.create_role ? 1 : 0

  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["sagemaker.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "execution" {
  count = local.create_role ? 1 : 0

  name               = var.execution_role_name
  description        = "SageMaker execution role of the class: the kit's buckets plus training, tuning, transform and hosting"
  assume_role_policy = data.aws_iam_policy_document.assume[0].json

  tags = var.tags
}

# Least privilege instead of AmazonSageMakerFullAccess (the seed's shortcut). Each statement
# says why it is there.
data "aws_iam_policy_document" "execution" {
  count = local.create_role ? 1 : 0

  # Jobs read training/validation channels and write model.tar.gz and reports; notebooks upload
  # data and publish to the share prefix. Only the kit's buckets.
  statement {
    sid       = "ListKitBuckets"
    actions   = ["s3:ListBucket", "s3:GetBucketLocation"]
    resources = var.bucket_arns
  }

  statement {
    sid       = "ReadWriteKitObjects"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"]
    resources = [for arn in var.bucket_arns : "${arn}/*"]
  }

  # The SDK's default bucket: Session().default_bucket() in a notebook (SDK v2 and v3) creates and
  # uses sagemaker-<region>-<account>, as every SageMaker tutorial does; `classroom down` deletes it
  # (teardown kind sdk_default_bucket).
  statement {
    sid       = "SdkDefaultBucket"
    actions   = ["s3:CreateBucket", "s3:ListBucket", "s3:GetBucketLocation"]
    resources = ["arn:${local.partition}:s3:::sagemaker-${local.region}-${local.account_id}"]
  }

  statement {
    sid       = "SdkDefaultBucketObjects"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"]
    resources = ["arn:${local.partition}:s3:::sagemaker-${local.region}-${local.account_id}/*"]
  }

  # get_execution_role() reads its own role (iam:GetRole) to learn the role's path.
  statement {
    sid       = "ReadOwnRole"
    actions   = ["iam:GetRole"]
    resources = ["arn:${local.partition}:iam::${local.account_id}:role/${var.execution_role_name}"]
  }

  # Built-in algorithm containers (linear-learner, XGBoost) are pulled from AWS-owned ECR
  # repositories in other accounts; the token call has no resource-level scoping.
  statement {
    sid       = "PullAlgorithmImagesToken"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }

  statement {
    sid       = "PullAlgorithmImages"
    actions   = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]
    resources = ["arn:${local.partition}:ecr:${local.region}:*:repository/*"]
  }

  # Training, tuning, transform and endpoint containers write their logs here.
  statement {
    sid = "WriteSageMakerLogs"
    actions = [
      "logs:CreateLogGroup",
      "logs:CreateLogStream",
      "logs:PutLogEvents",
      "logs:DescribeLogStreams",
      "logs:GetLogEvents",
    ]
    resources = [
      "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:/aws/sagemaker/*",
      "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:/aws/sagemaker/*:log-stream:*",
    ]
  }

  # Algorithm metrics (train:progress, validation:rmse ...) are published to CloudWatch.
  # PutMetricData has no resource-level scoping. A cloudwatch:namespace condition would narrow it,
  # but SageMaker Python SDK v3 checks a role before training with iam:SimulatePrincipalPolicy
  # without context keys, reads a conditional allow as a denial and refuses the role
  # (sagemaker/core/helper/iam_role_resolver.py); the action only writes metric data points.
  statement {
    sid       = "PublishSageMakerMetrics"
    actions   = ["cloudwatch:PutMetricData"]
    resources = ["*"]
  }

  # Training jobs, tuning jobs and endpoints that run in a VPC get their network interfaces from
  # SageMaker under this role (the CreateTrainingJob execution-role permissions in the SageMaker
  # developer guide). None of these actions supports resource-level scoping that SDK v3's role
  # check can verify, and the SDK refuses a role without them.
  statement {
    sid = "JobNetworkInterfaces"
    actions = [
      "ec2:CreateNetworkInterface", "ec2:CreateNetworkInterfacePermission",
      "ec2:DeleteNetworkInterface", "ec2:DeleteNetworkInterfacePermission",
      "ec2:DescribeNetworkInterfaces", "ec2:DescribeVpcs", "ec2:DescribeDhcpOptions",
      "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups",
    ]
    resources = ["*"]
  }

  # From a Studio notebook the lesson trains, tunes, deploys, predicts and batch-transforms, and
  # must be able to clean up after itself; all within this account and region.
  statement {
    sid = "RunLessonJobsAndEndpoints"
    actions = [
      "sagemaker:CreateTrainingJob", "sagemaker:DescribeTrainingJob", "sagemaker:StopTrainingJob",
      "sagemaker:CreateHyperParameterTuningJob", "sagemaker:DescribeHyperParameterTuningJob",
      "sagemaker:StopHyperParameterTuningJob", "sagemaker:ListTrainingJobsForHyperParameterTuningJob",
      "sagemaker:CreateTransformJob", "sagemaker:DescribeTransformJob", "sagemaker:StopTransformJob",
      "sagemaker:CreateModel", "sagemaker:DescribeModel", "sagemaker:DeleteModel",
      "sagemaker:CreateEndpointConfig", "sagemaker:DescribeEndpointConfig", "sagemaker:DeleteEndpointConfig",
      "sagemaker:CreateEndpoint", "sagemaker:DescribeEndpoint", "sagemaker:DeleteEndpoint",
      "sagemaker:UpdateEndpoint", "sagemaker:InvokeEndpoint",
      "sagemaker:AddTags", "sagemaker:ListTags",
    ]
    resources = ["${local.sagemaker}:*"]
  }

  # The SDK and Studio list what exists; List* calls have no resource-level scoping.
  statement {
    sid = "ListLessonResources"
    actions = [
      "sagemaker:ListTrainingJobs", "sagemaker:ListHyperParameterTuningJobs", "sagemaker:ListTransformJobs",
      "sagemaker:ListModels", "sagemaker:ListEndpointConfigs", "sagemaker:ListEndpoints",
      "sagemaker:ListApps", "sagemaker:ListSpaces", "sagemaker:ListUserProfiles", "sagemaker:ListDomains",
    ]
    resources = ["*"]
  }

  # Studio runs the user's JupyterLab/Code Editor apps and private spaces under this role.
  statement {
    sid = "RunOwnStudioApps"
    actions = [
      "sagemaker:CreateApp", "sagemaker:DeleteApp", "sagemaker:DescribeApp",
      "sagemaker:CreateSpace", "sagemaker:UpdateSpace", "sagemaker:DeleteSpace", "sagemaker:DescribeSpace",
      "sagemaker:DescribeDomain", "sagemaker:DescribeUserProfile",
    ]
    resources = [
      "${local.sagemaker}:app/*",
      "${local.sagemaker}:space/*",
      "${local.sagemaker}:domain/*",
      "${local.sagemaker}:user-profile/*",
    ]
  }

  # Jobs started from a notebook run as this same role: pass it to SageMaker only.
  statement {
    sid       = "PassThisRoleToSageMaker"
    actions   = ["iam:PassRole"]
    resources = ["arn:${local.partition}:iam::${local.account_id}:role/${var.execution_role_name}"]

    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["sagemaker.amazonaws.com"]
    }
  }
}

resource "aws_iam_role_policy" "execution" {
  count = local.create_role ? 1 : 0

  name   = "classroom-least-privilege"
  role   = aws_iam_role.execution[0].id
  policy = data.aws_iam_policy_document.execution[0].json
}

################################################################################
# Studio domain
################################################################################

resource "aws_sagemaker_domain" "this" {
  count = var.create ? 1 : 0

  # checkov:skip=CKV_AWS_187: a customer-managed KMS key costs money and outlives the class (deletion is only scheduled); the home EFS is encrypted with the AWS-managed key
  domain_name             = var.domain_name
  auth_mode               = "IAM"
  vpc_id                  = local.vpc_id
  subnet_ids              = local.subnet_ids
  app_network_access_type = var.app_network_access_type

  default_user_settings {
    execution_role = local.role_arn

    jupyter_lab_app_settings {
      lifecycle_config_arns = var.jupyterlab_lifecycle_config_arns

      default_resource_spec {
        instance_type        = var.default_instance_type
        lifecycle_config_arn = try(var.jupyterlab_lifecycle_config_arns[0], null)
      }

      app_lifecycle_management {
        idle_settings {
          lifecycle_management    = "ENABLED"
          idle_timeout_in_minutes = var.idle_timeout_in_minutes
        }
      }
    }

    code_editor_app_settings {
      default_resource_spec {
        instance_type = var.default_instance_type
      }

      app_lifecycle_management {
        idle_settings {
          lifecycle_management    = "ENABLED"
          idle_timeout_in_minutes = var.idle_timeout_in_minutes
        }
      }
    }
  }

  # The API's default is Retain, which leaves a billed EFS volume behind
  # (hashicorp/terraform-provider-aws#17349, PR #18562; turbot/steampipe-plugin-aws#970).
  retention_policy {
    home_efs_file_system = var.home_efs_retention
  }

  # The domain's and profiles' custom tags (the class's classroom=<class>, from default_tags) are
  # copied onto what students create in Studio, so teardown can tell the class's endpoints, models
  # and jobs from another team's (CreateDomain TagPropagation, default DISABLED; provider 5.100
  # aws_sagemaker_domain.tag_propagation).
  tag_propagation = "ENABLED"

  tags = var.tags

  # The role's policy must exist before Studio starts apps under it.
  depends_on = [aws_iam_role_policy.execution]
}

resource "aws_sagemaker_user_profile" "instructor" {
  count = var.create && var.instructor_profile_name != null ? 1 : 0

  domain_id         = aws_sagemaker_domain.this[0].id
  user_profile_name = var.instructor_profile_name

  tags = var.tags
}
