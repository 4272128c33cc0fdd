# The classroom account: what the lesson does by hand in the console, for a whole class.
# No provider block: the kit's runner wraps this module in a root that configures the provider
# (embedded AWS endpoints or a real account) with the kit's default_tags.

locals {
  models_bucket = coalesce(var.models_bucket_name, "sm-models-${var.stamp}")
  share_bucket  = coalesce(var.share_bucket_name, "public-share-${var.stamp}")
  budget_emails = var.budget_email == null || var.budget_email == "" ? [] : [var.budget_email]
}

################################################################################
# Admin access
################################################################################

module "admin_access" {
  source = "../modules/admin-access"

  user_name              = var.admin_user_name
  create_access_key      = var.admin_create_access_key
  pgp_key                = var.pgp_key
  create_account_alias   = var.account_alias != null
  account_alias          = var.account_alias
  create_password_policy = var.manage_password_policy
}

################################################################################
# Buckets
################################################################################

module "models_bucket" {
  source = "../modules/bucket"

  bucket                             = local.models_bucket
  force_destroy                      = true
  noncurrent_version_expiration_days = var.noncurrent_version_expiration_days
}

module "share_bucket" {
  source = "../modules/bucket"

  bucket                             = local.share_bucket
  force_destroy                      = true
  public_read_prefix                 = var.share_public_prefix
  noncurrent_version_expiration_days = var.noncurrent_version_expiration_days
}

################################################################################
# Studio
################################################################################

module "studio" {
  source = "../modules/studio"

  create                  = var.create_studio
  execution_role_only     = var.execution_role_without_studio
  domain_name             = var.class_name
  execution_role_name     = "${var.class_name}-sagemaker-execution"
  bucket_arns             = [module.models_bucket.s3_bucket_arn, module.share_bucket.s3_bucket_arn]
  default_instance_type   = var.studio_default_instance_type
  idle_timeout_in_minutes = var.studio_idle_timeout_minutes
  home_efs_retention      = "Delete"
  instructor_profile_name = var.instructor_profile_name

  jupyterlab_lifecycle_config_arns = compact([module.notebooks.lifecycle_config_arn])
}

# The lesson's notebooks: published under the share prefix, copied into each student's home by a
# JupyterLab lifecycle configuration at app start (never over an edited copy)
module "notebooks" {
  source = "../modules/studio-notebooks"

  create    = var.create_studio && length(var.notebooks) > 0
  name      = "${var.class_name}-copy-notebooks"
  bucket    = module.share_bucket.s3_bucket_id
  prefix    = "${var.share_public_prefix}notebooks/"
  notebooks = var.notebooks
}

################################################################################
# Students
################################################################################

module "students" {
  source = "../modules/students"

  students                  = var.students
  pgp_key                   = var.pgp_key
  create_studio_profiles    = var.create_studio
  studio_domain_id          = module.studio.domain_id
  studio_execution_role_arn = module.studio.execution_role_arn

  # The lesson from each student's own credentials (needs the execution role: Studio on)
  lesson_access           = var.create_studio
  class_tag_value         = var.class_name
  private_bucket_arn      = module.models_bucket.s3_bucket_arn
  public_bucket_arn       = module.share_bucket.s3_bucket_arn
  public_prefix           = var.share_public_prefix
  notebook_instance_types = var.notebook_instance_types
  training_instance_types = var.training_instance_types
  hosting_instance_types  = var.hosting_instance_types
}

################################################################################
# Guardrails: on Students, on the execution role (notebooks start jobs under it) and, as an
# option, on the instructor (the Administrators group)
################################################################################

module "guardrails" {
  source = "../modules/guardrails"

  name                    = "${var.class_name}-instance-type-guardrail"
  notebook_instance_types = var.notebook_instance_types
  training_instance_types = var.training_instance_types
  hosting_instance_types  = var.hosting_instance_types

  # The instructor is the administrator, alone in the Administrators group: a group attachment
  # (not a user one) keeps policies on groups and roles only.
  attach_to_groups = merge(
    { students = module.students.group_name },
    var.guardrails_apply_to_instructor ? { administrators = module.admin_access.group_name } : {},
  )
  attach_to_roles = var.create_studio ? { execution = module.studio.execution_role_name } : {}
}

################################################################################
# Budget
################################################################################

module "budget" {
  source = "../modules/budget"

  name                       = "${var.class_name}-${var.stamp}"
  limit_amount               = var.budget_limit_usd
  thresholds_usd             = var.budget_thresholds_usd
  subscriber_email_addresses = local.budget_emails
}

################################################################################
# Reaper: removes expired endpoints and, after the class, everything that bills by the hour
################################################################################

module "reaper" {
  source = "../modules/reaper"

  create       = var.reaper_enabled
  name         = "${var.class_name}-reaper"
  class_name   = var.class_name
  class_tags   = { classroom = var.class_name }
  package_path = var.reaper_package_path
  ends_at      = var.reaper_ends_at
  domain_id    = module.studio.domain_id
  notify_email = length(local.budget_emails) == 0 ? null : var.budget_email
}
