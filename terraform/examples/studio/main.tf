# A SageMaker Studio domain for a class: the least-privilege execution role (reading and writing one
# bucket), the domain in the region's default VPC with IAM auth, idle shutdown, its home EFS deleted
# with it, and an instructor profile. `terraform apply` here creates them in the configured account.

provider "aws" {
  region = var.region

  default_tags {
    tags = {
      classroom    = "example"
      "managed-by" = "classroom-kit"
    }
  }
}

module "models_bucket" {
  source = "../../modules/bucket"

  bucket        = var.bucket_name
  force_destroy = true
}

module "studio" {
  source = "../../modules/studio"

  domain_name             = "example-class"
  execution_role_name     = "example-class-sagemaker-execution"
  bucket_arns             = [module.models_bucket.s3_bucket_arn]
  idle_timeout_in_minutes = 60
  home_efs_retention      = "Delete"
  instructor_profile_name = "instructor"
}
