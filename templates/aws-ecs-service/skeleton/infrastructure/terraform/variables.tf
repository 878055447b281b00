variable "service_name" {
  description = "Service name (3-20 characters, lower-case letters, digits and hyphens); used in every resource name."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,18}[a-z0-9]$", var.service_name))
    error_message = "service_name must be 3-20 characters of a-z, 0-9 and '-', start with a letter and not end with '-'."
  }

  # The same rules as the template form's pattern. RDS identifiers, parameter groups and snapshots
  # refuse two hyphens in a row; S3 refuses bucket names starting "xn--", "sthree-" or
  # "amzn-s3-demo-"; a load balancer's name may not start with "internal-", a security group's
  # not with "sg-".
  validation {
    condition     = !strcontains(var.service_name, "--")
    error_message = "service_name must not contain two hyphens in a row (RDS refuses such identifiers)."
  }

  validation {
    condition     = !anytrue([for prefix in ["internal-", "sg-", "sthree-", "amzn-s3-demo-", "xn--"] : startswith(var.service_name, prefix)])
    error_message = "service_name must not start with internal- (refused by load balancer names), sg- (security groups), sthree-, amzn-s3-demo- or xn-- (S3 bucket names)."
  }

  # It names the database too (rds.tf, hyphens as underscores): RDS refuses words PostgreSQL
  # reserves. The fully reserved key words of at least three letters, as the template form lists them.
  validation {
    condition     = !contains(["all", "analyse", "analyze", "and", "any", "array", "asc", "asymmetric", "both", "case", "cast", "check", "collate", "column", "constraint", "create", "default", "deferrable", "desc", "distinct", "else", "end", "except", "false", "fetch", "for", "foreign", "from", "grant", "group", "having", "initially", "intersect", "into", "lateral", "leading", "limit", "localtime", "localtimestamp", "not", "null", "offset", "only", "order", "placing", "primary", "references", "returning", "select", "some", "symmetric", "table", "then", "trailing", "true", "union", "unique", "user", "using", "variadic", "when", "where", "window", "with"], var.service_name)
    error_message = "service_name must not be a word PostgreSQL reserves (such as user, order or table): it names the database too."
  }
}

variable "description" {
  description = "One-line description of the service."
  type        = string
  default     = ""

  validation {
    condition     = length(var.description) <= 256
    error_message = "description must be at most 256 characters."
  }
}

variable "owner" {
  description = "Owning team (Backstage group), used as a tag."
  type        = string

  validation {
    condition     = length(var.owner) > 0 && length(var.owner) <= 128
    error_message = "owner must be 1-128 characters."
  }
}

variable "system" {
  description = "Backstage system the service belongs to, used as a tag."
  type        = string
  default     = "unassigned"

  validation {
    condition     = length(var.system) > 0 && length(var.system) <= 128
    error_message = "system must be 1-128 characters."
  }
}

variable "environment" {
  description = "Environment name (2-8 lower-case letters/digits, e.g. prod), part of every resource name."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9]{1,7}$", var.environment))
    error_message = "environment must be 2-8 characters of a-z and 0-9, starting with a letter."
  }
}

variable "github_environment" {
  description = "GitHub environment whose jobs may assume the deploy and apply roles (the template creates `production`, with required reviewers)."
  type        = string
  default     = "production"

  validation {
    condition     = can(regex("^[A-Za-z0-9._-]{1,255}$", var.github_environment))
    error_message = "github_environment must be a GitHub environment name: letters, digits, '.', '_' or '-', without wildcards."
  }
}

variable "github_default_branch" {
  description = "Branch whose workflows (drift detection, the deploy plan, CI image pushes) may assume the plan and ECR push roles."
  type        = string
  default     = "main"

  validation {
    condition     = can(regex("^[A-Za-z0-9._/-]{1,255}$", var.github_default_branch)) && !strcontains(var.github_default_branch, "*")
    error_message = "github_default_branch must be a branch name without wildcards."
  }
}

variable "aws_account_id" {
  description = "AWS account the stack may be applied to (provider allowed_account_ids)."
  type        = string

  validation {
    condition     = can(regex("^[0-9]{12}$", var.aws_account_id))
    error_message = "aws_account_id must be exactly 12 digits."
  }
}

variable "aws_region" {
  description = "AWS region of the stack."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.aws_region))
    error_message = "aws_region must look like eu-west-1."
  }
}

variable "vpc_cidr" {
  description = "IPv4 CIDR of the service VPC, /16 to /20; split into public, private and database subnets over two AZs."
  type        = string

  validation {
    condition = (
      can(cidrhost(var.vpc_cidr, 0)) &&
      can(regex("^[0-9.]+/(1[6-9]|20)$", var.vpc_cidr)) &&
      try(cidrhost(var.vpc_cidr, 0) == split("/", var.vpc_cidr)[0], false)
    )
    error_message = "vpc_cidr must be a network address with a prefix from /16 to /20, e.g. 10.0.0.0/16."
  }
}

variable "container_port" {
  description = "Port the container listens on."
  type        = number
  default     = 8080

  validation {
    condition     = var.container_port >= 1024 && var.container_port <= 65535 && floor(var.container_port) == var.container_port
    error_message = "container_port must be an unprivileged port (1024-65535) because the container runs as non-root."
  }
}

variable "health_check_path" {
  description = "Path the load balancer probes: the app's readiness (database reachable), so a task that lost its database leaves the target group."
  type        = string
  default     = "/health/ready"

  validation {
    condition     = startswith(var.health_check_path, "/")
    error_message = "health_check_path must start with '/'."
  }
}

variable "image_tag" {
  description = "Tag of the image in this service's ECR repository to run. CI deploys new revisions; Terraform keeps this one."
  type        = string
  default     = "bootstrap"

  validation {
    condition     = can(regex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", var.image_tag))
    error_message = "image_tag must be a valid Docker tag."
  }
}

variable "task_cpu" {
  description = "Fargate task CPU units: 256, 512, 1024, 2048 or 4096."
  type        = number

  validation {
    condition     = contains([256, 512, 1024, 2048, 4096], var.task_cpu)
    error_message = "task_cpu must be one of 256, 512, 1024, 2048, 4096."
  }
}

variable "task_memory" {
  description = "Fargate task memory (MiB); must be a valid pair with task_cpu."
  type        = number

  validation {
    condition = (
      var.task_cpu == 256 ? contains([512, 1024, 2048], var.task_memory) :
      var.task_cpu == 512 ? contains([1024, 2048, 3072, 4096], var.task_memory) :
      var.task_cpu == 1024 ? (var.task_memory >= 2048 && var.task_memory <= 8192 && var.task_memory % 1024 == 0) :
      var.task_cpu == 2048 ? (var.task_memory >= 4096 && var.task_memory <= 16384 && var.task_memory % 1024 == 0) :
      var.task_cpu == 4096 ? (var.task_memory >= 8192 && var.task_memory <= 30720 && var.task_memory % 1024 == 0) :
      false
    )
    error_message = "task_memory is not a valid Fargate size for task_cpu (256: 512-2048; 512: 1024-4096; 1024: 2048-8192; 2048: 4096-16384; 4096: 8192-30720, in 1024 steps)."
  }
}

variable "desired_count" {
  description = "Number of tasks to run (1-10); autoscaling may go up to three times this."
  type        = number

  validation {
    condition     = var.desired_count >= 1 && var.desired_count <= 10 && floor(var.desired_count) == var.desired_count
    error_message = "desired_count must be a whole number from 1 to 10."
  }
}

variable "database_enabled" {
  description = "Create a PostgreSQL database for the service."
  type        = bool
  default     = true

  validation {
    condition     = var.database_enabled != null
    error_message = "database_enabled must be true or false."
  }
}

variable "db_instance_class" {
  description = "RDS instance class, e.g. db.t4g.micro."
  type        = string
  default     = "db.t4g.micro"

  validation {
    condition     = can(regex("^db\\.[a-z0-9]+\\.[a-z0-9]+$", var.db_instance_class))
    error_message = "db_instance_class must look like db.t4g.micro."
  }
}

variable "db_allocated_storage" {
  description = "RDS storage in GiB (20-1000); storage autoscaling may grow it to twice this."
  type        = number
  default     = 20

  validation {
    condition     = var.db_allocated_storage >= 20 && var.db_allocated_storage <= 1000 && floor(var.db_allocated_storage) == var.db_allocated_storage
    error_message = "db_allocated_storage must be a whole number from 20 to 1000."
  }
}

variable "db_multi_az" {
  description = "Run the database Multi-AZ."
  type        = bool
  default     = false

  validation {
    condition     = var.db_multi_az != null
    error_message = "db_multi_az must be true or false."
  }
}

variable "db_backup_retention_days" {
  description = "Automated backup (point-in-time recovery) retention in days, 1-35."
  type        = number
  default     = 7

  validation {
    condition     = var.db_backup_retention_days >= 1 && var.db_backup_retention_days <= 35 && floor(var.db_backup_retention_days) == var.db_backup_retention_days
    error_message = "db_backup_retention_days must be a whole number from 1 to 35."
  }
}

variable "log_retention_days" {
  description = "CloudWatch Logs retention in days (a value CloudWatch accepts, at least 30)."
  type        = number
  default     = 365

  validation {
    condition     = contains([30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a CloudWatch retention value of at least 30 days (30, 60, 90, ..., 3653)."
  }
}

variable "domain_name" {
  description = "DNS zone for the service (e.g. example.com); the API is served at <service_name>.<domain_name> over HTTPS. Empty for none (HTTP on the ALB's own name)."
  type        = string
  default     = ""

  validation {
    condition     = var.domain_name == "" || can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$", var.domain_name))
    error_message = "domain_name must be empty or a lower-case DNS name such as example.com."
  }
}

variable "hosted_zone_id" {
  description = "Route 53 hosted zone id of domain_name; required when domain_name is set."
  type        = string
  default     = ""

  validation {
    condition     = var.hosted_zone_id == "" ? var.domain_name == "" : can(regex("^[A-Z0-9]{1,32}$", var.hosted_zone_id))
    error_message = "hosted_zone_id must be a Route 53 zone id (upper-case letters and digits) when domain_name is set, and empty otherwise."
  }
}

variable "cloudfront_acm_certificate_arn" {
  description = "Optional ACM certificate in us-east-1 for the frontend (from the platform stack); with it CloudFront serves <service_name>-web.<domain_name> with TLS 1.2_2021."
  type        = string
  default     = ""

  validation {
    condition     = var.cloudfront_acm_certificate_arn == "" || can(regex("^arn:aws[a-z-]*:acm:us-east-1:[0-9]{12}:certificate/.+$", var.cloudfront_acm_certificate_arn))
    error_message = "cloudfront_acm_certificate_arn must be empty or an ACM certificate ARN in us-east-1."
  }
}

variable "cloudfront_web_acl_arn" {
  description = "Optional WAFv2 web ACL (scope CLOUDFRONT, from the platform stack) for the frontend distribution."
  type        = string
  default     = ""

  validation {
    condition     = var.cloudfront_web_acl_arn == "" || can(regex("^arn:aws[a-z-]*:wafv2:us-east-1:[0-9]{12}:global/webacl/.+$", var.cloudfront_web_acl_arn))
    error_message = "cloudfront_web_acl_arn must be empty or a global WAFv2 web ACL ARN."
  }
}

variable "monthly_budget_usd" {
  description = "Monthly cost budget in USD for resources tagged with this service."
  type        = number

  validation {
    condition     = var.monthly_budget_usd > 0 && var.monthly_budget_usd <= 1000000
    error_message = "monthly_budget_usd must be greater than 0 and at most 1000000."
  }
}

variable "alert_email" {
  description = "E-mail address subscribed to alarms and budget notifications."
  type        = string

  validation {
    condition     = can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", var.alert_email))
    error_message = "alert_email must be an e-mail address."
  }
}

variable "deployment_strategy" {
  description = "How ECS rolls out new task definitions: 'rolling' (ECS rolling update with circuit breaker) or 'blue-green' (CodeDeploy)."
  type        = string
  default     = "rolling"

  validation {
    condition     = contains(["rolling", "blue-green"], var.deployment_strategy)
    error_message = "deployment_strategy must be 'rolling' or 'blue-green'."
  }
}

variable "state_bucket" {
  description = "S3 bucket holding Terraform state (the deploy and plan roles get access to this service's state only)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.state_bucket))
    error_message = "state_bucket must be a valid S3 bucket name."
  }
}

variable "state_kms_key_arn" {
  description = "ARN of the KMS key that encrypts the state bucket (the platform stack's kms_key_arn output); its region is the bucket's."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:[a-z]{2}(-gov)?-[a-z]+-[0-9]:[0-9]{12}:key/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", var.state_kms_key_arn)) || can(regex("^arn:aws[a-z-]*:kms:[a-z]{2}(-gov)?-[a-z]+-[0-9]:[0-9]{12}:key/mrk-[0-9a-f]{32}$", var.state_kms_key_arn))
    error_message = "state_kms_key_arn must be a KMS key ARN such as arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab (the platform stack's kms_key_arn output), not an alias."
  }
}

variable "github_host" {
  description = "Host of the GitHub the repository lives on: github.com, a GitHub Enterprise Cloud host (<name>.ghe.com) or a GitHub Enterprise Server host. It decides the OIDC issuer the roles trust."
  type        = string
  default     = "github.com"
  nullable    = false

  validation {
    condition     = can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(:[0-9]{1,5})?$", var.github_host))
    error_message = "github_host must be a host name such as github.com or github.example.com, without a scheme or path."
  }
}

variable "github_owner" {
  description = "GitHub organisation or user owning the service repository."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9-]{0,38}$", var.github_owner))
    error_message = "github_owner must be a GitHub owner name."
  }
}

variable "github_repo" {
  description = "GitHub repository name of the service."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9._-]{1,100}$", var.github_repo))
    error_message = "github_repo must be a GitHub repository name."
  }
}

variable "github_owner_id" {
  description = "Numeric id of github_owner, or \"\" when unknown. With github_repository_id, the roles also trust GitHub's immutable OIDC subject (repo:<owner>@<id>/<repo>@<id>:...), the default of github.com repositories created since July 2026."
  type        = string
  default     = ""
  nullable    = false

  validation {
    condition     = can(regex("^([1-9][0-9]{0,19})?$", var.github_owner_id))
    error_message = "github_owner_id must be GitHub's numeric id of the owner (GET /users/<owner>), or \"\"."
  }
}

variable "github_repository_id" {
  description = "Numeric id of the repository, or \"\" when unknown (see github_owner_id)."
  type        = string
  default     = ""
  nullable    = false

  validation {
    condition     = can(regex("^([1-9][0-9]{0,19})?$", var.github_repository_id))
    error_message = "github_repository_id must be GitHub's numeric id of the repository (GET /repos/<owner>/<repo>), or \"\"."
  }

  validation {
    condition     = (var.github_repository_id == "") == (var.github_owner_id == "")
    error_message = "Set github_owner_id and github_repository_id together, or neither."
  }
}

variable "github_oidc_provider_arn" {
  description = "ARN of the GitHub Actions OIDC provider created by the platform stack; null derives arn:aws:iam::<account>:oidc-provider/<github_host's issuer> (token.actions.githubusercontent.com for github.com)."
  type        = string
  default     = null

  validation {
    condition     = var.github_oidc_provider_arn == null || can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:oidc-provider/[a-z0-9.:-]+(/[A-Za-z0-9._/-]+)?$", var.github_oidc_provider_arn))
    error_message = "github_oidc_provider_arn must be null or the ARN of an IAM OIDC provider (arn:aws:iam::<account>:oidc-provider/<issuer host and path>)."
  }
}

# Feature toggles. All default to true in a real account. The tests switch them off only where
# the moto emulator lacks the API (see packages/template-tests/src/terraform/checkStack.ts).

variable "enable_autoscaling" {
  description = "Create the Application Auto Scaling target and policies for the ECS service."
  type        = bool
  default     = true

  validation {
    condition     = var.enable_autoscaling != null
    error_message = "enable_autoscaling must be true or false."
  }
}

variable "enable_backup_selection" {
  description = "Assign the database to the AWS Backup plan."
  type        = bool
  default     = true

  validation {
    condition     = var.enable_backup_selection != null
    error_message = "enable_backup_selection must be true or false."
  }
}

variable "enable_budget" {
  description = "Create the AWS Budgets cost budget."
  type        = bool
  default     = true

  validation {
    condition     = var.enable_budget != null
    error_message = "enable_budget must be true or false."
  }
}

variable "enable_codedeploy" {
  description = "Create the CodeDeploy application and deployment group when deployment_strategy is blue-green."
  type        = bool
  default     = true

  validation {
    condition     = var.enable_codedeploy != null
    error_message = "enable_codedeploy must be true or false."
  }
}

variable "enable_response_headers_policy" {
  description = "Attach the security-headers response headers policy to the CloudFront distribution."
  type        = bool
  default     = true

  validation {
    condition     = var.enable_response_headers_policy != null
    error_message = "enable_response_headers_policy must be true or false."
  }
}
