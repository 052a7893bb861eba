# This file is maintained automatically by "terraform init".
# Manual edits may be lost in future updates.

provider "registry.terraform.io/oneidentity/sps" {
  version     = "0.1.0"
  constraints = ">= 0.1.0"
  hashes = [
    "h1:i7Tnp+NMX3t+OqAEXh836Mc99FvI776ujwo8JM5Jvwg=",
  ]
}
