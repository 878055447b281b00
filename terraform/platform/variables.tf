variable "region" {
  description = "AWS region for the state bucket, the lock table and the KMS key, e.g. eu-west-1."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-[0-9]$", var.region))
    error_message = "region must be an AWS region name such as eu-west-1 or us-gov-west-1."
  }
}

variable "account_id" {
  description = "The 12-digit AWS account id this stack is applied to; the provider refuses any other account."
  type        = string

  validation {
    condition     = can(regex("^[0-9]{12}$", var.account_id))
    error_message = "account_id must be exactly 12 digits."
  }
}

variable "name_prefix" {
  description = "Prefix for named resources (KMS alias, lock table), lower-case letters, digits and hyphens, 2-32 characters."
  type        = string
  default     = "platform"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,30}[a-z0-9]$", var.name_prefix))
    error_message = "name_prefix must be 2-32 characters of lower-case letters, digits and hyphens, start with a letter and not end with a hyphen."
  }
}

variable "state_bucket_name" {
  description = "Name of the S3 bucket that holds Terraform state (globally unique, DNS-compliant, 3-63 characters; 58 at most so the log bucket name \"<name>-logs\" fits)."
  type        = string

  validation {
    condition = (
      length(var.state_bucket_name) >= 3 &&
      length(var.state_bucket_name) <= 63 &&
      can(regex("^[a-z0-9][a-z0-9-]*[a-z0-9]$", var.state_bucket_name)) &&
      !can(regex("^\\d+\\.\\d+\\.\\d+\\.\\d+$", var.state_bucket_name)) &&
      !startswith(var.state_bucket_name, "xn--") &&
      !startswith(var.state_bucket_name, "sthree-") &&
      !endswith(var.state_bucket_name, "-s3alias") &&
      !endswith(var.state_bucket_name, "--ol-s3")
    )
    error_message = "state_bucket_name must be a DNS-compliant S3 bucket name: 3-63 lower-case letters, digits and hyphens (no dots, so TLS wildcards and path-free access work), starting and ending with a letter or digit, without the reserved prefixes xn-- and sthree- or suffixes -s3alias and --ol-s3."
  }
}

variable "log_bucket_name" {
  description = "Name of the S3 bucket that receives the state bucket's server access logs; null means \"<state_bucket_name>-logs\"."
  type        = string
  default     = null

  validation {
    condition = var.log_bucket_name == null ? true : (
      length(var.log_bucket_name) >= 3 &&
      length(var.log_bucket_name) <= 63 &&
      can(regex("^[a-z0-9][a-z0-9-]*[a-z0-9]$", var.log_bucket_name))
    )
    error_message = "log_bucket_name must be null or a DNS-compliant S3 bucket name of 3-63 lower-case letters, digits and hyphens."
  }

  validation {
    condition     = var.log_bucket_name != null || length(var.state_bucket_name) <= 58
    error_message = "state_bucket_name is longer than 58 characters, so the default log bucket name \"<state_bucket_name>-logs\" would exceed 63; set log_bucket_name."
  }
}

variable "create_lock_table" {
  description = "Create a DynamoDB table for legacy state locking. Off by default: Terraform >= 1.10 locks with S3 itself (backend \"s3\" { use_lockfile = true })."
  type        = bool
  default     = false

  validation {
    condition     = var.create_lock_table != null
    error_message = "create_lock_table must be true or false."
  }
}

variable "noncurrent_version_expiration_days" {
  description = "Days after which noncurrent (overwritten or deleted) state object versions are removed, 1-3650."
  type        = number
  default     = 90

  validation {
    condition     = var.noncurrent_version_expiration_days >= 1 && var.noncurrent_version_expiration_days <= 3650 && floor(var.noncurrent_version_expiration_days) == var.noncurrent_version_expiration_days
    error_message = "noncurrent_version_expiration_days must be a whole number from 1 to 3650."
  }
}

variable "access_log_expiration_days" {
  description = "Days after which server access log objects in the log bucket are removed, 1-3650."
  type        = number
  default     = 365

  validation {
    condition     = var.access_log_expiration_days >= 1 && var.access_log_expiration_days <= 3650 && floor(var.access_log_expiration_days) == var.access_log_expiration_days
    error_message = "access_log_expiration_days must be a whole number from 1 to 3650."
  }
}

variable "kms_deletion_window_days" {
  description = "Waiting period, 7-30 days, before a scheduled deletion of the state KMS key takes effect."
  type        = number
  default     = 30

  validation {
    condition     = var.kms_deletion_window_days >= 7 && var.kms_deletion_window_days <= 30 && floor(var.kms_deletion_window_days) == var.kms_deletion_window_days
    error_message = "kms_deletion_window_days must be a whole number from 7 to 30."
  }
}

variable "kms_rotation_period_days" {
  description = "Automatic rotation period of the state KMS key, 90-2560 days."
  type        = number
  default     = 365

  validation {
    condition     = var.kms_rotation_period_days >= 90 && var.kms_rotation_period_days <= 2560 && floor(var.kms_rotation_period_days) == var.kms_rotation_period_days
    error_message = "kms_rotation_period_days must be a whole number from 90 to 2560."
  }
}

variable "create_github_oidc_provider" {
  description = "Create the IAM OIDC identity provider for GitHub Actions. Set false when the account already has one and pass its ARN in existing_github_oidc_provider_arn (an account can hold only one per URL)."
  type        = bool
  default     = true

  validation {
    condition     = var.create_github_oidc_provider != null
    error_message = "create_github_oidc_provider must be true or false."
  }
}

variable "github_host" {
  description = "Host of the GitHub whose Actions assume roles here: github.com, a GHE.com host (<name>.ghe.com) or a GitHub Enterprise Server host. It decides the OIDC issuer of the provider (the service template derives the same)."
  type        = string
  default     = "github.com"
  nullable    = false

  validation {
    condition     = can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(:[0-9]{1,5})?$", var.github_host))
    error_message = "github_host must be a host name such as github.com or github.example.com, without a scheme or path."
  }
}

variable "existing_github_oidc_provider_arn" {
  description = "ARN of an existing OIDC provider for github_host's issuer; required when create_github_oidc_provider is false, must be null otherwise."
  type        = string
  default     = null

  validation {
    condition     = var.existing_github_oidc_provider_arn == null ? true : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:oidc-provider/[a-z0-9.:-]+(/[A-Za-z0-9._/-]+)?$", var.existing_github_oidc_provider_arn))
    error_message = "existing_github_oidc_provider_arn must be an IAM OIDC provider ARN (arn:aws:iam::<account>:oidc-provider/<issuer>)."
  }

  validation {
    condition     = var.create_github_oidc_provider == (var.existing_github_oidc_provider_arn == null)
    error_message = "Set existing_github_oidc_provider_arn exactly when create_github_oidc_provider is false."
  }
}

variable "github_oidc_thumbprints" {
  description = "SHA-1 thumbprints of the token.actions.githubusercontent.com certificate chain. AWS no longer checks them for GitHub (it trusts its own CA store) but the API still stores them."
  type        = list(string)
  default = [
    "6938fd4d98bab03faadb97b34396831e3780aea1",
    "1c58a3a8518e8759bf075b76b750d4f2df264fcd",
  ]

  validation {
    condition     = length(var.github_oidc_thumbprints) >= 1 && length(var.github_oidc_thumbprints) <= 5 && alltrue([for t in var.github_oidc_thumbprints : can(regex("^[0-9a-f]{40}$", t))])
    error_message = "github_oidc_thumbprints must hold 1-5 SHA-1 thumbprints, each 40 lower-case hex characters."
  }
}

variable "tags" {
  description = "Extra tags on every resource (provider default_tags), merged over ManagedBy and Stack."
  type        = map(string)
  default     = {}

  validation {
    condition = alltrue([
      for k, v in var.tags :
      length(k) >= 1 && length(k) <= 128 && length(v) <= 256 && !startswith(lower(k), "aws:")
    ])
    error_message = "tags keys must be 1-128 characters and not start with aws:, values at most 256 characters."
  }
}
