"""The project's harness: simulators as real processes and a terraform runner.

Used by `make demo`, the end-to-end tests and the benchmarks, so all three drive the same
real components the same way.
"""

from sps_harness.simulator import RunningSimulator, start_simulator
from sps_harness.terraform import Terraform, TerraformError, provider_python

__all__ = ["RunningSimulator", "Terraform", "TerraformError", "provider_python", "start_simulator"]
