"""The emulator's OpenFlow listener: each logical-switch bridge connects to
a unix socket the emulator listens on (Bridge.controller "unix:PATH"), and
the emulator hears the two asynchronous messages MAC learning needs:

  OFPT_PACKET_IN     a frame from a physical port whose source MAC the
                     bridge has not learned yet (table 2 miss)
  OFPT_FLOW_REMOVED  a learned (port, MAC) flow idled out: the MAC aged

OpenFlow 1.3 framing is done here (hello, echo, the two messages above);
flows themselves are installed through pyovn.vtep.flows.  This is the
interim until pyovn/openflow grows its channel, which will replace it.
"""

import errno
import os
import struct

import ovs.poller
import ovs.stream
import ovs.vlog

vlog = ovs.vlog.Vlog("vtep_ofconn")

OFP_VERSION = 0x04                   # OpenFlow 1.3
OFPT_HELLO, OFPT_ERROR, OFPT_ECHO_REQUEST, OFPT_ECHO_REPLY = 0, 1, 2, 3
OFPT_PACKET_IN, OFPT_FLOW_REMOVED = 10, 11
OFPXMC_OPENFLOW_BASIC = 0x8000
OXM_IN_PORT, OXM_ETH_SRC = 0, 4


class PacketIn:
    def __init__(self, in_port, data, cookie, table_id):
        self.in_port = in_port
        self.data = data
        self.cookie = cookie
        self.table_id = table_id


class FlowRemoved:
    def __init__(self, in_port, eth_src, cookie, reason):
        self.in_port = in_port
        self.eth_src = eth_src
        self.cookie = cookie
        self.reason = reason


def parse_oxm_match(buf, offset):
    """Parses an ofp_match (type OXM) at OFFSET; returns ({(class, field):
    value bytes}, offset after the padded match)."""
    mtype, mlen = struct.unpack_from("!HH", buf, offset)
    fields = {}
    pos = offset + 4
    end = offset + mlen
    while pos + 4 <= end:
        oclass, fh, flen = struct.unpack_from("!HBB", buf, pos)
        fields[(oclass, fh >> 1)] = bytes(buf[pos + 4:pos + 4 + flen])
        pos += 4 + flen
    return fields, offset + ((mlen + 7) // 8) * 8


def _in_port(fields):
    v = fields.get((OFPXMC_OPENFLOW_BASIC, OXM_IN_PORT))
    return struct.unpack("!I", v[:4])[0] if v else None


def decode(msg):
    """Decodes one whole OpenFlow message into a PacketIn or FlowRemoved
    (None for anything else)."""
    version, mtype, length, xid = struct.unpack_from("!BBHI", msg, 0)
    if mtype == OFPT_PACKET_IN:
        _buf_id, _total, _reason, table_id, cookie = struct.unpack_from(
            "!IHBBQ", msg, 8)
        fields, pos = parse_oxm_match(msg, 24)
        data = bytes(msg[pos + 2:])
        return PacketIn(_in_port(fields), data, cookie, table_id)
    if mtype == OFPT_FLOW_REMOVED:
        cookie, _prio, reason, _table = struct.unpack_from("!QHBB", msg, 8)
        fields, _ = parse_oxm_match(msg, 48)
        src = fields.get((OFPXMC_OPENFLOW_BASIC, OXM_ETH_SRC))
        mac = ":".join("%02x" % b for b in src) if src else None
        return FlowRemoved(_in_port(fields), mac, cookie, reason)
    return None


class _Conn:
    def __init__(self, stream):
        self.stream = stream
        self.rx = b""
        self.tx = b""
        self.send(struct.pack("!BBHI", OFP_VERSION, OFPT_HELLO, 8, 0))

    def send(self, data):
        self.tx += data

    def run(self, on_message):
        """Returns False when the connection is gone."""
        self.stream.run()
        while self.tx:
            n = self.stream.send(self.tx)
            if n == -errno.EAGAIN:
                break
            if n < 0:
                return False
            self.tx = self.tx[n:]
        while True:
            error, data = self.stream.recv(65536)
            if error == errno.EAGAIN:
                break
            if error or not data:
                return False
            self.rx += data
        while len(self.rx) >= 8:
            length = struct.unpack_from("!H", self.rx, 2)[0]
            if length < 8:
                return False
            if len(self.rx) < length:
                break
            msg, self.rx = self.rx[:length], self.rx[length:]
            mtype = msg[1]
            if mtype == OFPT_ECHO_REQUEST:
                self.send(bytes([msg[0], OFPT_ECHO_REPLY]) + msg[2:])
            elif mtype == OFPT_ERROR:
                etype, code = struct.unpack_from("!HH", msg, 8)
                vlog.warn("OpenFlow error from switch: type %d code %d"
                          % (etype, code))
            else:
                event = decode(msg)
                if event is not None:
                    on_message(event)
        return True

    def wait(self, poller):
        self.stream.run_wait(poller)
        self.stream.recv_wait(poller)
        if self.tx:
            self.stream.send_wait(poller)

    def close(self):
        self.stream.close()


class Listener:
    """Listens on unix socket PATH for one bridge; ON_EVENT(event) gets
    every PacketIn / FlowRemoved."""

    def __init__(self, path, on_event):
        self.path = path
        self.on_event = on_event
        if os.path.exists(path):
            os.unlink(path)
        error, self.pstream = ovs.stream.PassiveStream.open("punix:" + path)
        if error:
            raise OSError(error, "cannot listen on %s: %s"
                          % (path, os.strerror(error)))
        self.conns = []

    def run(self):
        while True:
            error, stream = self.pstream.accept()
            if error:
                break
            self.conns.append(_Conn(stream))
        alive = []
        for c in self.conns:
            if c.run(self.on_event):
                alive.append(c)
            else:
                c.close()
        self.conns = alive

    def wait(self, poller):
        self.pstream.wait(poller)
        for c in self.conns:
            c.wait(poller)

    def close(self):
        for c in self.conns:
            c.close()
        self.pstream.close()
        try:
            os.unlink(self.path)
        except OSError:
            pass
