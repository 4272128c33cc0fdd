locals {
  # Studio's JupyterServer/default apps report the pseudo instance type "system".
  app_instance_types = distinct(concat(var.notebook_instance_types, ["system"]))

  # Create and update calls and the allowlist that applies to them. Every call listed carries the
  # sagemaker:InstanceTypes condition key (Service Authorization Reference, Amazon SageMaker AI:
  # CreateSpace/UpdateSpace, CreateDomain/UpdateDomain and CreateUserProfile/UpdateUserProfile carry
  # the default app instance types of their settings; UpdateTrainingJob the warm pool's type).
  rules = {
    DenyNotebookAndAppTypesOutsideAllowlist = {
      actions = [
        "sagemaker:CreateNotebookInstance", "sagemaker:UpdateNotebookInstance", "sagemaker:CreateApp",
        "sagemaker:CreateSpace", "sagemaker:UpdateSpace", "sagemaker:CreateDomain", "sagemaker:UpdateDomain",
        "sagemaker:CreateUserProfile", "sagemaker:UpdateUserProfile",
      ]
      allowed = local.app_instance_types
    }
    DenyTrainingTypesOutsideAllowlist = {
      actions = [
        "sagemaker:CreateTrainingJob", "sagemaker:CreateHyperParameterTuningJob", "sagemaker:CreateProcessingJob",
        "sagemaker:UpdateTrainingJob",
      ]
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
# instance type at all has no sagemaker:InstanceTypes key, and ForAnyValue on a missing key is false
# (IAM User Guide, "Multivalued context keys"): serverless inference stays allowed, and CreateApp
# gets its own Null statement below so an app cannot be started without naming its type.
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

  # A CreateApp without ResourceSpec.InstanceType carries no sagemaker:InstanceTypes at all, so the
  # statement above cannot deny it: deny it here (Null = "true": the key is absent). Studio names the
  # type it starts; the domain's default type is on the allowlist (the kit checks that).
  statement {
    sid       = "DenyAppsWithoutAnInstanceType"
    effect    = "Deny"
    actions   = ["sagemaker:CreateApp"]
    resources = ["*"]

    condition {
      test     = "Null"
      variable = "sagemaker:InstanceTypes"
      values   = ["true"]
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
