"""IP address management for "dynamic" logical switch port addresses
(ovn-nb(5): Logical_Switch other_config:subnet, exclude_ips, ipv6_prefix,
mac_only; Logical_Switch_Port addresses "dynamic", "MAC dynamic",
"dynamic IP [IPV6]"; the result goes to dynamic_addresses).

assign(model, mac_prefix, problems) runs after the model is parsed: it
keeps every still-valid dynamic_addresses value, allocates the rest (MACs
mac_prefix:xx:xx:xx unique across the deployment, the first free IPv4
address of the subnet, IPv6 = prefix + EUI-64 of the MAC), adds the result
to the port's addresses for the flow builders and records it in
port.new_dynamic_addresses for northd to write back to the NB.
"""

import ipaddress

from pyovn.northd import addresses as addr


def _eui64(prefix, mac):
    b = bytes(int(x, 16) for x in mac.split(":"))
    iid = bytes([b[0] ^ 2, b[1], b[2], 0xff, 0xfe, b[3], b[4], b[5]])
    net = int(prefix) & ~((1 << 64) - 1)
    return ipaddress.IPv6Address(net | int.from_bytes(iid, "big"))


class SwitchIpam:
    def __init__(self, dp, problems):
        self.dp = dp
        oc = dp.other_config
        self.subnet = None
        self.used = set()
        self.prefix = None
        self.mac_only = oc.get("mac_only") == "true"
        table = "Logical_Switch"
        if oc.get("subnet"):
            try:
                net = ipaddress.IPv4Network(oc["subnet"], strict=False)
                self.subnet = net
                self.used |= {net.network_address, net.broadcast_address}
            except ValueError:
                problems.report(table, dp.uuid, "other_config:subnet",
                                "'%s' is not an IPv4 subnet; IPv4 IPAM disabled"
                                % oc["subnet"])
        if self.subnet is not None and oc.get("exclude_ips"):
            for item in oc["exclude_ips"].split():
                try:
                    if ".." in item:
                        lo, hi = (ipaddress.IPv4Address(x) for x in item.split(".."))
                        for i in range(int(lo), int(hi) + 1):
                            self.used.add(ipaddress.IPv4Address(i))
                    else:
                        self.used.add(ipaddress.IPv4Address(item))
                except ValueError:
                    problems.report(table, dp.uuid, "other_config:exclude_ips",
                                    "'%s' is not an address or range; ignored" % item)
        if oc.get("ipv6_prefix"):
            try:
                self.prefix = ipaddress.IPv6Address(oc["ipv6_prefix"].split("/")[0])
            except ValueError:
                problems.report(table, dp.uuid, "other_config:ipv6_prefix",
                                "'%s' is not an IPv6 prefix; IPv6 IPAM disabled"
                                % oc["ipv6_prefix"])
        self.next = 1

    @property
    def enabled(self):
        return self.subnet is not None or self.prefix is not None or self.mac_only

    def take(self, ip):
        if self.subnet is not None and ip in self.subnet:
            self.used.add(ip)

    def free(self, ip):
        return (self.subnet is not None and ip in self.subnet and ip not in self.used)

    def allocate_ip(self):
        n = self.subnet.num_addresses
        base = int(self.subnet.network_address)
        for _ in range(n):
            if self.next >= n:
                self.next = 1
            ip = ipaddress.IPv4Address(base + self.next)
            self.next += 1
            if ip not in self.used:
                self.used.add(ip)
                return ip
        return None


def _request(words):
    """"dynamic" entry -> (fixed mac or None, fixed ipv4 or None, fixed ipv6 or None)."""
    mac = ip4 = ip6 = None
    if words[0] != "dynamic":
        mac = addr.parse_mac(words[0])
        return mac, None, None
    for w in words[1:]:
        ip = ipaddress.ip_address(w)
        if ip.version == 4:
            ip4 = ip
        else:
            ip6 = ip
    return mac, ip4, ip6


def assign(model, mac_prefix, problems):
    prefix = [int(x, 16) for x in mac_prefix.split(":")]
    used_macs = set()
    for p in model.ports.values():
        if p.kind == "lsp":
            for a in p.lsp_addrs:
                used_macs.add(a.mac)
    ipams = {}
    for dp in model.switches:
        ipam = SwitchIpam(dp, problems)
        ipams[dp.uuid] = ipam
        for p in dp.ports:
            nets = p.lsp_addrs
            for a in nets:
                for ip in a.ipv4:
                    ipam.take(ip.addr)
            if p.type == "router" and p.peer is not None and p.peer.lrp_networks:
                for ip in p.peer.lrp_networks.ipv4:
                    ipam.take(ip.addr)
    pending = []
    mac_counter = [0]

    def new_mac():
        for _ in range(1 << 24):
            mac_counter[0] = mac_counter[0] % ((1 << 24) - 1) + 1
            n = mac_counter[0]
            mac = "%02x:%02x:%02x:%02x:%02x:%02x" % (prefix[0], prefix[1], prefix[2],
                                                      n >> 16, (n >> 8) & 255, n & 255)
            if mac not in used_macs:
                used_macs.add(mac)
                return mac
        return None

    # First keep what is still valid, so existing assignments never move.
    for dp in model.switches:
        ipam = ipams[dp.uuid]
        for p in dp.ports:
            req = getattr(p, "dynamic_request", None)
            if req is None:
                continue
            try:
                want_mac, want4, want6 = _request(req)
            except (ValueError, addr.AddressError) as e:
                problems.report("Logical_Switch_Port", p.uuid, "addresses",
                                "bad dynamic entry '%s': %s" % (" ".join(req), e))
                continue
            kept = _keep(p, ipam, want_mac, want4, want6, used_macs)
            if kept is None:
                pending.append((dp, p, want_mac, want4, want6))
            else:
                _apply(p, kept)
    for dp, p, want_mac, want4, want6 in pending:
        ipam = ipams[dp.uuid]
        mac = want_mac or new_mac()
        if mac is None:
            problems.report("Logical_Switch_Port", p.uuid, "addresses",
                            "no free MAC address under prefix %s" % mac_prefix, "err")
            continue
        used_macs.add(mac)
        words = [mac]
        if ipam.subnet is not None:
            ip4 = want4
            if ip4 is not None:
                ipam.take(ip4)
            else:
                ip4 = ipam.allocate_ip()
                if ip4 is None:
                    problems.report("Logical_Switch_Port", p.uuid, "addresses",
                                    "subnet %s of switch %s is full"
                                    % (ipam.subnet, dp.display_name), "err")
            if ip4 is not None:
                words.append(str(ip4))
        ip6 = want6 or (_eui64(ipam.prefix, mac) if ipam.prefix is not None else None)
        if ip6 is not None:
            words.append(str(ip6))
        _apply(p, " ".join(words))


def _keep(p, ipam, want_mac, want4, want6, used_macs):
    """P's current dynamic_addresses if still right, else None."""
    cur = p.dynamic_addresses
    if not cur:
        return None
    try:
        a = addr.parse_lport_addresses(cur)
    except addr.AddressError:
        return None
    if want_mac is not None and a.mac != want_mac:
        return None
    if (ipam.subnet is not None) != bool(a.ipv4):
        return None
    if a.ipv4:
        ip = a.ipv4[0].addr
        if want4 is not None and ip != want4:
            return None
        if want4 is None and not ipam.free(ip):
            return None
        ipam.take(ip)
    want_v6 = want6 or (_eui64(ipam.prefix, a.mac) if ipam.prefix is not None else None)
    have_v6 = a.ipv6[0].addr if a.ipv6 else None
    if want_v6 != have_v6:
        return None
    used_macs.add(a.mac)
    return cur


def _apply(p, text):
    p.new_dynamic_addresses = text
    try:
        p.lsp_addrs.append(addr.parse_lport_addresses(text))
    except addr.AddressError:
        pass
