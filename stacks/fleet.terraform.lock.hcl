# This file is maintained automatically by "terraform init".
# Manual edits may be lost in future updates.

provider "registry.terraform.io/oneidentity/sps" {
  version     = "0.1.0"
  constraints = ">= 0.1.0"
  hashes = [
    "h1:SFxzBn8aKvaY+uX1xU9rbLbu2EdpLw8F7MuJ6zVwLak=",
  ]
}
