variable "region" {
  description = "Region of the buckets"
  type        = string
  default     = "us-east-1"
}

variable "name_prefix" {
  description = "Start of both bucket names (bucket names are global: make it unique)"
  type        = string
  default     = "classroom-example-20260101-0900"
}
