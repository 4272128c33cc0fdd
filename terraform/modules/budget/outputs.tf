output "budget_name" {
  description = "Name of the budget, or null when skipped"
  value       = try(aws_budgets_budget.this[0].name, null)
}

output "budget_arn" {
  description = "ARN of the budget, or null when skipped"
  value       = try(aws_budgets_budget.this[0].arn, null)
}

output "limit_amount" {
  description = "The monthly limit in USD, or null when skipped"
  value       = try(aws_budgets_budget.this[0].limit_amount, null)
}

output "thresholds_usd" {
  description = "Alert thresholds in USD, or an empty list when skipped"
  value       = local.create ? var.thresholds_usd : []
}

output "note" {
  description = "Why the budget was skipped, or null"
  value       = var.create && !local.create ? "no budget e-mail set: budget alerts were skipped (set [budget] email in classroom.toml)" : null
}
