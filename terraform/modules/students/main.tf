data "aws_partition" "current" {
  count = var.create ? 1 : 0
}

data "aws_region" "current" {
  count = var.create ? 1 : 0
}

data "aws_caller_identity" "current" {
  count = local.create_studio ? 1 : 0
}

locals {
  partition = try(data.aws_partition.current[0].partition, "aws")
  students  = var.create ? var.students : {}
  # Decided by the flag, never by whether the domain id is known (it is not, at the first plan).
  create_studio = var.create && var.create_studio_profiles
  sagemaker = local.create_studio ? join(":", [
    "arn", local.partition, "sagemaker", data.aws_region.current[0].name,
    data.aws_caller_identity.current[0].account_id,
  ]) : null
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
