# Plan-level assertions, fully offline: fake credentials, every endpoint on a closed local port,
# so an unexpected API call fails at once instead of reaching AWS.
provider "aws" {
  region                      = "us-east-1"
  access_key                  = "offline"
  secret_key                  = "offline"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  s3_use_path_style           = true
  max_retries                 = 1

  endpoints {
    s3  = "http://127.0.0.1:9"
    sts = "http://127.0.0.1:9"
  }
}

# The bucket's ARN is known only after apply; give it a value at plan so the policy renders.
override_resource {
  target          = aws_s3_bucket.this
  override_during = plan
  values = {
    id                          = "public-share-20260101-0900"
    arn                         = "arn:aws:s3:::public-share-20260101-0900"
    bucket_regional_domain_name = "public-share-20260101-0900.s3.us-east-1.amazonaws.com"
  }
}

run "private_bucket_blocks_all_public_access" {
  command = plan

  variables {
    bucket        = "sm-models-20260101-0900"
    force_destroy = true
  }

  assert {
    condition = alltrue([
      aws_s3_bucket_public_access_block.private[0].block_public_acls,
      aws_s3_bucket_public_access_block.private[0].ignore_public_acls,
      aws_s3_bucket_public_access_block.private[0].block_public_policy,
      aws_s3_bucket_public_access_block.private[0].restrict_public_buckets,
    ])
    error_message = "a private bucket must have all four block-public-access flags on"
  }

  assert {
    condition     = length(aws_s3_bucket_public_access_block.public_read) == 0 && length(aws_s3_bucket_policy.this) == 0
    error_message = "a private bucket must have no public access block exception and no bucket policy"
  }

  assert {
    condition     = aws_s3_bucket.this[0].force_destroy == true
    error_message = "force_destroy must be set from the first apply (hashicorp/terraform-provider-aws#428)"
  }

  assert {
    condition     = aws_s3_bucket_versioning.this[0].versioning_configuration[0].status == "Enabled"
    error_message = "versioning must be enabled"
  }

  assert {
    condition     = one(aws_s3_bucket_ownership_controls.this[0].rule).object_ownership == "BucketOwnerEnforced"
    error_message = "ACLs must be disabled (BucketOwnerEnforced)"
  }

  assert {
    condition     = one(one(aws_s3_bucket_server_side_encryption_configuration.this[0].rule).apply_server_side_encryption_by_default).sse_algorithm == "AES256"
    error_message = "default encryption must be SSE-S3"
  }

  assert {
    condition     = aws_s3_bucket_lifecycle_configuration.this[0].rule[0].noncurrent_version_expiration[0].noncurrent_days == 30
    error_message = "noncurrent versions must expire after 30 days"
  }
}

run "public_bucket_opens_one_prefix_only" {
  command = plan

  variables {
    bucket             = "public-share-20260101-0900"
    force_destroy      = true
    public_read_prefix = "share/"
  }

  assert {
    condition     = length(aws_s3_bucket_public_access_block.private) == 0
    error_message = "the public bucket must not use the all-blocked access block"
  }

  assert {
    condition = (
      aws_s3_bucket_public_access_block.public_read[0].block_public_acls == true &&
      aws_s3_bucket_public_access_block.public_read[0].ignore_public_acls == true &&
      aws_s3_bucket_public_access_block.public_read[0].block_public_policy == false &&
      aws_s3_bucket_public_access_block.public_read[0].restrict_public_buckets == false
    )
    error_message = "only the two policy-related flags may be off on the public bucket"
  }

  assert {
    condition     = one(aws_s3_bucket_ownership_controls.this[0].rule).object_ownership == "BucketOwnerEnforced"
    error_message = "ACLs must be disabled on the public bucket too"
  }

  assert {
    condition = jsondecode(data.aws_iam_policy_document.public_read[0].json).Statement == [{
      Sid       = "PublicReadOfOnePrefix"
      Effect    = "Allow"
      Action    = "s3:GetObject"
      Resource  = "arn:aws:s3:::public-share-20260101-0900/share/*"
      Principal = "*"
    }]
    error_message = "the policy must grant s3:GetObject on the share/ prefix only, nothing else"
  }

  assert {
    condition     = output.public_url_prefix == "https://public-share-20260101-0900.s3.us-east-1.amazonaws.com/share/"
    error_message = "the public URL prefix must point at the share/ prefix"
  }
}

run "no_lifecycle_configuration_when_days_is_null" {
  command = plan

  variables {
    bucket                             = "sm-models-20260101-0900"
    noncurrent_version_expiration_days = null
  }

  assert {
    condition     = length(aws_s3_bucket_lifecycle_configuration.this) == 0
    error_message = "null days must leave the lifecycle configuration (and the provider's ~55 s wait) out"
  }

  assert {
    condition     = aws_s3_bucket_versioning.this[0].versioning_configuration[0].status == "Enabled"
    error_message = "versioning stays on without a lifecycle rule"
  }
}
