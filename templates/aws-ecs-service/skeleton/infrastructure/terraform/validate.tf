# Post-apply health checks. `terraform plan`/`apply` report a failed assertion as a warning.

check "ecs_service_running" {
  data "aws_ecs_service" "this" {
    # Known values only, so the check reads during plan too (errors are warnings in a check).
    cluster_arn  = "arn:${local.partition}:ecs:${var.aws_region}:${var.aws_account_id}:cluster/${local.cluster_name}"
    service_name = var.service_name
  }

  assert {
    condition     = data.aws_ecs_service.this.desired_count > 0
    error_message = "ECS service ${var.service_name} has no desired tasks."
  }

  assert {
    condition     = data.aws_ecs_service.this.launch_type == "FARGATE"
    error_message = "ECS service ${var.service_name} does not run on Fargate."
  }
}

check "load_balancer_active" {
  data "aws_lb" "this" {
    name = local.name
  }

  assert {
    condition     = data.aws_lb.this.dns_name != "" && !data.aws_lb.this.internal
    error_message = "The load balancer ${local.name} has no public DNS name."
  }
}

check "database_private_and_encrypted" {
  assert {
    condition     = alltrue([for db in aws_db_instance.this : !db.publicly_accessible && db.storage_encrypted])
    error_message = "The database must be private and encrypted."
  }
}
