variable "create" {
  description = "Whether to create anything (false: the module creates nothing)"
  type        = bool
  default     = true
}

################################################################################
# Group
################################################################################

variable "group_name" {
  description = "Name of the administrators' group"
  type        = string
  default     = "Administrators"
}

variable "group_policy_arns" {
  description = "Managed policies for the group, by short name (key) and ARN suffix after `arn:<partition>:iam::aws:policy/` (value)"
  type        = map(string)
  default = {
    AdministratorAccess   = "AdministratorAccess"
    Billing               = "job-function/Billing"
    IAMUserChangePassword = "IAMUserChangePassword"
  }
}

################################################################################
# User
################################################################################

variable "user_name" {
  description = "Name of the administrator user"
  type        = string
  default     = "administrator"

  validation {
    condition     = can(regex("^[A-Za-z0-9+=,.@_-]{1,64}$", var.user_name))
    error_message = "user_name must be 1-64 characters of letters, digits and +=,.@_-."
  }
}

variable "force_destroy" {
  description = "Let destroy remove the user even with console-made access keys, MFA devices or SSH keys attached"
  type        = bool
  default     = true
}

variable "create_login_profile" {
  description = "Give the user console access with a generated password"
  type        = bool
  default     = true
}

variable "password_length" {
  description = "Length of the generated console password"
  type        = number
  default     = 20
}

variable "password_reset_required" {
  description = "The user must choose a new password at first sign-in"
  type        = bool
  default     = true
}

variable "pgp_key" {
  description = "Optional base64 PGP public key or keybase:username; the password is then only output encrypted (and never stored in state in clear)"
  type        = string
  default     = null
}

variable "create_access_key" {
  description = "Create an access key (programmatic access). Off: the administrator works in the console"
  type        = bool
  default     = false
}

################################################################################
# Account alias and password policy
################################################################################

variable "create_account_alias" {
  description = "Manage the account alias (used in the console sign-in URL)"
  type        = bool
  default     = true
}

variable "account_alias" {
  description = "Account alias: 3-63 lowercase letters, digits and hyphens; globally unique on AWS"
  type        = string
  default     = null

  validation {
    condition     = var.account_alias == null || (can(regex("^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$", var.account_alias)) && !strcontains(coalesce(var.account_alias, "-"), "--"))
    error_message = "account_alias must be 3-63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit."
  }
}

variable "create_password_policy" {
  description = "Manage the account password policy"
  type        = bool
  default     = true
}

variable "minimum_password_length" {
  description = "Minimum length of IAM user passwords"
  type        = number
  default     = 14
}

variable "require_lowercase_characters" {
  description = "Passwords need a lowercase letter"
  type        = bool
  default     = true
}

variable "require_uppercase_characters" {
  description = "Passwords need an uppercase letter"
  type        = bool
  default     = true
}

variable "require_numbers" {
  description = "Passwords need a digit"
  type        = bool
  default     = true
}

variable "require_symbols" {
  description = "Passwords need a symbol"
  type        = bool
  default     = true
}

variable "allow_users_to_change_password" {
  description = "Users may change their own password (needed for the reset at first sign-in)"
  type        = bool
  default     = true
}

variable "password_reuse_prevention" {
  description = "How many previous passwords cannot be reused"
  type        = number
  default     = 24
}

variable "max_password_age" {
  description = "Days before a password expires"
  type        = number
  default     = 90
}

variable "hard_expiry" {
  description = "Expired passwords need an administrator to reset them (false: the user sets a new one)"
  type        = bool
  default     = false
}

variable "tags" {
  description = "Extra tags for the user (the kit's own tags come from the provider's default_tags)"
  type        = map(string)
  default     = {}
}
