output "function_name" {
  description = "The reaper function's name (null when the module created nothing)"
  value       = try(aws_lambda_function.this[0].function_name, null)
}

output "log_group_name" {
  description = "Where each run writes its summary line (`classroom status` reads it)"
  value       = try(aws_cloudwatch_log_group.this[0].name, null)
}

output "rule_name" {
  description = "The EventBridge rule that runs it"
  value       = try(aws_cloudwatch_event_rule.this[0].name, null)
}

output "role_name" {
  description = "The function's least-privilege execution role"
  value       = try(aws_iam_role.this[0].name, null)
}

output "topic_arn" {
  description = "The SNS topic that mails the budget e-mail when the class ended (null without an e-mail)"
  value       = try(aws_sns_topic.this[0].arn, null)
}

output "ends_at" {
  description = "When the class is over (UTC)"
  value       = local.create ? var.ends_at : null
}
