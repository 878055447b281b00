# Customer-managed key for the state bucket and the optional lock table. Rotated yearly by AWS.
resource "aws_kms_key" "state" {
  description             = "${var.name_prefix} Terraform state encryption"
  enable_key_rotation     = true
  rotation_period_in_days = var.kms_rotation_period_days
  deletion_window_in_days = var.kms_deletion_window_days

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        # Key administration and use stay with IAM in this account (the AWS default key policy).
        Sid       = "EnableIAMPolicies"
        Effect    = "Allow"
        Principal = { AWS = local.account_root_arn }
        Action    = "kms:*"
        Resource  = "*"
      },
    ]
  })
}

resource "aws_kms_alias" "state" {
  name          = "alias/${var.name_prefix}-terraform-state"
  target_key_id = aws_kms_key.state.key_id
}
