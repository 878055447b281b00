# Optional legacy lock table. Terraform >= 1.10 locks state in S3 itself (use_lockfile = true),
# so this is only for consumers that still configure `dynamodb_table` in their backend.
resource "aws_dynamodb_table" "lock" {
  count = var.create_lock_table ? 1 : 0

  name         = "${var.name_prefix}-terraform-locks"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "LockID"

  attribute {
    name = "LockID"
    type = "S"
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = aws_kms_key.state.arn
  }

  deletion_protection_enabled = true
}
