"""Parsing of the address strings in the northbound database:
Logical_Switch_Port addresses / port_security ("MAC [IP...]"),
Logical_Router_Port mac + networks, and the formatting ovn-northd uses when
it writes them into logical flows."""

import ipaddress


class AddressError(ValueError):
    pass


def parse_mac(text):
    parts = text.split(":")
    if len(parts) != 6 or not all(len(p) in (1, 2) for p in parts):
        raise AddressError("'%s' is not an Ethernet address" % text)
    try:
        octets = [int(p, 16) for p in parts]
    except ValueError:
        raise AddressError("'%s' is not an Ethernet address" % text)
    return ":".join("%02x" % o for o in octets)


def mac_to_int(mac):
    return int(mac.replace(":", ""), 16)


def mac_is_multicast(mac):
    return bool(int(mac.split(":")[0], 16) & 1)


def ipv6_lla(mac):
    """The EUI-64 link-local address of MAC."""
    b = bytes(int(x, 16) for x in mac.split(":"))
    eui = bytes([b[0] ^ 2, b[1], b[2], 0xff, 0xfe, b[3], b[4], b[5]])
    return ipaddress.IPv6Address(b"\xfe\x80" + b"\x00" * 6 + eui)


def solicited_node(addr):
    """The solicited-node multicast address of IPv6 ADDR."""
    low = int(addr) & 0xffffff
    return ipaddress.IPv6Address(int(ipaddress.IPv6Address("ff02::1:ff00:0")) | low)


class IPAddr:
    """One address with its prefix (from "10.0.0.1" or "10.0.0.1/24")."""

    def __init__(self, text):
        try:
            self.iface = ipaddress.ip_interface(text)
        except ValueError:
            raise AddressError("'%s' is not an IP address" % text)
        self.addr = self.iface.ip
        self.network = self.iface.network
        self.plen = self.network.prefixlen
        self.version = self.addr.version
        self.has_plen = "/" in text

    def __str__(self):
        return str(self.addr)

    @property
    def network_str(self):
        return "%s/%d" % (self.network.network_address, self.plen)

    @property
    def bcast(self):
        return self.network.broadcast_address


class LportAddresses:
    """One entry of an addresses or port_security column: a MAC and its
    IPv4 and IPv6 addresses, in the order given."""

    def __init__(self, mac, ipv4=(), ipv6=()):
        self.mac = mac
        self.ipv4 = list(ipv4)
        self.ipv6 = list(ipv6)

    @property
    def ips(self):
        return self.ipv4 + self.ipv6


def parse_lport_addresses(text, allow_prefix=False, errors=None):
    """Parses "MAC [IP...]"; raises AddressError if the MAC is bad.  A bad
    word after the MAC ends the parse there (the addresses before it are
    kept) and its reason is appended to ERRORS."""
    words = text.split()
    if not words:
        raise AddressError("empty address")
    mac = parse_mac(words[0])
    v4, v6 = [], []
    for w in words[1:]:
        try:
            ip = IPAddr(w)
        except AddressError as e:
            if errors is not None:
                errors.append(str(e))
            break
        (v4 if ip.version == 4 else v6).append(ip)
    return LportAddresses(mac, v4, v6)


def parse_router_networks(mac, networks):
    """LRP mac + networks -> LportAddresses (adds the IPv6 LLA last)."""
    m = parse_mac(mac)
    v4, v6 = [], []
    for n in sorted(networks):
        ip = IPAddr(n)
        (v4 if ip.version == 4 else v6).append(ip)
    v6.append(IPAddr(str(ipv6_lla(m)) + "/64"))
    return LportAddresses(m, v4, v6)
