"""The chassis configuration, read from the local Open_vSwitch table's
external_ids (ovn-controller(8), "CONFIGURATION"), and the integration
bridge it names."""

from dataclasses import dataclass, field

ENCAP_TYPES = ("geneve", "stt", "vxlan")       # preference order
DEFAULT_BRIDGE = "br-int"


class ConfigError(ValueError):
    pass


@dataclass(frozen=True)
class Config:
    system_id: str = None
    hostname: str = None
    remote: str = None
    encap_types: tuple = ()
    encap_ips: tuple = ()
    encap_csum: bool = True
    bridge: str = DEFAULT_BRIDGE
    bridge_mappings: tuple = ()          # ((network, bridge), ...)
    chassis_mac_mappings: str = ""
    cms_options: str = ""
    transport_zones: tuple = ()
    monitor_all: bool = False
    probe_interval: int = None           # ms
    wait_before_clear: int = 0           # ms
    errors: tuple = field(default=(), compare=False)

    @property
    def complete(self):
        """Enough to register in the southbound database."""
        return bool(self.system_id and self.remote and self.encap_types
                    and self.encap_ips)

    def mapping(self, network):
        for net, br in self.bridge_mappings:
            if net == network:
                return br
        return None


def _split(text):
    return [x.strip() for x in (text or "").split(",") if x.strip()]


def _int(ext, key, errors, default=None):
    v = ext.get(key)
    if v in (None, ""):
        return default
    try:
        n = int(v)
        if n < 0:
            raise ValueError
        return n
    except ValueError:
        errors.append("external_ids:%s=%r is not a non-negative integer" % (key, v))
        return default


def parse(ext, hostname_fallback=None):
    """Config from the Open_vSwitch row's external_ids map EXT.  Bad values
    are reported in .errors and replaced by defaults."""
    errors = []
    types = []
    for t in _split(ext.get("ovn-encap-type")):
        if t not in ENCAP_TYPES:
            errors.append("external_ids:ovn-encap-type: unknown encapsulation %r "
                          "(use geneve, stt or vxlan)" % t)
        elif t not in types:
            types.append(t)
    mappings = []
    for item in _split(ext.get("ovn-bridge-mappings")):
        net, sep, br = item.partition(":")
        if not sep or not net or not br:
            errors.append("external_ids:ovn-bridge-mappings: bad entry %r "
                          "(expected NETWORK:BRIDGE)" % item)
            continue
        mappings.append((net.strip(), br.strip()))
    csum = ext.get("ovn-encap-csum", "true").lower() != "false"
    return Config(
        system_id=ext.get("system-id") or None,
        hostname=ext.get("hostname") or hostname_fallback,
        remote=ext.get("ovn-remote") or None,
        encap_types=tuple(types),
        encap_ips=tuple(_split(ext.get("ovn-encap-ip"))),
        encap_csum=csum,
        bridge=ext.get("ovn-bridge") or DEFAULT_BRIDGE,
        bridge_mappings=tuple(mappings),
        chassis_mac_mappings=ext.get("ovn-chassis-mac-mappings", ""),
        cms_options=ext.get("ovn-cms-options", ""),
        transport_zones=tuple(sorted(set(_split(ext.get("ovn-transport-zones"))))),
        monitor_all=ext.get("ovn-monitor-all", "false").lower() == "true",
        probe_interval=_int(ext, "ovn-remote-probe-interval", errors),
        wait_before_clear=_int(ext, "ovn-ofctrl-wait-before-clear", errors, 0),
        errors=tuple(errors))


def ensure_bridge(ovsdb, name):
    """Creates bridge NAME (fail-mode secure, in-band disabled) in the local
    OVS DB if it is missing.  Returns True if it wrote something."""
    if ovsdb.find_one("Bridge", name=name):
        return False

    def build(txn):
        if ovsdb.find_one("Bridge", name=name):
            return False
        root = ovsdb.rows("Open_vSwitch")[0]
        iface = txn.insert(ovsdb.tables["Interface"])
        iface.name = name
        iface.type = "internal"
        port = txn.insert(ovsdb.tables["Port"])
        port.name = name
        port.interfaces = [iface]
        br = txn.insert(ovsdb.tables["Bridge"])
        br.name = name
        br.fail_mode = ["secure"]
        br.other_config = {"disable-in-band": "true"}
        br.ports = [port]
        root.verify("bridges")
        root.bridges = list(root.bridges) + [br]
    ovsdb.transact(build)
    return True
