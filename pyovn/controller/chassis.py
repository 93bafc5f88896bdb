"""The chassis' own rows in the southbound database: Chassis, its Encaps
and Chassis_Private (ovn-sb(5)).  Registered (and kept up to date with the
configuration) while running, removed on a graceful exit."""

from pyovn.db.idl import value

# Features a 23.03 chassis advertises in Chassis.other_config; northd only
# uses a feature when every chassis has it.
FEATURES = {
    "ct-no-masked-label": "true",
    "mac-binding-timestamp": "true",
    "ovn-ct-lb-related": "true",
    "port-up-notif": "true",
}


def desired_other_config(cfg, iface_types=()):
    oc = dict(FEATURES)
    oc.update({
        "datapath-type": "system",
        "iface-types": ",".join(sorted(iface_types)),
        "is-interconn": "false",
        "ovn-bridge-mappings": ",".join("%s:%s" % m for m in cfg.bridge_mappings),
        "ovn-chassis-mac-mappings": cfg.chassis_mac_mappings,
        "ovn-cms-options": cfg.cms_options,
        "ovn-enable-lflow-cache": "true",
        "ovn-monitor-all": "true" if cfg.monitor_all else "false",
    })
    return oc


def desired_encaps(cfg):
    """[(type, ip, options)] this chassis offers."""
    opts = {"csum": "true" if cfg.encap_csum else "false"}
    return [(t, ip, dict(opts)) for t in cfg.encap_types for ip in cfg.encap_ips]


def _encap_tuple(e):
    return (e.type, e.ip, dict(e.options))


def find(sb, name):
    return sb.lookup_one("Chassis", name=name)


def in_sync(sb, cfg, iface_types=()):
    ch = find(sb, cfg.system_id)
    if ch is None:
        return False
    priv = sb.lookup_one("Chassis_Private", name=cfg.system_id)
    if priv is None or value(priv, "chassis") != ch:
        return False
    if ch.hostname != (cfg.hostname or "") or \
            dict(ch.other_config) != desired_other_config(cfg, iface_types) or \
            sorted(ch.transport_zones) != list(cfg.transport_zones):
        return False
    have = sorted((t, ip, sorted(o.items())) for t, ip, o in map(_encap_tuple, ch.encaps))
    want = sorted((t, ip, sorted(o.items())) for t, ip, o in desired_encaps(cfg))
    return have == want


def register(sb, cfg, iface_types=()):
    """Creates or updates the chassis rows (one transaction)."""
    def build(txn):
        ch = find(sb, cfg.system_id)
        if ch is None:
            ch = txn.insert(sb.tables["Chassis"])
            ch.name = cfg.system_id
        ch.hostname = cfg.hostname or ""
        ch.other_config = desired_other_config(cfg, iface_types)
        ch.transport_zones = list(cfg.transport_zones)
        have = {(e.type, e.ip): e for e in ch.encaps} if hasattr(ch, "encaps") else {}
        encaps = []
        for t, ip, opts in desired_encaps(cfg):
            e = have.pop((t, ip), None)
            if e is None:
                # The (type, ip) index is unique: an Encap left by an earlier
                # chassis of this name (crash) is reused.
                e = sb.lookup_one("Encap", type=t, ip=ip)
            if e is None:
                e = txn.insert(sb.tables["Encap"])
                e.type = t
                e.ip = ip
            e.options = opts
            e.chassis_name = cfg.system_id
            encaps.append(e)
        for e in have.values():
            e.delete()
        ch.encaps = encaps
        priv = sb.lookup_one("Chassis_Private", name=cfg.system_id)
        if priv is None:
            priv = txn.insert(sb.tables["Chassis_Private"])
            priv.name = cfg.system_id
        priv.chassis = [ch]
    sb.transact(build)


def unregister(sb, name):
    """Removes the chassis rows and releases every port bound to it."""
    def build(txn):
        ch = find(sb, name)
        for pb in sb.rows("Port_Binding"):
            if ch is not None and value(pb, "chassis") == ch:
                pb.chassis = []
                pb.up = [False]
            if ch is not None and ch in list(pb.additional_chassis):
                pb.additional_chassis = [c for c in pb.additional_chassis if c != ch]
        for e in sb.rows("Encap"):
            if e.chassis_name == name:
                e.delete()
        priv = sb.lookup_one("Chassis_Private", name=name)
        if priv is not None:
            priv.delete()
        if ch is not None:
            ch.delete()
    sb.transact(build)
