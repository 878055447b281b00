# ECS task execution role (pulls the image, writes logs, reads the database secret) and task role
# (what the application itself may call), VPC flow logs role, and the two GitHub Actions roles.

data "aws_iam_policy_document" "ecs_tasks_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [var.aws_account_id]
    }
  }
}

resource "aws_iam_role" "execution" {
  name               = "${local.name}-execution"
  description        = "ECS task execution role of ${local.name}"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
}

data "aws_iam_policy_document" "execution" {
  statement {
    sid       = "EcrAuth"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"] # GetAuthorizationToken has no resource-level permissions.
  }

  statement {
    sid       = "EcrPull"
    actions   = ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"]
    resources = [aws_ecr_repository.this.arn]
  }

  statement {
    sid       = "Logs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.app.arn}:log-stream:*"]
  }

  statement {
    sid       = "Decrypt"
    actions   = ["kms:Decrypt"]
    resources = [aws_kms_key.this.arn]
  }

  dynamic "statement" {
    for_each = var.database_enabled ? [1] : []
    content {
      sid       = "DatabaseSecret"
      actions   = ["secretsmanager:GetSecretValue"]
      resources = [aws_db_instance.this[0].master_user_secret[0].secret_arn]
    }
  }
}

resource "aws_iam_role_policy" "execution" {
  name   = "execution"
  role   = aws_iam_role.execution.id
  policy = data.aws_iam_policy_document.execution.json
}

resource "aws_iam_role" "task" {
  name               = "${local.name}-task"
  description        = "Role of the ${local.name} application"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
}

data "aws_iam_policy_document" "task" {
  statement {
    sid       = "EcsExec"
    actions   = ["ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel", "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"]
    resources = ["arn:${local.partition}:ssmmessages:${var.aws_region}:${var.aws_account_id}:session/*"]
  }

  dynamic "statement" {
    for_each = var.database_enabled ? [1] : []
    content {
      sid       = "DatabaseIamAuth"
      actions   = ["rds-db:connect"]
      resources = ["arn:${local.partition}:rds-db:${var.aws_region}:${var.aws_account_id}:dbuser:${aws_db_instance.this[0].resource_id}/${local.db_iam_user}"]
    }
  }
}

resource "aws_iam_role_policy" "task" {
  name   = "task"
  role   = aws_iam_role.task.id
  policy = data.aws_iam_policy_document.task.json
}

# VPC flow logs delivery.
data "aws_iam_policy_document" "flow_logs_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["vpc-flow-logs.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [var.aws_account_id]
    }
  }
}

resource "aws_iam_role" "flow_logs" {
  name               = "${local.name}-flow-logs"
  description        = "VPC flow logs delivery for ${local.name}"
  assume_role_policy = data.aws_iam_policy_document.flow_logs_assume.json
}

data "aws_iam_policy_document" "flow_logs" {
  statement {
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]
    resources = ["${aws_cloudwatch_log_group.flow_logs.arn}:log-stream:*"]
  }
  statement {
    actions   = ["logs:DescribeLogGroups"]
    resources = ["arn:${local.partition}:logs:${var.aws_region}:${var.aws_account_id}:log-group:*"]
  }
}

resource "aws_iam_role_policy" "flow_logs" {
  name   = "flow-logs"
  role   = aws_iam_role.flow_logs.id
  policy = data.aws_iam_policy_document.flow_logs.json
}

# --- GitHub Actions (OIDC). The OIDC provider itself belongs to the platform stack.

locals {
  state_key_prefix = "${var.service_name}/${var.environment}"
  state_objects = [
    "arn:${local.partition}:s3:::${var.state_bucket}/${local.state_key_prefix}/terraform.tfstate",
    "arn:${local.partition}:s3:::${var.state_bucket}/${local.state_key_prefix}/terraform.tfstate.tflock",
  ]
}

locals {
  # The repository as the OIDC subject names it: by name (GitHub Enterprise Server, and github.com
  # repositories from before immutable subject claims) and, once the ids are known, by name and
  # id (repo:acme@123/orders@456, github.com's default for repositories created since July 2026).
  github_repo_subs = compact([
    "repo:${var.github_owner}/${var.github_repo}",
    var.github_repository_id == "" ? "" : "repo:${var.github_owner}@${var.github_owner_id}/${var.github_repo}@${var.github_repository_id}",
  ])

  # Which GitHub Actions jobs may assume each role (the OIDC token's `sub`, no wildcards):
  # deploy and apply, only jobs bound to the protected environment (reviewers approve each run);
  # plan, pull requests and the default branch (drift detection, the deploy plan); ECR push, the
  # default branch (CI image pushes).
  github_role_subjects = {
    deploy   = [for repo in local.github_repo_subs : "${repo}:environment:${var.github_environment}"]
    plan     = flatten([for repo in local.github_repo_subs : ["${repo}:pull_request", "${repo}:ref:refs/heads/${var.github_default_branch}"]])
    ecr_push = [for repo in local.github_repo_subs : "${repo}:ref:refs/heads/${var.github_default_branch}"]
  }
}

data "aws_iam_policy_document" "github_assume" {
  for_each = local.github_role_subjects

  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [local.github_oidc_provider_arn]
    }
    condition {
      test     = "StringEquals"
      variable = "${local.github_oidc_issuer}:aud"
      values   = ["sts.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "${local.github_oidc_issuer}:sub"
      values   = each.value
    }
  }
}

# Deploy role: only jobs bound to the protected GitHub environment (reviewers approve each run).
resource "aws_iam_role" "deploy" {
  name               = "${local.name}-deploy"
  description        = "GitHub Actions deploys of ${var.github_owner}/${var.github_repo} to ${var.environment}"
  assume_role_policy = data.aws_iam_policy_document.github_assume["deploy"].json
  # A deploy's session covers migration, rollout and a rollback after a failed rollout (deploy.yml).
  max_session_duration = 7200
}

data "aws_iam_policy_document" "deploy" {
  statement {
    sid       = "EcrAuth"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"] # GetAuthorizationToken has no resource-level permissions.
  }

  # Deploys only check that CI pushed the image; pushing is the ECR push role's.
  statement {
    sid       = "EcrRead"
    actions   = ["ecr:DescribeImages", "ecr:BatchGetImage"]
    resources = [aws_ecr_repository.this.arn]
  }

  statement {
    sid       = "TaskDefinitions"
    actions   = ["ecs:RegisterTaskDefinition", "ecs:DescribeTaskDefinition", "ecs:ListTaskDefinitions"]
    resources = ["*"] # These ECS actions have no resource-level permissions.
  }

  # register-task-definition copies the family's tags (default_tags always sets some), and
  # registering with tags is also authorised as ecs:TagResource on the new revision.
  statement {
    sid       = "TagNewTaskDefinitions"
    actions   = ["ecs:TagResource"]
    resources = ["arn:${local.partition}:ecs:${var.aws_region}:${var.aws_account_id}:task-definition/${local.name}:*"]
    condition {
      test     = "StringEquals"
      variable = "ecs:CreateAction"
      values   = ["RegisterTaskDefinition"]
    }
  }

  statement {
    sid       = "Service"
    actions   = ["ecs:UpdateService", "ecs:DescribeServices"]
    resources = [local.ecs_service_arn]
  }

  # The migration runs as a one-off task of the service's family in the service's cluster.
  statement {
    sid       = "MigrationTask"
    actions   = ["ecs:RunTask"]
    resources = ["arn:${local.partition}:ecs:${var.aws_region}:${var.aws_account_id}:task-definition/${local.name}:*"]
    condition {
      test     = "ArnEquals"
      variable = "ecs:cluster"
      values   = ["arn:${local.partition}:ecs:${var.aws_region}:${var.aws_account_id}:cluster/${local.cluster_name}"]
    }
  }

  statement {
    sid       = "MigrationTaskStatus"
    actions   = ["ecs:DescribeTasks"]
    resources = ["arn:${local.partition}:ecs:${var.aws_region}:${var.aws_account_id}:task/${local.cluster_name}/*"]
  }

  statement {
    sid     = "PassTaskRoles"
    actions = ["iam:PassRole"]
    # Built from the role names so the ARNs are known at plan time.
    resources = [
      "arn:${local.partition}:iam::${var.aws_account_id}:role/${local.name}-execution",
      "arn:${local.partition}:iam::${var.aws_account_id}:role/${local.name}-task",
    ]
    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["ecs-tasks.amazonaws.com"]
    }
  }

  statement {
    sid       = "FrontendBucket"
    actions   = ["s3:ListBucket", "s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = [aws_s3_bucket.frontend.arn, "${aws_s3_bucket.frontend.arn}/*"]
  }

  statement {
    sid       = "FrontendKey"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [aws_kms_key.this.arn]
  }

  statement {
    sid       = "Invalidate"
    actions   = ["cloudfront:CreateInvalidation", "cloudfront:GetInvalidation"]
    resources = [aws_cloudfront_distribution.frontend.arn]
  }

  dynamic "statement" {
    for_each = local.create_codedeploy ? [1] : []
    content {
      sid     = "CodeDeploy"
      actions = ["codedeploy:CreateDeployment", "codedeploy:GetDeployment", "codedeploy:GetDeploymentConfig", "codedeploy:RegisterApplicationRevision", "codedeploy:GetApplicationRevision"]
      resources = [
        aws_codedeploy_app.this[0].arn,
        aws_codedeploy_deployment_group.this[0].arn,
        "arn:${local.partition}:codedeploy:${var.aws_region}:${var.aws_account_id}:deploymentconfig:CodeDeployDefault.ECSAllAtOnce",
      ]
    }
  }
}

resource "aws_iam_role_policy" "deploy" {
  name   = "deploy"
  role   = aws_iam_role.deploy.id
  policy = data.aws_iam_policy_document.deploy.json
}

# Plan role: read-only `terraform plan` with state locking (pull requests, drift, the deploy plan).
resource "aws_iam_role" "plan" {
  name                 = "${local.name}-plan"
  description          = "Read-only terraform plan for pull requests and the default branch of ${var.github_owner}/${var.github_repo}"
  assume_role_policy   = data.aws_iam_policy_document.github_assume["plan"].json
  max_session_duration = 3600
}

resource "aws_iam_role_policy_attachment" "plan_read_only" {
  role       = aws_iam_role.plan.name
  policy_arn = "arn:${local.partition}:iam::aws:policy/ReadOnlyAccess"
}

# What the plan and apply roles share for this stack's Terraform state: listing its prefix, and
# the platform stack's KMS key that encrypts the bucket (state.tf's kms_key_id), through S3 in the
# bucket's region for this stack's state objects only (bucket keys use the bucket ARN).
data "aws_iam_policy_document" "state_access" {
  statement {
    sid       = "StateBucket"
    actions   = ["s3:ListBucket"]
    resources = ["arn:${local.partition}:s3:::${var.state_bucket}"]
    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["${local.state_key_prefix}/*"]
    }
  }

  statement {
    sid       = "StateKeyViaS3"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [var.state_kms_key_arn]
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["s3.${local.state_region}.amazonaws.com"]
    }
    condition {
      test     = "StringLike"
      variable = "kms:EncryptionContext:aws:s3:arn"
      values   = ["arn:${local.partition}:s3:::${var.state_bucket}", "arn:${local.partition}:s3:::${var.state_bucket}/${local.state_key_prefix}/*"]
    }
  }
}

data "aws_iam_policy_document" "plan_state" {
  source_policy_documents = [data.aws_iam_policy_document.state_access.json]

  statement {
    sid       = "StateRead"
    actions   = ["s3:GetObject"]
    resources = local.state_objects
  }

  statement {
    sid       = "StateLock"
    actions   = ["s3:PutObject", "s3:DeleteObject"]
    resources = [local.state_objects[1]]
  }

  statement {
    sid       = "DecryptForPlan"
    actions   = ["kms:Decrypt"]
    resources = [aws_kms_key.this.arn]
  }
}

resource "aws_iam_role_policy" "plan_state" {
  name   = "terraform-state"
  role   = aws_iam_role.plan.id
  policy = data.aws_iam_policy_document.plan_state.json
}

# ECR push role: CI on the default branch pushes the backend image, tagged with the commit SHA.
resource "aws_iam_role" "ecr_push" {
  name                 = "${local.name}-ecr-push"
  description          = "CI image pushes of ${var.github_owner}/${var.github_repo} (default branch) to ${aws_ecr_repository.this.name}"
  assume_role_policy   = data.aws_iam_policy_document.github_assume["ecr_push"].json
  max_session_duration = 3600
}

data "aws_iam_policy_document" "ecr_push" {
  statement {
    sid       = "EcrAuth"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"] # GetAuthorizationToken has no resource-level permissions.
  }

  statement {
    sid = "EcrPush"
    actions = [
      "ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:CompleteLayerUpload", "ecr:DescribeImages",
      "ecr:DescribeImageScanFindings", "ecr:GetDownloadUrlForLayer", "ecr:InitiateLayerUpload", "ecr:PutImage",
      "ecr:UploadLayerPart",
    ]
    resources = [aws_ecr_repository.this.arn]
  }

  statement {
    sid       = "DecryptLayers"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [aws_kms_key.this.arn]
  }
}

resource "aws_iam_role_policy" "ecr_push" {
  name   = "ecr-push"
  role   = aws_iam_role.ecr_push.id
  policy = data.aws_iam_policy_document.ecr_push.json
}

# Apply role: `terraform apply` of the reviewed plan, in the protected GitHub environment only.
# Applying this stack needs broad rights (VPC, RDS, CloudFront, ...), hence AWS's PowerUserAccess,
# while IAM is limited to this stack's own roles and state to this stack's key. The environment's
# required reviewers are the gate; the first apply, which creates this role, is run by an admin.
resource "aws_iam_role" "apply" {
  name                 = "${local.name}-apply"
  description          = "GitHub Actions terraform apply of ${var.github_owner}/${var.github_repo} in ${var.github_environment}"
  assume_role_policy   = data.aws_iam_policy_document.github_assume["deploy"].json
  max_session_duration = 3600
}

resource "aws_iam_role_policy_attachment" "apply_power_user" {
  role       = aws_iam_role.apply.name
  policy_arn = "arn:${local.partition}:iam::aws:policy/PowerUserAccess"
}

data "aws_iam_policy_document" "apply" {
  source_policy_documents = [data.aws_iam_policy_document.state_access.json]

  statement {
    sid = "OwnRoles"
    actions = [
      "iam:CreateRole", "iam:DeleteRole", "iam:GetRole", "iam:UpdateRole", "iam:UpdateRoleDescription", "iam:UpdateAssumeRolePolicy",
      "iam:TagRole", "iam:UntagRole", "iam:ListRolePolicies", "iam:ListAttachedRolePolicies",
      "iam:GetRolePolicy", "iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:AttachRolePolicy",
      "iam:DetachRolePolicy", "iam:ListInstanceProfilesForRole", "iam:PassRole",
    ]
    resources = ["arn:${local.partition}:iam::${var.aws_account_id}:role/${local.name}-*"]
  }

  statement {
    sid       = "ServiceLinkedRoles"
    actions   = ["iam:CreateServiceLinkedRole"]
    resources = ["arn:${local.partition}:iam::${var.aws_account_id}:role/aws-service-role/*"]
  }

  statement {
    sid       = "ReadOidcProvider"
    actions   = ["iam:GetOpenIDConnectProvider"]
    resources = [local.github_oidc_provider_arn]
  }

  statement {
    sid       = "StateObjects"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = local.state_objects
  }
}

resource "aws_iam_role_policy" "apply" {
  name   = "apply"
  role   = aws_iam_role.apply.id
  policy = data.aws_iam_policy_document.apply.json
}
