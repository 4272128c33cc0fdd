data "aws_partition" "current" {
  count = var.create ? 1 : 0
}

# Only needed for the sign-in URL when no alias is managed.
data "aws_caller_identity" "current" {
  count = var.create && !(var.create_account_alias && var.account_alias != null) ? 1 : 0
}

locals {
  partition    = try(data.aws_partition.current[0].partition, "aws")
  create_alias = var.create && var.create_account_alias && var.account_alias != null
  # The console's sign-in host for the commercial partition.
  signin_host = "signin.aws.amazon.com"
}

################################################################################
# Group: AdministratorAccess + job-function/Billing + IAMUserChangePassword
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

################################################################################
# User
################################################################################

resource "aws_iam_user" "this" {
  count = var.create ? 1 : 0

  # checkov:skip=CKV_AWS_273: a single standalone class account has no IAM Identity Center; console users are the lesson's subject
  # checkov:skip=CKV2_AWS_22: the administrator needs the console; the generated password must be changed at first sign-in
  name          = var.user_name
  force_destroy = var.force_destroy

  tags = var.tags
}

# Non-exclusive membership: aws_iam_group_membership would remove members added elsewhere
# (hashicorp/terraform#5778, hashicorp/terraform-provider-aws#2137; fixed by PR #3365).
resource "aws_iam_user_group_membership" "this" {
  count = var.create ? 1 : 0

  user   = aws_iam_user.this[0].name
  groups = [aws_iam_group.this[0].name]
}

resource "aws_iam_user_login_profile" "this" {
  count = var.create && var.create_login_profile ? 1 : 0

  user                    = aws_iam_user.this[0].name
  pgp_key                 = var.pgp_key
  password_length         = var.password_length
  password_reset_required = var.password_reset_required

  # The API does not read back every field and a changed key would churn the password
  # (hashicorp/terraform-provider-aws#23567, terraform-aws-modules/terraform-aws-iam#244).
  lifecycle {
    ignore_changes = [password_length, password_reset_required, pgp_key]
  }

  # Generated passwords must satisfy the account policy that is in force.
  depends_on = [aws_iam_account_password_policy.this]
}

resource "aws_iam_access_key" "this" {
  count = var.create && var.create_access_key ? 1 : 0

  user    = aws_iam_user.this[0].name
  pgp_key = var.pgp_key
}

################################################################################
# Account alias and password policy (account-wide singletons)
################################################################################

resource "aws_iam_account_alias" "this" {
  count = local.create_alias ? 1 : 0

  account_alias = var.account_alias
}

resource "aws_iam_account_password_policy" "this" {
  count = var.create && var.create_password_policy ? 1 : 0

  minimum_password_length        = var.minimum_password_length
  require_lowercase_characters   = var.require_lowercase_characters
  require_uppercase_characters   = var.require_uppercase_characters
  require_numbers                = var.require_numbers
  require_symbols                = var.require_symbols
  allow_users_to_change_password = var.allow_users_to_change_password
  password_reuse_prevention      = var.password_reuse_prevention
  max_password_age               = var.max_password_age
  hard_expiry                    = var.hard_expiry
}
