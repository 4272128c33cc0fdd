variable "create" {
  description = "Whether to create the bucket and its settings (false: the module creates nothing)"
  type        = bool
  default     = true
}

variable "bucket" {
  description = "Name of the bucket (checked against S3's naming rules by the kit before any call)"
  type        = string
  default     = null

  validation {
    condition     = var.bucket == null || can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.bucket))
    error_message = "The bucket name must be 3-63 characters of lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit."
  }
}

variable "force_destroy" {
  description = "Let `terraform destroy` delete the bucket with every object version in it. Must be true in state BEFORE the destroy (hashicorp/terraform-provider-aws#428), so set it from the first apply"
  type        = bool
  default     = false
}

variable "versioning_enabled" {
  description = "Keep every version of an object (recover from an overwritten model artefact)"
  type        = bool
  default     = true
}

variable "sse_algorithm" {
  description = "Server-side encryption by default: AES256 (S3-managed keys) or aws:kms"
  type        = string
  default     = "AES256"

  validation {
    condition     = contains(["AES256", "aws:kms", "aws:kms:dsse"], var.sse_algorithm)
    error_message = "sse_algorithm must be AES256, aws:kms or aws:kms:dsse."
  }
}

variable "kms_master_key_id" {
  description = "KMS key for aws:kms encryption (null: the AWS-managed aws/s3 key)"
  type        = string
  default     = null
}

variable "noncurrent_version_expiration_days" {
  description = "Delete noncurrent object versions after this many days; null = no lifecycle configuration"
  type        = number
  default     = 30

  validation {
    condition     = coalesce(var.noncurrent_version_expiration_days, 1) >= 1
    error_message = "noncurrent_version_expiration_days must be at least 1 (or null for no lifecycle configuration)."
  }
}

variable "abort_incomplete_multipart_upload_days" {
  description = "Abort multipart uploads left incomplete after this many days"
  type        = number
  default     = 7
}

variable "public_read_prefix" {
  description = "Key prefix anyone may read (s3:GetObject only, e.g. \"share/\"); null keeps the bucket fully private with all four block-public-access flags on"
  type        = string
  default     = null

  validation {
    condition     = var.public_read_prefix == null || can(regex("^[A-Za-z0-9!_.*'()-][A-Za-z0-9!_.*'()/-]*/$", var.public_read_prefix))
    error_message = "public_read_prefix must be a non-empty key prefix ending in \"/\" and not starting with \"/\" (for example \"share/\")."
  }
}

variable "tags" {
  description = "Extra tags for the bucket (the kit's own tags come from the provider's default_tags)"
  type        = map(string)
  default     = {}
}
