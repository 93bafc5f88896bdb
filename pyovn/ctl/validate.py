"""Argument checkers shared by the ctl tools.  Each one either returns the
value in its normal form or raises CtlError with a message that names the
bad argument, e.g. "10.0.0.300: invalid IPv4 address"."""

import ipaddress
import re

from pyovn.ctl.errors import CtlError

_MAC_RE = re.compile(r'^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$')


def mac(text, what="MAC address"):
    if not _MAC_RE.match(text):
        raise CtlError("%s: invalid %s" % (text, what))
    return text.lower()


def is_mac(text):
    return bool(_MAC_RE.match(text))


def _looks_v4(text):
    return re.match(r'^[0-9.]+$', text) is not None


def ipv4(text):
    try:
        return ipaddress.IPv4Address(text)
    except ValueError:
        raise CtlError("%s: invalid IPv4 address" % text)


def ip(text):
    """An IPv4 or IPv6 address (no prefix)."""
    if ":" in text:
        try:
            return ipaddress.IPv6Address(text)
        except ValueError:
            raise CtlError("%s: invalid IPv6 address" % text)
    if _looks_v4(text):
        return ipv4(text)
    raise CtlError("%s: invalid IP address" % text)


def ip_or_prefix(text):
    """ADDRESS or ADDRESS/PLEN; returns (address, plen or None)."""
    addr, slash, plen = text.partition("/")
    a = ip(addr)
    if not slash:
        return a, None
    if not plen.isdigit() or int(plen) > a.max_prefixlen:
        raise CtlError("%s: invalid prefix length in %s" % (plen, text))
    return a, int(plen)


def network(text):
    """A router port network: ADDRESS/PLEN (host bits may be set)."""
    a, plen = ip_or_prefix(text)
    if plen is None:
        raise CtlError("%s: invalid network address (expected "
                       "ADDRESS/PREFIX-LENGTH)" % text)
    return "%s/%d" % (a, plen)


def normalize_prefix(text):
    """A route prefix or NAT logical network in normal form: the network
    address with host bits cleared; a full-length prefix is written as the
    bare address."""
    a, plen = ip_or_prefix(text)
    if plen is None or plen == a.max_prefixlen:
        return str(a)
    net = ipaddress.ip_network("%s/%d" % (a, plen), strict=False)
    return "%s/%d" % (net.network_address, plen)


def cidr(text):
    """A DHCP options cidr: NETWORK/PLEN (a bare address is a host)."""
    ip_or_prefix(text)
    return text


def integer(text, lo, hi, what):
    try:
        v = int(text, 10)
    except ValueError:
        raise CtlError("%s: %s must be an integer between %d and %d"
                       % (text, what, lo, hi))
    if not lo <= v <= hi:
        raise CtlError("%s: %s must be between %d and %d"
                       % (text, what, lo, hi))
    return v


def priority(text):
    return integer(text, 0, 32767, "priority")


def tag(text):
    return integer(text, 0, 4095, "tag")


def port_range(text):
    """N or N-M with 1 <= N <= M <= 65535."""
    m = re.match(r'^(\d+)(?:-(\d+))?$', text)
    if not m:
        raise CtlError("%s: invalid port range" % text)
    lo = int(m.group(1))
    hi = int(m.group(2)) if m.group(2) else lo
    if not (1 <= lo <= 65535 and 1 <= hi <= 65535) or lo > hi:
        raise CtlError("%s: invalid port range" % text)
    return text


def choice(text, allowed, what):
    if text not in allowed:
        raise CtlError("%s: %s must be one of: %s"
                       % (text, what, ", ".join(allowed)))
    return text


def key_value(text):
    key, eq, value = text.partition("=")
    if not eq or not key:
        raise CtlError("%s: argument must be of the form KEY=VALUE" % text)
    return key, value


def lsp_address(text):
    """One entry of Logical_Switch_Port.addresses (ovn-nb(5)): unknown,
    router, dynamic, "dynamic IP [IPV6]", "MAC dynamic", or "MAC [IP]..."."""
    if text in ("unknown", "dynamic", "router"):
        return text
    parts = text.split()
    if parts and parts[0] == "dynamic":
        ips = [ip(p) for p in parts[1:]]
        if len(ips) > 2 or len({a.version for a in ips}) != len(ips):
            raise CtlError("%s: \"dynamic\" may be followed by at most one "
                           "IPv4 and one IPv6 address" % text)
        return text
    if not parts or not is_mac(parts[0]):
        raise CtlError("%s: invalid address format. Should be either "
                       "\"unknown\", \"dynamic\", \"router\" or an "
                       "Ethernet address optionally followed by IP "
                       "addresses" % text)
    if parts[1:] == ["dynamic"]:
        return text
    for p in parts[1:]:
        ip_or_prefix(p)        # "IP/PLEN" also names the port's subnet
    return text


def port_security(text):
    parts = text.split()
    if not parts or not is_mac(parts[0]):
        raise CtlError("%s: invalid port security entry (must start with an "
                       "Ethernet address)" % text)
    for p in parts[1:]:
        ip_or_prefix(p)
    return text


def check_match(text, what="match"):
    """Checks a logical flow match with pyovn.lang when that is available."""
    if not text.strip():
        raise CtlError('"%s": empty %s' % (text, what))
    try:
        from pyovn import lang
    except ImportError:
        return text
    check = getattr(lang, "check_match", None) or getattr(lang, "check", None)
    if check is None:
        return text
    try:
        err = check(text)
    except Exception as e:  # the checker's own error type
        raise CtlError("%s: invalid %s: %s" % (text, what, e))
    if err:
        raise CtlError("%s: invalid %s: %s" % (text, what, err))
    return text


def lb_vip(text):
    """A load balancer VIP: IP, IPv4:PORT or [IPv6]:PORT; returns
    (normal form, family, has_port)."""
    port = None
    if text.startswith("["):
        addr, sep, rest = text[1:].partition("]")
        if not sep or not rest.startswith(":"):
            raise CtlError("%s: should be an IP address (or an IP address "
                           "and a port number with : as a separator)" % text)
        port = rest[1:]
        a = _ip6(addr, text)
    elif text.count(":") == 1:
        addr, _, port = text.partition(":")
        a = ipv4(addr)
    elif ":" in text:
        a = _ip6(text, text)
    else:
        a = ipv4(text)
    if port is not None:
        if not port.isdigit() or not 1 <= int(port) <= 65535:
            raise CtlError("%s: invalid port number in %s" % (port, text))
        port = int(port)
    return _fmt_endpoint(a, port), a.version, port is not None


def _ip6(addr, text):
    try:
        return ipaddress.IPv6Address(addr)
    except ValueError:
        raise CtlError("%s: invalid IPv6 address" % text)


def _fmt_endpoint(a, port):
    if port is None:
        return str(a)
    if a.version == 6:
        return "[%s]:%d" % (a, port)
    return "%s:%d" % (a, port)


def lb_backends(text, family, vip_has_port):
    out = []
    for ep in text.split(","):
        ep = ep.strip()
        if not ep:
            continue
        norm, fam, has_port = lb_vip(ep)
        if fam != family:
            raise CtlError("%s: IP address family of backend differs from "
                           "the VIP" % ep)
        if vip_has_port and not has_port:
            raise CtlError("%s: backend must have a port number when the VIP "
                           "has one" % ep)
        if not vip_has_port and has_port:
            raise CtlError("%s: backend may not have a port number when the "
                           "VIP has none" % ep)
        out.append(norm)
    return ",".join(out)
