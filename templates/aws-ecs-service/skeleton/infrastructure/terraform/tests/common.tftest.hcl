# Offline plan tests: the aws provider is mocked, so these run without AWS or moto.
# Run from the terraform directory with: terraform test

mock_provider "aws" {
  # Mocked values are known at plan time, so the check blocks in validate.tf evaluate.
  override_during = plan

  mock_data "aws_ecs_service" {
    defaults = {
      desired_count = 2
      launch_type   = "FARGATE"
    }
  }

  mock_data "aws_lb" {
    defaults = {
      dns_name = "orders-api-prod-1234567890.eu-west-1.elb.amazonaws.com"
      internal = false
    }
  }

  mock_data "aws_availability_zones" {
    defaults = {
      names = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
    }
  }

  mock_data "aws_caller_identity" {
    defaults = {
      account_id = "123456789012"
    }
  }

  mock_data "aws_partition" {
    defaults = {
      partition = "aws"
    }
  }

  mock_data "aws_iam_policy_document" {
    defaults = {
      json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}"
    }
  }

  mock_resource "aws_kms_key" {
    defaults = {
      arn = "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000000"
    }
  }

  mock_resource "aws_db_instance" {
    defaults = {
      master_user_secret = [{ secret_arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds-abc", kms_key_id = "k", secret_status = "active" }]
      resource_id        = "db-ABCDEFGHIJKL"
    }
  }

  mock_resource "aws_acm_certificate" {
    defaults = {
      arn = "arn:aws:acm:eu-west-1:123456789012:certificate/11111111-1111-1111-1111-111111111111"
    }
  }
}

variables {
  service_name             = "orders-api"
  description              = "Orders API"
  owner                    = "team-a"
  system                   = "shop"
  environment              = "prod"
  aws_account_id           = "123456789012"
  aws_region               = "eu-west-1"
  vpc_cidr                 = "10.0.0.0/16"
  task_cpu                 = 512
  task_memory              = 1024
  desired_count            = 2
  database_enabled         = true
  db_instance_class        = "db.t4g.micro"
  db_allocated_storage     = 20
  db_multi_az              = false
  db_backup_retention_days = 7
  domain_name              = ""
  hosted_zone_id           = ""
  monthly_budget_usd       = 100
  alert_email              = "ops@example.com"
  deployment_strategy      = "rolling"
  state_bucket             = "acme-tf-state"
  state_kms_key_arn        = "arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  github_owner             = "acme"
  github_repo              = "orders-api"
}

run "rolling_without_domain" {
  command = plan

  assert {
    condition     = aws_db_instance.this[0].publicly_accessible == false && aws_db_instance.this[0].storage_encrypted
    error_message = "RDS must be private and encrypted."
  }

  assert {
    condition     = aws_db_instance.this[0].manage_master_user_password && aws_db_instance.this[0].deletion_protection && aws_db_instance.this[0].iam_database_authentication_enabled
    error_message = "RDS must use a managed master password, deletion protection and IAM auth."
  }

  assert {
    condition     = aws_db_instance.this[0].performance_insights_enabled && aws_db_instance.this[0].backup_retention_period == 7
    error_message = "RDS must have Performance Insights and backups."
  }

  assert {
    condition     = one([for p in aws_db_parameter_group.this[0].parameter : p.value if p.name == "rds.force_ssl"]) == "1"
    error_message = "rds.force_ssl must be 1."
  }

  assert {
    condition     = aws_ecs_service.rolling[0].deployment_circuit_breaker[0].enable && aws_ecs_service.rolling[0].deployment_circuit_breaker[0].rollback
    error_message = "The rolling service must have the circuit breaker with rollback."
  }

  assert {
    condition     = aws_ecs_service.rolling[0].deployment_minimum_healthy_percent == 100 && aws_ecs_service.rolling[0].deployment_maximum_percent == 200
    error_message = "Deployment percentages must be 100/200."
  }

  assert {
    condition     = length(aws_ecs_service.blue_green) == 0 && length(aws_codedeploy_app.this) == 0 && length(aws_codedeploy_deployment_group.this) == 0 && length(aws_lb_target_group.green) == 0 && length(aws_lb_listener.test) == 0
    error_message = "No blue/green resources for a rolling service."
  }

  assert {
    condition     = length(aws_acm_certificate.this) == 0 && length(aws_lb_listener.https) == 0 && length(aws_route53_record.service) == 0
    error_message = "No certificate or HTTPS listener without a domain."
  }

  assert {
    condition     = aws_lb_listener.http[0].default_action[0].type == "forward"
    error_message = "Without a domain HTTP forwards to the service."
  }

  assert {
    condition     = aws_ecs_cluster.this.name == "orders-api-prod" && aws_ecs_task_definition.this.family == "orders-api-prod" && aws_ecs_service.rolling[0].name == "orders-api"
    error_message = "Cluster, family and service names follow the contract."
  }

  assert {
    condition     = aws_ecr_repository.this.name == "orders-api-prod" && aws_ecs_task_definition.this.family == "orders-api-prod"
    error_message = "The ECR repository and the task family are per environment, so a second environment of the service in the account neither collides nor shares revisions."
  }

  assert {
    condition     = local.github_oidc_provider_arn == "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" && contains([for c in data.aws_iam_policy_document.github_assume["deploy"].statement[0].condition : c.variable], "token.actions.githubusercontent.com:sub")
    error_message = "Repositories on github.com trust github.com's OIDC issuer."
  }

  assert {
    condition = jsonencode([
      for s in data.aws_iam_policy_document.deploy.statement : {
        actions   = sort(s.actions)
        resources = sort(s.resources)
        condition = flatten([for c in s.condition : [c.test, c.variable, sort(c.values)]])
      } if s.sid == "TagNewTaskDefinitions"
      ]) == jsonencode([{
        actions   = ["ecs:TagResource"]
        resources = ["arn:aws:ecs:eu-west-1:123456789012:task-definition/orders-api-prod:*"]
        condition = ["StringEquals", "ecs:CreateAction", "RegisterTaskDefinition"]
    }])
    error_message = "The deploy role may tag the task definitions it registers (register-task-definition copies the family's tags), and nothing else."
  }

  assert {
    condition     = contains(one([for s in data.aws_iam_policy_document.apply.statement : s.actions if s.sid == "OwnRoles"]), "iam:UpdateRoleDescription")
    error_message = "The apply role can update its own roles' descriptions, which change with the environment, repository and ECR names."
  }

  assert {
    condition = jsonencode([
      for s in data.aws_iam_policy_document.state_access.statement : {
        resources  = sort(s.resources)
        viaService = flatten([for c in s.condition : c.values if c.variable == "kms:ViaService"])
      } if s.sid == "StateKeyViaS3"
      ]) == jsonencode([{
        resources  = [var.state_kms_key_arn]
        viaService = ["s3.eu-central-1.amazonaws.com"]
    }]) && local.state_region == "eu-central-1"
    error_message = "The roles reach the state key itself, through S3 in the state bucket's region (the key's), not the service's."
  }

  assert {
    condition     = alltrue([for e in local.container_environment : e.value != ""]) && contains([for e in local.container_environment : e.name], "DB_HOST")
    error_message = "With a database the container gets its settings, none of them empty."
  }

  assert {
    condition     = local.container.readonlyRootFilesystem && local.container.user == "1000:1000"
    error_message = "The container must run as non-root with a read-only root filesystem."
  }

  assert {
    condition     = length(local.container.secrets) == 2
    error_message = "The database credentials come from Secrets Manager."
  }

  assert {
    condition     = aws_ecr_repository.this.image_tag_mutability == "IMMUTABLE" && aws_ecr_repository.this.image_scanning_configuration[0].scan_on_push
    error_message = "ECR must be immutable and scan on push."
  }

  assert {
    condition     = aws_lb.this.drop_invalid_header_fields && aws_lb.this.access_logs[0].enabled
    error_message = "ALB must drop invalid headers and log access."
  }

  assert {
    condition     = length(aws_appautoscaling_target.ecs) == 1 && length(aws_budgets_budget.monthly) == 1 && length(aws_backup_selection.database) == 1
    error_message = "Autoscaling, budget and backup selection exist by default."
  }

  assert {
    condition     = aws_cloudfront_distribution.frontend.default_cache_behavior[0].viewer_protocol_policy == "redirect-to-https" && length(aws_cloudfront_distribution.frontend.custom_error_response) == 2
    error_message = "CloudFront must redirect to HTTPS and route the SPA."
  }

  assert {
    condition     = contains(flatten([for c in data.aws_iam_policy_document.github_assume["deploy"].statement[0].condition : c.values]), "repo:acme/orders-api:environment:production")
    error_message = "Deploy and apply roles trust only jobs in the protected GitHub environment the template creates (production)."
  }

  assert {
    condition     = contains(flatten([for c in data.aws_iam_policy_document.github_assume["ecr_push"].statement[0].condition : c.values]), "repo:acme/orders-api:ref:refs/heads/main") && contains(flatten([for c in data.aws_iam_policy_document.github_assume["plan"].statement[0].condition : c.values]), "repo:acme/orders-api:ref:refs/heads/main")
    error_message = "CI image pushes and drift detection on the default branch can assume their roles."
  }

  assert {
    condition     = aws_cloudfront_distribution.frontend.ordered_cache_behavior[0].path_pattern == "/api/*" && aws_cloudfront_distribution.frontend.ordered_cache_behavior[0].target_origin_id == "alb-api" && aws_cloudfront_distribution.frontend.ordered_cache_behavior[0].cache_policy_id == "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
    error_message = "CloudFront sends /api/* to the load balancer, uncached, so the frontend's relative API calls reach the service."
  }
}

run "blue_green_with_domain" {
  command = plan

  variables {
    deployment_strategy = "blue-green"
    domain_name         = "example.com"
    hosted_zone_id      = "Z0123456789ABCDEFGHIJ"
    db_multi_az         = true
  }

  assert {
    condition     = length(aws_ecs_service.rolling) == 0 && aws_ecs_service.blue_green[0].deployment_controller[0].type == "CODE_DEPLOY"
    error_message = "Blue/green uses the CODE_DEPLOY controller."
  }

  assert {
    condition     = length(aws_codedeploy_app.this) == 1 && length(aws_codedeploy_deployment_group.this) == 1 && length(aws_lb_target_group.green) == 1 && length(aws_lb_listener.test) == 1
    error_message = "Blue/green creates CodeDeploy, a second target group and a test listener."
  }

  assert {
    condition     = aws_codedeploy_deployment_group.this[0].auto_rollback_configuration[0].enabled && aws_codedeploy_deployment_group.this[0].alarm_configuration[0].enabled
    error_message = "CodeDeploy must roll back on failure and alarms."
  }

  assert {
    condition     = length(aws_acm_certificate.this) == 1 && aws_acm_certificate.this[0].domain_name == "orders-api.example.com"
    error_message = "A domain creates the certificate."
  }

  assert {
    condition     = aws_lb_listener.https_blue_green[0].ssl_policy == "ELBSecurityPolicy-TLS13-1-2-2021-06" && aws_lb_listener.http[0].default_action[0].type == "redirect"
    error_message = "HTTPS uses the TLS 1.3 policy and HTTP redirects."
  }

  assert {
    condition     = length(aws_lb_listener.https) == 0 && length(aws_lb_listener.https_blue_green) == 1
    error_message = "CodeDeploy switches the blue/green HTTPS listener, so it must be the variant that ignores its default action."
  }

  assert {
    condition     = aws_db_instance.this[0].multi_az
    error_message = "Multi-AZ is passed through."
  }
}

run "blue_green_without_domain" {
  command = plan

  variables {
    deployment_strategy = "blue-green"
  }

  assert {
    condition     = length(aws_lb_listener.http) == 0 && length(aws_lb_listener.http_blue_green) == 1 && aws_lb_listener.http_blue_green[0].default_action[0].type == "forward"
    error_message = "Without a domain, the HTTP listener is production: it starts on blue and CodeDeploy switches it afterwards."
  }

  assert {
    condition     = aws_lb_listener.test[0].port == 8080 && aws_lb_listener.test[0].protocol == "HTTP"
    error_message = "Without a domain the test listener is plain HTTP on 8080."
  }
}

run "toggles_off_for_moto" {
  command = plan

  variables {
    deployment_strategy     = "blue-green"
    enable_autoscaling      = false
    enable_backup_selection = false
    enable_budget           = false
    enable_codedeploy       = false
  }

  assert {
    condition     = length(aws_appautoscaling_target.ecs) == 0 && length(aws_budgets_budget.monthly) == 0 && length(aws_backup_selection.database) == 0 && length(aws_codedeploy_app.this) == 0
    error_message = "Toggles switch the resources off."
  }

  assert {
    condition     = length(aws_lb_target_group.green) == 1 && aws_ecs_service.blue_green[0].deployment_controller[0].type == "CODE_DEPLOY"
    error_message = "Blue/green infrastructure stays without CodeDeploy."
  }
}

run "without_database" {
  command = plan

  variables {
    database_enabled = false
  }

  assert {
    condition     = length(aws_db_instance.this) == 0 && length(aws_backup_vault.this) == 0 && length(aws_security_group.rds) == 0
    error_message = "No database resources when the database is off."
  }

  # ECS drops empty environment values, so an empty DB_HOST would show as drift on every plan.
  assert {
    condition     = alltrue([for e in local.container.environment : e.value != ""]) && length([for e in local.container_environment : e if startswith(e.name, "DB_")]) == 0
    error_message = "Without a database the container gets no database settings, and no empty environment values."
  }
}

run "github_enterprise_server" {
  command = plan

  variables {
    github_host = "github.example.com"
  }

  assert {
    condition     = local.github_oidc_provider_arn == "arn:aws:iam::123456789012:oidc-provider/github.example.com/_services/token"
    error_message = "A GitHub Enterprise Server repository trusts its server's OIDC issuer (https://<host>/_services/token)."
  }

  assert {
    condition     = alltrue([for c in data.aws_iam_policy_document.github_assume["deploy"].statement[0].condition : startswith(c.variable, "github.example.com/_services/token:")])
    error_message = "The trust policy's claim keys are the GitHub Enterprise Server issuer's."
  }
}

run "github_enterprise_cloud_data_residency" {
  command = plan

  variables {
    github_host = "acme.ghe.com"
  }

  assert {
    condition     = local.github_oidc_provider_arn == "arn:aws:iam::123456789012:oidc-provider/token.actions.acme.ghe.com" && contains([for c in data.aws_iam_policy_document.github_assume["plan"].statement[0].condition : c.variable], "token.actions.acme.ghe.com:sub")
    error_message = "A GHE.com repository trusts token.actions.<name>.ghe.com."
  }
}

run "github_immutable_subject_claims" {
  command = plan

  variables {
    github_owner_id      = "123456"
    github_repository_id = "456789"
  }

  assert {
    condition     = toset(flatten([for c in data.aws_iam_policy_document.github_assume["deploy"].statement[0].condition : c.values if endswith(c.variable, ":sub")])) == toset(["repo:acme/orders-api:environment:production", "repo:acme@123456/orders-api@456789:environment:production"])
    error_message = "With the ids known, the deploy and apply roles trust the immutable subject (repo:<owner>@<id>/<repo>@<id>) as well as the name form."
  }

  assert {
    condition     = contains(flatten([for c in data.aws_iam_policy_document.github_assume["ecr_push"].statement[0].condition : c.values]), "repo:acme@123456/orders-api@456789:ref:refs/heads/main") && contains(flatten([for c in data.aws_iam_policy_document.github_assume["plan"].statement[0].condition : c.values]), "repo:acme@123456/orders-api@456789:pull_request")
    error_message = "CI pushes, drift and pull-request plans of a repository with immutable subject claims can assume their roles."
  }
}
