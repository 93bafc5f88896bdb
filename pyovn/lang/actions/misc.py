"""The remaining actions: log, trigger_event, bind_vport, handle_svc_check,
handle_bfd_msg, fwd_group, select, the flag-check result actions
(chk_lb_hairpin, chk_lb_hairpin_reply, check_in_port_sec,
check_out_port_sec, chk_ecmp_nh_mac, chk_ecmp_nh, chk_lb_aff),
commit_ecmp_nh, commit_lb_aff and sample."""

import ipaddress
import uuid
from dataclasses import dataclass

from pyovn.lang.errors import LangError
from pyovn.lang.lexer import format_string
from pyovn.lang.actions import base, opcodes
from pyovn.lang.actions.conntrack import parse_hash_fields
from pyovn.openflow import layout
from pyovn.openflow import model as of


# --- log -------------------------------------------------------------------

LOG_VERDICTS = {"allow": 0, "drop": 1, "reject": 2, "pass": 3}
LOG_SEVERITIES = {"alert": 1, "warning": 4, "notice": 5, "info": 6, "debug": 7}


@base.register
@dataclass(frozen=True)
class Log(base.Action):
    """log(name="N", verdict=V, severity=S, meter="M")"""
    names = ("log",)
    verdict: str
    severity: str = "info"
    name: str = None
    meter: str = None

    @classmethod
    def parse(cls, p, tok):
        p.expect("(")
        name = meter = verdict = None
        severity = "info"
        while not p.match(")"):
            t = p.token
            if p.match_id("name"):
                p.expect("=")
                name = p.string("string")
            elif p.match_id("verdict"):
                p.expect("=")
                v = p.token
                if v.type != "ID" or v.s not in LOG_VERDICTS:
                    raise p.syntax_error("unknown verdict")
                verdict = v.s
                p.advance()
            elif p.match_id("severity"):
                p.expect("=")
                v = p.token
                if v.type != "ID" or v.s not in LOG_SEVERITIES:
                    raise p.syntax_error("unknown severity")
                severity = v.s
                p.advance()
            elif p.match_id("meter"):
                p.expect("=")
                meter = p.string("string")
            else:
                raise p.syntax_error("expecting name, verdict, severity or meter")
            if not p.match(","):
                p.expect(")")
                break
        if verdict is None:
            raise p.syntax_error("expecting verdict")
        return cls(verdict, severity, name, meter)

    def format(self):
        parts = []
        if self.name is not None:
            parts.append("name=%s" % format_string(self.name))
        parts.append("verdict=%s" % self.verdict)
        parts.append("severity=%s" % self.severity)
        if self.meter is not None:
            parts.append("meter=%s" % format_string(self.meter))
        return "log(%s)" % ", ".join(parts)

    def encode(self, ec):
        payload = bytes([LOG_VERDICTS[self.verdict], LOG_SEVERITIES[self.severity]])
        payload += (self.name or "").encode()
        meter_id = ec.meters.lookup(self.meter) if self.meter else None
        return [base.controller(opcodes.LOG, payload, False, ec, meter_id)]

    def interpret(self, it):
        it.effect("other", text=self.format())


# --- trigger_event -----------------------------------------------------------

# event name -> (event type, option name -> TLV type, meter name)
EVENTS = {"empty_lb_backends": (0, {"vip": 1, "protocol": 2, "load_balancer": 3},
                                "event-elb")}


@base.register
@dataclass(frozen=True)
class TriggerEvent(base.Action):
    """trigger_event(event="empty_lb_backends", vip=..., protocol=...,
    load_balancer=...)"""
    names = ("trigger_event",)
    event: str
    options: tuple = ()          # ((name, value), ...)

    @classmethod
    def parse(cls, p, tok):
        p.expect("(")
        if not p.match_id("event"):
            raise p.syntax_error("expecting `event'")
        p.expect("=")
        et = p.token
        event = p.string("event type")
        if event not in EVENTS:
            raise LangError("Unknown event `%s'." % event, et.pos)
        allowed = EVENTS[event][1]
        opts = []
        while p.match(","):
            t = p.token
            if t.type != "ID" or t.s not in allowed:
                raise p.syntax_error("expecting event option")
            p.advance()
            p.expect("=")
            vt = p.token
            value = p.string("string")
            cls.check(t.s, value, vt)
            opts.append((t.s, value))
        p.expect(")")
        return cls(event, tuple(opts))

    @staticmethod
    def check(name, value, tok):
        if name == "protocol" and value not in ("tcp", "udp", "sctp"):
            raise LangError("Load balancer protocol '%s' is not 'tcp', 'udp', or "
                            "'sctp'" % value, tok.pos)
        if name == "load_balancer":
            try:
                uuid.UUID(value)
            except ValueError:
                raise LangError("Load balancer '%s' is not a UUID" % value,
                                tok.pos) from None
        if name == "vip":
            host = value
            if value.startswith("["):
                host = value[1:value.find("]")] if "]" in value else value
            elif value.count(":") == 1:
                host = value.split(":")[0]
            try:
                ipaddress.ip_address(host)
            except ValueError:
                raise LangError("Invalid load balancer VIP '%s'" % value,
                                tok.pos) from None

    def format(self):
        parts = ["event = %s" % format_string(self.event)]
        parts += ["%s = %s" % (n, format_string(v)) for n, v in self.options]
        return "trigger_event(%s)" % ", ".join(parts)

    def encode(self, ec):
        code, codes, meter = EVENTS[self.event]
        payload = code.to_bytes(4, "big")
        for n, v in self.options:
            data = v.encode()
            payload += codes[n].to_bytes(2, "big") + len(data).to_bytes(2, "big") + data
        # Events are rate limited by their meter (ovn-sb(5)), if it exists.
        return [base.controller(opcodes.EVENT, payload, False, ec,
                                ec.meters.lookup(meter))]

    def interpret(self, it):
        it.effect("controller", name="trigger_event", event=self.event)


# --- port-related controller actions -----------------------------------------

@base.register
@dataclass(frozen=True)
class BindVport(base.Action):
    """bind_vport(V, P): claim virtual port V for its parent P."""
    names = ("bind_vport",)
    vport: str
    port: base.Field

    @classmethod
    def parse(cls, p, tok):
        p.expect("(")
        vport = p.string("port name string")
        p.expect(",")
        port = p.string_field()
        p.expect(")")
        return cls(vport, port)

    def format(self):
        return "bind_vport(%s, %s)" % (format_string(self.vport), self.port.format())

    def encode(self, ec):
        key = ec.lookup_port(self.vport)
        if key is None:
            return []
        return base.with_args([(base.REG_INPORT, self.port.ovs)],
                              [base.controller(opcodes.BIND_VPORT,
                                               key.to_bytes(4, "big"), False, ec)])

    def interpret(self, it):
        it.effect("controller", name="bind_vport", vport=self.vport)


@base.register
@dataclass(frozen=True)
class HandleSvcCheck(base.Action):
    names = ("handle_svc_check",)
    port: base.Field

    @classmethod
    def parse(cls, p, tok):
        p.expect("(")
        port = p.string_field()
        p.expect(")")
        return cls(port)

    def format(self):
        return "handle_svc_check(%s)" % self.port.format()

    def encode(self, ec):
        return base.with_args([(base.REG_INPORT, self.port.ovs)],
                              [base.controller(opcodes.HANDLE_SVC_CHECK, b"", False, ec)])

    def interpret(self, it):
        it.effect("controller", name="handle_svc_check")
        it.stop()


@base.register
@dataclass(frozen=True)
class HandleBfdMsg(base.Action):
    names = ("handle_bfd_msg",)

    @classmethod
    def parse(cls, p, tok):
        if p.match("("):
            p.expect(")")
        return cls()

    def format(self):
        return "handle_bfd_msg()"

    def encode(self, ec):
        return [base.controller(opcodes.BFD_MSG, b"", False, ec)]

    def interpret(self, it):
        it.effect("controller", name="handle_bfd_msg")
        it.stop()


@base.register
@dataclass(frozen=True)
class FwdGroup(base.Action):
    """fwd_group(liveness=true, childports="p1", "p2", ...)"""
    names = ("fwd_group",)
    liveness: bool
    ports: tuple

    @classmethod
    def parse(cls, p, tok):
        p.expect("(")
        liveness = False
        if p.match_id("liveness"):
            p.expect("=")
            t = p.token
            val = t.s if t.type in ("ID", "STRING") else None
            if val not in ("true", "false"):
                raise p.syntax_error("expecting true or false")
            p.advance()
            liveness = val == "true"
            p.expect(",")
        if not p.match_id("childports"):
            raise p.syntax_error("expecting childports")
        p.expect("=")
        ports = []
        while True:
            t = p.token
            if t.type != "STRING":
                raise p.syntax_error("expecting logical switch port")
            ports.append(t.s)
            p.advance()
            if not p.match(","):
                break
        p.expect(")")
        return cls(liveness, tuple(ports))

    def format(self):
        s = "fwd_group("
        if self.liveness:
            s += "liveness=\"true\", "
        return s + "childports=%s)" % ", ".join(format_string(x) for x in self.ports)

    def encode(self, ec):
        buckets = []
        for name in self.ports:
            key = ec.lookup_port(name)
            if key is None:
                continue
            watch = ec.ofports.get(name) if self.liveness else None
            acts = (of.Load(key, of.Subfield("reg15", 0, 16)),
                    of.Resubmit(table=ec.output_table))
            buckets.append(of.Bucket(acts, watch_port=watch))
        if not buckets:
            return []
        gid = ec.groups.alloc(ec.select_group(buckets))
        return [of.Group(gid)]

    def interpret(self, it):
        choice = it.lookup("fwd_group", ports=list(self.ports)) or self.ports[0]
        from pyovn.lang.actions.control import OUTPORT
        it.set_port(OUTPORT, choice)
        it.effect("group", kind="fwd_group", chosen=choice)
        it.effect("output", outport=choice)


@base.register
@dataclass(frozen=True)
class Select(base.Action):
    """R = select(v1=w1, v2, ...) or select(values=(...); hash_fields="...")"""
    result_names = ("select",)
    dst: base.Field
    values: tuple              # ((value, weight), ...)
    hash_fields: tuple = ()
    long_form: bool = False
    table: int = 0
    pipeline: str = "ingress"

    @classmethod
    def parse_result(cls, p, tok, dst):
        if dst.string or dst.width < 16:
            raise LangError("cannot use %d-bit field %s for \"select\", which "
                            "requires at least 16 bits." % (dst.width, dst.format()),
                            tok.pos)
        p.expect("(")
        long_form = False
        hash_fields = ()
        if p.is_id("values"):
            p.advance()
            p.expect("=")
            long_form = True
            p.expect("(")
            values = cls._parse_values(p, dst, ")")
            p.expect(")")
            if p.match(";"):
                if not p.match_id("hash_fields"):
                    raise p.syntax_error("expecting hash_fields")
                if not p.match("="):
                    raise p.syntax_error("invalid hash_fields")
                hash_fields = parse_hash_fields(p)
        else:
            values = cls._parse_values(p, dst, ")")
        p.expect(")")
        if len(values) < 2:
            raise p.syntax_error("expecting at least 2 group members")
        if p.pctx.table_id + 1 >= p.pctx.n_tables:
            raise LangError("\"select\" action not allowed in last table.", tok.pos)
        return cls(dst, tuple(values), hash_fields, long_form or bool(hash_fields),
                   p.pctx.table_id + 1, p.pctx.pipeline)

    @staticmethod
    def _parse_values(p, dst, closing):
        values = []
        while p.token.type != closing:
            v = p.integer(0, (1 << dst.width) - 1, "small integer")
            weight = 100
            if p.match("="):
                t = p.token
                if t.type != "INTEGER" or t.value > 0xffff:
                    raise p.syntax_error("expecting weight")
                weight = t.value
                p.advance()
                if weight == 0:
                    raise p.syntax_error("weight can't be 0")
            values.append((v, weight))
            if not p.match(","):
                break
        return values

    def format(self):
        vals = ", ".join("%d=%d" % vw for vw in self.values)
        if self.long_form:
            s = "values=(%s)" % vals
            if self.hash_fields:
                s += "; hash_fields=%s" % format_string(",".join(self.hash_fields))
            vals = s
        return "%s = select(%s)" % (self.dst.format(), vals)

    def encode(self, ec):
        table = ec.logical_table(self.pipeline, self.table)
        buckets = tuple(
            of.Bucket((of.Load(v, self.dst.ovs), of.Resubmit(table=table)),
                      bucket_id=i, weight=w)
            for i, (v, w) in enumerate(self.values))
        gid = ec.groups.alloc(ec.select_group(buckets, self.hash_fields,
                                              l4_sym=True))
        return [of.Group(gid)]

    def interpret(self, it):
        choice = it.lookup("select", values=[v for v, w in self.values])
        if choice is None:
            choice = self.values[0][0]
        it.set(self.dst.ovs, choice)
        it.effect("group", kind="select", chosen=choice)
        it.effect("next", pipeline=self.pipeline, table=self.table)
        it.stop()


# --- flag-check result actions ----------------------------------------------

class _FlagCheck(base.Action):
    bit = None
    table = None

    @classmethod
    def parse_result(cls, p, tok, dst):
        base.check_result_bit(p, dst, tok)
        p.expect("(")
        if not p.match(")"):
            raise LangError("%s doesn't take any parameters" % tok.s, p.token.pos)
        return cls(dst)

    def format(self):
        return "%s = %s()" % (self.dst.format(), self.result_names[0])

    def encode(self, ec):
        return base.flag_check(self.bit, self.table, self.dst)

    def interpret(self, it):
        found = it.lookup(self.result_names[0])
        it.set(self.dst.ovs, 1 if found else 0)


def _flag_class(name, bit, table):
    @base.register
    @dataclass(frozen=True)
    class C(_FlagCheck):
        result_names = (name,)
        dst: base.Field
    C.bit = bit
    C.table = table
    C.__name__ = C.__qualname__ = "".join(w.capitalize() for w in name.split("_"))
    return C


ChkLbHairpin = _flag_class("chk_lb_hairpin", layout.MLF_LOOKUP_LB_HAIRPIN_BIT,
                           layout.CHK_LB_HAIRPIN)
ChkLbHairpinReply = _flag_class("chk_lb_hairpin_reply",
                                layout.MLF_LOOKUP_LB_HAIRPIN_BIT,
                                layout.CHK_LB_HAIRPIN_REPLY)
CheckInPortSec = _flag_class("check_in_port_sec", layout.MLF_CHECK_PORT_SEC_BIT,
                             layout.CHK_IN_PORT_SEC)
CheckOutPortSec = _flag_class("check_out_port_sec", layout.MLF_CHECK_PORT_SEC_BIT,
                              layout.CHK_OUT_PORT_SEC)
ChkEcmpNhMac = _flag_class("chk_ecmp_nh_mac", layout.MLF_LOOKUP_COMMIT_ECMP_NH_BIT,
                           layout.ECMP_NH_MAC)
ChkEcmpNh = _flag_class("chk_ecmp_nh", layout.MLF_LOOKUP_COMMIT_ECMP_NH_BIT,
                        layout.ECMP_NH)
ChkLbAff = _flag_class("chk_lb_aff", layout.MLF_USE_LB_AFF_SESSION_BIT,
                       layout.CHK_LB_AFFINITY)


# --- learn-based actions -------------------------------------------------------

PROTOS = {"tcp": (6, "tcp"), "udp": (17, "udp"), "sctp": (132, "sctp")}


def _sf(name, ofs=0, n=None):
    return of.Subfield(name, ofs, n)


def _bool_arg(p):
    t = p.token
    val = t.s if t.type in ("ID", "STRING") else None
    if val not in ("true", "false"):
        raise p.syntax_error("expecting true or false")
    p.advance()
    return val == "true"


@base.register
@dataclass(frozen=True)
class CommitEcmpNh(base.Action):
    """commit_ecmp_nh(ipv6 = B, proto = tcp|udp|sctp): remember the ECMP next
    hop of a connection (learned flows in ECMP_NH_MAC / ECMP_NH)."""
    names = ("commit_ecmp_nh",)
    ipv6: bool
    proto: str

    @classmethod
    def parse(cls, p, tok):
        p.expect("(")
        ipv6 = proto = None
        while not p.match(")"):
            t = p.token
            if p.match_id("ipv6"):
                p.expect("=")
                ipv6 = _bool_arg(p)
            elif p.match_id("proto"):
                p.expect("=")
                pt = p.token
                if pt.type != "ID" or pt.s not in PROTOS:
                    raise p.syntax_error("invalid parameter", t)
                proto = pt.s
                p.advance()
            else:
                raise p.syntax_error("invalid parameter")
            if not p.match(","):
                p.expect(")")
                break
        if ipv6 is None or proto is None:
            raise LangError("commit_ecmp_nh requires ipv6 and proto.", tok.pos)
        # The learned flows copy the packet's addresses and ports.
        p.add_prereq("ip6" if ipv6 else "ip4")
        p.add_prereq(proto)
        return cls(ipv6, proto)

    def format(self):
        return "commit_ecmp_nh(ipv6 = %s, proto = %s)" % (
            "true" if self.ipv6 else "false", self.proto)

    def encode(self, ec):
        eth_type = 0x86dd if self.ipv6 else 0x800
        src, dst = ("ipv6_src", "ipv6_dst") if self.ipv6 else ("ip_src", "ip_dst")
        nw_proto, tp = PROTOS[self.proto]
        flag = of.LearnSpec("load", _sf(base.REG_FLAGS,
                                        layout.MLF_LOOKUP_COMMIT_ECMP_NH_BIT, 1),
                            value=1)
        same = lambda f: of.LearnSpec("match", _sf(f), _sf(f))
        et = of.LearnSpec("match", _sf("eth_type"), value=eth_type)
        pr = of.LearnSpec("match", _sf("nw_proto"), value=nw_proto)
        mac = of.Learn(layout.ECMP_NH_MAC,
                       (same("metadata"), same("eth_src"), et, same(src), same(dst),
                        pr, same(tp + "_src"), same(tp + "_dst"), flag),
                       idle_timeout=20, hard_timeout=30, delete_learned=True)
        rev = lambda a, b: of.LearnSpec("match", _sf(a), _sf(b))
        nh = of.Learn(layout.ECMP_NH,
                      (same("metadata"), et, rev(src, dst), rev(dst, src), pr,
                       rev(tp + "_src", tp + "_dst"), rev(tp + "_dst", tp + "_src"),
                       flag),
                      idle_timeout=20, hard_timeout=30, delete_learned=True)
        return [mac, nh]

    def interpret(self, it):
        it.effect("other", text=self.format())


def _parse_hostport(text):
    """"ip", "ip:port" or "[ip6]:port" -> (ipaddress, port or None)."""
    host, port = text, None
    if text.startswith("["):
        end = text.find("]")
        if end < 0:
            raise ValueError(text)
        host = text[1:end]
        rest = text[end + 1:]
        if rest:
            if not rest.startswith(":"):
                raise ValueError(text)
            port = int(rest[1:])
    elif text.count(":") == 1:
        host, p = text.split(":")
        port = int(p)
    addr = ipaddress.ip_address(host)
    if port is not None and not 0 < port < 65536:
        raise ValueError(text)
    return addr, port


@base.register
@dataclass(frozen=True)
class CommitLbAff(base.Action):
    """commit_lb_aff(vip = "VIP[:PORT]", backend = "IP[:PORT]", proto = P,
    timeout = T): remember the backend chosen for a client."""
    names = ("commit_lb_aff",)
    vip: str
    backend: str
    proto: str = None
    timeout: int = 0

    @classmethod
    def parse(cls, p, tok):
        p.expect("(")
        args = {}
        while not p.match(")"):
            t = p.token
            if p.match_id("vip") or p.match_id("backend"):
                p.expect("=")
                vt = p.token
                value = p.string("string")
                try:
                    _parse_hostport(value)
                except ValueError:
                    raise LangError("Invalid %s `%s'." % (t.s, value), vt.pos) from None
                args[t.s] = value
            elif p.match_id("proto"):
                p.expect("=")
                pt = p.token
                if pt.type != "ID" or pt.s not in PROTOS:
                    raise p.syntax_error("expecting tcp, udp or sctp")
                args["proto"] = pt.s
                p.advance()
            elif p.match_id("timeout"):
                p.expect("=")
                args["timeout"] = p.integer(0, 0xffff, "timeout")
            else:
                raise p.syntax_error("invalid parameter")
            if not p.match(","):
                p.expect(")")
                break
        if "vip" not in args or "backend" not in args:
            raise LangError("commit_lb_aff requires vip and backend.", tok.pos)
        vip, vport = _parse_hostport(args["vip"])
        be, bport = _parse_hostport(args["backend"])
        if vip.version != be.version:
            raise LangError("commit_lb_aff vip and backend must be of the same "
                            "address family.", tok.pos)
        p.add_prereq("ip6" if vip.version == 6 else "ip4")   # learns ip.src
        return cls(args["vip"], args["backend"], args.get("proto"),
                   args.get("timeout", 0))

    def format(self):
        s = "commit_lb_aff(vip = %s, backend = %s" % (format_string(self.vip),
                                                      format_string(self.backend))
        if self.proto:
            s += ", proto = %s" % self.proto
        return s + ", timeout = %d)" % self.timeout

    def encode(self, ec):
        vip, vport = _parse_hostport(self.vip)
        be, bport = _parse_hostport(self.backend)
        v6 = vip.version == 6
        specs = [of.LearnSpec("match", _sf("metadata"), _sf("metadata")),
                 of.LearnSpec("match", _sf("eth_type"), value=0x86dd if v6 else 0x800)]
        src, dst = ("ipv6_src", "ipv6_dst") if v6 else ("ip_src", "ip_dst")
        specs.append(of.LearnSpec("match", _sf(src), _sf(src)))
        specs.append(of.LearnSpec("match", _sf(dst), value=int(vip)))
        if self.proto and vport:
            nw_proto, tp = PROTOS[self.proto]
            specs.append(of.LearnSpec("match", _sf("nw_proto"), value=nw_proto))
            specs.append(of.LearnSpec("match", _sf(tp + "_dst"), value=vport))
        specs.append(of.LearnSpec("load", _sf(base.REG_FLAGS,
                                              layout.MLF_USE_LB_AFF_SESSION_BIT, 1),
                                  value=1))
        specs.append(of.LearnSpec("load", _sf("xxreg1" if v6 else "reg4"),
                                  value=int(be)))
        if bport:
            specs.append(of.LearnSpec("load", _sf("reg8", 0, 16), value=bport))
        return [of.Learn(layout.CHK_LB_AFFINITY, tuple(specs),
                         idle_timeout=self.timeout, delete_learned=True)]

    def interpret(self, it):
        it.effect("other", text=self.format())


# --- sample --------------------------------------------------------------------

@base.register
@dataclass(frozen=True)
class Sample(base.Action):
    """sample(probability=P, collector_set=C, obs_domain=D, obs_point=N)
    (obs_point=@cookie, ovn-sb(5) 23.03, or $cookie as later releases
    write it: the first 32 bits of the logical flow's UUID)."""
    names = ("sample",)
    probability: int
    collector_set: int = 0
    obs_domain: int = 0
    obs_point: object = 0       # int, or "@cookie"

    @classmethod
    def parse(cls, p, tok):
        p.expect("(")
        args = {"probability": None, "collector_set": 0, "obs_domain": 0,
                "obs_point": 0}
        while not p.match(")"):
            t = p.token
            if t.type != "ID" or t.s not in args:
                raise p.syntax_error("unknown argument")
            p.advance()
            p.expect("=")
            vt = p.token
            if t.s == "obs_point" and vt.type in ("MACRO", "PORT_GROUP") \
                    and vt.s == "cookie":
                p.advance()
                args[t.s] = "@cookie"
            else:
                if vt.type != "INTEGER" or vt.mask is not None:
                    raise p.syntax_error("expecting integer")
                limit = {"probability": 0xffff, "obs_domain": 0xff}.get(t.s, 0xffffffff)
                if vt.value > limit:
                    if t.s == "obs_domain":
                        raise p.syntax_error("obs_domain must be 8-bit long")
                    raise p.syntax_error("%s must be at most %d" % (t.s, limit))
                args[t.s] = vt.value
                p.advance()
            if not p.match(","):
                p.expect(")")
                break
        if not args["probability"]:
            raise LangError("probability must be greater than zero", tok.pos)
        return cls(args["probability"], args["collector_set"], args["obs_domain"],
                   args["obs_point"])

    def format(self):
        return ("sample(probability=%d,collector_set=%d,obs_domain=%d,obs_point=%s)"
                % (self.probability, self.collector_set, self.obs_domain,
                   self.obs_point))

    def encode(self, ec):
        if ec.collector_ids is not None and self.collector_set not in ec.collector_ids:
            return []
        point = ec.lflow_cookie if self.obs_point == "@cookie" else self.obs_point
        return [of.Sample(self.probability, self.collector_set,
                          (self.obs_domain << 24) | (ec.dp_key & 0xffffff), point)]

    def interpret(self, it):
        it.effect("other", text=self.format())
