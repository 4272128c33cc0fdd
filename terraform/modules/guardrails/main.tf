locals {
  # Studio's JupyterServer/default apps report the pseudo instance type "system".
  app_instance_types = distinct(concat(var.notebook_instance_types, ["system"]))

  # Create calls and the allowlist that applies to them. Every call listed supports the
  # sagemaker:InstanceTypes condition key (Service Authorization Reference, Amazon SageMaker).
  rules = {
    DenyNotebookAndAppTypesOutsideAllowlist = {
      actions = ["sagemaker:CreateNotebookInstance", "sagemaker:UpdateNotebookInstance", "sagemaker:CreateApp"]
      allowed = local.app_instance_types
    }
    DenyTrainingTypesOutsideAllowlist = {
      actions = ["sagemaker:CreateTrainingJob", "sagemaker:CreateHyperParameterTuningJob", "sagemaker:CreateProcessingJob"]
      allowed = var.training_instance_types
    }
    DenyHostingTypesOutsideAllowlist = {
      actions = ["sagemaker:CreateEndpointConfig", "sagemaker:CreateTransformJob"]
      allowed = var.hosting_instance_types
    }
  }
}

################################################################################
# Policy: deny SageMaker create calls whose instance type is not allowed
# ForAnyValue:StringNotLike denies when ANY requested type is outside the list; a request with no
# instance type at all (serverless inference) is not denied.
################################################################################

data "aws_iam_policy_document" "this" {
  count = var.create ? 1 : 0

  dynamic "statement" {
    for_each = local.rules

    content {
      sid       = statement.key
      effect    = "Deny"
      actions   = statement.value.actions
      resources = ["*"]

      condition {
        test     = "ForAnyValue:StringNotLike"
        variable = "sagemaker:InstanceTypes"
        values   = statement.value.allowed
      }
    }
  }
}

resource "aws_iam_policy" "this" {
  count = var.create ? 1 : 0

  name        = var.name
  description = "Denies SageMaker create calls whose instance type is outside the class's allowlist"
  policy      = data.aws_iam_policy_document.this[0].json

  tags = var.tags
}

################################################################################
# Attachments
################################################################################

resource "aws_iam_group_policy_attachment" "this" {
  for_each = var.create ? var.attach_to_groups : {}

  group      = each.value
  policy_arn = aws_iam_policy.this[0].arn
}

resource "aws_iam_role_policy_attachment" "this" {
  for_each = var.create ? var.attach_to_roles : {}

  role       = each.value
  policy_arn = aws_iam_policy.this[0].arn
}
