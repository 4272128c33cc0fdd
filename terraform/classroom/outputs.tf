# The kit reads all outputs as one (sensitive) object: keep these names stable.

output "sign_in_url" {
  description = "Console sign-in URL of the account"
  value       = module.admin_access.sign_in_url
}

output "account_alias" {
  description = "Account alias, or null"
  value       = module.admin_access.account_alias
}

output "admin" {
  description = "The administrator: user_name, group_name, access_key_id, encrypted_password, password_reset_required"
  value = {
    user_name               = module.admin_access.user_name
    group_name              = module.admin_access.group_name
    group_policy_arns       = module.admin_access.group_policy_arns
    access_key_id           = module.admin_access.access_key_id
    encrypted_password      = module.admin_access.encrypted_password
    encrypted_secret        = module.admin_access.access_key_encrypted_secret
    password_reset_required = module.admin_access.password_reset_required
  }
}

output "admin_secrets" {
  description = "The administrator's generated password and secret access key (null when encrypted with pgp_key)"
  value = {
    password          = module.admin_access.password
    access_key_secret = module.admin_access.access_key_secret
  }
  sensitive = true
}

output "students" {
  description = "Students by user name: arn, email, display_name, studio_profile_name, studio_profile_arn"
  value       = module.students.users
}

output "students_group_name" {
  description = "Name of the students' group"
  value       = module.students.group_name
}

output "student_passwords" {
  description = "Generated console passwords by student user name"
  value       = module.students.passwords
  sensitive   = true
}

output "student_encrypted_passwords" {
  description = "Console passwords encrypted with pgp_key, by student user name"
  value       = module.students.encrypted_passwords
}

output "models_bucket" {
  description = "Name of the private models bucket"
  value       = module.models_bucket.s3_bucket_id
}

output "share_bucket" {
  description = "Name of the public share bucket"
  value       = module.share_bucket.s3_bucket_id
}

output "share_public_prefix" {
  description = "The only publicly readable prefix of the share bucket"
  value       = module.share_bucket.public_read_prefix
}

output "share_public_url_prefix" {
  description = "HTTPS URL prefix of the public objects"
  value       = module.share_bucket.public_url_prefix
}

output "execution_role_arn" {
  description = "SageMaker execution role for jobs and Studio"
  value       = module.studio.execution_role_arn
}

output "studio_domain_id" {
  description = "ID of the Studio domain, or null"
  value       = module.studio.domain_id
}

output "notebooks_lifecycle_config_arn" {
  description = "ARN of the Studio lifecycle configuration that copies the lesson's notebooks, or null"
  value       = module.notebooks.lifecycle_config_arn
}

output "notebook_keys" {
  description = "S3 keys of the lesson's notebooks in the share bucket"
  value       = module.notebooks.notebook_keys
}

output "studio_domain_url" {
  description = "URL of the Studio domain, or null"
  value       = module.studio.domain_url
}

output "instructor_profile_name" {
  description = "The instructor's Studio user profile, or null"
  value       = module.studio.instructor_profile_name
}

output "guardrail_policy_arn" {
  description = "ARN of the instance-type guardrail policy"
  value       = module.guardrails.policy_arn
}

output "guardrail_allowlists" {
  description = "Allowed instance types by guardrail statement"
  value       = module.guardrails.allowlists
}

output "budget_name" {
  description = "Name of the cost budget, or null when skipped"
  value       = module.budget.budget_name
}

output "budget_note" {
  description = "Why the budget was skipped, or null"
  value       = module.budget.note
}

output "guardrail_attached_to" {
  description = "Groups and roles that carry the guardrail"
  value       = module.guardrails.attached_to
}

output "reaper_function_name" {
  description = "The reaper's Lambda function, or null"
  value       = module.reaper.function_name
}

output "reaper_log_group_name" {
  description = "Where the reaper writes each run's summary, or null"
  value       = module.reaper.log_group_name
}

output "reaper_ends_at" {
  description = "When the class is over for the reaper (UTC), or null"
  value       = module.reaper.ends_at
}
