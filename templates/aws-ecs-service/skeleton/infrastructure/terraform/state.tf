terraform {
  backend "s3" {
    bucket       = "${{ values.stateBucket }}"
    key          = "${{ values.name }}/${{ values.environment }}/terraform.tfstate"
    region       = "${{ values.awsRegion }}"
    encrypt      = true
    use_lockfile = true
  }
}
