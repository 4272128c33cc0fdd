# One organizational unit per class and the service control policies that bound every member account
# in it. Applied from the management account (or a delegated administrator); the accounts themselves
# are created or taken from the pool by the kit (CreateAccount is asynchronous, rate-limited, and an
# account must outlive the class for reuse — not something `terraform destroy` should touch).
#
# Two SCPs, not four: AWS allows five SCPs per target and FullAWSAccess, inherited from the root,
# already takes one place.

locals {
  access_role_arn = "arn:aws:iam::*:role/${var.access_role_name}"

  # Global services and the calls that are always made against us-east-1: never denied by region
  # (the AWS example SCP "Deny access to AWS based on the requested AWS Region").
  global_actions = [
    "a4b:*", "acm:*", "aws-marketplace-management:*", "aws-marketplace:*", "aws-portal:*",
    "budgets:*", "ce:*", "chime:*", "cloudfront:*", "config:*", "cur:*", "directconnect:*",
    "ec2:DescribeRegions", "ec2:DescribeTransitGateways", "ec2:DescribeVpnGateways", "fms:*",
    "globalaccelerator:*", "health:*", "iam:*", "importexport:*", "kms:*", "mobileanalytics:*",
    "networkmanager:*", "organizations:*", "pricing:*", "route53:*", "route53domains:*",
    "route53-recovery-cluster:*", "route53-recovery-control-config:*", "route53-recovery-readiness:*",
    "s3:GetAccountPublic*", "s3:ListAllMyBuckets", "s3:ListMultiRegionAccessPoints",
    "s3:PutAccountPublic*", "shield:*", "sts:*", "support:*", "trustedadvisor:*", "waf-regional:*",
    "waf:*", "wafv2:*", "wellarchitected:*",
  ]

  # Studio's JupyterServer/default apps report the pseudo instance type "system".
  instance_rules = {
    DenyNotebookAndAppTypesOutsideAllowlist = {
      actions = ["sagemaker:CreateNotebookInstance", "sagemaker:UpdateNotebookInstance", "sagemaker:CreateApp"]
      allowed = distinct(concat(var.notebook_instance_types, ["system"]))
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

  protected_policy_arns = [for n in var.protected_policy_names : "arn:aws:iam::*:policy/${n}"]
  protected_budget_arns = [for n in var.protected_budget_names : "arn:aws:budgets::*:budget/${n}"]

  documents = {
    limits  = data.aws_iam_policy_document.limits.json
    protect = data.aws_iam_policy_document.protect.json
  }
}

################################################################################
# Organizational unit
################################################################################

resource "aws_organizations_organizational_unit" "this" {
  name      = var.name
  parent_id = var.parent_id
  tags      = var.tags
}

################################################################################
# SCP "limits": allowed regions and the instance-type allowlist
################################################################################

data "aws_iam_policy_document" "limits" {
  statement {
    sid         = "DenyOutsideAllowedRegions"
    effect      = "Deny"
    not_actions = local.global_actions
    resources   = ["*"]

    condition {
      test     = "StringNotEquals"
      variable = "aws:RequestedRegion"
      values   = var.allowed_regions
    }

    # the kit's own role still reaches every region: the teardown sweeps them all for leftovers
    condition {
      test     = "ArnNotLike"
      variable = "aws:PrincipalArn"
      values   = [local.access_role_arn]
    }
  }

  dynamic "statement" {
    for_each = local.instance_rules

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

################################################################################
# SCP "protect": no leaving the organization, no disabling the guardrails or the kit's access
################################################################################

data "aws_iam_policy_document" "protect" {
  statement {
    sid       = "DenyLeavingTheOrganization"
    effect    = "Deny"
    actions   = ["organizations:LeaveOrganization"]
    resources = ["*"]
  }

  statement {
    sid    = "DenyChangingTheAccessRole"
    effect = "Deny"
    actions = [
      "iam:AttachRolePolicy", "iam:DeleteRole", "iam:DeleteRolePermissionsBoundary", "iam:DeleteRolePolicy",
      "iam:DetachRolePolicy", "iam:PutRolePermissionsBoundary", "iam:PutRolePolicy",
      "iam:UpdateAssumeRolePolicy", "iam:UpdateRole",
    ]
    resources = [local.access_role_arn]

    condition {
      test     = "ArnNotLike"
      variable = "aws:PrincipalArn"
      values   = [local.access_role_arn]
    }
  }

  dynamic "statement" {
    for_each = length(local.protected_policy_arns) > 0 ? [1] : []

    content {
      sid       = "DenyChangingTheGuardrailPolicy"
      effect    = "Deny"
      actions   = ["iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion", "iam:SetDefaultPolicyVersion"]
      resources = local.protected_policy_arns

      condition {
        test     = "ArnNotLike"
        variable = "aws:PrincipalArn"
        values   = [local.access_role_arn]
      }
    }
  }

  dynamic "statement" {
    for_each = length(local.protected_policy_arns) > 0 ? [1] : []

    content {
      sid       = "DenyDetachingTheGuardrailPolicy"
      effect    = "Deny"
      actions   = ["iam:DetachGroupPolicy", "iam:DetachRolePolicy", "iam:DetachUserPolicy"]
      resources = ["*"]

      condition {
        test     = "ArnLike"
        variable = "iam:PolicyARN"
        values   = local.protected_policy_arns
      }

      condition {
        test     = "ArnNotLike"
        variable = "aws:PrincipalArn"
        values   = [local.access_role_arn]
      }
    }
  }

  dynamic "statement" {
    for_each = length(local.protected_budget_arns) > 0 ? [1] : []

    content {
      sid       = "DenyChangingTheBudget"
      effect    = "Deny"
      actions   = ["budgets:ModifyBudget"]
      resources = local.protected_budget_arns

      condition {
        test     = "ArnNotLike"
        variable = "aws:PrincipalArn"
        values   = [local.access_role_arn]
      }
    }
  }
}

################################################################################
# Policies and their attachment to the OU
################################################################################

resource "aws_organizations_policy" "this" {
  for_each = local.documents

  name        = "${var.name}-${each.key}"
  description = each.key == "limits" ? "Allowed regions and SageMaker instance types for the class's accounts" : "No leaving the organization; the guardrails and the kit's access role stay as set"
  type        = "SERVICE_CONTROL_POLICY"
  content     = each.value
  tags        = var.tags
}

resource "aws_organizations_policy_attachment" "this" {
  for_each = local.documents

  policy_id = aws_organizations_policy.this[each.key].id
  target_id = aws_organizations_organizational_unit.this.id
}
