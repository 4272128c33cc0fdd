data "aws_partition" "current" {
  count = var.create ? 1 : 0
}

locals {
  create    = var.create && var.bucket != null
  is_public = var.public_read_prefix != null
  # Built from the inputs (not the resource) so the policy is known at plan time.
  bucket_arn = "arn:${try(data.aws_partition.current[0].partition, "aws")}:s3:::${coalesce(var.bucket, "-")}"
}

################################################################################
# Bucket
################################################################################

resource "aws_s3_bucket" "this" {
  count = local.create ? 1 : 0

  # checkov:skip=CKV_AWS_18: access logging needs a second log bucket per class; a class account is short-lived and CloudTrail covers who did what
  # checkov:skip=CKV_AWS_144: cross-region replication doubles storage cost for lesson artefacts that can be re-created by `make train`
  # checkov:skip=CKV_AWS_145: SSE-S3 (AES256) by default; a customer-managed KMS key costs money and outlives the class (deletion is only scheduled)
  # checkov:skip=CKV2_AWS_62: no consumer for event notifications in a class account
  # checkov:skip=CKV2_AWS_6: the access block is aws_s3_bucket_public_access_block.private/public_read below; checkov 3.1 does not follow count-indexed ([0]) references, terraform test asserts the flags
  # checkov:skip=CKV2_AWS_61: the lifecycle is aws_s3_bucket_lifecycle_configuration.this below (count-indexed reference checkov 3.1 does not follow); terraform test asserts it
  # checkov:skip=CKV_AWS_21: versioning is aws_s3_bucket_versioning.this below (count-indexed reference checkov 3.1 does not follow); terraform test asserts it
  bucket        = var.bucket
  force_destroy = var.force_destroy

  tags = var.tags
}

################################################################################
# Public access block
# The two ACL flags stay on for every bucket; only a public-read bucket turns the two policy flags
# off (the April 2023 S3 defaults: hashicorp/terraform-provider-aws#28353).
################################################################################

resource "aws_s3_bucket_public_access_block" "private" {
  count = local.create && !local.is_public ? 1 : 0

  bucket = aws_s3_bucket.this[0].id

  block_public_acls       = true
  ignore_public_acls      = true
  block_public_policy     = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_public_access_block" "public_read" {
  count = local.create && local.is_public ? 1 : 0

  # checkov:skip=CKV_AWS_54: the share bucket is public by design: its policy grants s3:GetObject on one prefix
  # checkov:skip=CKV_AWS_56: the share bucket is public by design: its policy grants s3:GetObject on one prefix
  bucket = aws_s3_bucket.this[0].id

  block_public_acls       = true
  ignore_public_acls      = true
  block_public_policy     = false
  restrict_public_buckets = false
}

################################################################################
# Object ownership: ACLs disabled
################################################################################

resource "aws_s3_bucket_ownership_controls" "this" {
  count = local.create ? 1 : 0

  bucket = aws_s3_bucket.this[0].id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }

  # S3 answers "A conflicting conditional operation is currently in progress" when bucket
  # settings are changed concurrently (hashicorp/terraform-provider-aws#7628): serialise.
  depends_on = [aws_s3_bucket_public_access_block.private, aws_s3_bucket_public_access_block.public_read]
}

################################################################################
# Encryption and versioning
################################################################################

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  count = local.create ? 1 : 0

  bucket = aws_s3_bucket.this[0].id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = var.sse_algorithm
      kms_master_key_id = var.sse_algorithm == "AES256" ? null : var.kms_master_key_id
    }
    bucket_key_enabled = var.sse_algorithm == "AES256" ? null : true
  }
}

resource "aws_s3_bucket_versioning" "this" {
  count = local.create ? 1 : 0

  bucket = aws_s3_bucket.this[0].id

  versioning_configuration {
    status = var.versioning_enabled ? "Enabled" : "Suspended"
  }
}

################################################################################
# Lifecycle: expire noncurrent versions, abort stale multipart uploads
# Optional (noncurrent_version_expiration_days = null: none). After PutBucketLifecycleConfiguration
# the provider (>= 5.86, waitLifecycleConfigEquals in internal/service/s3/
# bucket_lifecycle_configuration.go) waits 10 s, then reads the configuration back every 5 s until
# it has matched 10 times in a row: at least ~55 s per bucket, on AWS as on the embedded AWS.
################################################################################

resource "aws_s3_bucket_lifecycle_configuration" "this" {
  count = local.create && var.noncurrent_version_expiration_days != null ? 1 : 0

  bucket = aws_s3_bucket.this[0].id

  rule {
    id     = "expire-noncurrent-versions"
    status = "Enabled"

    filter {}

    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_expiration_days
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = var.abort_incomplete_multipart_upload_days
    }
  }

  # A lifecycle rule on noncurrent versions must follow the versioning change
  # (see the aws_s3_bucket_lifecycle_configuration docs: "depends_on versioning").
  depends_on = [aws_s3_bucket_versioning.this]
}

################################################################################
# Bucket policy: public read of one prefix only
################################################################################

data "aws_iam_policy_document" "public_read" {
  count = local.create && local.is_public ? 1 : 0

  statement {
    sid       = "PublicReadOfOnePrefix"
    effect    = "Allow"
    actions   = ["s3:GetObject"]
    resources = ["${local.bucket_arn}/${var.public_read_prefix}*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }
  }
}

resource "aws_s3_bucket_policy" "this" {
  count = local.create && local.is_public ? 1 : 0

  bucket = aws_s3_bucket.this[0].id
  policy = data.aws_iam_policy_document.public_read[0].json

  # A public policy is refused (AccessDenied) until block_public_policy is off, and concurrent
  # bucket calls conflict (hashicorp/terraform-provider-aws#7628): apply after the access block.
  depends_on = [
    aws_s3_bucket_public_access_block.public_read,
    aws_s3_bucket_ownership_controls.this,
  ]
}
