output "organizational_unit_id" {
  description = "Id of the class's organizational unit (ou-...)"
  value       = aws_organizations_organizational_unit.this.id
}

output "organizational_unit_arn" {
  description = "ARN of the class's organizational unit"
  value       = aws_organizations_organizational_unit.this.arn
}

output "policy_ids" {
  description = "Ids of the service control policies attached to the OU (limits, protect)"
  value       = { for k, p in aws_organizations_policy.this : k => p.id }
}
