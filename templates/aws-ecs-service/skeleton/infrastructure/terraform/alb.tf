locals {
  # Blue/green test traffic goes to this port (HTTPS when a domain is set).
  test_listener_port = local.has_domain ? 8443 : 8080
}

resource "aws_lb" "this" {
  name               = local.name
  load_balancer_type = "application"
  # Accepted exception AWS-0053: the public entry point of the service.
  internal                   = false
  security_groups            = [aws_security_group.alb.id]
  subnets                    = aws_subnet.public[*].id
  drop_invalid_header_fields = true
  enable_deletion_protection = false
  idle_timeout               = 60

  access_logs {
    bucket  = aws_s3_bucket.logs.id
    prefix  = "alb"
    enabled = true
  }

  depends_on = [aws_s3_bucket_policy.logs]
}

# Blue: the target group the service starts on. Green: the replacement during blue/green.
resource "aws_lb_target_group" "blue" {
  name                 = "${local.name}-b"
  port                 = var.container_port
  protocol             = "HTTP"
  target_type          = "ip"
  vpc_id               = aws_vpc.this.id
  deregistration_delay = 30

  health_check {
    path                = var.health_check_path
    matcher             = "200-399"
    interval            = 15
    timeout             = 5
    healthy_threshold   = 2
    unhealthy_threshold = 3
  }
}

resource "aws_lb_target_group" "green" {
  count = local.blue_green ? 1 : 0

  name                 = "${local.name}-g"
  port                 = var.container_port
  protocol             = "HTTP"
  target_type          = "ip"
  vpc_id               = aws_vpc.this.id
  deregistration_delay = 30

  health_check {
    path                = var.health_check_path
    matcher             = "200-399"
    interval            = 15
    timeout             = 5
    healthy_threshold   = 2
    unhealthy_threshold = 3
  }
}

locals {
  # CodeDeploy moves a blue/green service's production and test listeners between the blue and
  # green target groups. Terraform must then leave their default action alone or the next apply
  # would send traffic back to the old task set; lifecycle settings cannot be conditional, hence
  # a second resource for each listener CodeDeploy switches.
  http_switched_by_cd  = local.blue_green && !local.has_domain
  https_switched_by_cd = local.blue_green && local.has_domain
  production_listener_arn = (local.has_domain
    ? one(concat(aws_lb_listener.https[*].arn, aws_lb_listener.https_blue_green[*].arn))
    : one(concat(aws_lb_listener.http[*].arn, aws_lb_listener.http_blue_green[*].arn))
  )
}

# With a domain: HTTP only redirects to HTTPS.
# Without a domain there is no certificate, so HTTP forwards to the service. This is a documented
# exception (AWS-0054) for stacks created without a domain; set domain_name to get HTTPS only.
resource "aws_lb_listener" "http" {
  count = local.http_switched_by_cd ? 0 : 1

  load_balancer_arn = aws_lb.this.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type             = local.has_domain ? "redirect" : "forward"
    target_group_arn = local.has_domain ? null : aws_lb_target_group.blue.arn

    dynamic "redirect" {
      for_each = local.has_domain ? [1] : []
      content {
        port        = "443"
        protocol    = "HTTPS"
        status_code = "HTTP_301"
      }
    }
  }
}

# Blue/green without a domain: the production listener is HTTP and CodeDeploy switches it.
resource "aws_lb_listener" "http_blue_green" {
  count = local.http_switched_by_cd ? 1 : 0

  load_balancer_arn = aws_lb.this.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.blue.arn
  }

  lifecycle {
    ignore_changes = [default_action]
  }
}

resource "aws_lb_listener" "https" {
  count = local.has_domain && !local.https_switched_by_cd ? 1 : 0

  load_balancer_arn = aws_lb.this.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  certificate_arn   = aws_acm_certificate_validation.this[0].certificate_arn

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.blue.arn
  }
}

# Blue/green with a domain: the production listener is HTTPS and CodeDeploy switches it.
resource "aws_lb_listener" "https_blue_green" {
  count = local.https_switched_by_cd ? 1 : 0

  load_balancer_arn = aws_lb.this.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  certificate_arn   = aws_acm_certificate_validation.this[0].certificate_arn

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.blue.arn
  }

  lifecycle {
    ignore_changes = [default_action]
  }
}

# Blue/green test listener: CodeDeploy routes it to the replacement task set before the switch
# (and leaves it on whichever group served last), so Terraform only sets the initial target.
resource "aws_lb_listener" "test" {
  count = local.blue_green ? 1 : 0

  load_balancer_arn = aws_lb.this.arn
  port              = local.test_listener_port
  protocol          = local.has_domain ? "HTTPS" : "HTTP"
  ssl_policy        = local.has_domain ? "ELBSecurityPolicy-TLS13-1-2-2021-06" : null
  certificate_arn   = local.has_domain ? aws_acm_certificate_validation.this[0].certificate_arn : null

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.green[0].arn
  }

  lifecycle {
    ignore_changes = [default_action]
  }
}
