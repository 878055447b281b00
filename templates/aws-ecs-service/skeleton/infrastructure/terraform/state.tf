terraform {
  backend "s3" {
    bucket       = "${{ values.stateBucket }}"
    key          = "${{ values.name }}/${{ values.environment }}/terraform.tfstate"
    # The bucket's region, which is its KMS key's: not necessarily the service's region.
    region       = "${{ values.stateRegion }}"
    encrypt      = true
    kms_key_id   = "${{ values.stateKmsKeyArn }}"
    use_lockfile = true
  }
}
