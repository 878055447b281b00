resource "aws_backup_vault" "this" {
  count = var.database_enabled ? 1 : 0

  name        = local.name
  kms_key_arn = aws_kms_key.this.arn
}

resource "aws_backup_plan" "this" {
  count = var.database_enabled ? 1 : 0

  name = local.name

  rule {
    rule_name         = "daily"
    target_vault_name = aws_backup_vault.this[0].name
    schedule          = "cron(0 3 * * ? *)"
    start_window      = 60
    completion_window = 180

    lifecycle {
      delete_after = 35
    }
  }
}

data "aws_iam_policy_document" "backup_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["backup.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "backup" {
  count = var.database_enabled ? 1 : 0

  name               = "${local.name}-backup"
  description        = "AWS Backup for ${local.name}"
  assume_role_policy = data.aws_iam_policy_document.backup_assume.json
}

resource "aws_iam_role_policy_attachment" "backup" {
  count = var.database_enabled ? 1 : 0

  role       = aws_iam_role.backup[0].name
  policy_arn = "arn:${local.partition}:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup"
}

# Restores (operations/restore-database.md) run with the same role, so it may create the restored
# instance from a recovery point.
resource "aws_iam_role_policy_attachment" "backup_restores" {
  count = var.database_enabled ? 1 : 0

  role       = aws_iam_role.backup[0].name
  policy_arn = "arn:${local.partition}:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores"
}

resource "aws_backup_selection" "database" {
  count = var.database_enabled && var.enable_backup_selection ? 1 : 0

  name         = "${local.name}-db"
  plan_id      = aws_backup_plan.this[0].id
  iam_role_arn = aws_iam_role.backup[0].arn
  resources    = [aws_db_instance.this[0].arn]
}
