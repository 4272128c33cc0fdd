variable "create" {
  description = "Whether to create anything (false: the module creates nothing)"
  type        = bool
  default     = true
}

variable "name" {
  description = "Name of the guardrail policy"
  type        = string
  default     = "classroom-instance-type-guardrail"
}

variable "notebook_instance_types" {
  description = "Instance types allowed for notebook instances and Studio apps (default: the free tier's)"
  type        = list(string)
  default     = ["ml.t3.medium", "ml.t2.medium"]

  validation {
    condition     = length(var.notebook_instance_types) > 0 && alltrue([for t in var.notebook_instance_types : can(regex("^ml\\.[a-z0-9-]+\\.[a-z0-9*]+$", t))])
    error_message = "notebook_instance_types must be a non-empty list of ml.* instance types."
  }
}

variable "training_instance_types" {
  description = "Instance types allowed for training, tuning and processing jobs (default: the free tier's)"
  type        = list(string)
  default     = ["ml.m4.xlarge", "ml.m5.xlarge"]

  validation {
    condition     = length(var.training_instance_types) > 0 && alltrue([for t in var.training_instance_types : can(regex("^ml\\.[a-z0-9-]+\\.[a-z0-9*]+$", t))])
    error_message = "training_instance_types must be a non-empty list of ml.* instance types."
  }
}

variable "hosting_instance_types" {
  description = "Instance types allowed for endpoint configs and batch transform (default: the free tier's)"
  type        = list(string)
  default     = ["ml.m4.xlarge", "ml.m5.xlarge"]

  validation {
    condition     = length(var.hosting_instance_types) > 0 && alltrue([for t in var.hosting_instance_types : can(regex("^ml\\.[a-z0-9-]+\\.[a-z0-9*]+$", t))])
    error_message = "hosting_instance_types must be a non-empty list of ml.* instance types."
  }
}

variable "attach_to_groups" {
  description = "Groups that get the guardrail (static key => group name), e.g. Students and, as an option, Administrators"
  type        = map(string)
  default     = {}
}

variable "attach_to_roles" {
  description = "Roles that get the guardrail (static key => role name), e.g. the Studio execution role, under which notebooks start jobs"
  type        = map(string)
  default     = {}
}

variable "tags" {
  description = "Extra tags for the policy (the kit's own tags come from the provider's default_tags)"
  type        = map(string)
  default     = {}
}
