variable "create" {
  description = "Whether to create anything (false: the module creates nothing)"
  type        = bool
  default     = true
}

variable "group_name" {
  description = "Name of the students' group"
  type        = string
  default     = "Students"
}

variable "students" {
  description = "Students by user name (letters, digits, hyphens: the name is both the IAM user and the Studio profile); validated by the kit's roster reader with line numbers"
  type = map(object({
    email        = string
    display_name = optional(string)
  }))
  default = {}

  validation {
    condition     = alltrue([for name in keys(var.students) : can(regex("^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$", name))])
    error_message = "Every student user name must be 1-63 letters, digits and hyphens, starting and ending with a letter or digit."
  }
}

variable "group_policy_arns" {
  description = "Managed policies for the group, by short name (key) and ARN suffix after `arn:<partition>:iam::aws:policy/` (value)"
  type        = map(string)
  default = {
    IAMUserChangePassword = "IAMUserChangePassword"
  }
}

variable "force_destroy" {
  description = "Let destroy remove a student even with console-made access keys, MFA devices or SSH keys attached"
  type        = bool
  default     = true
}

variable "create_login_profiles" {
  description = "Give every student console access with a generated password"
  type        = bool
  default     = true
}

variable "password_length" {
  description = "Length of the generated console passwords"
  type        = number
  default     = 20
}

variable "password_reset_required" {
  description = "Students must choose a new password at first sign-in"
  type        = bool
  default     = true
}

variable "pgp_key" {
  description = "Optional base64 PGP public key or keybase:username to encrypt the generated passwords"
  type        = string
  default     = null
}

variable "create_studio_profiles" {
  description = "Create a Studio user profile per student in studio_domain_id, and the policy to open it"
  type        = bool
  default     = false
}

variable "studio_domain_id" {
  description = "Studio domain for the students' user profiles and their sign-in policy (required when create_studio_profiles is true)"
  type        = string
  default     = null
}

variable "studio_execution_role_arn" {
  description = "Execution role of the students' profiles (null: the domain's default)"
  type        = string
  default     = null
}

variable "tags" {
  description = "Extra tags for users and profiles (the kit's own tags come from the provider's default_tags)"
  type        = map(string)
  default     = {}
}

variable "lesson_access" {
  description = "Let students run the lesson's jobs with their own credentials (the lesson-access group policy); needs studio_execution_role_arn, the bucket ARNs and class_tag_value"
  type        = bool
  default     = false
}

variable "class_tag_key" {
  description = "Tag key every SageMaker resource a student creates must carry (and that stop/delete/invoke require)"
  type        = string
  default     = "classroom"
}

variable "class_tag_value" {
  description = "Value of class_tag_key: the class's name (the kit's default_tags)"
  type        = string
  default     = null
}

variable "private_bucket_arn" {
  description = "The class's private bucket: each student reads and writes only <user name>/ in it"
  type        = string
  default     = null
}

variable "public_bucket_arn" {
  description = "The class's public bucket: students read and list public_prefix"
  type        = string
  default     = null
}

variable "public_prefix" {
  description = "The shared prefix of the public bucket"
  type        = string
  default     = "share/"
}

variable "notebook_instance_types" {
  description = "Instance types students may start Studio apps on (plus Studio's pseudo type \"system\")"
  type        = list(string)
  default     = ["ml.t3.medium", "ml.t2.medium"]
}

variable "training_instance_types" {
  description = "Instance types students may train and tune on"
  type        = list(string)
  default     = ["ml.m4.xlarge", "ml.m5.xlarge"]
}

variable "hosting_instance_types" {
  description = "Instance types students may host endpoints and run batch transform on"
  type        = list(string)
  default     = ["ml.m4.xlarge", "ml.m5.xlarge"]
}
