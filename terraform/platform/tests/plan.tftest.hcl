# Key properties of the plan. Runs offline: plan-only, no credentials.

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
  tags              = { Owner = "platform-team" }
}

run "state_bucket_is_hardened" {
  command = plan

  assert {
    condition     = aws_s3_bucket.state.bucket == "acme-tf-state-123456789012"
    error_message = "state bucket name must come from state_bucket_name"
  }
  assert {
    condition     = aws_s3_bucket.state.force_destroy == false
    error_message = "state bucket must not be force-destroyable"
  }
  assert {
    condition     = aws_s3_bucket_versioning.state.versioning_configuration[0].status == "Enabled"
    error_message = "state bucket versioning must be enabled"
  }
  assert {
    condition = alltrue([
      aws_s3_bucket_public_access_block.state.block_public_acls,
      aws_s3_bucket_public_access_block.state.block_public_policy,
      aws_s3_bucket_public_access_block.state.ignore_public_acls,
      aws_s3_bucket_public_access_block.state.restrict_public_buckets,
    ])
    error_message = "all four public access block settings must be on for the state bucket"
  }
  assert {
    condition     = one(one(aws_s3_bucket_server_side_encryption_configuration.state.rule).apply_server_side_encryption_by_default).sse_algorithm == "aws:kms"
    error_message = "state bucket must use SSE-KMS"
  }
  assert {
    condition     = aws_kms_key.state.enable_key_rotation == true
    error_message = "the state KMS key must rotate"
  }
  assert {
    condition     = one(aws_s3_bucket_lifecycle_configuration.state.rule[0].noncurrent_version_expiration).noncurrent_days == 90
    error_message = "noncurrent versions must expire after noncurrent_version_expiration_days (default 90)"
  }
  assert {
    condition     = aws_s3_bucket_logging.state.target_bucket == "acme-tf-state-123456789012-logs"
    error_message = "state bucket must log to <name>-logs"
  }
  assert {
    condition = anytrue([
      for s in jsondecode(aws_s3_bucket_policy.state.policy).Statement :
      s.Effect == "Deny" && try(s.Condition.Bool["aws:SecureTransport"], "") == "false"
    ])
    error_message = "state bucket policy must deny requests without TLS"
  }
}

run "log_bucket_is_hardened" {
  command = plan

  assert {
    condition = alltrue([
      aws_s3_bucket_public_access_block.logs.block_public_acls,
      aws_s3_bucket_public_access_block.logs.block_public_policy,
      aws_s3_bucket_public_access_block.logs.ignore_public_acls,
      aws_s3_bucket_public_access_block.logs.restrict_public_buckets,
    ])
    error_message = "all four public access block settings must be on for the log bucket"
  }
  assert {
    condition     = aws_s3_bucket_versioning.logs.versioning_configuration[0].status == "Enabled"
    error_message = "log bucket versioning must be enabled"
  }
  assert {
    condition     = one(one(aws_s3_bucket_server_side_encryption_configuration.logs.rule).apply_server_side_encryption_by_default).sse_algorithm == "AES256"
    error_message = "log bucket must be encrypted (SSE-S3: server access logging cannot write to SSE-KMS buckets)"
  }
  assert {
    condition = anytrue([
      for s in jsondecode(aws_s3_bucket_policy.logs.policy).Statement :
      s.Effect == "Deny" && try(s.Condition.Bool["aws:SecureTransport"], "") == "false"
    ])
    error_message = "log bucket policy must deny requests without TLS"
  }
}

run "defaults_use_s3_native_locking_and_create_oidc" {
  command = plan

  assert {
    condition     = length(aws_dynamodb_table.lock) == 0
    error_message = "no lock table by default (use_lockfile)"
  }
  assert {
    condition     = output.lock_table_name == null
    error_message = "lock_table_name must be null when the lock table is off"
  }
  assert {
    condition     = length(aws_iam_openid_connect_provider.github) == 1
    error_message = "the GitHub OIDC provider is created by default"
  }
  assert {
    condition     = aws_iam_openid_connect_provider.github[0].url == "https://token.actions.githubusercontent.com"
    error_message = "OIDC provider must be for token.actions.githubusercontent.com"
  }
  assert {
    condition     = toset(aws_iam_openid_connect_provider.github[0].client_id_list) == toset(["sts.amazonaws.com"])
    error_message = "OIDC audience must be sts.amazonaws.com"
  }
  assert {
    condition     = output.state_bucket == "acme-tf-state-123456789012" && output.region == "eu-west-1"
    error_message = "state_bucket and region outputs must echo the inputs"
  }
}

run "lock_table_when_asked" {
  command = plan

  variables {
    create_lock_table = true
  }

  assert {
    condition     = aws_dynamodb_table.lock[0].name == "platform-terraform-locks" && aws_dynamodb_table.lock[0].hash_key == "LockID"
    error_message = "lock table must be <name_prefix>-terraform-locks keyed by LockID"
  }
  assert {
    condition     = aws_dynamodb_table.lock[0].point_in_time_recovery[0].enabled
    error_message = "lock table must have point-in-time recovery"
  }
  assert {
    condition     = aws_dynamodb_table.lock[0].server_side_encryption[0].enabled
    error_message = "lock table must be encrypted with the KMS key"
  }
  assert {
    condition     = output.lock_table_name == "platform-terraform-locks"
    error_message = "lock_table_name output must name the table"
  }
}

run "existing_oidc_provider_is_passed_through" {
  command = plan

  variables {
    create_github_oidc_provider       = false
    existing_github_oidc_provider_arn = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
  }

  assert {
    condition     = length(aws_iam_openid_connect_provider.github) == 0
    error_message = "no OIDC provider is created when one is passed in"
  }
  assert {
    condition     = output.github_oidc_provider_arn == "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
    error_message = "github_oidc_provider_arn must be the ARN passed in"
  }
}

run "github_enterprise_server_issuer" {
  command = plan

  variables {
    github_host = "github.example.com"
  }

  assert {
    condition     = aws_iam_openid_connect_provider.github[0].url == "https://github.example.com/_services/token"
    error_message = "a GitHub Enterprise Server's Actions tokens come from https://<host>/_services/token"
  }
}
