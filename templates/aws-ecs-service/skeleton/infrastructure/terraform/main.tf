provider "aws" {
  region              = var.aws_region
  allowed_account_ids = [var.aws_account_id]

  default_tags {
    tags = {
      Service     = var.service_name
      Environment = var.environment
      Owner       = var.owner
      System      = var.system
      ManagedBy   = "terraform"
      Repository  = "${var.github_owner}/${var.github_repo}"
    }
  }
}

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

data "aws_availability_zones" "available" {
  state = "available"
}

locals {
  name       = "${var.service_name}-${var.environment}"
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  azs        = slice(data.aws_availability_zones.available.names, 0, 2)

  has_domain = var.domain_name != ""
  blue_green = var.deployment_strategy == "blue-green"

  # CodeDeploy resources exist only for blue/green and when the toggle is on (see variables.tf).
  create_codedeploy = local.blue_green && var.enable_codedeploy

  service_fqdn = local.has_domain ? "${var.service_name}.${var.domain_name}" : ""

  # The issuer of GitHub Actions' OIDC tokens, without https:// (how IAM names the provider and
  # its condition keys): github.com's, a GitHub Enterprise Cloud data-residency host's
  # (token.actions.<name>.ghe.com) or a GitHub Enterprise Server's (<host>/_services/token).
  github_oidc_issuer = (
    var.github_host == "github.com" ? "token.actions.githubusercontent.com" :
    endswith(var.github_host, ".ghe.com") ? "token.actions.${var.github_host}" :
    "${var.github_host}/_services/token"
  )

  github_oidc_provider_arn = coalesce(
    var.github_oidc_provider_arn,
    "arn:${local.partition}:iam::${var.aws_account_id}:oidc-provider/${local.github_oidc_issuer}",
  )

  # The state bucket's region is its KMS key's (SSE-KMS keys are regional): the backend in
  # state.tf and the roles' grants use it, whatever region the service runs in.
  state_region = split(":", var.state_kms_key_arn)[3]
}

# One customer-managed key for everything this service stores: logs, ECR, RDS, Performance
# Insights, S3, SNS, Secrets Manager and AWS Backup.
resource "aws_kms_key" "this" {
  description             = "${local.name} data encryption"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.kms.json
}

resource "aws_kms_alias" "this" {
  name          = "alias/${local.name}"
  target_key_id = aws_kms_key.this.key_id
}

data "aws_iam_policy_document" "kms" {
  statement {
    sid       = "AccountAdministration"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${var.aws_account_id}:root"]
    }
  }

  statement {
    sid       = "CloudWatchLogs"
    actions   = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["logs.${var.aws_region}.amazonaws.com"]
    }
    condition {
      test     = "ArnLike"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = ["arn:${local.partition}:logs:${var.aws_region}:${var.aws_account_id}:log-group:*"]
    }
  }

  statement {
    sid       = "AlarmsToEncryptedTopic"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey*"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com", "budgets.amazonaws.com", "codestar-notifications.amazonaws.com"]
    }
  }

  statement {
    sid       = "CloudFrontReadsFrontend"
    actions   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["cloudfront.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [var.aws_account_id]
    }
  }
}
