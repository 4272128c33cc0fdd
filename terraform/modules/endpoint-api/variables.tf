variable "create" {
  description = "The flag: whether to create the Lambda function and HTTP API (false: the module creates nothing)"
  type        = bool
  default     = false
}

variable "name" {
  description = "Name of the function, its role, log group and API (letters, digits and hyphens)"
  type        = string
  default     = "classroom-endpoint-api"

  validation {
    condition     = can(regex("^[A-Za-z0-9-]{1,48}$", var.name))
    error_message = "name must be 1-48 letters, digits or hyphens."
  }
}

variable "endpoint_name" {
  description = "The SageMaker endpoint the API asks (e.g. the one `classroom deploy spam` printed)"
  type        = string
  default     = null

  validation {
    condition     = var.endpoint_name == null || can(regex("^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$", var.endpoint_name))
    error_message = "endpoint_name must be a SageMaker endpoint name (letters, digits, hyphens; at most 63)."
  }
}

variable "package_path" {
  description = "The function's zip (build it with `python -m provision.web.endpoint_api PATH`; the kit has no archive provider offline)"
  type        = string
  default     = null
}

variable "content_type" {
  description = "Content type sent to the endpoint: the lesson's models take one CSV line of features"
  type        = string
  default     = "text/csv"
}

variable "max_body_bytes" {
  description = "Largest request body the function passes on (InvokeEndpoint accepts 6 MB)"
  type        = number
  default     = 262144
}

variable "throttling_burst_limit" {
  description = "HTTP API burst limit: a public URL must not turn into an endpoint bill"
  type        = number
  default     = 10
}

variable "throttling_rate_limit" {
  description = "HTTP API steady-state requests per second"
  type        = number
  default     = 5
}

variable "log_retention_days" {
  description = "Days to keep the function's and the API's logs"
  type        = number
  default     = 7
}

variable "tags" {
  description = "Extra tags (the kit's provider adds its default tags to everything)"
  type        = map(string)
  default     = {}
}
