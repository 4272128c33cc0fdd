variable "create" {
  description = "Whether to create anything (false: the module creates nothing)"
  type        = bool
  default     = true
}

################################################################################
# Execution role
################################################################################

variable "execution_role_only" {
  description = "With create = false: still create the execution role (no domain); a member account of a class of accounts trains without Studio"
  type        = bool
  default     = false
}

variable "create_execution_role" {
  description = "Create the least-privilege SageMaker execution role (false: pass execution_role_arn)"
  type        = bool
  default     = true
}

variable "execution_role_name" {
  description = "Name of the execution role"
  type        = string
  default     = "classroom-sagemaker-execution"

  validation {
    condition     = can(regex("^[A-Za-z0-9+=,.@_-]{1,64}$", var.execution_role_name))
    error_message = "execution_role_name must be 1-64 characters of letters, digits and +=,.@_-."
  }
}

variable "execution_role_arn" {
  description = "An existing execution role, used when create_execution_role is false"
  type        = string
  default     = null
}

variable "bucket_arns" {
  description = "ARNs of the buckets jobs and notebooks may read and write (the kit's models and share buckets)"
  type        = list(string)
  default     = []
}

################################################################################
# Domain
################################################################################

variable "domain_name" {
  description = "Name of the Studio domain"
  type        = string
  default     = "classroom"

  validation {
    condition     = can(regex("^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$", var.domain_name))
    error_message = "domain_name must be 1-63 letters, digits and hyphens, starting and ending with a letter or digit."
  }
}

variable "vpc_id" {
  description = "VPC of the domain (null: the region's default VPC)"
  type        = string
  default     = null
}

variable "subnet_ids" {
  description = "Subnets of the domain (empty: every subnet of the VPC)"
  type        = list(string)
  default     = []
}

variable "app_network_access_type" {
  description = "PublicInternetOnly (the lesson's setup, no NAT gateway to pay for) or VpcOnly"
  type        = string
  default     = "PublicInternetOnly"

  validation {
    condition     = contains(["PublicInternetOnly", "VpcOnly"], var.app_network_access_type)
    error_message = "app_network_access_type must be PublicInternetOnly or VpcOnly."
  }
}

variable "default_instance_type" {
  description = "Default instance type of JupyterLab and Code Editor apps (free tier: ml.t3.medium)"
  type        = string
  default     = "ml.t3.medium"
}

variable "idle_timeout_in_minutes" {
  description = "Shut JupyterLab and Code Editor apps down after this many idle minutes (60-525600)"
  type        = number
  default     = 60

  validation {
    condition     = var.idle_timeout_in_minutes >= 60 && var.idle_timeout_in_minutes <= 525600
    error_message = "idle_timeout_in_minutes must be between 60 and 525600."
  }
}

variable "home_efs_retention" {
  description = "What happens to the home EFS volume when the domain is deleted: Delete (no orphan EFS bill) or Retain (the API's default)"
  type        = string
  default     = "Delete"

  validation {
    condition     = contains(["Delete", "Retain"], var.home_efs_retention)
    error_message = "home_efs_retention must be Delete or Retain."
  }
}

variable "instructor_profile_name" {
  description = "Studio user profile for the instructor (null: none)"
  type        = string
  default     = "instructor"

  validation {
    condition     = var.instructor_profile_name == null || can(regex("^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$", coalesce(var.instructor_profile_name, "x")))
    error_message = "instructor_profile_name must be 1-63 letters, digits and hyphens."
  }
}

variable "tags" {
  description = "Extra tags (the kit's own tags come from the provider's default_tags)"
  type        = map(string)
  default     = {}
}

variable "jupyterlab_lifecycle_config_arns" {
  description = "Studio lifecycle configurations (JupyterLab) for the domain's users; the first one runs by default at every app start (e.g. ../studio-notebooks)"
  type        = list(string)
  default     = []
}
