"""OpenFlow 1.5 and Nicira extension actions: wire encoding and decoding.

On this level an action is an `Act`: a kind (the ovs-actions(7) name) and
its wire arguments.  pyovn/openflow/model.py's action classes are mapped to
Acts by pyovn.openflow.codec.model_wire; decoding (flow stats replies,
round trips) yields Acts.

Kinds and arguments:
  output(port, max_len=0)        group(group_id)         meter(meter_id)
  set_queue(queue_id)            push_vlan(ethertype)    pop_vlan()
  dec_ttl(ids=None)   (ids: controller ids; () is C OVN's dec_ttl())
  set_field(field, value, mask=None)
  reg_load(field, ofs, n_bits, value)   (sent as a masked set_field, as
                                         OpenFlow 1.5 has no NXAST_REG_LOAD)
  copy_field(src, src_ofs, dst, dst_ofs, n_bits)   (OFPAT_COPY_FIELD; `move`
                                         is accepted as a synonym)
  resubmit(port=None, table=None, ct=False)   (NXAST_RESUBMIT_TABLE[_CT])
  ct(commit, force, zone, zone_field, table, alg, actions)
      zone: immediate zone or None; zone_field: (field, ofs, n_bits) or None
  nat(mode, ip_min, ip_max, ipv6, port_min, port_max, persistent,
      hash, random)                mode: None, "src" or "dst"
  ct_clear()                     conjunction(id, clause, n_clauses)  (clause 1-based)
  controller(reason, userdata, pause, meter_id, max_len, controller_id)
  learn(table, priority, idle_timeout, hard_timeout, fin_idle_timeout,
        fin_hard_timeout, cookie, flags, specs)
      specs: LearnSpec(kind, n_bits, src_field, src_ofs, src_value,
                       dst_field, dst_ofs)   kind: match, load or output
  clone(actions)                 check_pkt_larger(pkt_len, dst, dst_ofs)
  note(data)                     sample(probability, collector_set_id,
                                        obs_domain_id, obs_point_id,
                                        sampling_port=None)
  exit()                         output_reg(field, ofs, n_bits, max_len=0)
  stack_push(field, ofs, n_bits) stack_pop(field, ofs, n_bits)
There is no drop action: an empty action list drops.
"""

import struct

from pyovn.openflow.codec import fields as F
from pyovn.openflow.codec.errors import CodecError

NX_VENDOR = 0x00002320

OFPAT_OUTPUT = 0
OFPAT_PUSH_VLAN = 17
OFPAT_POP_VLAN = 18
OFPAT_SET_QUEUE = 21
OFPAT_GROUP = 22
OFPAT_DEC_NW_TTL = 24
OFPAT_SET_FIELD = 25
OFPAT_COPY_FIELD = 28
OFPAT_METER = 29
OFPAT_EXPERIMENTER = 0xffff

NXAST_RESUBMIT = 1
NXAST_REG_MOVE = 6
NXAST_REG_LOAD = 7
NXAST_NOTE = 8
NXAST_RESUBMIT_TABLE = 14
NXAST_LEARN = 16
NXAST_OUTPUT_REG = 15
NXAST_EXIT = 17
NXAST_STACK_PUSH = 27
NXAST_STACK_POP = 28
NXAST_DEC_TTL = 18
NXAST_DEC_TTL_CNT_IDS = 21
NXAST_SAMPLE = 29
NXAST_CONJUNCTION = 34
NXAST_CT = 35
NXAST_NAT = 36
NXAST_CONTROLLER2 = 37
NXAST_SAMPLE2 = 38
NXAST_CLONE = 42
NXAST_CT_CLEAR = 43
NXAST_RESUBMIT_TABLE_CT = 44
NXAST_CHECK_PKT_LARGER = 49

OFPP_IN_PORT = 0xfffffff8
OFPP_CONTROLLER = 0xfffffffd
OFPP_ANY = 0xffffffff
OFPP10_IN_PORT = 0xfff8

NX_CT_F_COMMIT = 1
NX_CT_F_FORCE = 2
NX_CT_RECIRC_NONE = 0xff

NX_NAT_F_SRC = 1
NX_NAT_F_DST = 2
NX_NAT_F_PERSISTENT = 4
NX_NAT_F_PROTO_HASH = 8
NX_NAT_F_PROTO_RANDOM = 16
NX_NAT_RANGE_IPV4_MIN = 1
NX_NAT_RANGE_IPV4_MAX = 2
NX_NAT_RANGE_IPV6_MIN = 4
NX_NAT_RANGE_IPV6_MAX = 8
NX_NAT_RANGE_PROTO_MIN = 16
NX_NAT_RANGE_PROTO_MAX = 32

NXAC2PT_MAX_LEN = 0
NXAC2PT_CONTROLLER_ID = 1
NXAC2PT_REASON = 2
NXAC2PT_USERDATA = 3
NXAC2PT_PAUSE = 4
NXAC2PT_METER_ID = 5

OFPR_ACTION = 1

_DEFAULTS = {
    "output": {"max_len": 0},
    "output_reg": {"max_len": 0},
    "push_vlan": {"ethertype": 0x8100},
    "set_field": {"mask": None},
    "resubmit": {"port": None, "table": None, "ct": False},
    "ct": {"commit": False, "force": False, "zone": None, "zone_field": None,
           "table": None, "alg": 0, "actions": ()},
    "nat": {"mode": None, "ip_min": None, "ip_max": None, "ipv6": False,
            "port_min": None, "port_max": None, "persistent": False,
            "hash": False, "random": False},
    "controller": {"reason": OFPR_ACTION, "userdata": b"", "pause": False,
                   "meter_id": None, "max_len": None, "controller_id": None},
    "learn": {"table": 1, "priority": 0x8000, "idle_timeout": 0,
              "hard_timeout": 0, "fin_idle_timeout": 0, "fin_hard_timeout": 0,
              "cookie": 0, "flags": 0, "specs": ()},
    "clone": {"actions": ()},
    "note": {"data": b""},
    "sample": {"collector_set_id": 0, "obs_domain_id": 0, "obs_point_id": 0,
               "sampling_port": None},
}


class Act:
    """One action at wire level: KIND plus its arguments (see module doc)."""

    __slots__ = ("kind", "args")

    def __init__(self, kind, **args):
        self.kind = kind
        full = dict(_DEFAULTS.get(kind, {}))
        full.update(args)
        for k in ("actions", "specs"):
            if k in full:
                full[k] = tuple(full[k])
        self.args = full

    def __getattr__(self, name):
        try:
            return self.args[name]
        except KeyError:
            raise AttributeError(name) from None

    def _key(self):
        return (self.kind, tuple(sorted(self.args.items(), key=lambda kv: kv[0])))

    def __eq__(self, other):
        return isinstance(other, Act) and self._key() == other._key()

    def __hash__(self):
        return hash(self._key())

    def __repr__(self):
        return "Act(%s%s)" % (self.kind, "".join(
            ", %s=%r" % kv for kv in sorted(self.args.items())))


class LearnSpec:
    """One flow_mod_spec of a learn action."""

    __slots__ = ("kind", "n_bits", "src_field", "src_ofs", "src_value",
                 "dst_field", "dst_ofs")

    def __init__(self, kind, n_bits, src_field=None, src_ofs=0, src_value=None,
                 dst_field=None, dst_ofs=0):
        if kind not in ("match", "load", "output"):
            raise CodecError("learn spec kind %r is not match, load or output" % kind)
        self.kind = kind
        self.n_bits = n_bits
        self.src_field = F.canonical(src_field) if src_field else None
        self.src_ofs = src_ofs if src_field else 0
        self.src_value = src_value
        self.dst_field = F.canonical(dst_field) if dst_field else None
        self.dst_ofs = dst_ofs if dst_field else 0

    def _key(self):
        return tuple(getattr(self, s) for s in self.__slots__)

    def __eq__(self, other):
        return isinstance(other, LearnSpec) and self._key() == other._key()

    def __hash__(self):
        return hash(self._key())

    def __repr__(self):
        return "LearnSpec%r" % (self._key(),)


def _pad8(b):
    return b + b"\0" * ((-len(b)) % 8)


def _std(atype, body):
    """A standard action: type, len, BODY, padded to 8."""
    length = 4 + len(body)
    length += (-length) % 8
    return struct.pack("!HH", atype, length) + body + b"\0" * (length - 4 - len(body))


def _nx(subtype, body):
    """A Nicira action: type 0xffff, len, vendor, subtype, BODY, pad to 8."""
    raw = struct.pack("!IH", NX_VENDOR, subtype) + body
    length = 4 + len(raw)
    length += (-length) % 8
    return struct.pack("!HH", OFPAT_EXPERIMENTER, length) + raw + \
        b"\0" * (length - 4 - len(raw))


def ofs_nbits(ofs, n_bits):
    if n_bits < 1 or ofs < 0 or ofs >= 1024 or n_bits > 64 * 8:
        raise CodecError("bad bit range: ofs %d n_bits %d" % (ofs, n_bits))
    return (ofs << 6) | (n_bits - 1)


def _hdr(name, ctx):
    """OXM header of field NAME (OpenFlow 1.5 actions: copy_field)."""
    fld = F.field(name)
    return F.oxm_header_bytes(fld, False, ctx), fld


def _nxhdr(name, ctx):
    """Header of NAME in Nicira actions: NXM where the field has one."""
    fld = F.field(name)
    return F.nxm_header_bytes(name, ctx), fld


def _check_range(fld, ofs, n_bits, ctx, what):
    width = ctx.field_bytes(fld) * 8
    if ofs < 0 or n_bits < 1 or ofs + n_bits > width:
        raise CodecError("%s: bits %d..%d out of range for %s (%d bits)"
                         % (what, ofs, ofs + n_bits - 1, fld.name, width))


def _props(props):
    out = b""
    for ptype, body in props:
        out += _pad8(struct.pack("!HH", ptype, 4 + len(body)) + body)
    return out


def _encode_one(a, ctx):
    k = a.kind
    if k == "output":
        return _std(OFPAT_OUTPUT, struct.pack("!IH6x", a.port, a.max_len))
    if k == "group":
        return _std(OFPAT_GROUP, struct.pack("!I", a.group_id))
    if k == "meter":
        return _std(OFPAT_METER, struct.pack("!I", a.meter_id))
    if k == "set_queue":
        return _std(OFPAT_SET_QUEUE, struct.pack("!I", a.queue_id))
    if k == "push_vlan":
        return _std(OFPAT_PUSH_VLAN, struct.pack("!H2x", a.ethertype))
    if k == "pop_vlan":
        return _std(OFPAT_POP_VLAN, b"\0" * 4)
    if k == "dec_ttl":
        ids = a.args.get("ids")
        if ids is not None:
            return _nx(NXAST_DEC_TTL_CNT_IDS, struct.pack("!H4x%dH" % len(ids),
                                                          len(ids), *ids))
        return _std(OFPAT_DEC_NW_TTL, b"\0" * 4)
    if k == "set_field":
        return _std(OFPAT_SET_FIELD, F.encode_tlv(a.field, a.value, a.mask, ctx))
    if k == "reg_load":
        # OpenFlow 1.5 has no NXAST_REG_LOAD: a partial load is a masked
        # set_field.
        fld = F.field(a.field)
        _check_range(fld, a.ofs, a.n_bits, ctx, "load")
        if a.value >> a.n_bits:
            raise CodecError("load: value 0x%x does not fit in %d bits"
                             % (a.value, a.n_bits))
        mask = ((1 << a.n_bits) - 1) << a.ofs
        return _std(OFPAT_SET_FIELD, F.encode_tlv(fld.name, a.value << a.ofs,
                                                  mask, ctx))
    if k in ("copy_field", "move"):
        # NXAST_REG_MOVE is OpenFlow 1.0-1.4 only; 1.5 has OFPAT_COPY_FIELD.
        src, sfld = _hdr(a.src, ctx)
        dst, dfld = _hdr(a.dst, ctx)
        _check_range(sfld, a.src_ofs, a.n_bits, ctx, "move source")
        _check_range(dfld, a.dst_ofs, a.n_bits, ctx, "move destination")
        return _std(OFPAT_COPY_FIELD, struct.pack("!HHH2x", a.n_bits, a.src_ofs,
                                                  a.dst_ofs) + src + dst)
    if k == "resubmit":
        port = OFPP10_IN_PORT if a.port is None else a.port
        if port > 0xffff:
            port = port - 0xffff0000 if port >= 0xffffff00 else port
        if port > 0xffff:
            raise CodecError("resubmit: port %d out of range" % a.port)
        table = 0xff if a.table is None else a.table
        sub = NXAST_RESUBMIT_TABLE_CT if a.ct else NXAST_RESUBMIT_TABLE
        return _nx(sub, struct.pack("!HB3x", port, table))
    if k == "ct":
        flags = (NX_CT_F_COMMIT if a.commit else 0) | (NX_CT_F_FORCE if a.force else 0)
        if a.zone_field is not None:
            zname, zofs, znbits = a.zone_field
            zhdr, zfld = _nxhdr(zname, ctx)
            _check_range(zfld, zofs, znbits, ctx, "ct zone")
            zone_src, zone_val = struct.unpack("!I", zhdr)[0], ofs_nbits(zofs, znbits)
        else:
            zone_src, zone_val = 0, a.zone or 0
        table = NX_CT_RECIRC_NONE if a.table is None else a.table
        body = struct.pack("!HIHB3xH", flags, zone_src, zone_val, table, a.alg)
        return _nx(NXAST_CT, body + encode_actions(a.actions, ctx))
    if k == "nat":
        flags = {None: 0, "src": NX_NAT_F_SRC, "dst": NX_NAT_F_DST}[a.mode]
        flags |= (NX_NAT_F_PERSISTENT if a.persistent else 0) | \
            (NX_NAT_F_PROTO_HASH if a.hash else 0) | \
            (NX_NAT_F_PROTO_RANDOM if a.random else 0)
        present = 0
        rng = b""
        if a.ip_min is not None:
            if a.ipv6:
                present |= NX_NAT_RANGE_IPV6_MIN
                rng += a.ip_min.to_bytes(16, "big")
                if a.ip_max is not None:
                    present |= NX_NAT_RANGE_IPV6_MAX
                    rng += a.ip_max.to_bytes(16, "big")
            else:
                present |= NX_NAT_RANGE_IPV4_MIN
                rng += struct.pack("!I", a.ip_min)
                if a.ip_max is not None:
                    present |= NX_NAT_RANGE_IPV4_MAX
                    rng += struct.pack("!I", a.ip_max)
        if a.port_min is not None:
            present |= NX_NAT_RANGE_PROTO_MIN
            rng += struct.pack("!H", a.port_min)
            if a.port_max is not None:
                present |= NX_NAT_RANGE_PROTO_MAX
                rng += struct.pack("!H", a.port_max)
        return _nx(NXAST_NAT, struct.pack("!2xHH", flags, present) + rng)
    if k == "ct_clear":
        return _nx(NXAST_CT_CLEAR, b"\0" * 6)
    if k == "conjunction":
        if not 1 <= a.clause <= a.n_clauses <= 64 or a.n_clauses < 2:
            raise CodecError("conjunction(%s, %s/%s): bad clause"
                             % (a.id, a.clause, a.n_clauses))
        return _nx(NXAST_CONJUNCTION, struct.pack("!BBI", a.clause - 1,
                                                  a.n_clauses, a.id))
    if k == "controller":
        props = []
        if a.max_len is not None:
            props.append((NXAC2PT_MAX_LEN, struct.pack("!H", a.max_len)))
        if a.controller_id is not None:
            props.append((NXAC2PT_CONTROLLER_ID, struct.pack("!H", a.controller_id)))
        if a.reason != OFPR_ACTION:
            props.append((NXAC2PT_REASON, struct.pack("!B", a.reason)))
        if a.userdata:
            props.append((NXAC2PT_USERDATA, bytes(a.userdata)))
        if a.pause:
            props.append((NXAC2PT_PAUSE, b""))
        if a.meter_id is not None:
            props.append((NXAC2PT_METER_ID, struct.pack("!I", a.meter_id)))
        return _nx(NXAST_CONTROLLER2, b"\0" * 6 + _props(props))
    if k == "learn":
        body = struct.pack("!HHHQHBxHH", a.idle_timeout, a.hard_timeout,
                           a.priority, a.cookie, a.flags, a.table,
                           a.fin_idle_timeout, a.fin_hard_timeout)
        for s in a.specs:
            body += _encode_learn_spec(s, ctx)
        return _nx(NXAST_LEARN, body)
    if k == "clone":
        return _nx(NXAST_CLONE, b"\0" * 6 + encode_actions(a.actions, ctx))
    if k == "check_pkt_larger":
        hdr, fld = _nxhdr(a.dst, ctx)
        _check_range(fld, a.dst_ofs, 1, ctx, "check_pkt_larger")
        return _nx(NXAST_CHECK_PKT_LARGER, struct.pack("!HH", a.pkt_len, a.dst_ofs)
                   + hdr)
    if k == "note":
        data = bytes(a.data)
        body = data + b"\0" * max(0, 6 - len(data))
        return _nx(NXAST_NOTE, body)
    if k == "sample":
        body = struct.pack("!HIII", a.probability, a.collector_set_id,
                           a.obs_domain_id, a.obs_point_id)
        if a.sampling_port is None:
            return _nx(NXAST_SAMPLE, body)
        return _nx(NXAST_SAMPLE2, body + struct.pack("!HB5x", a.sampling_port, 0))
    if k == "exit":
        return _nx(NXAST_EXIT, b"\0" * 6)
    if k in ("stack_push", "stack_pop"):
        hdr, fld = _nxhdr(a.field, ctx)
        _check_range(fld, a.ofs, a.n_bits, ctx, k)
        sub = NXAST_STACK_PUSH if k == "stack_push" else NXAST_STACK_POP
        return _nx(sub, struct.pack("!H", a.ofs) + hdr + struct.pack("!H6x", a.n_bits))
    if k == "output_reg":
        hdr, fld = _nxhdr(a.field, ctx)
        _check_range(fld, a.ofs, a.n_bits, ctx, "output")
        if len(hdr) != 4:
            raise CodecError("output: %s cannot hold a port" % fld.name)
        return _nx(NXAST_OUTPUT_REG, struct.pack("!H", ofs_nbits(a.ofs, a.n_bits))
                   + hdr + struct.pack("!H6x", a.max_len))
    raise CodecError("cannot encode action kind %r" % k)


def _encode_learn_spec(s, ctx):
    src_is_imm = s.src_field is None
    dst_type = {"match": 0, "load": 1, "output": 2}[s.kind]
    if s.n_bits < 1 or s.n_bits > 0x7ff:
        raise CodecError("learn: bad n_bits %d" % s.n_bits)
    out = struct.pack("!H", (int(src_is_imm) << 13) | (dst_type << 11) | s.n_bits)
    if src_is_imm:
        nbytes = (s.n_bits + 15) // 16 * 2
        value = s.src_value or 0
        if value >> (nbytes * 8):
            raise CodecError("learn: immediate 0x%x wider than %d bits" % (value, s.n_bits))
        out += value.to_bytes(nbytes, "big")
    else:
        hdr, fld = _nxhdr(s.src_field, ctx)
        _check_range(fld, s.src_ofs, s.n_bits, ctx, "learn source")
        out += hdr + struct.pack("!H", s.src_ofs)
    if s.kind != "output":
        hdr, fld = _nxhdr(s.dst_field, ctx)
        _check_range(fld, s.dst_ofs, s.n_bits, ctx, "learn destination")
        out += hdr + struct.pack("!H", s.dst_ofs)
    return out


def encode_actions(actions, ctx=F.DEFAULT_CONTEXT):
    """Concatenated wire actions for a list of Acts."""
    return b"".join(_encode_one(a, ctx) for a in actions)


# --- decoding -------------------------------------------------------------

def _field_at(data, off):
    fld, hasmask, length, hsize = F.decode_header(data, off)
    return fld, hsize


def decode_actions(data):
    """Parses concatenated wire actions into a list of Acts."""
    out = []
    off = 0
    while off < len(data):
        if len(data) - off < 8:
            raise CodecError("truncated action at offset %d" % off)
        atype, length = struct.unpack_from("!HH", data, off)
        if length < 8 or length % 8 or off + length > len(data):
            raise CodecError("action type %d at offset %d has bad length %d"
                             % (atype, off, length))
        out.append(_decode_one(atype, data[off:off + length]))
        off += length
    return out


def _decode_one(atype, b):
    if atype == OFPAT_OUTPUT:
        port, max_len = struct.unpack_from("!IH", b, 4)
        return Act("output", port=port, max_len=max_len)
    if atype == OFPAT_GROUP:
        return Act("group", group_id=struct.unpack_from("!I", b, 4)[0])
    if atype == OFPAT_METER:
        return Act("meter", meter_id=struct.unpack_from("!I", b, 4)[0])
    if atype == OFPAT_SET_QUEUE:
        return Act("set_queue", queue_id=struct.unpack_from("!I", b, 4)[0])
    if atype == OFPAT_PUSH_VLAN:
        return Act("push_vlan", ethertype=struct.unpack_from("!H", b, 4)[0])
    if atype == OFPAT_POP_VLAN:
        return Act("pop_vlan")
    if atype == OFPAT_DEC_NW_TTL:
        return Act("dec_ttl")
    if atype == OFPAT_SET_FIELD:
        fld, hasmask, length, hsize = F.decode_header(b, 4)
        (name, value, mask), = F.decode_fields(b[4:4 + hsize + length])
        return Act("set_field", field=name, value=value, mask=mask)
    if atype == OFPAT_COPY_FIELD:
        n_bits, src_ofs, dst_ofs = struct.unpack_from("!HHH", b, 4)
        sfld, shs = _field_at(b, 12)
        dfld, _ = _field_at(b, 12 + shs)
        return Act("copy_field", src=sfld.name, src_ofs=src_ofs, dst=dfld.name,
                   dst_ofs=dst_ofs, n_bits=n_bits)
    if atype == OFPAT_EXPERIMENTER:
        vendor, = struct.unpack_from("!I", b, 4)
        if vendor != NX_VENDOR or len(b) < 16:
            raise CodecError("unknown experimenter action vendor 0x%x" % vendor)
        sub, = struct.unpack_from("!H", b, 8)
        return _decode_nx(sub, b)
    raise CodecError("unknown action type %d" % atype)


def _decode_nx(sub, b):
    if sub in (NXAST_RESUBMIT, NXAST_RESUBMIT_TABLE, NXAST_RESUBMIT_TABLE_CT):
        port, table = struct.unpack_from("!HB", b, 10)
        if sub == NXAST_RESUBMIT:
            table = 0xff
        return Act("resubmit", port=None if port == OFPP10_IN_PORT else port,
                   table=None if table == 0xff else table,
                   ct=sub == NXAST_RESUBMIT_TABLE_CT)
    if sub == NXAST_REG_LOAD:
        on, = struct.unpack_from("!H", b, 10)
        fld, _ = _field_at(b, 12)
        value, = struct.unpack_from("!Q", b, 16)
        return Act("reg_load", field=fld.name, ofs=on >> 6, n_bits=(on & 0x3f) + 1,
                   value=value)
    if sub == NXAST_REG_MOVE:
        n_bits, src_ofs, dst_ofs = struct.unpack_from("!HHH", b, 10)
        sfld, shs = _field_at(b, 16)
        dfld, _ = _field_at(b, 16 + shs)
        return Act("move", src=sfld.name, src_ofs=src_ofs, dst=dfld.name,
                   dst_ofs=dst_ofs, n_bits=n_bits)
    if sub == NXAST_CT:
        flags, zone_src, zone_val, table, alg = struct.unpack_from("!HIHB3xH", b, 10)
        if zone_src:
            fld, _ = F.decode_header(struct.pack("!I", zone_src))[:2]
            zone_field, zone = (fld.name, zone_val >> 6, (zone_val & 0x3f) + 1), None
        else:
            zone_field, zone = None, zone_val or None
        return Act("ct", commit=bool(flags & NX_CT_F_COMMIT),
                   force=bool(flags & NX_CT_F_FORCE), zone=zone,
                   zone_field=zone_field,
                   table=None if table == NX_CT_RECIRC_NONE else table, alg=alg,
                   actions=decode_actions(b[24:]))
    if sub == NXAST_NAT:
        flags, present = struct.unpack_from("!HH", b, 12)
        off = 16
        args = {"mode": "src" if flags & NX_NAT_F_SRC else
                "dst" if flags & NX_NAT_F_DST else None,
                "persistent": bool(flags & NX_NAT_F_PERSISTENT),
                "hash": bool(flags & NX_NAT_F_PROTO_HASH),
                "random": bool(flags & NX_NAT_F_PROTO_RANDOM)}
        if present & NX_NAT_RANGE_IPV4_MIN:
            args["ip_min"], = struct.unpack_from("!I", b, off)
            off += 4
        if present & NX_NAT_RANGE_IPV4_MAX:
            args["ip_max"], = struct.unpack_from("!I", b, off)
            off += 4
        if present & NX_NAT_RANGE_IPV6_MIN:
            args["ip_min"] = int.from_bytes(b[off:off + 16], "big")
            args["ipv6"] = True
            off += 16
        if present & NX_NAT_RANGE_IPV6_MAX:
            args["ip_max"] = int.from_bytes(b[off:off + 16], "big")
            off += 16
        if present & NX_NAT_RANGE_PROTO_MIN:
            args["port_min"], = struct.unpack_from("!H", b, off)
            off += 2
        if present & NX_NAT_RANGE_PROTO_MAX:
            args["port_max"], = struct.unpack_from("!H", b, off)
            off += 2
        return Act("nat", **args)
    if sub == NXAST_CT_CLEAR:
        return Act("ct_clear")
    if sub in (NXAST_STACK_PUSH, NXAST_STACK_POP):
        ofs, = struct.unpack_from("!H", b, 10)
        fld, hs = _field_at(b, 12)
        n_bits, = struct.unpack_from("!H", b, 12 + hs)
        return Act("stack_push" if sub == NXAST_STACK_PUSH else "stack_pop",
                   field=fld.name, ofs=ofs, n_bits=n_bits)
    if sub == NXAST_OUTPUT_REG:
        on, = struct.unpack_from("!H", b, 10)
        fld, hs = _field_at(b, 12)
        max_len, = struct.unpack_from("!H", b, 12 + hs)
        return Act("output_reg", field=fld.name, ofs=on >> 6, n_bits=(on & 0x3f) + 1,
                   max_len=max_len)
    if sub == NXAST_EXIT:
        return Act("exit")
    if sub == NXAST_DEC_TTL:
        return Act("dec_ttl")
    if sub == NXAST_DEC_TTL_CNT_IDS:
        n, = struct.unpack_from("!H", b, 10)
        if 16 + 2 * n > len(b):
            raise CodecError("dec_ttl: %d controller ids overrun the action" % n)
        ids = struct.unpack_from("!%dH" % n, b, 16)
        if ids == (0,):
            return Act("dec_ttl")
        return Act("dec_ttl", ids=ids)
    if sub == NXAST_CONJUNCTION:
        clause, n, cid = struct.unpack_from("!BBI", b, 10)
        return Act("conjunction", id=cid, clause=clause + 1, n_clauses=n)
    if sub == NXAST_CONTROLLER2:
        args = {}
        off = 16
        while off + 4 <= len(b):
            ptype, plen = struct.unpack_from("!HH", b, off)
            if plen < 4 or off + plen > len(b):
                raise CodecError("controller action: bad property length %d" % plen)
            body = b[off + 4:off + plen]
            if ptype == NXAC2PT_MAX_LEN:
                args["max_len"], = struct.unpack_from("!H", body)
            elif ptype == NXAC2PT_CONTROLLER_ID:
                args["controller_id"], = struct.unpack_from("!H", body)
            elif ptype == NXAC2PT_REASON:
                args["reason"] = body[0]
            elif ptype == NXAC2PT_USERDATA:
                args["userdata"] = bytes(body)
            elif ptype == NXAC2PT_PAUSE:
                args["pause"] = True
            elif ptype == NXAC2PT_METER_ID:
                args["meter_id"], = struct.unpack_from("!I", body)
            off += (plen + 7) // 8 * 8
        return Act("controller", **args)
    if sub == NXAST_LEARN:
        (idle, hard, prio, cookie, flags, table, fin_idle,
         fin_hard) = struct.unpack_from("!HHHQHBxHH", b, 10)
        specs = []
        off = 32
        while off + 2 <= len(b):
            hdr, = struct.unpack_from("!H", b, off)
            if hdr == 0:
                break
            off += 2
            n_bits = hdr & 0x7ff
            kind = {0: "match", 1: "load", 2: "output"}.get((hdr >> 11) & 3)
            if kind is None:
                raise CodecError("learn: bad spec header 0x%x" % hdr)
            kw = {}
            if hdr & (1 << 13):
                nbytes = (n_bits + 15) // 16 * 2
                kw["src_value"] = int.from_bytes(b[off:off + nbytes], "big")
                off += nbytes
            else:
                fld, hs = _field_at(b, off)
                kw["src_field"] = fld.name
                kw["src_ofs"], = struct.unpack_from("!H", b, off + hs)
                off += hs + 2
            if kind != "output":
                fld, hs = _field_at(b, off)
                kw["dst_field"] = fld.name
                kw["dst_ofs"], = struct.unpack_from("!H", b, off + hs)
                off += hs + 2
            specs.append(LearnSpec(kind, n_bits, **kw))
        return Act("learn", table=table, priority=prio, idle_timeout=idle,
                   hard_timeout=hard, fin_idle_timeout=fin_idle,
                   fin_hard_timeout=fin_hard, cookie=cookie, flags=flags,
                   specs=specs)
    if sub == NXAST_CLONE:
        return Act("clone", actions=decode_actions(b[16:]))
    if sub == NXAST_CHECK_PKT_LARGER:
        pkt_len, ofs = struct.unpack_from("!HH", b, 10)
        fld, hs = _field_at(b, 14)
        return Act("check_pkt_larger", pkt_len=pkt_len, dst=fld.name, dst_ofs=ofs)
    if sub == NXAST_NOTE:
        return Act("note", data=bytes(b[10:]).rstrip(b"\0"))
    if sub in (NXAST_SAMPLE, NXAST_SAMPLE2):
        prob, cset, dom, point = struct.unpack_from("!HIII", b, 10)
        port = None
        if sub == NXAST_SAMPLE2:
            port, = struct.unpack_from("!H", b, 24)
        return Act("sample", probability=prob, collector_set_id=cset,
                   obs_domain_id=dom, obs_point_id=point, sampling_port=port)
    raise CodecError("unknown Nicira action subtype %d" % sub)
