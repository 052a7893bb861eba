"""Typed CDK for Terraform constructs for One Identity Safeguard for Privileged Sessions (SPS).

`Appliance(stack, "eu", url=...)` is one SPS box (a provider alias); the generated classes in
`sps_constructs.types` (one per catalog type) configure it:

    audit = AuditPolicy(sps, "signed", name="signed", encryption=AuditPolicyEncryptionDisabled(), ...)
    MssqlConnectionPolicy(sps, "db", ..., policies=MssqlConnectionPolicyPolicies(audit_policy=audit, ...))
"""

import os

# Node's end-of-life banner: sps_constructs_node.pth sets this at interpreter start, before a stack's
# `import cdktf` starts the jsii kernel; this covers environments without the .pth (editable installs).
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "18,20")

from sps_constructs.appliance import Appliance as Appliance
from sps_constructs.appliance import SpsProvider as SpsProvider
from sps_constructs.baseline import SpsBaseline as SpsBaseline
from sps_constructs.errors import SpsConfigError as SpsConfigError
from sps_constructs.generic import DataSpsObject as DataSpsObject
from sps_constructs.generic import SpsObject as SpsObject
from sps_constructs.generic import SpsSettings as SpsSettings
from sps_constructs.secrets import ephemeral_variable as ephemeral_variable
from sps_constructs.types import *  # noqa: F403
