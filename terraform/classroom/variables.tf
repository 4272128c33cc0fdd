################################################################################
# Class
################################################################################

variable "class_name" {
  description = "Name of the class (lowercase letters, digits, hyphens); prefixes the names of the class's resources"
  type        = string
  default     = "ml-class"

  validation {
    condition     = can(regex("^[a-z0-9](-?[a-z0-9]){1,30}$", var.class_name))
    error_message = "class_name must be 2-31 lowercase letters, digits and single hyphens."
  }
}

variable "stamp" {
  description = "Creation stamp YYYYMMDD-HHMM-xxxxxx (minute + 6 random characters), fixed at the class's first apply so names stay stable and unique"
  type        = string

  validation {
    condition     = can(regex("^[0-9]{8}-[0-9]{4}(-[a-z0-9]{6})?$", var.stamp))
    error_message = "stamp must look like YYYYMMDD-HHMM-xxxxxx."
  }
}

################################################################################
# Admin access
################################################################################

variable "admin_user_name" {
  description = "The administrator's IAM user name"
  type        = string
  default     = "administrator"
}

variable "admin_create_access_key" {
  description = "Give the administrator an access key (programmatic access)"
  type        = bool
  default     = false
}

variable "pgp_key" {
  description = "Optional PGP key (base64 or keybase:user) that encrypts every generated password and secret"
  type        = string
  default     = null
}

variable "account_alias" {
  description = "Account alias for the sign-in URL (null: the sign-in URL uses the account id)"
  type        = string
  default     = null
}

variable "manage_password_policy" {
  description = "Set the account password policy"
  type        = bool
  default     = true
}

################################################################################
# Buckets
################################################################################

variable "models_bucket_name" {
  description = "Private bucket for data and model artefacts (default sm-models-<stamp>)"
  type        = string
  default     = null
}

variable "share_bucket_name" {
  description = "Bucket whose share prefix is publicly readable (default public-share-<stamp>)"
  type        = string
  default     = null
}

variable "share_public_prefix" {
  description = "The only prefix of the share bucket that anyone may read"
  type        = string
  default     = "share/"
}

variable "noncurrent_version_expiration_days" {
  description = "Delete noncurrent object versions after this many days; null = no lifecycle configuration (the provider waits ~55 s for each one to settle)"
  type        = number
  default     = null
}

################################################################################
# Studio and students
################################################################################

variable "create_studio" {
  description = "Create the execution role, the Studio domain and the user profiles"
  type        = bool
  default     = true
}

variable "execution_role_without_studio" {
  description = "Create the SageMaker execution role even with create_studio = false (member accounts of a class of accounts: `classroom train --account`)"
  type        = bool
  default     = false
}

variable "studio_idle_timeout_minutes" {
  description = "Idle shutdown of JupyterLab and Code Editor apps, in minutes"
  type        = number
  default     = 60
}

variable "studio_default_instance_type" {
  description = "Default instance type of Studio apps"
  type        = string
  default     = "ml.t3.medium"
}

variable "instructor_profile_name" {
  description = "Studio user profile of the instructor (null: none)"
  type        = string
  default     = "instructor"
}

variable "students" {
  description = "Roster by user name (already validated by the kit): e-mail and optional display name"
  type = map(object({
    email        = string
    display_name = optional(string)
  }))
  default = {}
}

################################################################################
# Guardrails
################################################################################

variable "notebook_instance_types" {
  description = "Allowed instance types for notebooks and Studio apps"
  type        = list(string)
  default     = ["ml.t3.medium", "ml.t2.medium"]
}

variable "training_instance_types" {
  description = "Allowed instance types for training, tuning and processing"
  type        = list(string)
  default     = ["ml.m4.xlarge", "ml.m5.xlarge"]
}

variable "hosting_instance_types" {
  description = "Allowed instance types for endpoints and batch transform"
  type        = list(string)
  default     = ["ml.m4.xlarge", "ml.m5.xlarge"]
}

variable "guardrails_apply_to_instructor" {
  description = "Also apply the instance-type guardrail to the administrator (instructor)"
  type        = bool
  default     = false
}

################################################################################
# Budget
################################################################################

variable "budget_email" {
  description = "Who gets the budget alerts (null or empty: no budget, with a note in the outputs)"
  type        = string
  default     = null
}

variable "budget_limit_usd" {
  description = "Monthly cost budget in USD"
  type        = number
  default     = 10
}

variable "budget_thresholds_usd" {
  description = "Alert when the actual monthly cost goes above each amount (USD)"
  type        = list(number)
  default     = [1, 5, 10]
}

variable "notebooks" {
  description = "The lesson's notebooks for every student's Studio home: file name => local .ipynb (written by `classroom up`); empty: none"
  type        = map(string)
  default     = {}
}

################################################################################
# Reaper
################################################################################

variable "reaper_enabled" {
  description = "Whether to deploy the class's reaper (a Lambda run every 5 minutes that removes what bills after its time)"
  type        = bool
  default     = true
}

variable "reaper_package_path" {
  description = "The reaper's zip, built by the kit before each Terraform run (null: no reaper)"
  type        = string
  default     = null
}

variable "reaper_ends_at" {
  description = "When the class is over (ISO 8601 UTC): from then on the reaper removes everything of the class that bills by the hour"
  type        = string
  default     = "2000-01-01T00:00:00Z"
}
