# IAM OIDC identity provider so GitHub Actions workflows can assume roles without long-lived keys.
# Roles created by service stacks trust it with a `sub` condition pinned to repository and environment.
locals {
  # GitHub Actions' token issuer: github.com's, a GHE.com host's, or a GitHub Enterprise Server's.
  github_oidc_issuer = (
    var.github_host == "github.com" ? "token.actions.githubusercontent.com" :
    endswith(var.github_host, ".ghe.com") ? "token.actions.${var.github_host}" :
    "${var.github_host}/_services/token"
  )
}

resource "aws_iam_openid_connect_provider" "github" {
  count = var.create_github_oidc_provider ? 1 : 0

  url             = "https://${local.github_oidc_issuer}"
  client_id_list  = ["sts.amazonaws.com"]
  thumbprint_list = var.github_oidc_thumbprints
}

locals {
  github_oidc_provider_arn = var.create_github_oidc_provider ? aws_iam_openid_connect_provider.github[0].arn : var.existing_github_oidc_provider_arn
}
