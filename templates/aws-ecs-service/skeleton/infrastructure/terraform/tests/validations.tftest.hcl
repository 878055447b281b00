# Every input validation rejects a bad value. Plans with a mocked provider, offline.

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
  owner                    = "team-a"
  environment              = "prod"
  aws_account_id           = "123456789012"
  aws_region               = "eu-west-1"
  vpc_cidr                 = "10.0.0.0/16"
  task_cpu                 = 512
  task_memory              = 1024
  desired_count            = 2
  db_backup_retention_days = 7
  monthly_budget_usd       = 100
  alert_email              = "ops@example.com"
  deployment_strategy      = "rolling"
  state_bucket             = "acme-tf-state"
  state_kms_key_arn        = "arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  github_owner             = "acme"
  github_repo              = "orders-api"
}

run "bad_service_name" {
  command = plan
  variables {
    service_name = "Orders_API"
  }
  expect_failures = [var.service_name]
}

run "service_name_too_long" {
  command = plan
  variables {
    service_name = "a-very-long-service-name"
  }
  expect_failures = [var.service_name]
}

# Names AWS refuses although they fit the pattern: RDS ("--"), ALB ("internal-"), S3 ("xn--", "sthree-").
run "service_name_double_hyphen" {
  command = plan
  variables {
    service_name = "orders--api"
  }
  expect_failures = [var.service_name]
}

run "service_name_internal_prefix" {
  command = plan
  variables {
    service_name = "internal-api"
  }
  expect_failures = [var.service_name]
}

run "service_name_sthree_prefix" {
  command = plan
  variables {
    service_name = "sthree-orders"
  }
  expect_failures = [var.service_name]
}

run "service_name_xn_prefix" {
  command = plan
  variables {
    service_name = "xn--orders"
  }
  expect_failures = [var.service_name, var.service_name]
}

run "service_name_sg_prefix" {
  command = plan
  variables {
    service_name = "sg-orders"
  }
  expect_failures = [var.service_name]
}

run "service_name_amzn_s3_demo_prefix" {
  command = plan
  variables {
    service_name = "amzn-s3-demo-shop"
  }
  expect_failures = [var.service_name]
}

run "service_name_postgresql_reserved_word" {
  command = plan
  variables {
    service_name = "user"
  }
  expect_failures = [var.service_name]
}

run "state_kms_key_alias" {
  command = plan
  variables {
    state_kms_key_arn = "alias/acme-terraform-state"
  }
  expect_failures = [var.state_kms_key_arn]
}

run "github_host_with_scheme" {
  command = plan
  variables {
    github_host = "https://github.example.com"
  }
  expect_failures = [var.github_host]
}

run "bad_environment" {
  command = plan
  variables {
    environment = "production"
  }
  expect_failures = [var.environment]
}

run "bad_account_id" {
  command = plan
  variables {
    aws_account_id = "12345"
  }
  expect_failures = [var.aws_account_id]
}

run "bad_region" {
  command = plan
  variables {
    aws_region = "europe"
  }
  expect_failures = [var.aws_region]
}

run "bad_cidr" {
  command = plan
  variables {
    vpc_cidr = "10.0.0.0/8"
  }
  expect_failures = [var.vpc_cidr]
}

run "cidr_not_network_address" {
  command = plan
  variables {
    vpc_cidr = "10.0.1.0/16"
  }
  expect_failures = [var.vpc_cidr]
}

run "bad_cpu" {
  command = plan
  variables {
    task_cpu = 300
  }
  expect_failures = [var.task_cpu]
}

run "bad_cpu_memory_pair" {
  command = plan
  variables {
    task_cpu    = 256
    task_memory = 4096
  }
  expect_failures = [var.task_memory]
}

run "bad_desired_count" {
  command = plan
  variables {
    desired_count = 11
  }
  expect_failures = [var.desired_count]
}

run "retention_too_long" {
  command = plan
  variables {
    db_backup_retention_days = 36
  }
  expect_failures = [var.db_backup_retention_days]
}

run "retention_zero" {
  command = plan
  variables {
    db_backup_retention_days = 0
  }
  expect_failures = [var.db_backup_retention_days]
}

run "bad_storage" {
  command = plan
  variables {
    db_allocated_storage = 10
  }
  expect_failures = [var.db_allocated_storage]
}

run "bad_instance_class" {
  command = plan
  variables {
    db_instance_class = "t4g.micro"
  }
  expect_failures = [var.db_instance_class]
}

run "bad_strategy" {
  command = plan
  variables {
    deployment_strategy = "canary"
  }
  expect_failures = [var.deployment_strategy]
}

run "bad_email" {
  command = plan
  variables {
    alert_email = "not-an-email"
  }
  expect_failures = [var.alert_email]
}

run "bad_budget" {
  command = plan
  variables {
    monthly_budget_usd = 0
  }
  expect_failures = [var.monthly_budget_usd]
}

run "bad_domain" {
  command = plan
  variables {
    domain_name    = "Not A Domain"
    hosted_zone_id = "Z0123456789"
  }
  expect_failures = [var.domain_name]
}

run "domain_without_zone" {
  command = plan
  variables {
    domain_name = "example.com"
  }
  expect_failures = [var.hosted_zone_id]
}

run "bad_log_retention" {
  command = plan
  variables {
    log_retention_days = 7
  }
  expect_failures = [var.log_retention_days]
}

run "bad_container_port" {
  command = plan
  variables {
    container_port = 80
  }
  expect_failures = [var.container_port]
}

run "bad_github_owner" {
  command = plan
  variables {
    github_owner = "acme/evil"
  }
  expect_failures = [var.github_owner]
}

run "bad_oidc_provider" {
  command = plan
  variables {
    github_oidc_provider_arn = "arn:aws:iam::123456789012:role/github-actions"
  }
  expect_failures = [var.github_oidc_provider_arn]
}

run "bad_state_bucket" {
  command = plan
  variables {
    state_bucket = "Bad_Bucket"
  }
  expect_failures = [var.state_bucket]
}

run "github_environment_wildcard" {
  command = plan
  variables {
    github_environment = "prod*"
  }
  expect_failures = [var.github_environment]
}

run "github_branch_wildcard" {
  command = plan
  variables {
    github_default_branch = "release/*"
  }
  expect_failures = [var.github_default_branch]
}

run "github_repository_id_without_owner_id" {
  command = plan
  variables {
    github_repository_id = "456789"
  }
  expect_failures = [var.github_repository_id]
}

run "github_owner_id_not_numeric" {
  command = plan
  variables {
    github_owner_id      = "acme"
    github_repository_id = "456789"
  }
  expect_failures = [var.github_owner_id]
}
