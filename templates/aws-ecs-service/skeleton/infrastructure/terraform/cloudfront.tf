locals {
  frontend_custom_cert = var.cloudfront_acm_certificate_arn != "" && local.has_domain
  frontend_fqdn        = local.frontend_custom_cert ? "${var.service_name}-web.${var.domain_name}" : ""

  # AWS managed policies; their ids are fixed and documented by AWS.
  caching_optimized_policy_id      = "658327ea-f89d-4fab-a63d-7e88639e58f6" # Managed-CachingOptimized
  caching_disabled_policy_id       = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad" # Managed-CachingDisabled
  all_viewer_except_host_policy_id = "b689b0a8-53d0-40ab-baf2-68738e2966ac" # Managed-AllViewerExceptHostHeader
  api_origin_domain                = local.has_domain ? local.service_fqdn : aws_lb.this.dns_name
}

resource "aws_cloudfront_origin_access_control" "frontend" {
  name                              = "${local.name}-web"
  description                       = "CloudFront access to the ${local.name} frontend bucket"
  origin_access_control_origin_type = "s3"
  signing_behavior                  = "always"
  signing_protocol                  = "sigv4"
}

resource "aws_cloudfront_response_headers_policy" "security" {
  count = var.enable_response_headers_policy ? 1 : 0

  name    = "${local.name}-security-headers"
  comment = "Security headers for the ${local.name} frontend"

  security_headers_config {
    strict_transport_security {
      access_control_max_age_sec = 63072000
      include_subdomains         = true
      preload                    = true
      override                   = true
    }
    content_type_options {
      override = true
    }
    frame_options {
      frame_option = "DENY"
      override     = true
    }
    referrer_policy {
      referrer_policy = "strict-origin-when-cross-origin"
      override        = true
    }
    xss_protection {
      protection = true
      mode_block = true
      override   = true
    }
    content_security_policy {
      content_security_policy = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
      override                = true
    }
  }
}


resource "aws_cloudfront_distribution" "frontend" {
  enabled             = true
  is_ipv6_enabled     = true
  comment             = "${local.name} frontend"
  default_root_object = "index.html"
  price_class         = "PriceClass_100"
  aliases             = local.frontend_custom_cert ? [local.frontend_fqdn] : []
  web_acl_id          = var.cloudfront_web_acl_arn == "" ? null : var.cloudfront_web_acl_arn

  origin {
    origin_id                = "s3-frontend"
    domain_name              = aws_s3_bucket.frontend.bucket_regional_domain_name
    origin_access_control_id = aws_cloudfront_origin_access_control.frontend.id
  }

  # The app's API on the same origin as the frontend (relative /api calls, no CORS): /api/* goes
  # to the load balancer, uncached. With a domain over HTTPS to the service's certificate; without
  # one the ALB only has HTTP (the documented AWS-0054 exception).
  origin {
    origin_id   = "alb-api"
    domain_name = local.api_origin_domain

    custom_origin_config {
      http_port              = 80
      https_port             = 443
      origin_protocol_policy = local.has_domain ? "https-only" : "http-only"
      origin_ssl_protocols   = ["TLSv1.2"]
    }
  }

  # Note: the SPA error responses below apply to every origin, so an API 403/404 reaches the
  # browser as index.html; the app's API answers its errors with other codes (400, 409, 503).
  ordered_cache_behavior {
    path_pattern               = "/api/*"
    target_origin_id           = "alb-api"
    viewer_protocol_policy     = "https-only"
    allowed_methods            = ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"]
    cached_methods             = ["GET", "HEAD"]
    compress                   = true
    cache_policy_id            = local.caching_disabled_policy_id
    origin_request_policy_id   = local.all_viewer_except_host_policy_id
    response_headers_policy_id = var.enable_response_headers_policy ? aws_cloudfront_response_headers_policy.security[0].id : null
  }

  default_cache_behavior {
    target_origin_id           = "s3-frontend"
    viewer_protocol_policy     = "redirect-to-https"
    allowed_methods            = ["GET", "HEAD", "OPTIONS"]
    cached_methods             = ["GET", "HEAD"]
    compress                   = true
    cache_policy_id            = local.caching_optimized_policy_id
    response_headers_policy_id = var.enable_response_headers_policy ? aws_cloudfront_response_headers_policy.security[0].id : null
  }

  # Single-page app routing: unknown paths (403/404 from S3) serve index.html.
  custom_error_response {
    error_code            = 403
    response_code         = 200
    response_page_path    = "/index.html"
    error_caching_min_ttl = 10
  }

  custom_error_response {
    error_code            = 404
    response_code         = 200
    response_page_path    = "/index.html"
    error_caching_min_ttl = 10
  }

  logging_config {
    bucket          = aws_s3_bucket.logs.bucket_domain_name
    prefix          = "cloudfront/"
    include_cookies = false
  }

  restrictions {
    geo_restriction {
      restriction_type = "none"
    }
  }

  viewer_certificate {
    cloudfront_default_certificate = !local.frontend_custom_cert
    acm_certificate_arn            = local.frontend_custom_cert ? var.cloudfront_acm_certificate_arn : null
    ssl_support_method             = local.frontend_custom_cert ? "sni-only" : null
    minimum_protocol_version       = local.frontend_custom_cert ? "TLSv1.2_2021" : "TLSv1"
  }

  depends_on = [aws_s3_bucket_ownership_controls.logs]
}
