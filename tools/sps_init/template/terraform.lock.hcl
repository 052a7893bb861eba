# This file is maintained automatically by "terraform init".
# Manual edits may be lost in future updates.

provider "registry.terraform.io/oneidentity/sps" {
  version     = "0.1.0"
  constraints = ">= 0.1.0"
  hashes = [
    "h1:4apAWk617F3F2xbgDZ+uPfmPJzEu01ziLVYQ3uyI6o8=",
  ]
}
