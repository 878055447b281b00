# Every variable validation rejects bad input. Runs offline: plan-only, no credentials.
# Run from terraform/platform: terraform init -backend=false && terraform test

provider "aws" {
  region                      = "eu-west-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
}

variables {
  region            = "eu-west-1"
  account_id        = "123456789012"
  state_bucket_name = "acme-tf-state-123456789012"
}

run "accepts_defaults" {
  command = plan
}

run "rejects_bad_region" {
  command = plan
  variables { region = "Europe" }
  expect_failures = [var.region]
}

run "rejects_short_account_id" {
  command = plan
  variables { account_id = "12345" }
  expect_failures = [var.account_id]
}

run "rejects_non_numeric_account_id" {
  command = plan
  variables { account_id = "12345678901a" }
  expect_failures = [var.account_id]
}

run "rejects_upper_case_bucket" {
  command = plan
  variables { state_bucket_name = "Acme-State" }
  expect_failures = [var.state_bucket_name]
}

run "rejects_too_short_bucket" {
  command = plan
  variables { state_bucket_name = "ab" }
  expect_failures = [var.state_bucket_name]
}

run "rejects_too_long_bucket" {
  command = plan
  variables {
    state_bucket_name = "a123456789012345678901234567890123456789012345678901234567890123"
    log_bucket_name   = "acme-logs"
  }
  expect_failures = [var.state_bucket_name]
}

run "rejects_dotted_bucket" {
  command = plan
  variables { state_bucket_name = "acme.tf.state" }
  expect_failures = [var.state_bucket_name]
}

run "rejects_reserved_bucket_prefix" {
  command = plan
  variables { state_bucket_name = "xn--acme-state" }
  expect_failures = [var.state_bucket_name]
}

run "rejects_bad_log_bucket" {
  command = plan
  variables { log_bucket_name = "Logs_Bucket" }
  expect_failures = [var.log_bucket_name]
}

run "rejects_long_state_bucket_without_log_bucket" {
  command = plan
  variables { state_bucket_name = "a12345678901234567890123456789012345678901234567890123456789" }
  expect_failures = [var.log_bucket_name]
}

run "rejects_bad_name_prefix" {
  command = plan
  variables { name_prefix = "Platform_" }
  expect_failures = [var.name_prefix]
}

run "rejects_null_create_lock_table" {
  command = plan
  variables { create_lock_table = null }
  expect_failures = [var.create_lock_table]
}

run "rejects_zero_noncurrent_days" {
  command = plan
  variables { noncurrent_version_expiration_days = 0 }
  expect_failures = [var.noncurrent_version_expiration_days]
}

run "rejects_fractional_noncurrent_days" {
  command = plan
  variables { noncurrent_version_expiration_days = 1.5 }
  expect_failures = [var.noncurrent_version_expiration_days]
}

run "rejects_bad_access_log_days" {
  command = plan
  variables { access_log_expiration_days = 4000 }
  expect_failures = [var.access_log_expiration_days]
}

run "rejects_bad_kms_deletion_window" {
  command = plan
  variables { kms_deletion_window_days = 3 }
  expect_failures = [var.kms_deletion_window_days]
}

run "rejects_bad_kms_rotation_period" {
  command = plan
  variables { kms_rotation_period_days = 30 }
  expect_failures = [var.kms_rotation_period_days]
}

run "rejects_null_create_oidc" {
  command = plan
  variables { create_github_oidc_provider = null }
  expect_failures = [var.create_github_oidc_provider]
}

run "rejects_malformed_existing_oidc_arn" {
  command = plan
  variables {
    create_github_oidc_provider       = false
    existing_github_oidc_provider_arn = "arn:aws:iam::123456789012:role/github-actions"
  }
  expect_failures = [var.existing_github_oidc_provider_arn]
}

run "rejects_missing_existing_oidc_arn" {
  command = plan
  variables { create_github_oidc_provider = false }
  expect_failures = [var.existing_github_oidc_provider_arn]
}

run "rejects_existing_arn_when_creating" {
  command = plan
  variables { existing_github_oidc_provider_arn = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" }
  expect_failures = [var.existing_github_oidc_provider_arn]
}

run "rejects_bad_thumbprint" {
  command = plan
  variables { github_oidc_thumbprints = ["not-a-thumbprint"] }
  expect_failures = [var.github_oidc_thumbprints]
}

run "rejects_empty_thumbprints" {
  command = plan
  variables { github_oidc_thumbprints = [] }
  expect_failures = [var.github_oidc_thumbprints]
}

run "rejects_aws_tag_prefix" {
  command = plan
  variables { tags = { "aws:owner" = "me" } }
  expect_failures = [var.tags]
}

run "rejects_github_host_with_scheme" {
  command = plan
  variables {
    github_host = "https://github.example.com"
  }
  expect_failures = [var.github_host]
}
