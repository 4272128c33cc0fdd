output "private_bucket_id" {
  description = "Name of the private bucket"
  value       = module.private_bucket.s3_bucket_id
}

output "share_bucket_id" {
  description = "Name of the public share bucket"
  value       = module.share_bucket.s3_bucket_id
}

output "public_url_prefix" {
  description = "URL under which the share bucket's public prefix can be read"
  value       = module.share_bucket.public_url_prefix
}
