"""Service actions answered by pinctrl: put_dhcp_opts, put_dhcpv6_opts,
handle_dhcpv6_reply, dns_lookup, put_nd_ra_opts.

The result actions (`R = put_dhcp_opts(...)`) pause the packet; pinctrl
builds the reply, sets the 1-bit result R (whose NXM header and bit offset
are the first 8 bytes of the payload) and resumes it.
"""

from dataclasses import dataclass

from pyovn.lang.errors import LangError
from pyovn.lang.lexer import format_masked, format_string, prefix_len
from pyovn.lang.actions import base, dhcp_opts, opcodes


@dataclass(frozen=True)
class OptValue:
    """One constant of an option value: an integer (value, mask, fmt) or a
    string (fmt "string")."""
    value: object
    mask: int = None
    fmt: str = "dec"

    def format(self):
        if self.fmt == "string":
            return format_string(self.value)
        return format_masked(self.value, self.mask, self.fmt)

    @property
    def is_string(self):
        return self.fmt == "string"


@dataclass(frozen=True)
class Option:
    name: str
    values: tuple
    braced: bool = False

    def format(self):
        if self.braced:
            return "%s = {%s}" % (self.name, ", ".join(v.format() for v in self.values))
        return "%s = %s" % (self.name, self.values[0].format())


def _parse_value(p):
    t = p.token
    if t.type == "INTEGER":
        p.advance()
        return OptValue(t.value, t.mask, t.fmt)
    if t.type == "STRING":
        p.advance()
        return OptValue(t.s, None, "string")
    raise p.syntax_error("expecting constant")


def parse_options(p, table, family, allow_repeat=False):
    """Parses `name = value, ...` up to `)`.  TABLE: name -> (code, type)."""
    opts = []
    while not p.match(")"):
        t = p.token
        if t.type != "ID":
            if t.type == "END":
                raise p.syntax_error("expecting `)'")
            raise p.syntax_error()
        if t.s not in table:
            raise p.syntax_error("expecting %s option name" % family)
        p.advance()
        p.expect("=")
        if p.match("{"):
            values = []
            while not p.match("}"):
                values.append(_parse_value(p))
                p.match(",")
            braced = True
        else:
            values = [_parse_value(p)]
            braced = False
        typ = table[t.s][1]
        for v in values:
            if typ in dhcp_opts.STRING_TYPES and not v.is_string:
                raise LangError("%s option %s requires string value." % (family, t.s),
                                t.pos)
            if typ in dhcp_opts.NUMERIC_TYPES and v.is_string:
                raise LangError("%s option %s requires numeric value." % (family, t.s),
                                t.pos)
        if not values:
            raise LangError("%s option %s requires a value." % (family, t.s), t.pos)
        opts.append(Option(t.s, tuple(values), braced))
        if not p.match(","):
            p.expect(")")
            break
    return tuple(opts)


def _uint(v, n, name):
    if v.value >= 1 << (8 * n):
        raise LangError("Value %d is too large for option %s." % (v.value, name))
    return v.value.to_bytes(n, "big")


def _encode_v4_value(opt, typ):
    out = bytearray()
    if typ == "static_routes":
        vals = opt.values
        if len(vals) % 2:
            raise LangError("Option %s needs (prefix, gateway) pairs." % opt.name)
        for i in range(0, len(vals), 2):
            net, gw = vals[i], vals[i + 1]
            plen = 32 if net.mask is None else prefix_len(net.mask, 32)
            if plen is None:
                raise LangError("Option %s: %s is not a CIDR prefix."
                                % (opt.name, net.format()))
            out.append(plen)
            out += net.value.to_bytes(4, "big")[:(plen + 7) // 8]
            out += gw.value.to_bytes(4, "big")
        return bytes(out)
    for v in opt.values:
        if v.is_string:
            if typ == "domains":
                out += dhcp_opts.encode_domain_list(v.value)
            else:
                out += v.value.encode()
        elif typ in dhcp_opts.UINT_BYTES:
            out += _uint(v, dhcp_opts.UINT_BYTES[typ], opt.name)
        else:
            if v.value >= 1 << 32:
                raise LangError("Option %s requires IPv4 addresses." % opt.name)
            out += v.value.to_bytes(4, "big")
    return bytes(out)


def _encode_v6_value(opt, typ):
    out = bytearray()
    for v in opt.values:
        if typ == "domain":
            dhcp_opts.encode_domain(v.value, out)
        elif v.is_string:
            out += v.value.encode()
        elif typ == "mac":
            out += v.value.to_bytes(6, "big")
        else:
            out += v.value.to_bytes(16, "big")
    return bytes(out)


class _OptsBase(base.Action):
    family = None
    table = None

    @classmethod
    def parse_result(cls, p, tok, dst):
        base.check_result_bit(p, dst, tok)
        p.expect("(")
        opts = parse_options(p, cls.table, cls.family)
        cls.validate(opts, tok)
        return cls(dst, opts)

    @classmethod
    def validate(cls, opts, tok):
        pass

    def format(self):
        return "%s = %s(%s)" % (self.dst.format(), self.result_names[0],
                                ", ".join(o.format() for o in self.opts))

    def interpret(self, it):
        it.effect("controller", name=self.result_names[0],
                  options=", ".join(o.format() for o in self.opts))
        ok = it.lookup(self.result_names[0])
        it.set(self.dst.ovs, 0 if ok is False else 1)


@base.register
@dataclass(frozen=True)
class PutDhcpOpts(_OptsBase):
    result_names = ("put_dhcp_opts",)
    family = "DHCPv4"
    table = dhcp_opts.DHCPV4_OPTS
    dst: base.Field
    opts: tuple

    @classmethod
    def validate(cls, opts, tok):
        if not any(o.name == dhcp_opts.DHCP_OFFERIP for o in opts):
            raise LangError("put_dhcp_opts requires offerip to be specified.",
                            tok.pos)

    def encode(self, ec):
        payload = bytearray(base.result_header(self.dst.ovs))
        ordered = sorted(self.opts, key=lambda o: (
            dhcp_opts.DHCPV4_FIRST.index(o.name) if o.name in dhcp_opts.DHCPV4_FIRST
            else len(dhcp_opts.DHCPV4_FIRST)))
        for o in ordered:
            code, typ = self.table[o.name]
            data = _encode_v4_value(o, typ)
            if o.name == dhcp_opts.DHCP_OFFERIP:
                payload += data[:4]
                continue
            if len(data) > 255:
                raise LangError("DHCPv4 option %s is too long." % o.name)
            payload += bytes([code, len(data)]) + data
        return [base.controller(opcodes.PUT_DHCP_OPTS, bytes(payload), True, ec)]


@base.register
@dataclass(frozen=True)
class PutDhcpv6Opts(_OptsBase):
    result_names = ("put_dhcpv6_opts",)
    family = "DHCPv6"
    table = dhcp_opts.DHCPV6_OPTS
    dst: base.Field
    opts: tuple

    def encode(self, ec):
        payload = bytearray(base.result_header(self.dst.ovs))
        for o in self.opts:
            code, typ = self.table[o.name]
            data = _encode_v6_value(o, typ)
            payload += code.to_bytes(2, "big") + len(data).to_bytes(2, "big") + data
        return [base.controller(opcodes.PUT_DHCPV6_OPTS, bytes(payload), True, ec)]


# --- IPv6 router advertisements ---------------------------------------------

ND_RA_OPTS = {
    "addr_mode": "str",
    "slla": "mac",
    "mtu": "uint32",
    "prefix": "ipv6",
    "router_preference": "str",
    "rdnss": "ipv6",
    "dnssl": "str",
    "route_info": "str",
}
ADDR_MODES = ("slaac", "dhcpv6_stateful", "dhcpv6_stateless")
ROUTER_PREFERENCES = {"HIGH": 0x08, "MEDIUM": 0x00, "LOW": 0x18}


def _route_infos(text):
    """"PREF-PREFIX/LEN,..." -> [(preference, IPv6Network)]."""
    import ipaddress
    out = []
    for item in filter(None, (x.strip() for x in text.split(","))):
        pref, sep, prefix = item.partition("-")
        if not sep or pref not in ROUTER_PREFERENCES:
            raise ValueError(item)
        out.append((pref, ipaddress.IPv6Network(prefix, strict=False)))
    return out


def _valid_route_info(text):
    try:
        return bool(_route_infos(text))
    except ValueError:
        return False


def _encode_route_info(text):
    """RFC 4191 Route Information options."""
    out = bytearray()
    for pref, net in _route_infos(text):
        plen = net.prefixlen
        n = 0 if plen == 0 else (8 if plen <= 64 else 16)
        out += bytes([24, 1 + n // 8, plen, ROUTER_PREFERENCES[pref]])
        out += b"\xff" * 4 + net.network_address.packed[:n]
    return bytes(out)


@base.register
@dataclass(frozen=True)
class PutNdRaOpts(base.Action):
    result_names = ("put_nd_ra_opts",)
    dst: base.Field
    opts: tuple

    @classmethod
    def parse_result(cls, p, tok, dst):
        base.check_result_bit(p, dst, tok)
        p.expect("(")
        table = {k: (0, v) for k, v in ND_RA_OPTS.items()}
        opts = []
        while not p.match(")"):
            t = p.token
            if t.type != "ID" or t.s not in table:
                raise p.syntax_error("expecting IPv6 ND RA option name")
            p.advance()
            p.expect("=")
            v = _parse_value(p)
            typ = ND_RA_OPTS[t.s]
            if typ == "str" and not v.is_string:
                raise LangError("IPv6 ND RA option %s requires string value." % t.s,
                                t.pos)
            if typ != "str" and v.is_string:
                raise LangError("IPv6 ND RA option %s requires numeric value." % t.s,
                                t.pos)
            bad = ((t.s == "addr_mode" and v.value not in ADDR_MODES)
                   or (t.s == "router_preference"
                       and v.value not in ROUTER_PREFERENCES)
                   or (t.s == "mtu" and v.fmt not in ("dec", "hex"))
                   or (t.s == "slla" and v.fmt != "eth")
                   or (t.s == "prefix" and (v.fmt != "ipv6" or v.mask is None
                                            or prefix_len(v.mask, 128) is None))
                   or (t.s == "rdnss" and v.fmt != "ipv6")
                   or (t.s == "route_info" and not _valid_route_info(v.value)))
            if bad:
                raise LangError("Invalid value for \"%s\" option" % t.s, t.pos)
            opts.append(Option(t.s, (v,)))
            if not p.match(","):
                p.expect(")")
                break
        names = [o.name for o in opts]
        if "addr_mode" not in names:
            raise LangError("addr_mode option not present", tok.pos)
        if "slla" not in names:
            raise LangError("slla option not present", tok.pos)
        mode = [o for o in opts if o.name == "addr_mode"][0].values[0].value
        if mode in ("slaac", "dhcpv6_stateless") and "prefix" not in names:
            raise LangError("prefix option needs to be set when address mode is "
                            "slaac/dhcpv6_stateless.", tok.pos)
        p.add_prereq("ip6")
        return cls(dst, tuple(opts))

    def format(self):
        return "%s = put_nd_ra_opts(%s)" % (self.dst.format(), ", ".join(
            o.format() for o in self.opts))

    def encode(self, ec):
        d = {o.name: o.values[0] for o in self.opts}
        mode = d["addr_mode"].value
        flags = {"slaac": 0, "dhcpv6_stateful": 0x80, "dhcpv6_stateless": 0x40}[mode]
        if "router_preference" in d:
            flags |= ROUTER_PREFERENCES[d["router_preference"].value]
        ra = bytes([134, 0, 0, 0, 255, flags, 0xff, 0xff]) + b"\0" * 8
        body = bytearray(ra)
        for o in self.opts:
            v = o.values[0]
            if o.name == "mtu":
                body += bytes([5, 1, 0, 0]) + v.value.to_bytes(4, "big")
            elif o.name == "prefix":
                plen = prefix_len(v.mask, 128)
                pflags = 0x80 if mode == "dhcpv6_stateful" else 0xc0
                body += bytes([3, 4, plen, pflags]) + b"\xff" * 8 + b"\0" * 4
                body += (v.value & v.mask).to_bytes(16, "big")
            elif o.name == "slla":
                body += bytes([1, 1]) + v.value.to_bytes(6, "big")
            elif o.name == "rdnss":
                body += bytes([25, 3, 0, 0]) + b"\xff" * 4 + v.value.to_bytes(16, "big")
            elif o.name == "dnssl":
                names = bytearray()
                for n in v.value.split(","):
                    if n.strip():
                        dhcp_opts.encode_domain(n, names)
                total = 8 + len(names)
                total += (-total) % 8
                names += b"\0" * (total - 8 - len(names))
                body += bytes([31, total // 8, 0, 0]) + b"\xff" * 4 + bytes(names)
            elif o.name == "route_info":
                body += _encode_route_info(v.value)
        payload = base.result_header(self.dst.ovs) + bytes(body)
        return [base.controller(opcodes.PUT_ND_RA_OPTS, payload, True, ec)]

    def interpret(self, it):
        it.effect("controller", name="put_nd_ra_opts")
        it.set(self.dst.ovs, 1)


@base.register
@dataclass(frozen=True)
class DnsLookup(base.Action):
    result_names = ("dns_lookup",)
    dst: base.Field

    @classmethod
    def parse_result(cls, p, tok, dst):
        base.check_result_bit(p, dst, tok)
        p.expect("(")
        if not p.match(")"):
            raise LangError("dns_lookup doesn't take any parameters", p.token.pos)
        p.add_prereq("udp")
        return cls(dst)

    def format(self):
        return "%s = dns_lookup()" % self.dst.format()

    def encode(self, ec):
        return [base.controller(opcodes.DNS_LOOKUP, base.result_header(self.dst.ovs),
                                True, ec)]

    def interpret(self, it):
        found = it.lookup("dns_lookup")
        it.effect("controller", name="dns_lookup")
        it.set(self.dst.ovs, 1 if found else 0)


@base.register
@dataclass(frozen=True)
class HandleDhcpv6Reply(base.Action):
    names = ("handle_dhcpv6_reply",)

    @classmethod
    def parse(cls, p, tok):
        return cls()

    def format(self):
        return "handle_dhcpv6_reply"

    def encode(self, ec):
        return [base.controller(opcodes.DHCP6_SERVER, b"", False, ec)]

    def interpret(self, it):
        it.effect("controller", name="handle_dhcpv6_reply")
        it.stop()
