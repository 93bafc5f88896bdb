"""A multi-chassis OVN deployment on one machine, built of real parts:
ovsdb-server, ovs-vswitchd on the dummy datapath with real tunnels over a
dummy underlay, northd and controllers (C peers or pyovn's).  See
docs/sandbox.md."""

from pyovn.sandbox.procs import SandboxError
from pyovn.sandbox.sandbox import Sandbox

__all__ = ["Sandbox", "SandboxError"]
