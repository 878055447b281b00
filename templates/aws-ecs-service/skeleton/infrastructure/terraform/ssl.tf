# Certificate for <service_name>.<domain_name>, DNS-validated in the given hosted zone, and the
# alias record pointing at the load balancer. Nothing here exists without domain_name.

resource "aws_acm_certificate" "this" {
  count = local.has_domain ? 1 : 0

  domain_name       = local.service_fqdn
  validation_method = "DNS"

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_route53_record" "validation" {
  for_each = local.has_domain ? {
    for o in aws_acm_certificate.this[0].domain_validation_options : o.domain_name => o
  } : {}

  zone_id         = var.hosted_zone_id
  name            = each.value.resource_record_name
  type            = each.value.resource_record_type
  records         = [each.value.resource_record_value]
  ttl             = 300
  allow_overwrite = true
}

resource "aws_acm_certificate_validation" "this" {
  count = local.has_domain ? 1 : 0

  certificate_arn         = aws_acm_certificate.this[0].arn
  validation_record_fqdns = [for r in aws_route53_record.validation : r.fqdn]

  timeouts {
    create = "10m"
  }
}

resource "aws_route53_record" "service" {
  count = local.has_domain ? 1 : 0

  zone_id = var.hosted_zone_id
  name    = local.service_fqdn
  type    = "A"

  alias {
    name                   = aws_lb.this.dns_name
    zone_id                = aws_lb.this.zone_id
    evaluate_target_health = true
  }
}

resource "aws_route53_record" "frontend" {
  count = local.frontend_custom_cert ? 1 : 0

  zone_id = var.hosted_zone_id
  name    = local.frontend_fqdn
  type    = "A"

  alias {
    name                   = aws_cloudfront_distribution.frontend.domain_name
    zone_id                = aws_cloudfront_distribution.frontend.hosted_zone_id
    evaluate_target_health = false
  }
}
