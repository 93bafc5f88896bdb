"""OpenFlow 1.5 messages (and the Nicira extension messages OVN uses):
framing, encoding and decoding.

Every message class has encode(xid, ctx) -> bytes and is produced by
decode(bytes).  Matches are lists of (field, value, mask), actions lists of
pyovn.openflow.codec.actions.Act.
"""

import struct

from pyovn.openflow.codec import actions as A
from pyovn.openflow.codec import fields as F
from pyovn.openflow.codec.errors import CodecError, error_name

OFP_VERSION = 0x06            # OpenFlow 1.5
OFP_HEADER = struct.Struct("!BBHI")
NX_VENDOR = A.NX_VENDOR
MAX_MSG_LEN = 0xffff

OFPT_HELLO = 0
OFPT_ERROR = 1
OFPT_ECHO_REQUEST = 2
OFPT_ECHO_REPLY = 3
OFPT_EXPERIMENTER = 4
OFPT_FEATURES_REQUEST = 5
OFPT_FEATURES_REPLY = 6
OFPT_GET_CONFIG_REQUEST = 7
OFPT_GET_CONFIG_REPLY = 8
OFPT_SET_CONFIG = 9
OFPT_PACKET_IN = 10
OFPT_FLOW_REMOVED = 11
OFPT_PORT_STATUS = 12
OFPT_PACKET_OUT = 13
OFPT_FLOW_MOD = 14
OFPT_GROUP_MOD = 15
OFPT_MULTIPART_REQUEST = 18
OFPT_MULTIPART_REPLY = 19
OFPT_BARRIER_REQUEST = 20
OFPT_BARRIER_REPLY = 21
OFPT_METER_MOD = 29
OFPT_BUNDLE_CONTROL = 33
OFPT_BUNDLE_ADD_MESSAGE = 34

NXT_SET_PACKET_IN_FORMAT = 16
NXT_TLV_TABLE_MOD = 24
NXT_TLV_TABLE_REQUEST = 25
NXT_TLV_TABLE_REPLY = 26
NXT_RESUME = 28
NXT_CT_FLUSH_ZONE = 29
NXT_PACKET_IN2 = 30

NXPIF_NXT_PACKET_IN2 = 2

OFPFC_ADD, OFPFC_MODIFY, OFPFC_MODIFY_STRICT, OFPFC_DELETE, OFPFC_DELETE_STRICT = range(5)
OFPTT_ALL = 0xff
OFPP_ANY = 0xffffffff
OFPP_CONTROLLER = 0xfffffffd
OFPG_ANY = 0xffffffff
OFPG_ALL = 0xfffffffc
OFP_NO_BUFFER = 0xffffffff
OFPFF_SEND_FLOW_REM = 1
OFPFF_CHECK_OVERLAP = 2
OFPFF_RESET_COUNTS = 4

OFPGC_ADD, OFPGC_MODIFY, OFPGC_DELETE = 0, 1, 2
OFPGT_ALL, OFPGT_SELECT, OFPGT_INDIRECT, OFPGT_FF = 0, 1, 2, 3
OFPG_BUCKET_ALL = 0xffffffff
OFPGBPT_WEIGHT, OFPGBPT_WATCH_PORT, OFPGBPT_WATCH_GROUP = 0, 1, 2
NTR_VENDOR = 0x0000154d
NTRT_SELECTION_METHOD = 1

OFPMC_ADD, OFPMC_MODIFY, OFPMC_DELETE = 0, 1, 2
OFPMF_KBPS, OFPMF_PKTPS, OFPMF_BURST, OFPMF_STATS = 1, 2, 4, 8
OFPM_ALL = 0xffffffff
OFPMBT_DROP, OFPMBT_DSCP_REMARK = 1, 2

OFPBCT_OPEN_REQUEST, OFPBCT_OPEN_REPLY, OFPBCT_CLOSE_REQUEST, \
    OFPBCT_CLOSE_REPLY, OFPBCT_COMMIT_REQUEST, OFPBCT_COMMIT_REPLY, \
    OFPBCT_DISCARD_REQUEST, OFPBCT_DISCARD_REPLY = range(8)
OFPBF_ATOMIC, OFPBF_ORDERED = 1, 2

OFPMP_FLOW_DESC = 1
OFPMP_GROUP_DESC = 7
OFPMP_METER_CONFIG = 10
OFPMPF_MORE = 1

OFPIT_GOTO_TABLE = 1
OFPIT_WRITE_METADATA = 2
OFPIT_WRITE_ACTIONS = 3
OFPIT_APPLY_ACTIONS = 4
OFPIT_CLEAR_ACTIONS = 5

NXPINT_PACKET, NXPINT_FULL_LEN, NXPINT_BUFFER_ID, NXPINT_TABLE_ID, \
    NXPINT_COOKIE, NXPINT_REASON, NXPINT_METADATA, NXPINT_USERDATA, \
    NXPINT_CONTINUATION = range(9)

NXTTMC_ADD, NXTTMC_DELETE, NXTTMC_CLEAR = 0, 1, 2


def _pad8(b):
    return b + b"\0" * ((-len(b)) % 8)


def _props_encode(props):
    return b"".join(_pad8(struct.pack("!HH", t, 4 + len(body)) + body)
                    for t, body in props)


def _props_decode(data, what):
    out = []
    off = 0
    while off < len(data):
        if len(data) - off < 4:
            raise CodecError("%s: truncated property" % what)
        ptype, plen = struct.unpack_from("!HH", data, off)
        if plen < 4 or off + plen > len(data):
            raise CodecError("%s: property %d has bad length %d" % (what, ptype, plen))
        out.append((ptype, bytes(data[off + 4:off + plen])))
        off += (plen + 7) // 8 * 8
    return out


class Message:
    msg_type = None
    xid = 0

    def body(self, ctx):
        return b""

    def encode(self, xid=0, ctx=F.DEFAULT_CONTEXT):
        body = self.body(ctx)
        length = OFP_HEADER.size + len(body)
        if length > MAX_MSG_LEN:
            raise CodecError("%s: %d bytes exceeds the OpenFlow message limit"
                             % (type(self).__name__, length))
        return OFP_HEADER.pack(OFP_VERSION, self.msg_type, length, xid) + body

    def _fields(self):
        return {k: v for k, v in vars(self).items() if k != "xid"}

    def __eq__(self, other):
        return type(self) is type(other) and self._fields() == other._fields()

    def __repr__(self):
        return "%s(%s)" % (type(self).__name__, ", ".join(
            "%s=%r" % kv for kv in sorted(self._fields().items())))


class NxMessage(Message):
    """A Nicira experimenter message."""
    msg_type = OFPT_EXPERIMENTER
    subtype = None

    def nx_body(self, ctx):
        return b""

    def body(self, ctx):
        return struct.pack("!II", NX_VENDOR, self.subtype) + self.nx_body(ctx)


class Hello(Message):
    msg_type = OFPT_HELLO

    def body(self, ctx):
        # One version-bitmap element announcing OpenFlow 1.5 only.
        return struct.pack("!HHI", 1, 8, 1 << OFP_VERSION)

    @classmethod
    def parse(cls, b):
        return cls()


class EchoRequest(Message):
    msg_type = OFPT_ECHO_REQUEST

    def __init__(self, data=b""):
        self.data = bytes(data)

    def body(self, ctx):
        return self.data

    @classmethod
    def parse(cls, b):
        return cls(b)


class EchoReply(EchoRequest):
    msg_type = OFPT_ECHO_REPLY


class FeaturesRequest(Message):
    msg_type = OFPT_FEATURES_REQUEST

    @classmethod
    def parse(cls, b):
        return cls()


class FeaturesReply(Message):
    msg_type = OFPT_FEATURES_REPLY

    def __init__(self, datapath_id=0, n_buffers=0, n_tables=0, capabilities=0):
        self.datapath_id = datapath_id
        self.n_buffers = n_buffers
        self.n_tables = n_tables
        self.capabilities = capabilities

    def body(self, ctx):
        return struct.pack("!QIBB2xII", self.datapath_id, self.n_buffers,
                           self.n_tables, 0, self.capabilities, 0)

    @classmethod
    def parse(cls, b):
        dpid, nbuf, ntab, _aux, caps, _r = struct.unpack_from("!QIBB2xII", b)
        return cls(dpid, nbuf, ntab, caps)


class SetConfig(Message):
    """OFPT_SET_CONFIG: a service connection gets packet-ins only once it
    sets a nonzero miss_send_len."""
    msg_type = OFPT_SET_CONFIG

    def __init__(self, flags=0, miss_send_len=0xffff):
        self.flags = flags
        self.miss_send_len = miss_send_len

    def body(self, ctx):
        return struct.pack("!HH", self.flags, self.miss_send_len)

    @classmethod
    def parse(cls, b):
        return cls(*struct.unpack_from("!HH", b))


class Error(Message):
    msg_type = OFPT_ERROR

    def __init__(self, type, code, data=b"", experimenter=None):
        self.type = type
        self.code = code
        self.data = bytes(data)
        self.experimenter = experimenter

    def body(self, ctx):
        if self.type == 0xffff:
            return struct.pack("!HHI", self.type, self.code,
                               self.experimenter or 0) + self.data
        return struct.pack("!HH", self.type, self.code) + self.data

    @classmethod
    def parse(cls, b):
        etype, code = struct.unpack_from("!HH", b)
        if etype == 0xffff:
            exp, = struct.unpack_from("!I", b, 4)
            return cls(etype, code, b[8:], exp)
        return cls(etype, code, b[4:])

    @property
    def name(self):
        return error_name(self.type, self.code, self.code, self.experimenter)

    def failed_request(self):
        """What the failing request was, as far as the echoed bytes tell."""
        if len(self.data) >= 8:
            ver, mtype, length, xid = OFP_HEADER.unpack_from(self.data)
            try:
                msg = decode(self.data[:length]) if len(self.data) >= length else None
            except CodecError:
                msg = None
            return "%s (type %d, xid 0x%x)" % (
                type(msg).__name__ if msg is not None else "message", mtype, xid)
        return "unknown request"

    def text(self):
        return "%s in reply to %s" % (self.name, self.failed_request())


class BarrierRequest(Message):
    msg_type = OFPT_BARRIER_REQUEST

    @classmethod
    def parse(cls, b):
        return cls()


class BarrierReply(BarrierRequest):
    msg_type = OFPT_BARRIER_REPLY


def _encode_instructions(actions, ctx):
    acts = A.encode_actions(actions, ctx)
    if not acts:
        return b""
    return struct.pack("!HH4x", OFPIT_APPLY_ACTIONS, 8 + len(acts)) + acts


def _decode_instructions(data):
    """Actions of the apply_actions (and write_actions) instructions; a
    goto_table is returned as a resubmit-free 'goto_table' Act."""
    out = []
    off = 0
    while off < len(data):
        itype, ilen = struct.unpack_from("!HH", data, off)
        if ilen < 8 or off + ilen > len(data):
            raise CodecError("instruction %d has bad length %d" % (itype, ilen))
        if itype in (OFPIT_APPLY_ACTIONS, OFPIT_WRITE_ACTIONS):
            out += A.decode_actions(data[off + 8:off + ilen])
        elif itype == OFPIT_GOTO_TABLE:
            out.append(A.Act("goto_table", table=data[off + 4]))
        elif itype == OFPIT_CLEAR_ACTIONS:
            out.append(A.Act("clear_actions"))
        elif itype == OFPIT_WRITE_METADATA:
            md, mask = struct.unpack_from("!QQ", data, off + 8)
            out.append(A.Act("write_metadata", value=md, mask=mask))
        else:
            raise CodecError("unknown instruction type %d" % itype)
        off += ilen
    return out


class FlowMod(Message):
    msg_type = OFPT_FLOW_MOD
    _S = struct.Struct("!QQBBHHHIIIHH")

    def __init__(self, command=OFPFC_ADD, table=0, priority=0x8000, match=(),
                 actions=(), cookie=0, cookie_mask=0, idle_timeout=0,
                 hard_timeout=0, flags=0, importance=0, out_port=OFPP_ANY,
                 out_group=OFPG_ANY, buffer_id=OFP_NO_BUFFER):
        self.command = command
        self.table = table
        self.priority = priority
        self.match = F.ordered([(F.canonical(n), v, m) for n, v, m in match])
        self.actions = list(actions)
        self.cookie = cookie
        self.cookie_mask = cookie_mask
        self.idle_timeout = idle_timeout
        self.hard_timeout = hard_timeout
        self.flags = flags
        self.importance = importance
        self.out_port = out_port
        self.out_group = out_group
        self.buffer_id = buffer_id

    def body(self, ctx):
        return self._S.pack(self.cookie, self.cookie_mask, self.table,
                            self.command, self.idle_timeout, self.hard_timeout,
                            self.priority, self.buffer_id, self.out_port,
                            self.out_group, self.flags, self.importance) + \
            F.encode_match(self.match, ctx) + _encode_instructions(self.actions, ctx)

    @classmethod
    def parse(cls, b):
        (cookie, cmask, table, cmd, idle, hard, prio, buf, oport, ogroup, flags,
         imp) = cls._S.unpack_from(b)
        match, mlen = F.decode_match(b, cls._S.size)
        acts = _decode_instructions(b[cls._S.size + mlen:])
        return cls(cmd, table, prio, match, acts, cookie, cmask, idle, hard,
                   flags, imp, oport, ogroup, buf)


class Bucket:
    def __init__(self, actions=(), weight=None, watch_port=None,
                 watch_group=None, bucket_id=None):
        self.actions = list(actions)
        self.weight = weight
        self.watch_port = watch_port
        self.watch_group = watch_group
        self.bucket_id = bucket_id

    def __eq__(self, other):
        return isinstance(other, Bucket) and vars(self) == vars(other)

    def __repr__(self):
        return "Bucket(%r)" % vars(self)


class GroupMod(Message):
    msg_type = OFPT_GROUP_MOD

    def __init__(self, command=OFPGC_ADD, group_type=OFPGT_ALL, group_id=0,
                 buckets=(), selection_method=None, selection_method_param=0,
                 fields=(), command_bucket_id=OFPG_BUCKET_ALL):
        self.command = command
        self.group_type = group_type
        self.group_id = group_id
        self.buckets = []
        for i, bk in enumerate(buckets):
            bk = Bucket(bk.actions, bk.weight, bk.watch_port, bk.watch_group,
                        i if bk.bucket_id is None else bk.bucket_id)
            if bk.weight is None and group_type == OFPGT_SELECT:
                bk.weight = 100
            self.buckets.append(bk)
        self.selection_method = selection_method
        self.selection_method_param = selection_method_param
        self.fields = [F.canonical(f) for f in fields]
        self.command_bucket_id = command_bucket_id

    def body(self, ctx):
        bks = b""
        for i, bk in enumerate(self.buckets):
            acts = A.encode_actions(bk.actions, ctx)
            props = []
            if bk.weight is not None:
                props.append((OFPGBPT_WEIGHT, struct.pack("!H2x", bk.weight)))
            if bk.watch_port is not None:
                props.append((OFPGBPT_WATCH_PORT, struct.pack("!I", bk.watch_port)))
            if bk.watch_group is not None:
                props.append((OFPGBPT_WATCH_GROUP, struct.pack("!I", bk.watch_group)))
            pb = _props_encode(props)
            bks += struct.pack("!HHI", 8 + len(acts) + len(pb), len(acts),
                               bk.bucket_id) + acts + pb
        gprops = b""
        if self.selection_method:
            meth = self.selection_method.encode()[:15]
            # Each hash field is an OXM TLV whose value is the mask of the
            # bits hashed (all ones: the whole field).
            hdrs = F.encode_fields([(f, (1 << (8 * ctx.field_bytes(F.field(f)))) - 1, None)
                                    for f in self.fields], ctx)
            raw = struct.pack("!HHII4x16sQ", 0xffff, 0, NTR_VENDOR,
                              NTRT_SELECTION_METHOD, meth,
                              self.selection_method_param) + hdrs
            raw = raw[:2] + struct.pack("!H", len(raw)) + raw[4:]
            gprops = _pad8(raw)
        return struct.pack("!HBxIH2xI", self.command, self.group_type,
                           self.group_id, len(bks), self.command_bucket_id) + bks + gprops

    @classmethod
    def parse(cls, b):
        cmd, gtype, gid, blen, cbid = struct.unpack_from("!HBxIH2xI", b)
        off = 16
        end = off + blen
        buckets = []
        while off < end:
            length, alen, bid = struct.unpack_from("!HHI", b, off)
            if length < 8 or off + length > end:
                raise CodecError("group bucket has bad length %d" % length)
            bk = Bucket(A.decode_actions(b[off + 8:off + 8 + alen]), bucket_id=bid)
            for ptype, body in _props_decode(b[off + 8 + alen:off + length], "bucket"):
                if ptype == OFPGBPT_WEIGHT:
                    bk.weight, = struct.unpack_from("!H", body)
                elif ptype == OFPGBPT_WATCH_PORT:
                    bk.watch_port, = struct.unpack_from("!I", body)
                elif ptype == OFPGBPT_WATCH_GROUP:
                    bk.watch_group, = struct.unpack_from("!I", body)
            buckets.append(bk)
            off += length
        meth, param, flds = None, 0, []
        while off + 4 <= len(b):
            ptype, plen = struct.unpack_from("!HH", b, off)
            if plen < 4:
                raise CodecError("group property has bad length %d" % plen)
            if ptype == 0xffff and plen >= 40:
                vendor, etype = struct.unpack_from("!II", b, off + 4)
                if vendor == NTR_VENDOR and etype == NTRT_SELECTION_METHOD:
                    m, param = struct.unpack_from("!16sQ", b, off + 16)
                    meth = m.rstrip(b"\0").decode()
                    flds = [n for n, _v, _m in F.decode_fields(b[off + 40:off + plen])]
            off += (plen + 7) // 8 * 8
        return cls(cmd, gtype, gid, buckets, meth, param, flds, cbid)


class Band:
    def __init__(self, type=OFPMBT_DROP, rate=0, burst_size=0, prec_level=0):
        self.type = type
        self.rate = rate
        self.burst_size = burst_size
        self.prec_level = prec_level

    def __eq__(self, other):
        return isinstance(other, Band) and vars(self) == vars(other)

    def __repr__(self):
        return "Band(%r)" % vars(self)


class MeterMod(Message):
    msg_type = OFPT_METER_MOD

    def __init__(self, command=OFPMC_ADD, flags=OFPMF_KBPS, meter_id=0, bands=()):
        self.command = command
        self.flags = flags
        self.meter_id = meter_id
        self.bands = list(bands)

    def body(self, ctx):
        out = struct.pack("!HHI", self.command, self.flags, self.meter_id)
        for bd in self.bands:
            extra = struct.pack("!B3x", bd.prec_level) if bd.type == OFPMBT_DSCP_REMARK \
                else b"\0" * 4
            out += struct.pack("!HHII", bd.type, 16, bd.rate, bd.burst_size) + extra
        return out

    @classmethod
    def parse(cls, b):
        cmd, flags, mid = struct.unpack_from("!HHI", b)
        bands = []
        off = 8
        while off + 16 <= len(b):
            bt, blen, rate, burst = struct.unpack_from("!HHII", b, off)
            if blen < 16:
                raise CodecError("meter band has bad length %d" % blen)
            prec = b[off + 12] if bt == OFPMBT_DSCP_REMARK else 0
            bands.append(Band(bt, rate, burst, prec))
            off += blen
        return cls(cmd, flags, mid, bands)


class BundleControl(Message):
    msg_type = OFPT_BUNDLE_CONTROL

    def __init__(self, bundle_id, type, flags=0):
        self.bundle_id = bundle_id
        self.type = type
        self.flags = flags

    def body(self, ctx):
        return struct.pack("!IHH", self.bundle_id, self.type, self.flags)

    @classmethod
    def parse(cls, b):
        return cls(*struct.unpack_from("!IHH", b))


class BundleAdd(Message):
    """OFPT_BUNDLE_ADD_MESSAGE carrying MESSAGE; the inner message's xid
    is the outer one's (encode() sets both)."""
    msg_type = OFPT_BUNDLE_ADD_MESSAGE

    def __init__(self, bundle_id, message, flags=0):
        self.bundle_id = bundle_id
        self.message = message
        self.flags = flags

    def encode(self, xid=0, ctx=F.DEFAULT_CONTEXT):
        inner = self.message.encode(xid, ctx)
        body = struct.pack("!I2xH", self.bundle_id, self.flags) + inner
        return OFP_HEADER.pack(OFP_VERSION, self.msg_type, 8 + len(body), xid) + body

    @classmethod
    def parse(cls, b):
        bid, flags = struct.unpack_from("!I2xH", b)
        return cls(bid, decode(b[8:]), flags)


class PacketOut(Message):
    msg_type = OFPT_PACKET_OUT

    def __init__(self, data=b"", actions=(), in_port=OFPP_CONTROLLER,
                 match=(), buffer_id=OFP_NO_BUFFER):
        self.data = bytes(data)
        self.actions = list(actions)
        self.in_port = in_port
        self.match = F.ordered([(F.canonical(n), v, m) for n, v, m in match
                                if F.canonical(n) != "in_port"])
        self.buffer_id = buffer_id

    def body(self, ctx):
        # OpenFlow 1.5 packet-outs carry the 32-bit OXM in_port.
        match = F.encode_match([("in_port_oxm", self.in_port, None)] + self.match, ctx)
        acts = A.encode_actions(self.actions, ctx)
        return struct.pack("!IH2x", self.buffer_id, len(acts)) + match + acts + self.data

    @classmethod
    def parse(cls, b):
        buf, alen = struct.unpack_from("!IH2x", b)
        match, mlen = F.decode_match(b, 8)
        in_port = OFPP_CONTROLLER
        rest = []
        for n, v, m in match:
            if n == "in_port":
                in_port = v + 0xffff0000 if 0xff00 <= v <= 0xffff else v
            else:
                rest.append((n, v, m))
        acts = A.decode_actions(b[8 + mlen:8 + mlen + alen])
        return cls(b[8 + mlen + alen:], acts, in_port, rest, buf)


class PacketIn2(NxMessage):
    """NXT_PACKET_IN2.  CONTINUATION is the opaque continuation property
    body (present when the controller action paused the pipeline)."""
    subtype = NXT_PACKET_IN2

    def __init__(self, packet=b"", full_len=None, buffer_id=None, table_id=None,
                 cookie=None, reason=None, metadata=(), userdata=None,
                 continuation=None):
        self.packet = bytes(packet)
        self.full_len = full_len
        self.buffer_id = buffer_id
        self.table_id = table_id
        self.cookie = cookie
        self.reason = reason
        self.metadata = F.ordered([(F.canonical(n), v, m) for n, v, m in metadata])
        self.userdata = userdata
        self.continuation = continuation

    def _props(self, ctx):
        p = [(NXPINT_PACKET, self.packet)]
        if self.full_len is not None:
            p.append((NXPINT_FULL_LEN, struct.pack("!I", self.full_len)))
        if self.buffer_id is not None:
            p.append((NXPINT_BUFFER_ID, struct.pack("!I", self.buffer_id)))
        if self.table_id is not None:
            p.append((NXPINT_TABLE_ID, struct.pack("!B", self.table_id)))
        if self.cookie is not None:
            p.append((NXPINT_COOKIE, struct.pack("!4xQ", self.cookie)))
        if self.reason is not None:
            p.append((NXPINT_REASON, struct.pack("!B", self.reason)))
        if self.metadata:
            p.append((NXPINT_METADATA, F.encode_fields(self.metadata, ctx)))
        if self.userdata is not None:
            p.append((NXPINT_USERDATA, self.userdata))
        if self.continuation is not None:
            p.append((NXPINT_CONTINUATION, self.continuation))
        return p

    def nx_body(self, ctx):
        return _props_encode(self._props(ctx))

    @classmethod
    def parse_nx(cls, b):
        kw = {}
        for ptype, body in _props_decode(b, cls.__name__):
            if ptype == NXPINT_PACKET:
                kw["packet"] = body
            elif ptype == NXPINT_FULL_LEN:
                kw["full_len"], = struct.unpack_from("!I", body)
            elif ptype == NXPINT_BUFFER_ID:
                kw["buffer_id"], = struct.unpack_from("!I", body)
            elif ptype == NXPINT_TABLE_ID:
                kw["table_id"] = body[0]
            elif ptype == NXPINT_COOKIE:
                kw["cookie"], = struct.unpack_from("!Q", body, len(body) - 8)
            elif ptype == NXPINT_REASON:
                kw["reason"] = body[0]
            elif ptype == NXPINT_METADATA:
                kw["metadata"] = F.decode_fields(body)
            elif ptype == NXPINT_USERDATA:
                kw["userdata"] = body
            elif ptype == NXPINT_CONTINUATION:
                kw["continuation"] = body
        return cls(**kw)

    def field(self, name, default=None):
        """The value of metadata field NAME (reg14, metadata, in_port...).
        OVS reports registers in pairs (xregN); reg2N is xregN's high half."""
        name = F.canonical(name)
        values = dict((n, v) for n, v, _m in self.metadata)
        if name in values:
            return values[name]
        if name.startswith("reg"):
            i = int(name[3:])
            if "xreg%d" % (i // 2) in values:
                return (values["xreg%d" % (i // 2)] >> (32 * (1 - i % 2))) & 0xffffffff
            if "xxreg%d" % (i // 4) in values:
                return (values["xxreg%d" % (i // 4)] >> (32 * (3 - i % 4))) & 0xffffffff
        return default

    def resume(self, packet=None):
        """The NXT_RESUME that continues this paused packet (optionally with
        a rewritten PACKET)."""
        if self.continuation is None:
            raise CodecError("packet-in has no continuation: the controller "
                             "action did not pause")
        return Resume(self.packet if packet is None else packet, None, None,
                      self.table_id, self.cookie, self.reason, self.metadata,
                      self.userdata, self.continuation)


class Resume(PacketIn2):
    subtype = NXT_RESUME


class SetPacketInFormat(NxMessage):
    subtype = NXT_SET_PACKET_IN_FORMAT

    def __init__(self, format=NXPIF_NXT_PACKET_IN2):
        self.format = format

    def nx_body(self, ctx):
        return struct.pack("!I", self.format)

    @classmethod
    def parse_nx(cls, b):
        return cls(struct.unpack_from("!I", b)[0])


class CtFlushZone(NxMessage):
    """NXT_CT_FLUSH_ZONE: drops every conntrack entry of ZONE."""
    subtype = NXT_CT_FLUSH_ZONE

    def __init__(self, zone=0):
        self.zone = zone

    def nx_body(self, ctx):
        return struct.pack("!6xH", self.zone)

    @classmethod
    def parse_nx(cls, b):
        return cls(struct.unpack_from("!6xH", b)[0])


class TlvMapping:
    def __init__(self, option_class, option_type, option_len, index):
        self.option_class = option_class
        self.option_type = option_type
        self.option_len = option_len
        self.index = index

    def _key(self):
        return (self.option_class, self.option_type, self.option_len, self.index)

    def __eq__(self, other):
        return isinstance(other, TlvMapping) and self._key() == other._key()

    def __hash__(self):
        return hash(self._key())

    def __repr__(self):
        return "TlvMapping(class=0x%x, type=0x%x, len=%d, tun_metadata%d)" % self._key()

    def encode(self):
        return struct.pack("!HBBH2x", *self._key())

    @classmethod
    def parse_all(cls, b):
        return [cls(*struct.unpack_from("!HBBH2x", b, off))
                for off in range(0, len(b) - len(b) % 8, 8)]


class TlvTableMod(NxMessage):
    subtype = NXT_TLV_TABLE_MOD

    def __init__(self, command=NXTTMC_ADD, mappings=()):
        self.command = command
        self.mappings = list(mappings)

    def nx_body(self, ctx):
        return struct.pack("!H6x", self.command) + b"".join(m.encode() for m in self.mappings)

    @classmethod
    def parse_nx(cls, b):
        cmd, = struct.unpack_from("!H", b)
        return cls(cmd, TlvMapping.parse_all(b[8:]))


class TlvTableRequest(NxMessage):
    subtype = NXT_TLV_TABLE_REQUEST

    @classmethod
    def parse_nx(cls, b):
        return cls()


class TlvTableReply(NxMessage):
    subtype = NXT_TLV_TABLE_REPLY

    def __init__(self, max_option_space=0, max_fields=0, mappings=()):
        self.max_option_space = max_option_space
        self.max_fields = max_fields
        self.mappings = list(mappings)

    def nx_body(self, ctx):
        return struct.pack("!IH10x", self.max_option_space, self.max_fields) + \
            b"".join(m.encode() for m in self.mappings)

    @classmethod
    def parse_nx(cls, b):
        space, nf = struct.unpack_from("!IH", b)
        return cls(space, nf, TlvMapping.parse_all(b[16:]))


class MultipartRequest(Message):
    msg_type = OFPT_MULTIPART_REQUEST
    mp_type = None

    def __init__(self, flags=0):
        self.flags = flags

    def mp_body(self, ctx):
        return b""

    def body(self, ctx):
        return struct.pack("!HH4x", self.mp_type, self.flags) + self.mp_body(ctx)


class FlowStatsRequest(MultipartRequest):
    mp_type = OFPMP_FLOW_DESC

    def __init__(self, table=OFPTT_ALL, match=(), out_port=OFPP_ANY,
                 out_group=OFPG_ANY, cookie=0, cookie_mask=0, flags=0):
        self.flags = flags
        self.table = table
        self.match = F.ordered([(F.canonical(n), v, m) for n, v, m in match])
        self.out_port = out_port
        self.out_group = out_group
        self.cookie = cookie
        self.cookie_mask = cookie_mask

    def mp_body(self, ctx):
        return struct.pack("!B3xII4xQQ", self.table, self.out_port, self.out_group,
                           self.cookie, self.cookie_mask) + F.encode_match(self.match, ctx)

    @classmethod
    def parse_mp(cls, flags, b):
        table, oport, ogroup, cookie, cmask = struct.unpack_from("!B3xII4xQQ", b)
        match, _ = F.decode_match(b, 32)
        return cls(table, match, oport, ogroup, cookie, cmask, flags)


class GroupDescRequest(MultipartRequest):
    mp_type = OFPMP_GROUP_DESC

    def __init__(self, group_id=OFPG_ALL, flags=0):
        self.flags = flags
        self.group_id = group_id

    def mp_body(self, ctx):
        return struct.pack("!I4x", self.group_id)

    @classmethod
    def parse_mp(cls, flags, b):
        return cls(struct.unpack_from("!I", b)[0] if b else OFPG_ALL, flags)


class MeterConfigRequest(MultipartRequest):
    mp_type = OFPMP_METER_CONFIG

    def __init__(self, meter_id=OFPM_ALL, flags=0):
        self.flags = flags
        self.meter_id = meter_id

    def mp_body(self, ctx):
        return struct.pack("!I4x", self.meter_id)

    @classmethod
    def parse_mp(cls, flags, b):
        return cls(struct.unpack_from("!I", b)[0], flags)


class FlowStats:
    """One installed flow, from a flow stats reply."""

    def __init__(self, table=0, priority=0, match=(), actions=(), cookie=0,
                 idle_timeout=0, hard_timeout=0, flags=0, importance=0,
                 packet_count=None, byte_count=None, duration=None):
        self.table = table
        self.priority = priority
        self.match = F.ordered(match)
        self.actions = list(actions)
        self.cookie = cookie
        self.idle_timeout = idle_timeout
        self.hard_timeout = hard_timeout
        self.flags = flags
        self.importance = importance
        self.packet_count = packet_count
        self.byte_count = byte_count
        self.duration = duration

    def __eq__(self, other):
        return isinstance(other, FlowStats) and vars(self) == vars(other)

    def __repr__(self):
        return "FlowStats(%r)" % vars(self)

    _S = struct.Struct("!H2xBxHHHHHQ")
    OXS_CLASS = 0x8002

    def encode(self, ctx):
        oxs = b""
        for code, val, size in ((0, self.duration, 8), (4, self.packet_count, 8),
                                (5, self.byte_count, 8)):
            if val is not None:
                oxs += struct.pack("!I", (self.OXS_CLASS << 16) | (code << 9) | size) + \
                    val.to_bytes(size, "big")
        stats = _pad8(struct.pack("!HH", 0, 4 + len(oxs)) + oxs)
        rest = F.encode_match(self.match, ctx) + stats + \
            _encode_instructions(self.actions, ctx)
        return self._S.pack(self._S.size + len(rest), self.table, self.priority,
                            self.idle_timeout, self.hard_timeout, self.flags,
                            self.importance, self.cookie) + rest

    @classmethod
    def parse(cls, b):
        (length, table, prio, idle, hard, flags, imp,
         cookie) = cls._S.unpack_from(b)
        match, mlen = F.decode_match(b, cls._S.size)
        off = cls._S.size + mlen
        _r, slen = struct.unpack_from("!HH", b, off)
        kw = {}
        p = off + 4
        while p < off + slen:
            hdr, = struct.unpack_from("!I", b, p)
            code, size = (hdr >> 9) & 0x7f, hdr & 0xff
            val = int.from_bytes(b[p + 4:p + 4 + size], "big")
            if code == 0:
                kw["duration"] = val
            elif code == 4:
                kw["packet_count"] = val
            elif code == 5:
                kw["byte_count"] = val
            p += 4 + size
        off += (slen + 7) // 8 * 8
        acts = _decode_instructions(b[off:length])
        return cls(table, prio, match, acts, cookie, idle, hard, flags, imp, **kw)


class UndecodableFlow:
    """A flow stats entry the codec could not decode (RAW bytes, ERROR)."""

    def __init__(self, raw, error):
        self.raw = bytes(raw)
        self.error = error
        self.table = raw[4] if len(raw) > 4 else None

    def __eq__(self, other):
        return isinstance(other, UndecodableFlow) and self.raw == other.raw

    def __repr__(self):
        return "UndecodableFlow(table=%s, %s)" % (self.table, self.error)

    def encode(self, ctx):
        return self.raw


class MultipartReply(Message):
    msg_type = OFPT_MULTIPART_REPLY

    def __init__(self, mp_type, flags=0, raw=b""):
        self.mp_type = mp_type
        self.flags = flags
        self.raw = raw

    def body(self, ctx):
        return struct.pack("!HH4x", self.mp_type, self.flags) + self.raw

    @property
    def more(self):
        return bool(self.flags & OFPMPF_MORE)


class FlowStatsReply(MultipartReply):
    def __init__(self, flows=(), flags=0):
        self.mp_type = OFPMP_FLOW_DESC
        self.flags = flags
        self.flows = list(flows)

    def body(self, ctx):
        return struct.pack("!HH4x", self.mp_type, self.flags) + \
            b"".join(f.encode(ctx) for f in self.flows)

    @classmethod
    def parse_mp(cls, flags, b):
        flows = []
        off = 0
        while off < len(b):
            length, = struct.unpack_from("!H", b, off)
            if length < FlowStats._S.size or off + length > len(b):
                raise CodecError("flow stats entry has bad length %d" % length)
            try:
                flows.append(FlowStats.parse(b[off:off + length]))
            except (CodecError, struct.error, IndexError) as e:
                # One flow we cannot read must not hide the others.
                flows.append(UndecodableFlow(b[off:off + length], str(e)))
            off += length
        return cls(flows, flags)


class GroupDescReply(MultipartReply):
    """Entries: list of GroupMod-shaped descriptions (command ADD)."""

    def __init__(self, groups=(), flags=0):
        self.mp_type = OFPMP_GROUP_DESC
        self.flags = flags
        self.groups = list(groups)

    def body(self, ctx):
        out = b""
        for g in self.groups:
            gm = g.body(ctx)   # command(2) type(1) pad group_id bucket_len pad cbid
            blen, = struct.unpack_from("!H", gm, 8)
            entry = struct.pack("!HBxIH6x", 16 + len(gm) - 16, g.group_type,
                                g.group_id, blen) + gm[16:]
            out += entry
        return struct.pack("!HH4x", self.mp_type, self.flags) + out

    @classmethod
    def parse_mp(cls, flags, b):
        groups = []
        off = 0
        while off + 16 <= len(b):
            length, gtype, gid, blen = struct.unpack_from("!HBxIH", b, off)
            if length < 16 or off + length > len(b):
                raise CodecError("group desc entry has bad length %d" % length)
            fake = struct.pack("!HBxIH2xI", OFPGC_ADD, gtype, gid, blen,
                               OFPG_BUCKET_ALL) + b[off + 16:off + length]
            groups.append(GroupMod.parse(fake))
            off += length
        return cls(groups, flags)


class MeterConfigReply(MultipartReply):
    """Entries: list of MeterMod-shaped descriptions (command ADD)."""

    def __init__(self, meters=(), flags=0):
        self.mp_type = OFPMP_METER_CONFIG
        self.flags = flags
        self.meters = list(meters)

    def body(self, ctx):
        out = b""
        for m in self.meters:
            mb = m.body(ctx)[8:]
            out += struct.pack("!HHI", 8 + len(mb), m.flags, m.meter_id) + mb
        return struct.pack("!HH4x", self.mp_type, self.flags) + out

    @classmethod
    def parse_mp(cls, flags, b):
        meters = []
        off = 0
        while off + 8 <= len(b):
            length, mflags, mid = struct.unpack_from("!HHI", b, off)
            if length < 8 or off + length > len(b):
                raise CodecError("meter config entry has bad length %d" % length)
            meters.append(MeterMod.parse(struct.pack("!HHI", OFPMC_ADD, mflags, mid)
                                         + b[off + 8:off + length]))
            off += length
        return cls(meters, flags)


class Unknown(Message):
    def __init__(self, msg_type, raw=b""):
        self.msg_type = msg_type
        self.raw = bytes(raw)

    def body(self, ctx):
        return self.raw


_BY_TYPE = {c.msg_type: c for c in (
    Hello, EchoRequest, EchoReply, FeaturesRequest, FeaturesReply, SetConfig,
    Error, BarrierRequest, BarrierReply, FlowMod, GroupMod, MeterMod,
    BundleControl, BundleAdd, PacketOut)}
_NX_BY_SUBTYPE = {c.subtype: c for c in (
    PacketIn2, Resume, SetPacketInFormat, TlvTableMod, TlvTableRequest,
    TlvTableReply, CtFlushZone)}
_MP_REQUESTS = {c.mp_type: c for c in (FlowStatsRequest, GroupDescRequest,
                                       MeterConfigRequest)}
_MP_REPLIES = {OFPMP_FLOW_DESC: FlowStatsReply, OFPMP_GROUP_DESC: GroupDescReply,
               OFPMP_METER_CONFIG: MeterConfigReply}


def frame_length(buf):
    """Length of the message at the start of BUF, or None if BUF does not
    yet hold a full header."""
    if len(buf) < OFP_HEADER.size:
        return None
    length, = struct.unpack_from("!H", buf, 2)
    if length < OFP_HEADER.size:
        raise CodecError("message length %d is shorter than the header" % length)
    return length


def decode(data):
    """Decodes one complete message; sets .xid.  Raises CodecError with a
    description when the bytes are malformed."""
    if len(data) < OFP_HEADER.size:
        raise CodecError("truncated OpenFlow header")
    version, mtype, length, xid = OFP_HEADER.unpack_from(data)
    if length != len(data):
        raise CodecError("message length field %d != %d bytes" % (length, len(data)))
    body = bytes(data[8:])
    try:
        if version != OFP_VERSION and mtype != OFPT_HELLO:
            raise CodecError("OpenFlow version 0x%02x is not 1.5" % version)
        if mtype == OFPT_EXPERIMENTER:
            vendor, sub = struct.unpack_from("!II", body)
            cls = _NX_BY_SUBTYPE.get(sub) if vendor == NX_VENDOR else None
            msg = cls.parse_nx(body[8:]) if cls else Unknown(mtype, body)
        elif mtype in (OFPT_MULTIPART_REQUEST, OFPT_MULTIPART_REPLY):
            mp, flags = struct.unpack_from("!HH", body)
            table = _MP_REQUESTS if mtype == OFPT_MULTIPART_REQUEST else _MP_REPLIES
            cls = table.get(mp)
            if cls is None:
                msg = MultipartReply(mp, flags, body[8:]) \
                    if mtype == OFPT_MULTIPART_REPLY else Unknown(mtype, body)
            else:
                msg = cls.parse_mp(flags, body[8:])
        else:
            cls = _BY_TYPE.get(mtype)
            msg = cls.parse(body) if cls else Unknown(mtype, body)
    except struct.error as e:
        raise CodecError("message type %d: truncated body (%s)" % (mtype, e)) from None
    except (IndexError, UnicodeDecodeError) as e:
        raise CodecError("message type %d: malformed body (%s)" % (mtype, e)) from None
    msg.xid = xid
    return msg
