output "policy_arn" {
  description = "ARN of the guardrail policy"
  value       = try(aws_iam_policy.this[0].arn, null)
}

output "policy_name" {
  description = "Name of the guardrail policy"
  value       = try(aws_iam_policy.this[0].name, null)
}

output "policy_json" {
  description = "The guardrail policy document"
  value       = try(data.aws_iam_policy_document.this[0].json, null)
}

output "allowlists" {
  description = "Allowed instance types by deny statement"
  value       = var.create ? { for sid, r in local.rules : sid => r.allowed } : {}
}

output "attached_to" {
  description = "Groups and roles the guardrail is attached to"
  value = {
    groups = [for a in aws_iam_group_policy_attachment.this : a.group]
    roles  = [for a in aws_iam_role_policy_attachment.this : a.role]
  }
}
