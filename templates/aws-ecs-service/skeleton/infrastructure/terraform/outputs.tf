output "ecs_cluster_name" {
  description = "Name of the ECS cluster."
  value       = aws_ecs_cluster.this.name
}

output "ecs_service_name" {
  description = "Name of the ECS service."
  value       = local.ecs_service.name
}

output "ecs_service_arn" {
  description = "ARN of the ECS service."
  value       = local.ecs_service.id
}

output "task_definition_family" {
  description = "Task definition family CI registers new revisions in."
  value       = aws_ecs_task_definition.this.family
}

output "alb_dns_name" {
  description = "DNS name of the load balancer."
  value       = aws_lb.this.dns_name
}

output "service_url" {
  description = "URL of the service: HTTPS on the service's domain name, or HTTP on the ALB without a domain."
  value       = local.has_domain ? "https://${local.service_fqdn}" : "http://${aws_lb.this.dns_name}"
}

output "ecr_repository_url" {
  description = "ECR repository CI pushes images to."
  value       = aws_ecr_repository.this.repository_url
}

output "frontend_bucket" {
  description = "S3 bucket holding the frontend build."
  value       = aws_s3_bucket.frontend.bucket
}

output "frontend_url" {
  description = "URL of the frontend on CloudFront."
  value       = local.frontend_custom_cert ? "https://${local.frontend_fqdn}" : "https://${aws_cloudfront_distribution.frontend.domain_name}"
}

output "cloudfront_distribution_id" {
  description = "CloudFront distribution to invalidate after a frontend deploy."
  value       = aws_cloudfront_distribution.frontend.id
}

output "deploy_role_arn" {
  description = "Role GitHub Actions assumes (environment-scoped) to deploy."
  value       = aws_iam_role.deploy.arn
}

output "plan_role_arn" {
  description = "Read-only role GitHub Actions assumes for terraform plan (pull requests, drift detection, the deploy plan)."
  value       = aws_iam_role.plan.arn
}

output "apply_role_arn" {
  description = "Role GitHub Actions assumes in the protected environment to apply the reviewed plan (the AWS_APPLY_ROLE_ARN variable)."
  value       = aws_iam_role.apply.arn
}

output "ecr_push_role_arn" {
  description = "Role CI on the default branch assumes to push the backend image (the AWS_ECR_PUSH_ROLE_ARN variable)."
  value       = aws_iam_role.ecr_push.arn
}

output "database_endpoint" {
  description = "Endpoint of the PostgreSQL instance, or null without a database."
  value       = var.database_enabled ? aws_db_instance.this[0].endpoint : null
}

output "database_secret_arn" {
  description = "Secrets Manager secret with the RDS-managed master credentials, or null without a database."
  value       = var.database_enabled ? aws_db_instance.this[0].master_user_secret[0].secret_arn : null
}

output "alerts_topic_arn" {
  description = "SNS topic receiving alarms."
  value       = aws_sns_topic.alerts.arn
}

output "codedeploy_app_name" {
  description = "CodeDeploy application for blue/green deployments, or null."
  value       = local.create_codedeploy ? aws_codedeploy_app.this[0].name : null
}

output "codedeploy_deployment_group_name" {
  description = "CodeDeploy deployment group for blue/green deployments, or null."
  value       = local.create_codedeploy ? aws_codedeploy_deployment_group.this[0].deployment_group_name : null
}
