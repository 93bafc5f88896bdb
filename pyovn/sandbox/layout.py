"""Where everything of a sandbox lives inside its directory, declared once.

    DIR/state.json                 what `up` built (chassis, processes, VIFs)
    DIR/ovn/                       NB and SB ovsdb-servers, northd
    DIR/underlay/                  the underlay switch: its own ovsdb-server
                                   and ovs-vswitchd, one unix socket per
                                   chassis, pcaps of everything on the wire
    DIR/hvN/                       chassis N: ovsdb-server, ovs-vswitchd,
                                   controller, VIF pcaps

Unix socket paths must stay under 108 bytes, so keep DIR short.
"""

import os

STATE_FILE = "state.json"
OVN_SUBDIR = "ovn"
UNDERLAY_SUBDIR = "underlay"

UNDERLAY_BRIDGE = "underlay"     # bridge in the underlay vswitchd
PHYS_BRIDGE = "br-phys"          # each chassis' physical bridge
PHYS_PORT = "ul0"                # br-phys's port to the underlay
INT_BRIDGE = "br-int"

PHYSNET = "physnet1"             # ovn-bridge-mappings=physnet1:br-phys, for
                                 # localnet ports: the underlay is also the
                                 # shared provider network
UNDERLAY_NET = "192.168.0."      # chassis N gets 192.168.0.N/24
UNDERLAY_PREFIX = 24
MAX_CHASSIS = 250
SOCKET_PATH_MAX = 100            # sun_path is 108 bytes with the NUL

ENCAPS = ("geneve", "vxlan", "stt")

# Each chassis sends one probe frame onto the underlay at start-up, to know
# that the underlay switch has accepted its wire.  The underlay drops them
# and the sandbox hides them from captures.
PROBE_ETHERTYPE = 0x88b5         # IEEE "local experimental"


def chassis_name(index):
    return "hv%d" % index


def is_own_subdir(name):
    """True for the subdirectories a sandbox creates (and may remove)."""
    return name in (OVN_SUBDIR, UNDERLAY_SUBDIR) or (
        name.startswith("hv") and name[2:].isdigit())


def chassis_ip(index):
    return "%s%d" % (UNDERLAY_NET, index)


def chassis_mac(index):
    """The distinct br-phys MAC of chassis INDEX (dummy bridges would all
    get the same one otherwise)."""
    return "aa:55:aa:55:%02x:%02x" % (index >> 8, index & 0xff)


class Paths:
    def __init__(self, root):
        self.root = os.path.abspath(root)

    @property
    def state(self):
        return os.path.join(self.root, STATE_FILE)

    @property
    def ovn(self):
        return os.path.join(self.root, OVN_SUBDIR)

    @property
    def underlay(self):
        return os.path.join(self.root, UNDERLAY_SUBDIR)

    def chassis(self, name):
        return os.path.join(self.root, name)

    def underlay_socket(self, name):
        return os.path.join(self.underlay, name + ".sock")

    def underlay_pcap(self, name, direction):
        """What the underlay switch received from (rx) / sent to (tx)
        chassis NAME."""
        return os.path.join(self.underlay, "%s-%s.pcap" % (name, direction))

    def vif_pcap(self, chassis, vif, direction):
        """rx: what the VIF sent into OVS (injected); tx: what OVS
        delivered to the VIF."""
        return os.path.join(self.chassis(chassis), "%s-%s.pcap" % (vif, direction))

    def longest_socket(self):
        return os.path.join(self.chassis(chassis_name(MAX_CHASSIS)), INT_BRIDGE + ".snoop")
