# Two appliances with different credentials: one provider block each, told apart by `alias`.
# The environment variables (SPS_USERNAME, ...) can serve one appliance only, so the credentials
# come from ephemeral variables, which never reach a plan or state file:
#   TF_VAR_eu_username=... TF_VAR_eu_password=... TF_VAR_us_username=... TF_VAR_us_password=... terraform apply
terraform {
  required_providers {
    sps = { source = "oneidentity/sps" }
  }
}

variable "eu_username" {
  type = string
}

variable "eu_password" {
  type      = string
  sensitive = true
  ephemeral = true
}

variable "us_username" {
  type = string
}

variable "us_password" {
  type      = string
  sensitive = true
  ephemeral = true
}

provider "sps" {
  alias     = "eu"
  url       = "https://sps-eu.example.net"
  username  = var.eu_username
  password  = var.eu_password
  ca_bundle = "/etc/ssl/sps-eu-ca.pem"
}

provider "sps" {
  alias          = "us"
  url            = "https://sps-us.example.net"
  username       = var.us_username
  password       = var.us_password
  ca_bundle      = "/etc/ssl/sps-us-ca.pem"
  lock_timeout   = 600
  commit_message = "Terraform: audit policies"
}

resource "sps_audit_policy" "eu" {
  provider             = sps.eu
  name                 = "timestamped"
  encryption           = { enabled = false }
  signing              = { enabled = false }
  timestamping_enabled = true
}

resource "sps_audit_policy" "us" {
  provider             = sps.us
  name                 = "timestamped"
  encryption           = { enabled = false }
  signing              = { enabled = false }
  timestamping_enabled = true
}
