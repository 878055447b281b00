# The bucket's region is its KMS key's (the platform stack's kms_key_arn), not necessarily the
# service's region.
terraform {
  backend "s3" {
    bucket       = "${{ values.stateBucket }}"
    key          = "${{ values.name }}/${{ values.environment }}/terraform.tfstate"
    region       = "${{ values.stateRegion }}"
    encrypt      = true
    kms_key_id   = "${{ values.stateKmsKeyArn }}"
    use_lockfile = true
  }
}
