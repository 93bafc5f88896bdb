"""Connection tracking actions: ct_next, ct_commit { }, ct_dnat, ct_snat,
ct_dnat_in_czone, ct_snat_in_czone, ct_clear, ct_commit_nat, ct_lb,
ct_lb_mark.

Zones (registers from pyovn.openflow.layout): ct_next, ct_lb, ct_lb_mark,
ct_commit_nat and ct_commit use the port's zone (reg13) on a logical
switch and the DNAT zone (reg11) on a router.  ct_dnat always uses the
DNAT zone, ct_snat the SNAT zone, and the *_in_czone variants the common
zone (reg11).
"""

import ipaddress
from dataclasses import dataclass

from pyovn.lang.errors import LangError
from pyovn.lang.lexer import format_string
from pyovn.lang.actions import base
from pyovn.lang.actions.control import encode_list
from pyovn.openflow import layout
from pyovn.openflow import model as of

CT_ZONE = of.Subfield(layout.LOG_CT_ZONE, 0, 16)
DNAT_ZONE = of.Subfield(layout.LOG_DNAT_ZONE, 0, 16)
SNAT_ZONE = of.Subfield(layout.LOG_SNAT_ZONE, 0, 16)

# Bits of ct_label / ct_mark OVN sets when load balancing (symtab names
# ct_mark.natted, ct_mark.skip_snat, ct_mark.force_snat).
NATTED_BIT = 1
SKIP_SNAT_BIT = 2
FORCE_SNAT_BIT = 3

VALID_HASH_FIELDS = ("eth_src", "eth_dst", "ip_src", "ip_dst", "ipv6_src",
                     "ipv6_dst", "tp_src", "tp_dst", "tcp_src", "tcp_dst",
                     "udp_src", "udp_dst", "sctp_src", "sctp_dst", "nw_proto")


def zone_for(ec, router_zone):
    return CT_ZONE if ec.is_switch else router_zone


def check_next_table(p, tok, name):
    if p.pctx.table_id + 1 >= p.pctx.n_tables:
        raise LangError("\"%s\" action not allowed in last table." % name, tok.pos)
    return p.pctx.table_id + 1


def parse_nat_kind(p, name):
    """Optional `(dnat)` / `(snat)` argument."""
    if not p.match("("):
        return None
    t = p.token
    if t.type == "ID" and t.s in ("dnat", "snat"):
        p.advance()
        p.expect(")")
        return t.s
    raise LangError("\"%s\" action accepts only \"dnat\" or \"snat\" parameter."
                    % name, t.pos)


@dataclass(frozen=True)
class _CtToTable(base.Action):
    """ct_next and ct_commit_nat: an optional (dnat) / (snat) argument, then
    on to the next table."""
    table: int
    pipeline: str
    kind: str = None

    @classmethod
    def parse(cls, p, tok):
        name = cls.names[0]
        p.add_prereq("ip")
        table = check_next_table(p, tok, name)
        return cls(table, p.pctx.pipeline, parse_nat_kind(p, name))

    def format(self):
        return "%s(%s)" % (self.names[0], self.kind) if self.kind else self.names[0]


@base.register
@dataclass(frozen=True)
class CtNext(_CtToTable):
    names = ("ct_next",)

    def encode(self, ec):
        return [of.Ct(table=ec.logical_table(self.pipeline, self.table),
                      zone=zone_for(ec, DNAT_ZONE))]

    def interpret(self, it):
        it.effect("ct", kind="ct_next", table=self.table)
        it.effect("next", pipeline=self.pipeline, table=self.table)
        it.stop()


@base.register
@dataclass(frozen=True)
class CtCommit(base.Action):
    """ct_commit; or ct_commit { ct_mark = ...; ct_label = ...; };"""
    names = ("ct_commit",)
    actions: tuple = ()

    @classmethod
    def parse(cls, p, tok):
        p.add_prereq("ip")
        acts = ()
        t = p.token
        if t.type == "{":
            acts = p.nested(scope="ct_commit", keep_prereqs=True)
            from pyovn.lang.actions.assign import Load, Move
            for a in acts:
                if not isinstance(a, (Load, Move)):
                    raise LangError("ct_commit { } may only contain assignments "
                                    "to ct_mark and ct_label, not `%s'." % a.format(),
                                    t.pos)
        return cls(acts)

    def nested_lists(self):
        return (self.actions,)

    def format(self):
        if not self.actions:
            return "ct_commit"
        return "ct_commit { %s}" % "".join(str(a) + " " for a in self.actions)

    def encode(self, ec):
        nat = of.Nat("src") if ec.ct_zero_snat else None
        return [of.Ct(commit=True, zone=zone_for(ec, DNAT_ZONE), nat=nat,
                      exec_=tuple(encode_list(self.actions, ec)))]

    def interpret(self, it):
        sub = it.copy()
        sub.run(self.actions)
        it.effect("ct", kind="ct_commit", effects=sub.effects)


def _parse_ip(p):
    t = p.token
    if t.type != "INTEGER" or t.fmt not in ("ipv4", "ipv6") or t.mask is not None:
        raise p.syntax_error("expecting IPv4 or IPv6 address")
    p.advance()
    return (ipaddress.IPv4Address(t.value) if t.fmt == "ipv4"
            else ipaddress.IPv6Address(t.value))


def _parse_port(p, what="Integer for port range"):
    t = p.token
    if t.type != "INTEGER" or t.fmt not in ("dec", "hex") or t.mask is not None \
            or t.value > 65535:
        raise p.syntax_error("expecting %s" % what)
    p.advance()
    return t.value


class _CtNatBase(base.Action):
    """ct_dnat / ct_snat and their _in_czone variants."""
    nat_kind = "dst"
    router_zone = DNAT_ZONE
    czone = False

    @classmethod
    def parse(cls, p, tok):
        p.add_prereq("ip")
        table = check_next_table(p, tok, tok.s)
        ip = port_lo = port_hi = None
        if p.match("("):
            ip = _parse_ip(p)
            if p.match(","):
                port_lo = _parse_port(p)
                port_hi = port_lo
                t = p.token
                if p.hyphen_before(t):
                    hi = _parse_port(p)
                    if hi <= port_lo:
                        raise p.syntax_error("range high should be greater than "
                                             "range low", t)
                    port_hi = hi
            p.expect(")")
        return cls(table, p.pctx.pipeline, str(ip) if ip else None, port_lo, port_hi)

    def format(self):
        name = self.names[0]
        if not self.ip:
            return name
        s = "%s(%s" % (name, self.ip)
        if self.port_lo is not None:
            s += ",%d" % self.port_lo
            if self.port_hi != self.port_lo:
                s += "-%d" % self.port_hi
        return s + ")"

    def encode(self, ec):
        zone = DNAT_ZONE if self.czone else self.router_zone
        table = ec.logical_table(self.pipeline, self.table)
        if not self.ip:
            return [of.Ct(table=table, zone=zone, nat=of.Nat())]
        flags = ("random",) if (self.port_lo is not None
                                and self.port_hi != self.port_lo) else ()
        nat = of.Nat(self.nat_kind, self.ip, None, self.port_lo,
                     self.port_hi if self.port_hi != self.port_lo else None, flags)
        return [of.Ct(commit=True, table=table, zone=zone, nat=nat)]

    def interpret(self, it):
        it.effect("ct", kind=self.names[0], nat=self.nat_kind, ip=self.ip,
                  table=self.table)
        it.effect("next", pipeline=self.pipeline, table=self.table)
        it.stop()


def _nat_class(name, kind, zone, czone):
    @base.register
    @dataclass(frozen=True)
    class C(_CtNatBase):
        names = (name,)
        nat_kind = kind
        router_zone = zone
        table: int
        pipeline: str
        ip: str = None
        port_lo: int = None
        port_hi: int = None
    C.czone = czone
    C.__name__ = C.__qualname__ = "".join(w.capitalize() for w in name.split("_"))
    return C


CtDnat = _nat_class("ct_dnat", "dst", DNAT_ZONE, False)
CtSnat = _nat_class("ct_snat", "src", SNAT_ZONE, False)
CtDnatInCzone = _nat_class("ct_dnat_in_czone", "dst", DNAT_ZONE, True)
CtSnatInCzone = _nat_class("ct_snat_in_czone", "src", DNAT_ZONE, True)


@base.register
@dataclass(frozen=True)
class CtClear(base.Action):
    names = ("ct_clear",)

    @classmethod
    def parse(cls, p, tok):
        return cls()

    def format(self):
        return "ct_clear"

    def encode(self, ec):
        return [of.CtClear()]

    def interpret(self, it):
        it.set(of.Subfield("ct_state"), 0)
        it.effect("ct", kind="ct_clear")


@base.register
@dataclass(frozen=True)
class CtCommitNat(_CtToTable):
    names = ("ct_commit_nat",)

    def encode(self, ec):
        return [of.Ct(commit=True, table=ec.logical_table(self.pipeline, self.table),
                      zone=zone_for(ec, DNAT_ZONE), nat=of.Nat())]

    def interpret(self, it):
        it.effect("ct", kind="ct_commit_nat", table=self.table)
        it.effect("next", pipeline=self.pipeline, table=self.table)
        it.stop()


@dataclass(frozen=True)
class Backend:
    ip: str
    port: int = None
    v6: bool = False

    def format(self):
        if self.port is None:
            return self.ip
        if self.v6:
            return "[%s]:%d" % (self.ip, self.port)
        return "%s:%d" % (self.ip, self.port)


def parse_hash_fields(p):
    t = p.token
    if t.type != "STRING":
        raise p.syntax_error("invalid hash_fields")
    names = [x.strip() for x in t.s.split(",")]
    for n in names:
        if n not in VALID_HASH_FIELDS:
            raise p.syntax_error("invalid hash_fields")
    p.advance()
    return tuple(names)


class _CtLbBase(base.Action):
    """ct_lb[(backends=IP[:PORT],...[; hash_fields="..."][; skip_snat|force_snat])]"""
    mark_field = "ct_mark"

    @classmethod
    def parse(cls, p, tok):
        name = tok.s
        table = check_next_table(p, tok, name)
        p.add_prereq("ip")
        backends = []
        hash_fields = ()
        flag = None
        if p.match("("):
            if p.token.type != ")":
                if not p.match_id("backends"):
                    raise p.syntax_error("expecting backends")
                p.expect("=")
                while p.token.type not in (")", ";"):
                    backends.append(cls._parse_backend(p))
                    p.match(",")
                while p.match(";"):
                    if p.match_id("hash_fields"):
                        if not p.match("="):
                            raise p.syntax_error("invalid hash_fields")
                        hash_fields = parse_hash_fields(p)
                    elif p.match_id("skip_snat"):
                        flag = "skip_snat"
                    elif p.match_id("force_snat"):
                        flag = "force_snat"
                    else:
                        raise p.syntax_error("expecting hash_fields, skip_snat or "
                                             "force_snat")
            p.expect(")")
        return cls(table, p.pctx.pipeline, tuple(backends), hash_fields, flag)

    @staticmethod
    def _parse_backend(p):
        if p.match("["):
            t = p.token
            if t.type != "INTEGER" or t.fmt != "ipv6":
                raise p.syntax_error("expecting IPv6 address")
            p.advance()
            if not p.match("]"):
                raise p.syntax_error("no closing square bracket")
            port = None
            if p.match(":"):
                port = _parse_port(p, "port number")
            return Backend(str(ipaddress.IPv6Address(t.value)), port, True)
        t = p.token
        if t.type != "INTEGER" or t.fmt not in ("ipv4", "ipv6") or t.mask is not None:
            raise p.syntax_error("expecting IP address")
        p.advance()
        port = None
        if t.fmt == "ipv4":
            ip = str(ipaddress.IPv4Address(t.value))
            if p.match(":"):
                port = _parse_port(p, "port number")
            return Backend(ip, port)
        if p.token.type == ":":
            raise p.syntax_error("IPv6 address needs square brackets if port is "
                                 "included")
        return Backend(str(ipaddress.IPv6Address(t.value)), None, True)

    def format(self):
        name = self.names[0]
        if not self.backends:
            return name
        s = "%s(backends=%s" % (name, ",".join(b.format() for b in self.backends))
        if self.hash_fields:
            s += "; hash_fields=%s" % format_string(",".join(self.hash_fields))
        if self.flag:
            s += "; %s" % self.flag
        return s + ")"

    def encode(self, ec):
        zone = zone_for(ec, DNAT_ZONE)
        table = ec.logical_table(self.pipeline, self.table)
        if not self.backends:
            return [of.Ct(table=table, zone=zone, nat=of.Nat())]
        mf = self.mark_field
        exec_ = [of.SetField(mf, 1 << NATTED_BIT, 1 << NATTED_BIT)]
        if self.flag == "skip_snat":
            exec_.append(of.SetField(mf, 1 << SKIP_SNAT_BIT, 1 << SKIP_SNAT_BIT))
        elif self.flag == "force_snat":
            exec_.append(of.SetField(mf, 1 << FORCE_SNAT_BIT, 1 << FORCE_SNAT_BIT))
        buckets = []
        for i, b in enumerate(self.backends):
            nat = of.Nat("dst", b.ip, None, b.port, None)
            ct = of.Ct(commit=True, table=table, zone=zone, nat=nat,
                       exec_=tuple(exec_))
            buckets.append(of.Bucket((ct,), bucket_id=i, weight=100))
        return [of.Group(ec.groups.alloc(ec.select_group(buckets, self.hash_fields)))]

    def interpret(self, it):
        choice = None
        if self.backends:
            choice = it.lookup("ct_lb", backends=[b.format() for b in self.backends])
            if choice is None:
                choice = self.backends[0].format()
        it.effect("ct", kind=self.names[0], backend=choice, table=self.table)
        it.effect("next", pipeline=self.pipeline, table=self.table)
        it.stop()


@base.register
@dataclass(frozen=True)
class CtLb(_CtLbBase):
    names = ("ct_lb",)
    mark_field = "ct_label"
    table: int
    pipeline: str
    backends: tuple = ()
    hash_fields: tuple = ()
    flag: str = None


@base.register
@dataclass(frozen=True)
class CtLbMark(_CtLbBase):
    names = ("ct_lb_mark",)
    mark_field = "ct_mark"
    table: int
    pipeline: str
    backends: tuple = ()
    hash_fields: tuple = ()
    flag: str = None
