variable "create" {
  description = "The flag: whether to create the reaper (false: the module creates nothing)"
  type        = bool
  default     = true
}

variable "name" {
  description = "Name of the function, its role, log group, schedule rule and topic (letters, digits, hyphens)"
  type        = string
  default     = "classroom-reaper"

  validation {
    condition     = can(regex("^[A-Za-z0-9-]{1,56}$", var.name))
    error_message = "name must be 1-56 letters, digits or hyphens."
  }
}

variable "class_name" {
  description = "The class the reaper works for (in its description, log lines and the e-mail)"
  type        = string
}

variable "class_tags" {
  description = "Tags that make a resource the class's: the reaper touches only what carries all of them (the first one also scopes its IAM policy)"
  type        = map(string)

  validation {
    condition     = length(var.class_tags) > 0
    error_message = "class_tags must hold at least one tag (an empty set would own nothing)."
  }
}

variable "package_path" {
  description = "The function's zip, built by the kit (`provision/reaper/package.py`; no archive provider offline)"
  type        = string
  default     = null
}

variable "ends_at" {
  description = "When the class is over (ISO 8601 UTC, e.g. 2026-12-06T20:00:00Z): from then on every run removes everything of the class that bills by the hour"
  type        = string

  validation {
    condition     = can(regex("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$", var.ends_at))
    error_message = "ends_at must be an ISO 8601 UTC time like 2026-12-06T20:00:00Z."
  }
}

variable "domain_id" {
  description = "The class's Studio domain: its apps are stopped after ends_at (null: no Studio)"
  type        = string
  default     = null
}

variable "notify_email" {
  description = "Who hears what the reaper removed when the class ended (the budget e-mail; null: no SNS topic)"
  type        = string
  default     = null
}

variable "schedule_expression" {
  description = "How often the reaper runs (EventBridge rate() or cron())"
  type        = string
  default     = "rate(5 minutes)"

  validation {
    condition     = can(regex("^(rate\\([0-9]+ (minute|minutes|hour|hours|day|days)\\)|cron\\(.+\\))$", var.schedule_expression))
    error_message = "schedule_expression must be rate(N minutes|hours|days) or cron(...)."
  }
}

variable "timeout_seconds" {
  description = "The function's timeout: a class's resources are listed and removed well within it"
  type        = number
  default     = 120
}

variable "log_retention_days" {
  description = "Days to keep the reaper's logs (`classroom status` reads its last run from them)"
  type        = number
  default     = 14
}

variable "tags" {
  description = "Extra tags (the kit's provider adds its default tags to everything)"
  type        = map(string)
  default     = {}
}
