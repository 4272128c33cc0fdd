variable "name" {
  description = "Name of the class's organizational unit (the kit uses classroom-<class name>); also prefixes the SCP names"
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9 ._-]{0,127}$", var.name))
    error_message = "name must be 1-128 letters, digits, spaces, dots, underscores and hyphens."
  }
}

variable "parent_id" {
  description = "Id of the root (r-...) or OU (ou-...) the class's OU is created under"
  type        = string

  validation {
    condition     = can(regex("^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$", var.parent_id))
    error_message = "parent_id must be a root id (r-...) or an OU id (ou-...)."
  }
}

variable "allowed_regions" {
  description = "Regions member accounts may use; requests for any other region are denied (global services excepted)"
  type        = list(string)

  validation {
    condition     = length(var.allowed_regions) > 0
    error_message = "allowed_regions must name at least one region."
  }
}

variable "notebook_instance_types" {
  description = "Instance types allowed for notebook instances and Studio apps in member accounts"
  type        = list(string)
  default     = ["ml.t3.medium", "ml.t2.medium"]
}

variable "training_instance_types" {
  description = "Instance types allowed for training, tuning and processing jobs in member accounts"
  type        = list(string)
  default     = ["ml.m4.xlarge", "ml.m5.xlarge"]
}

variable "hosting_instance_types" {
  description = "Instance types allowed for endpoint configs and batch transform in member accounts"
  type        = list(string)
  default     = ["ml.m4.xlarge", "ml.m5.xlarge"]
}

variable "access_role_name" {
  description = "Role the management account uses in member accounts (exempt from the region and tamper denies, never from the instance-type allowlist)"
  type        = string
  default     = "OrganizationAccountAccessRole"
}

variable "protected_policy_names" {
  description = "IAM policy names in member accounts nobody but the access role may change, detach or delete (the kit's guardrail policy)"
  type        = list(string)
  default     = []
}

variable "protected_budget_names" {
  description = "Budget names in member accounts nobody but the access role may change or delete"
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Tags for the OU and the policies (the provider's default_tags add the kit's own)"
  type        = map(string)
  default     = {}
}
