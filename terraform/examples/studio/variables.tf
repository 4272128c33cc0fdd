variable "region" {
  description = "Region of the Studio domain (one with SageMaker)"
  type        = string
  default     = "us-east-1"
}

variable "bucket_name" {
  description = "The bucket the execution role may read and write (bucket names are global: make it unique)"
  type        = string
  default     = "example-class-models-20260101-0900"
}
