output "domain_id" {
  description = "Id of the Studio domain"
  value       = module.studio.domain_id
}

output "domain_url" {
  description = "URL of the Studio domain"
  value       = module.studio.domain_url
}

output "execution_role_arn" {
  description = "ARN of the execution role notebooks and jobs run as"
  value       = module.studio.execution_role_arn
}
