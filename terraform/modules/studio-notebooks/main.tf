locals {
  # the script JupyterLab runs at every app start (as the space's user, sagemaker-user)
  script = templatefile("${path.module}/copy-notebooks.sh.tftpl", {
    bucket      = var.bucket
    prefix      = var.prefix
    names       = sort(keys(var.notebooks))
    home_folder = var.home_folder
  })
}

################################################################################
# The notebooks, published to the share bucket
################################################################################

resource "aws_s3_object" "notebook" {
  for_each = var.create ? var.notebooks : {}

  bucket       = var.bucket
  key          = "${var.prefix}${each.key}"
  source       = each.value
  etag         = filemd5(each.value)
  content_type = "application/x-ipynb+json"

  tags = var.tags
}

################################################################################
# Studio lifecycle configuration (JupyterLab): copy them into the student's home at app start
################################################################################

resource "aws_sagemaker_studio_lifecycle_config" "this" {
  count = var.create ? 1 : 0

  studio_lifecycle_config_name     = var.name
  studio_lifecycle_config_app_type = "JupyterLab"
  studio_lifecycle_config_content  = base64encode(local.script)

  tags = var.tags
}
