output "state_bucket" {
  description = "Name of the S3 bucket for Terraform state (backend \"s3\" bucket; lock with use_lockfile = true)."
  value       = aws_s3_bucket.state.bucket
}

output "region" {
  description = "AWS region of the state bucket (backend \"s3\" region)."
  value       = var.region
}

output "github_oidc_provider_arn" {
  description = "ARN of the IAM OIDC provider for token.actions.githubusercontent.com, created here or passed in."
  value       = local.github_oidc_provider_arn
}

output "lock_table_name" {
  description = "Name of the DynamoDB lock table, or null when create_lock_table is false (S3 native locking)."
  value       = var.create_lock_table ? aws_dynamodb_table.lock[0].name : null
}

output "kms_key_arn" {
  description = "ARN of the customer-managed KMS key that encrypts the state bucket (backend \"s3\" kms_key_id)."
  value       = aws_kms_key.state.arn
}
