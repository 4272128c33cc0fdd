locals {
  create = var.create && length(var.subscriber_email_addresses) > 0
}

################################################################################
# Cost budget with an e-mail alert per threshold
# Budgets alerts lag the spend by up to a day: they warn, they do not stop an endpoint.
################################################################################

resource "aws_budgets_budget" "this" {
  count = local.create ? 1 : 0

  name         = var.name
  budget_type  = "COST"
  limit_amount = format("%.2f", var.limit_amount)
  limit_unit   = "USD"
  time_unit    = var.time_unit

  dynamic "notification" {
    for_each = toset([for t in var.thresholds_usd : tostring(t)])

    content {
      comparison_operator        = "GREATER_THAN"
      threshold                  = tonumber(notification.value)
      threshold_type             = "ABSOLUTE_VALUE"
      notification_type          = "ACTUAL"
      subscriber_email_addresses = var.subscriber_email_addresses
    }
  }

  tags = var.tags
}
