output "s3_bucket_id" {
  description = "Name of the bucket"
  value       = try(aws_s3_bucket.this[0].bucket, null)
}

output "s3_bucket_arn" {
  description = "ARN of the bucket"
  value       = try(aws_s3_bucket.this[0].arn, null)
}

output "s3_bucket_region" {
  description = "Region of the bucket"
  value       = try(aws_s3_bucket.this[0].region, null)
}

output "s3_bucket_regional_domain_name" {
  description = "Regional domain name of the bucket"
  value       = try(aws_s3_bucket.this[0].bucket_regional_domain_name, null)
}

output "public_read_prefix" {
  description = "The prefix anyone may read, or null for a private bucket"
  value       = local.create ? var.public_read_prefix : null
}

output "public_url_prefix" {
  description = "HTTPS URL under which the public prefix's objects can be read, or null"
  value       = local.create && local.is_public ? "https://${aws_s3_bucket.this[0].bucket_regional_domain_name}/${var.public_read_prefix}" : null
}

output "force_destroy" {
  description = "Whether destroy empties the bucket first"
  value       = try(aws_s3_bucket.this[0].force_destroy, null)
}
