# The README's plain HCL example. Its .terraform.lock.hcl is committed: `make lock` writes it
# from the provider package, and `terraform init` verifies the package against it in any clone.
terraform {
  required_version = ">= 1.11"
  required_providers {
    sps = {
      source  = "oneidentity/sps"
      version = ">= 0.1.0"
    }
  }
}

# url, ca_bundle, username and password come from SPS_URL, SPS_CA_BUNDLE, SPS_USERNAME, SPS_PASSWORD.
provider "sps" {}

data "sps_mssql_channel_policy" "default" {
  name = "default"
}

resource "sps_audit_policy" "signed" {
  name                 = "timestamped"
  encryption           = { enabled = false }
  signing              = { enabled = false }
  timestamping_enabled = true
}

resource "sps_mssql_options" "this" {
  service = { enabled = true, log_level = 4 }
}
