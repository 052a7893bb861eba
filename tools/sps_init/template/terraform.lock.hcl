# This file is maintained automatically by "terraform init".
# Manual edits may be lost in future updates.

provider "registry.terraform.io/oneidentity/sps" {
  version     = "0.1.0"
  constraints = ">= 0.1.0"
  hashes = [
    "h1:9JOF9n2/ZOIHTk2ZcXg0ZbFVrd522W7uBabqsq/FreM=",
  ]
}
