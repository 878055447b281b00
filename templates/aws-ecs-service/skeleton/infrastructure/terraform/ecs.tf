locals {
  cluster_name    = local.name
  ecs_service_arn = "arn:${local.partition}:ecs:${var.aws_region}:${var.aws_account_id}:service/${local.cluster_name}/${var.service_name}"

  # Only one of the two service resources exists; see the note on aws_ecs_service.blue_green.
  ecs_service = local.blue_green ? aws_ecs_service.blue_green[0] : aws_ecs_service.rolling[0]

  # The database settings only with a database: ECS drops environment entries whose value is
  # empty, so "" here would differ from what ECS stores and every plan would show drift.
  container_environment = concat(
    [
      { name = "PORT", value = tostring(var.container_port) },
      { name = "ENVIRONMENT", value = var.environment },
    ],
    var.database_enabled ? [
      { name = "DB_HOST", value = aws_db_instance.this[0].address },
      { name = "DB_PORT", value = "5432" },
      { name = "DB_NAME", value = aws_db_instance.this[0].db_name },
      { name = "DB_IAM_USER", value = local.db_iam_user },
    ] : [],
  )

  # The RDS-managed master secret (JSON with username and password) from Secrets Manager.
  container_secrets = var.database_enabled ? [
    { name = "DB_USERNAME", valueFrom = "${aws_db_instance.this[0].master_user_secret[0].secret_arn}:username::" },
    { name = "DB_PASSWORD", valueFrom = "${aws_db_instance.this[0].master_user_secret[0].secret_arn}:password::" },
  ] : []

  container = {
    name                   = var.service_name
    image                  = "${aws_ecr_repository.this.repository_url}:${var.image_tag}"
    essential              = true
    user                   = "1000:1000"
    readonlyRootFilesystem = true
    privileged             = false
    portMappings = [
      { containerPort = var.container_port, hostPort = var.container_port, protocol = "tcp" }
    ]
    environment = local.container_environment
    secrets     = local.container_secrets
    mountPoints = [
      { sourceVolume = "tmp", containerPath = "/tmp", readOnly = false }
    ]
    linuxParameters = {
      initProcessEnabled = true
      capabilities       = { drop = ["ALL"] }
    }
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = aws_cloudwatch_log_group.app.name
        awslogs-region        = var.aws_region
        awslogs-stream-prefix = var.service_name
      }
    }
  }
}

resource "aws_ecs_cluster" "this" {
  name = local.cluster_name

  setting {
    name  = "containerInsights"
    value = "enabled"
  }
}

resource "aws_ecs_cluster_capacity_providers" "this" {
  cluster_name       = aws_ecs_cluster.this.name
  capacity_providers = ["FARGATE", "FARGATE_SPOT"]

  default_capacity_provider_strategy {
    capacity_provider = "FARGATE"
    weight            = 1
  }
}

resource "aws_ecs_task_definition" "this" {
  # Per environment: two environments of one service in one account keep their revisions apart.
  family                   = local.name
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.task_cpu
  memory                   = var.task_memory
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.task.arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

  # Writable scratch space, as the root filesystem is read-only.
  volume {
    name = "tmp"
  }

  container_definitions = jsonencode([local.container])
}

# Rolling updates by ECS, with the deployment circuit breaker rolling back a failed deployment.
resource "aws_ecs_service" "rolling" {
  count = local.blue_green ? 0 : 1

  name                               = var.service_name
  cluster                            = aws_ecs_cluster.this.id
  task_definition                    = aws_ecs_task_definition.this.arn
  desired_count                      = var.desired_count
  launch_type                        = "FARGATE"
  platform_version                   = "LATEST"
  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200
  health_check_grace_period_seconds  = 60
  enable_execute_command             = false
  propagate_tags                     = "SERVICE"
  wait_for_steady_state              = false

  deployment_controller {
    type = "ECS"
  }

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  network_configuration {
    subnets          = aws_subnet.private[*].id
    security_groups  = [aws_security_group.ecs.id]
    assign_public_ip = false
  }

  load_balancer {
    target_group_arn = aws_lb_target_group.blue.arn
    container_name   = var.service_name
    container_port   = var.container_port
  }

  # The deploy pipeline registers a revision per release and points the service at it (and the
  # portal rolls it back); Terraform would otherwise revert the service to its own revision.
  # Application Auto Scaling owns the task count (desired_count is its minimum, at the end of
  # this file): without ignoring it every apply would undo each scale-out.
  lifecycle {
    ignore_changes = [task_definition, desired_count]
  }

  depends_on = [aws_lb_listener.http, aws_lb_listener.http_blue_green, aws_lb_listener.https, aws_lb_listener.https_blue_green, aws_iam_role_policy.execution]
}

# Blue/green by CodeDeploy. CodeDeploy swaps the task definition and target group, so Terraform
# ignores both after creation (lifecycle settings cannot be conditional, hence two resources).
# ECS does not support the circuit breaker with the CODE_DEPLOY controller; CodeDeploy's
# auto-rollback and alarms (codedeploy.tf) take that role. Percentages follow the brief.
resource "aws_ecs_service" "blue_green" {
  count = local.blue_green ? 1 : 0

  name                               = var.service_name
  cluster                            = aws_ecs_cluster.this.id
  task_definition                    = aws_ecs_task_definition.this.arn
  desired_count                      = var.desired_count
  launch_type                        = "FARGATE"
  platform_version                   = "LATEST"
  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200
  health_check_grace_period_seconds  = 60
  enable_execute_command             = false
  propagate_tags                     = "SERVICE"
  wait_for_steady_state              = false

  deployment_controller {
    type = "CODE_DEPLOY"
  }

  network_configuration {
    subnets          = aws_subnet.private[*].id
    security_groups  = [aws_security_group.ecs.id]
    assign_public_ip = false
  }

  load_balancer {
    target_group_arn = aws_lb_target_group.blue.arn
    container_name   = var.service_name
    container_port   = var.container_port
  }

  # As for the rolling service: Application Auto Scaling owns the task count.
  lifecycle {
    ignore_changes = [task_definition, load_balancer, desired_count]
  }

  depends_on = [aws_lb_listener.http, aws_lb_listener.http_blue_green, aws_lb_listener.https, aws_lb_listener.https_blue_green, aws_iam_role_policy.execution]
}

# Target tracking on CPU and memory, between desired_count and three times it. Raising
# desired_count raises the minimum, and Application Auto Scaling scales the service up to it.
resource "aws_appautoscaling_target" "ecs" {
  count = var.enable_autoscaling ? 1 : 0

  service_namespace  = "ecs"
  resource_id        = "service/${aws_ecs_cluster.this.name}/${local.ecs_service.name}"
  scalable_dimension = "ecs:service:DesiredCount"
  min_capacity       = var.desired_count
  max_capacity       = var.desired_count * 3
}

resource "aws_appautoscaling_policy" "cpu" {
  count = var.enable_autoscaling ? 1 : 0

  name               = "${local.name}-cpu"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.ecs[0].service_namespace
  resource_id        = aws_appautoscaling_target.ecs[0].resource_id
  scalable_dimension = aws_appautoscaling_target.ecs[0].scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value       = 60
    scale_in_cooldown  = 300
    scale_out_cooldown = 60

    predefined_metric_specification {
      predefined_metric_type = "ECSServiceAverageCPUUtilization"
    }
  }
}

resource "aws_appautoscaling_policy" "memory" {
  count = var.enable_autoscaling ? 1 : 0

  name               = "${local.name}-memory"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.ecs[0].service_namespace
  resource_id        = aws_appautoscaling_target.ecs[0].resource_id
  scalable_dimension = aws_appautoscaling_target.ecs[0].scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value       = 75
    scale_in_cooldown  = 300
    scale_out_cooldown = 60

    predefined_metric_specification {
      predefined_metric_type = "ECSServiceAverageMemoryUtilization"
    }
  }
}
