output "lifecycle_config_arn" {
  description = "ARN of the Studio lifecycle configuration (attach it to the domain's JupyterLab settings)"
  value       = try(aws_sagemaker_studio_lifecycle_config.this[0].arn, null)
}

output "lifecycle_config_name" {
  description = "Name of the Studio lifecycle configuration"
  value       = try(aws_sagemaker_studio_lifecycle_config.this[0].studio_lifecycle_config_name, null)
}

output "notebook_keys" {
  description = "S3 keys of the published notebooks"
  value       = [for o in aws_s3_object.notebook : o.key]
}

output "script" {
  description = "The lifecycle script (as JupyterLab runs it)"
  value       = var.create ? local.script : null
}
