service_name = "${{ values.name }}"
description  = ${{ values.description | dump }}
owner        = "${{ values.owner }}"
{%- if values.system %}
system       = "${{ values.system }}"
{%- endif %}
environment  = "${{ values.environment }}"

aws_account_id = "${{ values.awsAccountId }}"
aws_region     = "${{ values.awsRegion }}"
vpc_cidr       = "${{ values.vpcCidr }}"

task_cpu      = ${{ values.taskCpu }}
task_memory   = ${{ values.taskMemory }}
desired_count = ${{ values.desiredCount }}

database_enabled         = ${{ values.databaseEnabled }}
db_instance_class        = "${{ values.dbInstanceClass }}"
db_allocated_storage     = ${{ values.dbAllocatedStorage }}
db_multi_az              = ${{ values.dbMultiAz }}
db_backup_retention_days = ${{ values.dbBackupRetentionDays }}

domain_name    = "${{ values.domainName }}"
hosted_zone_id = "${{ values.hostedZoneId }}"

monthly_budget_usd  = ${{ values.monthlyBudgetUsd }}
alert_email         = "${{ values.alertEmail }}"
deployment_strategy = "${{ values.deploymentStrategy }}"

state_bucket      = "${{ values.stateBucket }}"
state_kms_key_arn = "${{ values.stateKmsKeyArn }}"
github_host       = "${{ values.githubHost }}"
github_owner      = "${{ values.githubOwner }}"
github_repo       = "${{ values.githubRepo }}"

# Read from GitHub after the template created the repository: its OIDC subject names them.
github_owner_id      = "${{ values.githubOwnerId }}"
github_repository_id = "${{ values.githubRepositoryId }}"
