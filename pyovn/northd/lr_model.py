"""Router-side model: what the router flow builders need beyond model.py.

prepare(model, problems) runs after model.build() and before tunnel keys
are assigned.  For every logical router it works out

  * whether it is a gateway router (options:chassis),
  * its distributed gateway ports (DGPs: gateway_chassis rows,
    ha_chassis_group or options:redirect-chassis) and, for each, the
    chassisredirect port "cr-<lrp>" (dp.cr_ports / lrp.cr_port, which
    sb_core binds),
  * its NAT entries, static routes and policies, parsed and checked (a bad
    row is reported once, naming the row and column, and skipped),
  * its load balancers (Logical_Router.load_balancer + groups).
"""

import ipaddress

from pyovn.northd import addresses as addr
from pyovn.northd.model import opt


class CrPort:
    """The chassisredirect port of a distributed gateway port."""

    kind = "cr"
    type = "chassisredirect"

    def __init__(self, base):
        self.base = base
        self.dp = base.dp
        self.name = "cr-" + base.name
        self.uuid = base.uuid
        self.key = None
        self.options = {}            # no requested tunnel key for cr ports
        self.enabled = True

    def __repr__(self):
        return "<CrPort %s>" % self.name


class Nat:
    def __init__(self, row, type_, external_ip, logical_ip, logical_port=None,
                 external_mac=None, stateless=False, gateway_port=None):
        self.row = row
        self.type = type_
        self.external_ip = external_ip        # ipaddress address
        self.logical_ip = logical_ip          # ipaddress network
        self.logical_port = logical_port
        self.external_mac = external_mac
        self.stateless = stateless
        self.gateway_port = gateway_port      # Port (a DGP) or None
        self.external_port_range = opt(getattr(row, "external_port_range", ""), "")
        self.allowed = opt(getattr(row, "allowed_ext_ips", []))
        self.exempted = opt(getattr(row, "exempted_ext_ips", []))

    @property
    def v(self):
        return "ip4" if self.external_ip.version == 4 else "ip6"

    @property
    def logical_ip_text(self):
        n = self.logical_ip
        if n.prefixlen == n.max_prefixlen:
            return str(n.network_address)
        return "%s/%d" % (n.network_address, n.prefixlen)

    @property
    def distributed(self):
        return bool(self.logical_port and self.external_mac)


class Route:
    def __init__(self, row, prefix, nexthop, out_port, policy, table, ecmp_sym):
        self.row = row
        self.prefix = prefix                  # ipaddress network
        self.nexthop = nexthop                # ipaddress address, or None
        self.out_port = out_port              # Port
        self.policy = policy                  # "dst-ip" / "src-ip"
        self.route_table = table
        self.ecmp_symmetric_reply = ecmp_sym

    @property
    def v(self):
        return "ip4" if self.prefix.version == 4 else "ip6"


def _net(text):
    n = ipaddress.ip_network(text, strict=False)
    return n


def _report(problems, table, row, column, reason):
    problems.report(table, row.uuid, column, reason)


def prepare(m, problems):
    m.lr_by_port = {}
    for dp in m.routers:
        dp.is_gw_router = bool(dp.options.get("chassis"))
        dp.cr_ports = []
        dp.dgps = []
        for p in dp.ports:
            p.cr_port = None
            gcs = list(getattr(p.row, "gateway_chassis", []) or [])
            hag = opt(getattr(p.row, "ha_chassis_group", []))
            redirect = p.options.get("redirect-chassis")
            if gcs or hag is not None or redirect:
                if dp.is_gw_router:
                    problems.report("Logical_Router_Port", p.uuid, "gateway_chassis",
                                    "gateway chassis on a port of gateway router '%s' "
                                    "ignored (the router is bound to chassis %s)"
                                    % (dp.display_name, dp.options["chassis"]))
                    continue
                cr = CrPort(p)
                p.cr_port = cr
                p.gateway_chassis = sorted(gcs, key=lambda g: (-g.priority, g.chassis_name))
                p.ha_group = hag
                p.redirect_chassis = redirect
                dp.cr_ports.append(cr)
                dp.dgps.append(p)
        dp.bfd_ports = set()
        for row in getattr(dp.row, "static_routes", []) or []:
            bfd = opt(getattr(row, "bfd", []))
            if bfd is not None and bfd.logical_port in {p.name for p in dp.ports}:
                dp.bfd_ports.add(bfd.logical_port)
        dp.nats = _parse_nats(dp, problems)
        dp.routes = _parse_routes(dp, problems)
        dp.policies = sorted(getattr(dp.row, "policies", []) or [],
                             key=lambda r: (-r.priority, r.match))
        lbs = list(getattr(dp.row, "load_balancer", []) or [])
        for grp in getattr(dp.row, "load_balancer_group", []) or []:
            lbs.extend(grp.load_balancer)
        dp.lbs = lbs
        dp.lb_vips = parse_lb_vips(lbs, problems)
        if dp.nats and not dp.is_gw_router and not dp.dgps:
            problems.report("Logical_Router", dp.uuid, "nat",
                            "router '%s' has NAT rules but neither a distributed "
                            "gateway port nor options:chassis; NAT is not applied"
                            % dp.display_name)


def _parse_nats(dp, problems):
    out = []
    for row in sorted(getattr(dp.row, "nat", []) or [],
                      key=lambda r: (r.type, r.external_ip, r.logical_ip)):
        try:
            ext = ipaddress.ip_address(row.external_ip)
        except ValueError:
            _report(problems, "NAT", row, "external_ip",
                    "'%s' is not an IP address; NAT rule ignored" % row.external_ip)
            continue
        try:
            if row.type == "snat":
                lip = _net(row.logical_ip)
            else:   # dnat, dnat_and_snat: one address
                lip = ipaddress.ip_network(ipaddress.ip_address(row.logical_ip))
        except ValueError:
            _report(problems, "NAT", row, "logical_ip",
                    "'%s' is not a valid %s; NAT rule ignored"
                    % (row.logical_ip, "network" if row.type == "snat" else "address"))
            continue
        if lip.version != ext.version:
            _report(problems, "NAT", row, "logical_ip",
                    "address families of external_ip and logical_ip differ; "
                    "NAT rule ignored")
            continue
        lport = opt(row.logical_port)
        emac = opt(row.external_mac)
        if emac:
            try:
                emac = addr.parse_mac(emac)
            except addr.AddressError as e:
                _report(problems, "NAT", row, "external_mac", "%s; NAT rule ignored" % e)
                continue
        if (lport is None) != (emac is None) and row.type == "dnat_and_snat":
            lport = emac = None
        if row.type != "dnat_and_snat":
            lport = emac = None
        stateless = row.options.get("stateless") == "true" and row.type == "dnat_and_snat"
        gwp = None
        gp = opt(getattr(row, "gateway_port", []))
        if gp is not None:
            gwp = next((p for p in dp.dgps if p.uuid == str(gp.uuid)), None)
            if gwp is None:
                _report(problems, "NAT", row, "gateway_port",
                        "gateway_port is not a distributed gateway port of router "
                        "'%s'; NAT rule ignored" % dp.display_name)
                continue
        elif len(dp.dgps) > 1:
            # Several DGPs: the one whose networks hold the external IP.
            gwp = next((p for p in dp.dgps if p.lrp_networks and any(
                ext in ip.network for ip in p.lrp_networks.ips)), None)
            if gwp is None:
                _report(problems, "NAT", row, "gateway_port",
                        "router '%s' has several distributed gateway ports and none "
                        "holds %s; NAT rule ignored" % (dp.display_name, ext))
                continue
        elif dp.dgps:
            gwp = dp.dgps[0]
        rng = opt(getattr(row, "external_port_range", ""), "") or ""
        if rng and not _valid_range(rng):
            _report(problems, "NAT", row, "external_port_range",
                    "'%s' is not a port or port range within 1-65535; NAT rule "
                    "ignored" % rng)
            continue
        out.append(Nat(row, row.type, ext, lip, lport, emac, stateless, gwp))
    return out


def _valid_range(text):
    lo, _, hi = text.partition("-")
    try:
        lo = int(lo)
        hi = int(hi) if hi else lo
    except ValueError:
        return False
    return 1 <= lo <= hi <= 65535


def _split_hostport(text):
    """"1.2.3.4:80" / "[::1]:80" / "1.2.3.4" -> (ipaddress, port or None);
    ValueError if malformed."""
    port = None
    if text.startswith("["):
        host, sep, rest = text[1:].partition("]")
        if not sep:
            raise ValueError("missing ']'")
        if rest:
            if not rest.startswith(":"):
                raise ValueError("junk after ']'")
            port = rest[1:]
    elif text.count(":") == 1:
        host, port = text.split(":")
    else:
        host = text
    ip = ipaddress.ip_address(host)
    if port is not None:
        if not port.isdigit() or not 1 <= int(port) <= 65535:
            raise ValueError("bad port '%s'" % port)
        port = str(int(port))
    return ip, port


def parse_lb_vips(lbs, problems):
    """[(lb row, vip text, port or None, proto, backends text)] of LBS with
    every VIP and backend checked; a bad VIP is reported and skipped."""
    out = []
    for lb in lbs:
        proto = opt(lb.protocol, "tcp") or "tcp"
        for vip, backends in sorted(lb.vips.items()):
            try:
                vip_ip, vport = _split_hostport(vip)
                for b in [x.strip() for x in backends.split(",") if x.strip()]:
                    bip, bport = _split_hostport(b)
                    if bip.version != vip_ip.version:
                        raise ValueError("backend '%s' is not of the VIP's family" % b)
                    if vport and not bport:
                        raise ValueError("backend '%s' has no port" % b)
            except ValueError as e:
                problems.report("Load_Balancer", lb.uuid, "vips",
                                "VIP '%s': %s; VIP ignored on routers" % (vip, e))
                continue
            out.append((lb, str(vip_ip), vport, proto, backends))
    return out


def _parse_routes(dp, problems):
    out = []
    for row in getattr(dp.row, "static_routes", []) or []:
        try:
            prefix = _net(row.ip_prefix)
        except ValueError:
            _report(problems, "Logical_Router_Static_Route", row, "ip_prefix",
                    "'%s' is not a valid prefix; route ignored" % row.ip_prefix)
            continue
        nexthop = None
        if row.nexthop and row.nexthop != "discard":
            try:
                nexthop = ipaddress.ip_address(row.nexthop)
            except ValueError:
                _report(problems, "Logical_Router_Static_Route", row, "nexthop",
                        "'%s' is not an IP address; route ignored" % row.nexthop)
                continue
            if nexthop.version != prefix.version:
                _report(problems, "Logical_Router_Static_Route", row, "nexthop",
                        "next hop %s and prefix %s differ in address family; "
                        "route ignored" % (row.nexthop, row.ip_prefix))
                continue
        elif row.nexthop != "discard":
            _report(problems, "Logical_Router_Static_Route", row, "nexthop",
                    "empty next hop; route ignored")
            continue
        policy = opt(row.policy, "dst-ip") or "dst-ip"
        out_name = opt(row.output_port)
        out_port = None
        if out_name:
            out_port = next((p for p in dp.ports if p.name == out_name), None)
            if out_port is None:
                _report(problems, "Logical_Router_Static_Route", row, "output_port",
                        "port '%s' is not a port of router '%s'; route ignored"
                        % (out_name, dp.display_name))
                continue
        elif nexthop is not None:
            out_port = find_port_for(dp, nexthop)
            if out_port is None:
                _report(problems, "Logical_Router_Static_Route", row, "nexthop",
                        "no port of router '%s' is on the network of next hop %s; "
                        "route ignored" % (dp.display_name, nexthop))
                continue
        bfd = opt(getattr(row, "bfd", []))
        if bfd is not None and getattr(bfd, "status", None) and \
                opt(bfd.status) == "down":
            continue
        out.append(Route(row, prefix, nexthop, out_port, policy,
                         row.route_table or "",
                         row.options.get("ecmp_symmetric_reply") == "true"))
    return out


def find_port_for(dp, ip, port=None):
    """The router port (and its network address) whose network holds IP."""
    cands = [port] if port is not None else dp.ports
    for p in cands:
        if not p.lrp_networks or not p.enabled:
            continue
        nets = p.lrp_networks.ipv4 if ip.version == 4 else p.lrp_networks.ipv6
        for n in nets:
            if ip in n.network:
                return p
    return None


def port_addr_for(p, ip):
    """P's network address on the same network as IP (or its first one)."""
    nets = p.lrp_networks.ipv4 if ip.version == 4 else p.lrp_networks.ipv6
    for n in nets:
        if ip in n.network:
            return n
    return nets[0] if nets else None


class SwitchExtras:
    """What a router adds to the switch-side flows of its peer port
    (ovn-northd(8) ls_in_l2_lkup): ARP/ND targets it answers for besides its
    own networks (NAT external addresses, LB VIPs on the port's networks),
    MACs it sends ARPs from (distributed NAT external MACs), and the
    unicast entries with their chassis residency (a DGP's MAC only on its
    gateway chassis, a distributed NAT MAC only on the VM's chassis)."""

    def __init__(self):
        self.ipv4 = []
        self.ipv6 = []
        self.macs = []
        self.l2 = {}          # mac -> ' && is_chassis_resident("...")'


def switch_extras(lsp):
    """SwitchExtras of router-type switch port LSP (empty ones when its
    peer is not a router port prepared by prepare())."""
    ex = SwitchExtras()
    lrp = lsp.peer
    if lrp is None or lrp.kind != "lrp" or lrp.lrp_networks is None or \
            not hasattr(lrp.dp, "nats"):
        return ex
    dp = lrp.dp
    nats = dp.nats if dp.is_gw_router else [n for n in dp.nats if n.gateway_port]
    for n in nats:
        if n.type in ("dnat", "dnat_and_snat"):
            lst = ex.ipv4 if n.external_ip.version == 4 else ex.ipv6
            if n.external_ip not in lst:
                lst.append(n.external_ip)
        if n.distributed and n.external_mac not in ex.macs:
            ex.macs.append(n.external_mac)
    if dp.is_gw_router or dp.dgps:
        nets = [ip.network for ip in lrp.lrp_networks.ips]
        for lb in dp.lbs:
            for vip in sorted(lb.vips):
                host = vip[1:].partition("]")[0] if vip.startswith("[") else \
                    vip.split(":")[0] if vip.count(":") == 1 else vip
                try:
                    ip = ipaddress.ip_address(host)
                except ValueError:
                    continue
                lst = ex.ipv4 if ip.version == 4 else ex.ipv6
                if any(ip in n for n in nets) and ip not in lst:
                    lst.append(ip)
    rcr = reside_cr(lrp)
    if rcr is not None:
        ex.l2[lrp.lrp_networks.mac] = ' && is_chassis_resident("%s")' % rcr.name
    cr = getattr(lrp, "cr_port", None)
    if cr is not None:
        if len(dp.dgps) == 1:
            ex.l2[lrp.lrp_networks.mac] = ' && is_chassis_resident("%s")' % cr.name
        # Distributed NAT MACs on every DGP's switch, on the VM's chassis.
        for n in nats:
            if n.distributed:
                ex.l2[n.external_mac] = ' && is_chassis_resident("%s")' % n.logical_port
    return ex


def reside_cr(lrp):
    """For a port with options:reside-on-redirect-chassis=true on a router
    with one distributed gateway port: that DGP's chassisredirect port (the
    port's router IPs are then answered only on the gateway chassis)."""
    if lrp.options.get("reside-on-redirect-chassis") != "true":
        return None
    if getattr(lrp, "cr_port", None) is not None:
        return None
    dgps = getattr(lrp.dp, "dgps", [])
    return dgps[0].cr_port if len(dgps) == 1 else None
