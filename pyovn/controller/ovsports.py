"""Ports the controller owns in the local Open_vSwitch database:

* one tunnel port per remote chassis, `ovn-<chassis>-0`, of the
  encapsulation both chassis support (Geneve preferred, then STT, then
  VXLAN), with options remote_ip, key=flow (and csum for Geneve/STT when
  the remote Encap asks for it); external_ids:ovn-chassis-id names the
  chassis;
* for each localnet port of a local datapath whose network has a bridge
  mapping, a pair of patch ports `patch-br-int-to-<ln>` (on the
  integration bridge) and `patch-<ln>-to-br-int` (on the mapped bridge),
  external_ids:ovn-localnet-port=<ln>.

`desired(...)` computes what should exist, `sync(...)` writes the
difference in one transaction."""

from pyovn.controller.config import ENCAP_TYPES
from pyovn.db.idl import value

IFNAMSIZ = 15
TUNNEL_KEY = "ovn-chassis-id"
LOCALNET_KEY = "ovn-localnet-port"


def tunnel_name(chassis_name, taken):
    base = chassis_name[:IFNAMSIZ - len("ovn--0")]
    name = "ovn-%s-0" % base
    i = 0
    while name in taken:
        i += 1
        name = "ovn-%s-%d" % (base[:IFNAMSIZ - len("ovn--") - len(str(i))], i)
    return name


def choose_encap(my_types, chassis):
    """(type, ip, options) of CHASSIS' encap to use, or None."""
    theirs = {}
    for e in chassis.encaps:
        theirs.setdefault(e.type, e)
    for t in ENCAP_TYPES:
        if t in my_types and t in theirs:
            e = theirs[t]
            return t, e.ip, dict(e.options)
    return None


def is_vtep(chassis):
    return chassis.other_config.get("is-vtep") == "true"


def zones_match(mine, chassis):
    """Transport zones: chassis in no zone reach everyone; otherwise they
    must share one."""
    theirs = set(chassis.transport_zones)
    if not mine or not theirs:
        return True
    return bool(set(mine) & theirs)


def desired_tunnels(sb, cfg):
    """{chassis name: (type, remote_ip, csum)}."""
    out = {}
    for ch in sb.rows("Chassis"):
        if ch.name == cfg.system_id:
            continue
        if not zones_match(cfg.transport_zones, ch):
            continue
        if is_vtep(ch):
            # VTEP gateways (ramp switches) speak VXLAN whatever this
            # chassis uses between hypervisors.
            enc = choose_encap(("vxlan",), ch)
        else:
            enc = choose_encap(cfg.encap_types, ch)
        if enc is None:
            continue
        t, ip, opts = enc
        out[ch.name] = (t, ip, opts.get("csum", "false") == "true" and t != "vxlan")
    return out


def _iface_options(t, ip, csum, local_ip=None):
    opts = {"remote_ip": ip, "key": "flow"}
    if csum:
        opts["csum"] = "true"
    if local_ip:
        opts["local_ip"] = local_ip
    return opts


def current_tunnels(ovsdb, bridge):
    """{chassis name: (Port row, Interface row)} on BRIDGE."""
    out = {}
    for port in bridge.ports:
        cid = port.external_ids.get(TUNNEL_KEY)
        if cid and port.interfaces:
            out[cid] = (port, port.interfaces[0])
    return out


def localnet_pairs(st, cfg):
    """{ln port name: mapped bridge name} for localnets of local datapaths."""
    out = {}
    for p in st.ports.values():
        if p.type == "localnet" and p.dp.uuid in st.local_dps:
            br = cfg.mapping(p.network)
            if br:
                out[p.name] = br
    return out


def patch_names(ln, bridge="br-int"):
    return "patch-%s-to-%s" % (bridge, ln), "patch-%s-to-%s" % (ln, bridge)


BFD_ON = {"enable": "true", "check_tnl_key": "true"}


def bfd_alive(iface):
    """Liveness of the chassis at the far end of tunnel IFACE: False only
    once BFD has been up and is now down (a session that never came up
    says nothing, so two gateways starting together do not both claim)."""
    st = dict(iface.bfd_status)
    if not dict(iface.bfd) or not st:
        return True
    if st.get("state") == "up" and st.get("forwarding", "true") == "true":
        return True
    # A session that went down says why (detection time expired, neighbor
    # signalled down, ...); one that never came up has no diagnostic.
    return st.get("diagnostic", "No Diagnostic") in ("", "No Diagnostic")


def sync(ovsdb, cfg, br_int, tunnels, localnets, ct_ids=None, bfd=()):
    """Makes the OVS DB hold exactly the wanted tunnel and patch ports (and
    br-int external_ids CT_IDS when given).  Returns True if it wrote."""
    cur = current_tunnels(ovsdb, br_int)
    local_ip = cfg.encap_ips[0] if len(cfg.encap_ips) > 1 else None
    want_t = {}
    bfd_fix = []
    for name, (t, ip, csum) in tunnels.items():
        want_t[name] = (t, _iface_options(t, ip, csum, local_ip))
    ok = set()
    for name, (t, opts) in want_t.items():
        have = cur.get(name)
        want_bfd = BFD_ON if name in bfd else {}
        if have and have[1].type == t and dict(have[1].options) == opts:
            ok.add(name)
            if dict(have[1].bfd) != want_bfd:
                bfd_fix.append((have[1], want_bfd))
    bridges = {b.name: b for b in ovsdb.rows("Bridge")}
    cur_ln = {}
    for b in bridges.values():
        for port in b.ports:
            ln = port.external_ids.get(LOCALNET_KEY)
            if ln:
                cur_ln.setdefault(ln, {})[b.name] = port
    want_ln = {ln: br for ln, br in localnets.items() if br in bridges}
    ln_ok = all(set(cur_ln.get(ln, {})) == {cfg.bridge, br} for ln, br in want_ln.items()) \
        and set(cur_ln) == set(want_ln)
    ids_ok = ct_ids is None or dict(br_int.external_ids) == ct_ids
    if len(ok) == len(want_t) and set(cur) == set(want_t) and ln_ok and ids_ok \
            and not bfd_fix:
        return False

    def build(txn):
        brs = {b.name: b for b in ovsdb.rows("Bridge")}
        bi = brs.get(cfg.bridge)
        if bi is None:
            return False
        ports = {b.name: list(b.ports) for b in brs.values()}
        cur = current_tunnels(ovsdb, bi)
        taken = {p.name for p in bi.ports}
        for name, (port, iface) in cur.items():
            if name not in want_t or name not in ok:
                ports[bi.name].remove(port)
                taken.discard(port.name)
        for name, (t, opts) in want_t.items():
            if name in ok:
                continue
            iface = txn.insert(ovsdb.tables["Interface"])
            iface.name = tunnel_name(name, taken)
            taken.add(iface.name)
            iface.type = t
            iface.options = opts
            if name in bfd:
                iface.bfd = dict(BFD_ON)
            port = txn.insert(ovsdb.tables["Port"])
            port.name = iface.name
            port.interfaces = [iface]
            port.external_ids = {TUNNEL_KEY: name}
            ports[bi.name].append(port)
        # localnet patch pairs: rebuild those that are not exactly right.
        for b in brs.values():
            for port in list(ports[b.name]):
                ln = port.external_ids.get(LOCALNET_KEY)
                if ln and (ln not in want_ln or b.name not in (cfg.bridge, want_ln[ln])):
                    ports[b.name].remove(port)
        for ln, br in want_ln.items():
            have = {b: p for b, p in cur_ln.get(ln, {}).items()
                    if p in ports.get(b, [])}
            int_name, ext_name = patch_names(ln, cfg.bridge)
            for on_br, name, peer in ((cfg.bridge, int_name, ext_name),
                                      (br, ext_name, int_name)):
                if on_br in have:
                    continue
                iface = txn.insert(ovsdb.tables["Interface"])
                iface.name = name
                iface.type = "patch"
                iface.options = {"peer": peer}
                port = txn.insert(ovsdb.tables["Port"])
                port.name = name
                port.interfaces = [iface]
                port.external_ids = {LOCALNET_KEY: ln}
                ports[on_br].append(port)
        for b in brs.values():
            if ports[b.name] != list(b.ports):
                b.ports = ports[b.name]
        for iface, want_bfd in bfd_fix:
            iface.bfd = dict(want_bfd)
        if ct_ids is not None and dict(bi.external_ids) != ct_ids:
            bi.external_ids = ct_ids
    ovsdb.transact(build)
    return True


def ofports(br_int):
    """{interface name: ofport} of BR_INT's interfaces that have one."""
    out = {}
    for port in br_int.ports:
        for iface in port.interfaces:
            of = value(iface, "ofport")
            if of is not None and of > 0:
                out[iface.name] = of
    return out
