"""OpenFlow flows by cookie, for `pyovn trace --ovs`.

`ovs-ofctl dump-flows TARGET` (TARGET: a bridge name, found through
$OVS_RUNDIR as inside `pyovn sandbox shell`, an OpenFlow connection such
as unix:/var/run/openvswitch/br-int.mgmt, or with a sandbox the name of
one of its chassis) is read once; each flow is
filed under the 8 hex digits of its cookie, which ovn-controller sets to
the first 32 bits of the Logical_Flow's UUID.  Counters and ages are
dropped so the lines stay short.
"""

import os
import re

from pyovn.util import proc

NOISE = re.compile(r"\s*(duration|n_packets|n_bytes|idle_age|hard_age|idle_timeout)"
                   r"=[^,\s]*,?")


def parse_dump(text):
    """{cookie as 8 hex digits: [flow text without cookie and counters]}."""
    out = {}
    for line in text.splitlines():
        line = line.strip()
        m = re.match(r"cookie=0x([0-9a-f]+),\s*(.*)$", line)
        if not m:
            continue
        cookie = int(m.group(1), 16) & 0xffffffff
        body = NOISE.sub("", m.group(2)).strip().lstrip(",").strip()
        out.setdefault("%08x" % cookie, []).append(body)
    return out


def flows_by_cookie(target="br-int", sandbox=None):
    """Runs ovs-ofctl dump-flows on TARGET; raises proc.ProcError naming
    the problem when it cannot.  With SANDBOX (a pyovn.sandbox.Sandbox),
    TARGET may name one of its chassis: that chassis' br-int is read."""
    env = None
    if sandbox is not None and target in sandbox.chassis_names():
        env = dict(os.environ, **sandbox.env(target))
        target = "br-int"
    text = proc.run([proc.which("ovs-ofctl"), "dump-flows", target], env=env)
    return parse_dump(text)
