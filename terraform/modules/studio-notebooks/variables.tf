variable "create" {
  description = "Whether to create anything (false: the module creates nothing)"
  type        = bool
  default     = true
}

variable "name" {
  description = "Name of the Studio lifecycle configuration"
  type        = string
  default     = "classroom-copy-notebooks"

  validation {
    condition     = can(regex("^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$", var.name))
    error_message = "name must be 1-63 letters, digits and single hyphens, starting and ending with a letter or digit."
  }
}

variable "bucket" {
  description = "The bucket the notebooks are published to (the kit's share bucket)"
  type        = string
}

variable "prefix" {
  description = "Key prefix of the notebooks in the bucket, ending with a slash (e.g. share/notebooks/)"
  type        = string
  default     = "share/notebooks/"

  validation {
    condition     = var.prefix == "" || (endswith(var.prefix, "/") && !startswith(var.prefix, "/"))
    error_message = "prefix must be empty or end with a slash, and must not start with one."
  }
}

variable "notebooks" {
  description = "Notebooks to publish: file name in the student's folder => path of the local file to upload"
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for name in keys(var.notebooks) : can(regex("^[A-Za-z0-9._-]+$", name))])
    error_message = "notebook file names may hold letters, digits, dot, underscore and hyphen only."
  }
}

variable "home_folder" {
  description = "Folder under the student's home (/home/sagemaker-user) the notebooks are copied into"
  type        = string
  default     = "lesson"

  validation {
    condition     = can(regex("^[A-Za-z0-9._-]+$", var.home_folder))
    error_message = "home_folder must be one folder name (letters, digits, dot, underscore, hyphen)."
  }
}

variable "tags" {
  description = "Tags for the lifecycle configuration and the uploaded objects"
  type        = map(string)
  default     = {}
}
