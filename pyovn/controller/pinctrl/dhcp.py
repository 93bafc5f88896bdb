"""put_dhcp_opts / put_dhcpv6_opts: turn a DHCP request into the reply.

The action's payload (pyovn/lang/actions/services.py) is the result
header, then for DHCPv4 the offered address (4 bytes) and the options
already in wire form (code, length, value); for DHCPv6 options as
(code 2 bytes, length 2 bytes, value).  The handler parses the request
strictly, builds the reply in place of the UDP payload (addresses and
ports are left to the following logical flows), sets the result bit and
resumes the paused pipeline.  A packet that is not a request the action
answers is resumed unchanged with result 0.

DHCPv4 (RFC 2131): DISCOVER -> OFFER; REQUEST -> ACK, or NAK when the
requested address (option 50, or ciaddr) is not the offered one;
INFORM -> ACK without address; other types: result 0.

DHCPv6 (RFC 8415): SOLICIT -> ADVERTISE (REPLY with rapid commit);
REQUEST, CONFIRM, RENEW, REBIND, INFORMATION-REQUEST, RELEASE -> REPLY.
The reply echoes the client's Client Identifier and IAID and carries the
server DUID (DUID-LL from server_id), IA_NA with the address, DNS
servers, domain search list, FQDN and boot file URL.
"""

import struct

from pyovn.controller.pinctrl import ofio
from pyovn.controller.pinctrl import pkt as P
from pyovn.controller.pinctrl.pkt import Drop
from pyovn.lang.actions import dhcp_opts
from pyovn.lang.actions import opcodes as OP

MAGIC = b"\x63\x82\x53\x63"
DISCOVER, OFFER, REQUEST, DECLINE, ACK, NAK, RELEASE, INFORM = range(1, 9)
OPT_PAD, OPT_END = 0, 255
OPT_REQ_IP, OPT_MSG_TYPE, OPT_SERVER_ID, OPT_USER_CLASS = 50, 53, 54, 77
OPT_BOOTFILE, OPT_NEXT_SERVER, OPT_BOOTFILE_ALT = 67, 253, 254
BOOTP_FIXED = 236
MIN_BOOTP = 300


def parse_v4_options(data):
    """{code: value} of DHCPv4 options DATA (strict TLVs; the last copy of
    a repeated option wins)."""
    out = {}
    i = 0
    while i < len(data):
        code = data[i]
        if code == OPT_PAD:
            i += 1
            continue
        if code == OPT_END:
            return out
        if i + 2 > len(data):
            raise Drop("DHCP option %d has no length byte" % code)
        n = data[i + 1]
        if i + 2 + n > len(data):
            raise Drop("DHCP option %d claims %d bytes, %d present"
                       % (code, n, len(data) - i - 2))
        out[code] = data[i + 2:i + 2 + n]
        i += 2 + n
    return out


def parse_v4_request(p):
    sport, dport, body = P.udp_payload(p)
    if dport != 67:
        raise Drop("not a DHCP request (UDP port %d)" % dport)
    if len(body) < BOOTP_FIXED + 4:
        raise Drop("DHCP message of %d bytes is shorter than a BOOTP header" % len(body))
    if body[0] != 1:
        raise Drop("DHCP message op %d is not BOOTREQUEST" % body[0])
    if body[BOOTP_FIXED:BOOTP_FIXED + 4] != MAGIC:
        raise Drop("DHCP message without the magic cookie")
    opts = parse_v4_options(body[BOOTP_FIXED + 4:])
    mt = opts.get(OPT_MSG_TYPE)
    if mt is None or len(mt) != 1:
        raise Drop("DHCP message without a valid message type option")
    return body, mt[0], opts


def split_v4_payload(data):
    """(offer IP bytes, [(code, value)]) of put_dhcp_opts' options."""
    if len(data) < 4:
        raise Drop("put_dhcp_opts payload without an offer address")
    offer, rest, out = data[:4], data[4:], []
    i = 0
    while i < len(rest):
        if i + 2 > len(rest) or i + 2 + rest[i + 1] > len(rest):
            raise Drop("put_dhcp_opts payload has a truncated option")
        out.append((rest[i], rest[i + 2:i + 2 + rest[i + 1]]))
        i += 2 + rest[i + 1]
    return offer, out


def build_v4_reply(body, mtype, req_opts, offer, opts):
    """The DHCP reply bytes, or None when MTYPE gets no reply."""
    ciaddr = body[12:16]
    if mtype == DISCOVER:
        rtype = OFFER
    elif mtype == REQUEST:
        want = req_opts.get(OPT_REQ_IP, ciaddr if ciaddr != b"\0" * 4 else None)
        rtype = ACK if want == offer else NAK
    elif mtype == INFORM:
        rtype = ACK
    else:
        return None
    d = dict(opts)
    siaddr = d.get(OPT_NEXT_SERVER, b"\0" * 4)[:4].ljust(4, b"\0")
    ipxe = b"iPXE" in req_opts.get(OPT_USER_CLASS, b"")
    out_opts = bytearray([OPT_MSG_TYPE, 1, rtype])
    if rtype == NAK:
        if OPT_SERVER_ID in d:
            out_opts += bytes([OPT_SERVER_ID, len(d[OPT_SERVER_ID])]) + d[OPT_SERVER_ID]
    else:
        for code, val in opts:
            if code in (OPT_NEXT_SERVER, OPT_BOOTFILE_ALT):
                continue
            if code == OPT_BOOTFILE and ipxe and OPT_BOOTFILE_ALT in d:
                val = d[OPT_BOOTFILE_ALT]
            if mtype == INFORM and code in (51, 58, 59):
                continue           # RFC 2131: no lease times in an INFORM ACK
            out_opts += bytes([code, len(val)]) + val
        if OPT_BOOTFILE_ALT in d and ipxe and OPT_BOOTFILE not in d:
            out_opts += bytes([OPT_BOOTFILE, len(d[OPT_BOOTFILE_ALT])]) + d[OPT_BOOTFILE_ALT]
    out_opts.append(OPT_END)
    yiaddr = b"\0" * 4 if rtype == NAK or mtype == INFORM else offer
    hdr = bytearray(body[:BOOTP_FIXED])
    hdr[0] = 2                         # BOOTREPLY
    hdr[3] = 0                         # hops
    hdr[16:20] = yiaddr
    hdr[20:24] = b"\0" * 4 if rtype == NAK else siaddr
    hdr[44:108] = b"\0" * 64           # sname
    hdr[108:236] = b"\0" * 128         # file
    reply = bytes(hdr) + MAGIC + bytes(out_opts)
    return reply.ljust(MIN_BOOTP, b"\0")


def handle_put_dhcp_opts(pc, pin, payload):
    field, ofs, opts_data = _result(payload)
    offer, opts = split_v4_payload(opts_data)
    try:
        p = P.parse(pin.packet)
        body, mtype, req = parse_v4_request(p)
        reply = build_v4_reply(body, mtype, req, offer, opts)
    except Drop:
        pc.send(ofio.resume(pin, None, (field, ofs, 0)))
        raise
    if reply is None:
        return pc.send(ofio.resume(pin, None, (field, ofs, 0)))
    pc.send(ofio.resume(pin, P.replace_udp_payload(p, reply), (field, ofs, 1)))


def _result(payload):
    try:
        return OP.split_result(payload)
    except ValueError as e:
        raise Drop(str(e))


# --- DHCPv6 ----------------------------------------------------------------------

SOLICIT, ADVERTISE, V6_REQUEST, CONFIRM, RENEW, REBIND, REPLY, V6_RELEASE = range(1, 9)
INFO_REQUEST = 11
O_CLIENTID, O_SERVERID, O_IA_NA, O_IA_ADDR = 1, 2, 3, 5
O_RAPID_COMMIT, O_DNS, O_DOMAIN_LIST, O_FQDN, O_BOOTFILE_URL = 14, 23, 24, 39, 59
V6_REPLY_TO = {SOLICIT: ADVERTISE, V6_REQUEST: REPLY, CONFIRM: REPLY, RENEW: REPLY,
               REBIND: REPLY, INFO_REQUEST: REPLY, V6_RELEASE: REPLY}
PREFERRED, VALID = 0xffffffff, 0xffffffff


def parse_v6_options(data, what="DHCPv6", request=True):
    """[(code, value)], every option's length checked against DATA (and,
    in a client's REQUEST, the minimum length of the options we read)."""
    out = []
    i = 0
    while i < len(data):
        if i + 4 > len(data):
            raise Drop("%s option header truncated at offset %d" % (what, i))
        code, n = struct.unpack_from("!HH", data, i)
        if i + 4 + n > len(data):
            raise Drop("%s option %d claims %d bytes, %d present"
                       % (what, code, n, len(data) - i - 4))
        val = data[i + 4:i + 4 + n]
        if request:
            if code == O_CLIENTID and n == 0:
                raise Drop("DHCPv6 Client Identifier option with no data")
            if code == O_IA_NA and n < 12:
                raise Drop("DHCPv6 IA_NA option of %d bytes (at least 12)" % n)
            if code == O_IA_ADDR and n < 24:
                raise Drop("DHCPv6 IA Address option of %d bytes (at least 24)" % n)
        out.append((code, val))
        i += 4 + n
    return out


def parse_v6_request(p):
    sport, dport, body = P.udp_payload(p)
    if dport != 547:
        raise Drop("not a DHCPv6 request (UDP port %d)" % dport)
    if len(body) < 4:
        raise Drop("DHCPv6 message of %d bytes" % len(body))
    opts = parse_v6_options(body[4:])
    if O_IA_NA in dict(opts):
        parse_v6_options(dict(opts)[O_IA_NA][12:], "IA_NA")
    return body[0], body[1:4], opts


def _opt6(code, data):
    return struct.pack("!HH", code, len(data)) + data


def _domain(text):
    out = bytearray()
    dhcp_opts.encode_domain(text, out)
    return bytes(out)


def build_v6_reply(mtype, txid, req, server_opts):
    if mtype not in V6_REPLY_TO:
        return None
    reqd = dict(req)
    if O_CLIENTID not in reqd:
        raise Drop("DHCPv6 message without a Client Identifier")
    srv = dict(server_opts)
    rtype = V6_REPLY_TO[mtype]
    if mtype == SOLICIT and O_RAPID_COMMIT in reqd:
        rtype = REPLY
    out = bytearray([rtype]) + txid
    out += _opt6(O_CLIENTID, reqd[O_CLIENTID])
    if O_SERVERID in srv:
        mac = srv[O_SERVERID]
        if len(mac) != 6:
            raise Drop("put_dhcpv6_opts server_id of %d bytes" % len(mac))
        out += _opt6(O_SERVERID, struct.pack("!HH", 3, 1) + mac)     # DUID-LL
    if mtype == SOLICIT and O_RAPID_COMMIT in reqd:
        out += _opt6(O_RAPID_COMMIT, b"")
    if O_IA_NA in reqd and O_IA_ADDR in srv and mtype != INFO_REQUEST:
        iaid = reqd[O_IA_NA][:4]
        addr = srv[O_IA_ADDR]
        if len(addr) != 16:
            raise Drop("put_dhcpv6_opts ia_addr of %d bytes" % len(addr))
        life = (0, 0) if mtype == V6_RELEASE else (PREFERRED, VALID)
        ia_addr = _opt6(O_IA_ADDR, addr + struct.pack("!II", *life))
        out += _opt6(O_IA_NA, iaid + struct.pack("!II", 0xffffffff, 0xffffffff) + ia_addr)
    for code, val in server_opts:
        if code in (O_SERVERID, O_IA_ADDR, 254):
            continue
        if code == O_DOMAIN_LIST:
            val = b"".join(_domain(d.strip()) for d in val.decode(errors="replace").split(",")
                           if d.strip())
        elif code == O_FQDN:
            val = b"\x04" + val          # N bit: the server does not update DNS
        out += _opt6(code, val)
    return bytes(out)


def handle_put_dhcpv6_opts(pc, pin, payload):
    field, ofs, opts_data = _result(payload)
    server_opts = parse_v6_options(opts_data, "put_dhcpv6_opts", request=False)
    try:
        p = P.parse(pin.packet)
        mtype, txid, req = parse_v6_request(p)
        reply = build_v6_reply(mtype, txid, req, server_opts)
    except Drop:
        pc.send(ofio.resume(pin, None, (field, ofs, 0)))
        raise
    if reply is None:
        return pc.send(ofio.resume(pin, None, (field, ofs, 0)))
    pc.send(ofio.resume(pin, P.replace_udp_payload(p, reply), (field, ofs, 1)))
