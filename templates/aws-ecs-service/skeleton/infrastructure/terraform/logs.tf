resource "aws_cloudwatch_log_group" "app" {
  name              = "/ecs/${local.name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.this.arn
}

resource "aws_cloudwatch_log_group" "flow_logs" {
  name              = "/vpc/${local.name}/flow-logs"
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.this.arn
}

# Application errors and flow-log rejects as metrics; both have alarms in monitoring.tf.
resource "aws_cloudwatch_log_metric_filter" "app_errors" {
  name           = "${local.name}-app-errors"
  log_group_name = aws_cloudwatch_log_group.app.name
  # The app logs JSON lines (pino) with the level as a label.
  pattern = "{ ($.level = \"error\") || ($.level = \"fatal\") }"

  metric_transformation {
    name          = "AppErrors"
    namespace     = "${var.service_name}/${var.environment}"
    value         = "1"
    default_value = "0"
  }
}

resource "aws_cloudwatch_log_metric_filter" "rejected_traffic" {
  name           = "${local.name}-rejected-traffic"
  log_group_name = aws_cloudwatch_log_group.flow_logs.name
  pattern        = "[version, account, eni, source, destination, srcport, destport, protocol, packets, bytes, windowstart, windowend, action=\"REJECT\", flowlogstatus]"

  metric_transformation {
    name          = "RejectedPackets"
    namespace     = "${var.service_name}/${var.environment}"
    value         = "1"
    default_value = "0"
  }
}
