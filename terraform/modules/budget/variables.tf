variable "create" {
  description = "Whether to create the budget; it is also skipped when no subscriber e-mail is given"
  type        = bool
  default     = true
}

variable "name" {
  description = "Name of the budget"
  type        = string
  default     = "classroom"
}

variable "limit_amount" {
  description = "Monthly cost limit in USD"
  type        = number
  default     = 10

  validation {
    condition     = var.limit_amount > 0
    error_message = "limit_amount must be greater than 0."
  }
}

variable "time_unit" {
  description = "Budget period: MONTHLY, QUARTERLY or ANNUALLY"
  type        = string
  default     = "MONTHLY"

  validation {
    condition     = contains(["MONTHLY", "QUARTERLY", "ANNUALLY"], var.time_unit)
    error_message = "time_unit must be MONTHLY, QUARTERLY or ANNUALLY."
  }
}

variable "thresholds_usd" {
  description = "Send an e-mail when the actual cost goes above each of these amounts (USD)"
  type        = list(number)
  default     = [1, 5, 10]

  validation {
    condition     = length(var.thresholds_usd) > 0 && length(var.thresholds_usd) <= 5 && alltrue([for t in var.thresholds_usd : t > 0])
    error_message = "thresholds_usd must hold 1 to 5 positive amounts (AWS Budgets allows five notifications per budget)."
  }
}

variable "subscriber_email_addresses" {
  description = "Who gets the alerts (empty: no budget is created)"
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Extra tags for the budget (the kit's own tags come from the provider's default_tags)"
  type        = map(string)
  default     = {}
}
