provider "aws" {
  region = var.region

  # Refuse to run against any account other than the one this stack is meant for.
  allowed_account_ids = [var.account_id]

  default_tags {
    tags = local.tags
  }
}

data "aws_partition" "current" {}

locals {
  partition = data.aws_partition.current.partition

  tags = merge(
    {
      "ManagedBy" = "terraform"
      "Stack"     = "platform"
    },
    var.tags,
  )

  log_bucket_name = coalesce(var.log_bucket_name, "${var.state_bucket_name}-logs")

  state_bucket_arn = "arn:${local.partition}:s3:::${var.state_bucket_name}"
  log_bucket_arn   = "arn:${local.partition}:s3:::${local.log_bucket_name}"
  account_root_arn = "arn:${local.partition}:iam::${var.account_id}:root"
}
