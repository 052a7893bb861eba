# This file is maintained automatically by "terraform init".
# Manual edits may be lost in future updates.

provider "registry.terraform.io/oneidentity/sps" {
  version     = "0.1.0"
  constraints = ">= 0.1.0"
  hashes = [
    "h1:BmSa9Xom1mcJTi5fW6Gd2jtb24LxAwH+3KlgYPv0V1U=",
  ]
}
