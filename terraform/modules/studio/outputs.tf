output "execution_role_arn" {
  description = "ARN of the execution role (created or passed in)"
  value       = local.with_role ? local.role_arn : null
}

output "execution_role_name" {
  description = "Name of the created execution role, or null"
  value       = try(aws_iam_role.execution[0].name, null)
}

output "execution_policy_json" {
  description = "The execution role's least-privilege policy document"
  value       = try(data.aws_iam_policy_document.execution[0].json, null)
}

output "domain_id" {
  description = "ID of the Studio domain"
  value       = try(aws_sagemaker_domain.this[0].id, null)
}

output "domain_arn" {
  description = "ARN of the Studio domain"
  value       = try(aws_sagemaker_domain.this[0].arn, null)
}

output "domain_url" {
  description = "URL of the Studio domain"
  value       = try(aws_sagemaker_domain.this[0].url, null)
}

output "home_efs_file_system_id" {
  description = "The domain's home EFS volume (deleted with the domain when home_efs_retention = Delete)"
  value       = try(aws_sagemaker_domain.this[0].home_efs_file_system_id, null)
}

output "home_efs_retention" {
  description = "Retention policy of the home EFS volume"
  value       = try(aws_sagemaker_domain.this[0].retention_policy[0].home_efs_file_system, null)
}

output "vpc_id" {
  description = "VPC of the domain"
  value       = var.create ? local.vpc_id : null
}

output "subnet_ids" {
  description = "Subnets of the domain"
  value       = var.create ? local.subnet_ids : null
}

output "instructor_profile_name" {
  description = "The instructor's Studio user profile, or null"
  value       = try(aws_sagemaker_user_profile.instructor[0].user_profile_name, null)
}

output "instructor_profile_arn" {
  description = "ARN of the instructor's Studio user profile, or null"
  value       = try(aws_sagemaker_user_profile.instructor[0].arn, null)
}
