# Two buckets the way a class uses them: a private one for models and a public share whose one
# prefix anyone may read. `terraform apply` here creates real buckets in the configured account.

provider "aws" {
  region = var.region

  default_tags {
    tags = {
      classroom    = "example"
      "managed-by" = "classroom-kit"
    }
  }
}

module "private_bucket" {
  source = "../../modules/bucket"

  bucket        = "${var.name_prefix}-models"
  force_destroy = true
}

module "share_bucket" {
  source = "../../modules/bucket"

  bucket                             = "${var.name_prefix}-share"
  force_destroy                      = true
  public_read_prefix                 = "share/"
  noncurrent_version_expiration_days = null
}
