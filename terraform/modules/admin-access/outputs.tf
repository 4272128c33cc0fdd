output "group_name" {
  description = "Name of the administrators' group"
  value       = try(aws_iam_group.this[0].name, null)
}

output "group_arn" {
  description = "ARN of the administrators' group"
  value       = try(aws_iam_group.this[0].arn, null)
}

output "group_policy_arns" {
  description = "Managed policies attached to the group"
  value       = [for a in aws_iam_group_policy_attachment.this : a.policy_arn]
}

output "user_name" {
  description = "Name of the administrator user"
  value       = try(aws_iam_user.this[0].name, null)
}

output "user_arn" {
  description = "ARN of the administrator user"
  value       = try(aws_iam_user.this[0].arn, null)
}

output "password" {
  description = "Generated console password (null when a pgp_key is set)"
  value       = try(aws_iam_user_login_profile.this[0].password, null)
  sensitive   = true
}

output "encrypted_password" {
  description = "Console password encrypted with the pgp_key (base64), or null"
  value       = try(aws_iam_user_login_profile.this[0].encrypted_password, null)
}

output "password_reset_required" {
  description = "Whether the password must be changed at first sign-in"
  value       = var.create && var.create_login_profile ? var.password_reset_required : null
}

output "access_key_id" {
  description = "Access key id, when create_access_key is on"
  value       = try(aws_iam_access_key.this[0].id, null)
}

output "access_key_secret" {
  description = "Secret access key (null when a pgp_key is set)"
  value       = try(aws_iam_access_key.this[0].secret, null)
  sensitive   = true
}

output "access_key_encrypted_secret" {
  description = "Secret access key encrypted with the pgp_key, or null"
  value       = try(aws_iam_access_key.this[0].encrypted_secret, null)
}

output "account_alias" {
  description = "The account alias, when managed"
  value       = try(aws_iam_account_alias.this[0].account_alias, null)
}

output "sign_in_url" {
  description = "Console sign-in URL (by alias, or by account id when no alias is managed)"
  value = var.create ? (
    local.create_alias
    ? "https://${aws_iam_account_alias.this[0].account_alias}.${local.signin_host}/console"
    : "https://${try(data.aws_caller_identity.current[0].account_id, "")}.${local.signin_host}/console"
  ) : null
}
