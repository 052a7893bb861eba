"""`sps-export`: adopt a running appliance as code.

Reads every managed and singleton type the catalog knows from one appliance, read-only (a login
and GETs: no transaction, nothing written), and writes the same configuration as a CDKTF Python
stack and as HCL, each with an import block per object, so that the first `terraform plan` shows
imports only. `reader` reads, `values` turns SPS bodies into minimal attribute trees (references
and secrets marked), `selection` decides what each object becomes (resource, lookup, or reported),
`hcl` and `python` render, `readme` lists what the user must supply and what was not exported,
`check` runs the security baseline (`--check`), `cli` is the command.
"""
