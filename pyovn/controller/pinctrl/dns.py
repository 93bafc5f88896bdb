"""dns_lookup: answer A, AAAA and PTR queries from the southbound DNS
table (rows whose `datapaths` include the packet's datapath; `records`
maps a lower-case name to space-separated addresses, or for reverse
names like 4.0.0.10.in-addr.arpa to a host name).

The query is parsed strictly: header, exactly one question, labels
without compression, every length inside the packet.  The answer is
built from scratch (header, the question, answers with a pointer to the
question's name, TTL 3600); additional records of the query (EDNS OPT
and others) are not echoed, so their contents never reach the reply.
The paused pipeline is resumed with result 1 and the reply as UDP
payload, or unchanged with result 0 (not a query, no answer)."""

import ipaddress
import struct

from pyovn.controller.pinctrl import ofio
from pyovn.controller.pinctrl import pkt as P
from pyovn.controller.pinctrl.dhcp import _result
from pyovn.controller.pinctrl.pkt import Drop

T_A, T_PTR, T_AAAA, T_ANY = 1, 12, 28, 255
C_IN = 1
TTL = 3600
MAX_NAME = 255


def parse_query(body):
    """(id, flags, qname-lower, qtype, qclass, question bytes)."""
    if len(body) < 12:
        raise Drop("DNS message of %d bytes is shorter than its header" % len(body))
    qid, flags, qd, an, ns, ar = struct.unpack_from("!HHHHHH", body)
    if flags & 0x8000:
        raise Drop("DNS message is a response, not a query")
    if (flags >> 11) & 0xf != 0:
        raise Drop("DNS opcode %d is not a standard query" % ((flags >> 11) & 0xf))
    if qd != 1:
        raise Drop("DNS query with %d questions" % qd)
    i, labels = 12, []
    while True:
        if i >= len(body):
            raise Drop("DNS question name runs past the end of the packet")
        n = body[i]
        if n == 0:
            i += 1
            break
        if n & 0xc0:
            raise Drop("DNS question name uses a compression pointer or bad label type")
        if i + 1 + n > len(body):
            raise Drop("DNS label of %d bytes runs past the end of the packet" % n)
        labels.append(body[i + 1:i + 1 + n])
        i += 1 + n
        if i - 12 > MAX_NAME:
            raise Drop("DNS question name longer than %d bytes" % MAX_NAME)
    if i + 4 > len(body):
        raise Drop("DNS question without type and class")
    qtype, qclass = struct.unpack_from("!HH", body, i)
    try:
        name = b".".join(labels).decode("ascii").lower()
    except UnicodeDecodeError:
        raise Drop("DNS question name is not ASCII")
    return qid, flags, name, qtype, qclass, body[12:i + 4]


def lookup(records_list, name):
    for records in records_list:
        v = records.get(name)
        if v is not None:
            return v
    return None


def encode_name(text):
    out = bytearray()
    for label in text.strip(".").split("."):
        b = label.encode()
        if not b or len(b) > 63:
            raise Drop("DNS record %r has a bad label" % text)
        out += bytes([len(b)]) + b
    return bytes(out + b"\0")


def answers(qtype, value):
    """[(type, rdata)] for QTYPE from a record VALUE."""
    out = []
    if qtype == T_PTR:
        for host in value.split():
            out.append((T_PTR, encode_name(host)))
        return out
    for word in value.split():
        try:
            a = ipaddress.ip_address(word)
        except ValueError:
            continue
        if a.version == 4 and qtype in (T_A, T_ANY):
            out.append((T_A, a.packed))
        elif a.version == 6 and qtype in (T_AAAA, T_ANY):
            out.append((T_AAAA, a.packed))
    return out


def build_reply(body, records_list):
    qid, flags, name, qtype, qclass, question = parse_query(body)
    if qclass != C_IN or qtype not in (T_A, T_AAAA, T_PTR, T_ANY):
        return None
    value = lookup(records_list, name)
    if value is None:
        return None
    ans = answers(qtype, value)
    if not ans:
        return None
    rflags = 0x8000 | 0x0400 | (flags & 0x0100) | 0x0080    # QR, AA, RD copied, RA
    out = bytearray(struct.pack("!HHHHHH", qid, rflags, 1, len(ans), 0, 0)) + question
    for t, rdata in ans:
        out += struct.pack("!HHHIH", 0xc00c, t, C_IN, TTL, len(rdata)) + rdata
    return bytes(out)


def datapath_records(sb, dp_key):
    out = []
    if sb is None:
        return out
    for row in sb.rows("DNS"):
        if any(dp.tunnel_key == dp_key for dp in row.datapaths):
            out.append({k.lower(): v for k, v in row.records.items()})
    return out


def handle_dns_lookup(pc, pin, payload):
    field, ofs, _ = _result(payload)
    try:
        p = P.parse(pin.packet)
        _sp, dport, body = P.udp_payload(p)
        reply = build_reply(body, datapath_records(pc.sb, pin.field("metadata", 0)))
    except Drop:
        pc.send(ofio.resume(pin, None, (field, ofs, 0)))
        raise
    if reply is None:
        return pc.send(ofio.resume(pin, None, (field, ofs, 0)))
    pc.send(ofio.resume(pin, P.replace_udp_payload(p, reply), (field, ofs, 1)))
