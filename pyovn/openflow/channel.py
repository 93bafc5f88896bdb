"""A persistent OpenFlow 1.5 connection to an Open vSwitch bridge.

Channel is driven from a single-threaded poll loop, the way python-ovs's
IDL is: call run() after every wake-up and wait(poller) before blocking.
It reconnects with backoff (ovs.reconnect), answers echo requests, probes
an idle switch, tracks transaction ids and calls back:

  send(msg, callback)  callback(reply) once the reply arrives: the reply
                       message, an Error, a list of multipart replies
                       (flow stats...), or None if the connection was lost.
  on_connect(channel)  after each (re)connection, once HELLO is sent; the
                       place to send SET_CONFIG, NXT_SET_PACKET_IN_FORMAT,
                       NXT_TLV_TABLE_MOD, ...
  on_packet_in(msg)    for every NXT_PACKET_IN2.
  on_message(msg)      for any other unsolicited message (port status...).

`connection_seqno` changes on every connect and disconnect, so owners can
notice that what they sent may not have arrived.
"""

import collections
import errno
import os

import ovs.poller
import ovs.reconnect
import ovs.stream
import ovs.timeval
import ovs.vlog

from pyovn.openflow import codec
from pyovn.openflow.codec import messages as W

vlog = ovs.vlog.Vlog("ofchannel")

DEFAULT_PROBE_INTERVAL_MS = 5000


def bridge_target(rundir, bridge="br-int"):
    """The unix socket target of BRIDGE's management socket."""
    return "unix:" + os.path.join(rundir, bridge + ".mgmt")


class ChannelError(RuntimeError):
    """A synchronous request failed (timeout, disconnect, OpenFlow error)."""


class Channel:
    def __init__(self, target, on_connect=None, on_packet_in=None,
                 on_message=None, probe_interval_ms=None,
                 max_backoff_ms=8000, ctx=None):
        if not target.startswith(("unix:", "tcp:", "ssl:")):
            target = "unix:" + target
        if probe_interval_ms is None:
            # As ovn-openflow-probe-interval: a unix socket to the local
            # switch needs no inactivity probes.
            probe_interval_ms = 0 if target.startswith("unix:") \
                else DEFAULT_PROBE_INTERVAL_MS
        self.target = target
        self.on_connect = on_connect
        self.on_packet_in = on_packet_in
        self.on_message = on_message
        self.ctx = ctx or codec.EncodeContext()
        now = ovs.timeval.msec()
        self._fsm = ovs.reconnect.Reconnect(now)
        self._fsm.set_name(target)
        self._fsm.set_quiet(True)
        self._fsm.set_backoff(250, max_backoff_ms)
        self._fsm.set_probe_interval(probe_interval_ms)
        self._fsm.enable(now)
        self._stream = None
        self._connected = False
        self._rx = bytearray()
        self._tx = collections.deque()
        self._next_xid = 1
        self._pending = {}          # xid -> [callback, parts]
        self.connection_seqno = 0
        self.stats = collections.Counter()   # messages sent per class name
        self.last_error = None
        self.peer_version = None

    # --- state --------------------------------------------------------------

    def is_connected(self):
        return self._connected

    def force_reconnect(self):
        """Drops the connection now; it comes back after the usual backoff."""
        self._fsm.force_reconnect(ovs.timeval.msec())
        self._drop("reconnect requested")

    def close(self):
        self._fsm.disable(ovs.timeval.msec())
        self._drop("closed")

    # --- sending ------------------------------------------------------------

    def alloc_xid(self):
        xid = self._next_xid
        self._next_xid = (self._next_xid % 0xffffffff) + 1
        return xid

    def send(self, msg, callback=None, xid=None):
        """Queues MSG; returns its xid.  CALLBACK gets the reply (see the
        module doc).  Raises CodecError for a message that cannot be
        encoded (nothing is queued then).  When not connected the message
        is dropped and CALLBACK gets None at once."""
        if xid is None:
            xid = self.alloc_xid()
        data = msg.encode(xid, self.ctx)
        if not self._connected:
            if callback:
                callback(None)
            return xid
        self._tx.append(data)
        self.stats[type(msg).__name__] += 1
        if callback is not None:
            self._pending[xid] = [callback, []]
        return xid

    def expect(self, xid, callback):
        """Registers CALLBACK for the reply or error carrying XID (used for
        messages that travel inside a bundle)."""
        if self._connected:
            self._pending[xid] = [callback, []]

    def forget(self, xid):
        """Stops waiting for a reply to XID (requests that are answered only
        on failure: once a later barrier is answered, none will come)."""
        self._pending.pop(xid, None)

    # --- poll loop ------------------------------------------------------------

    def run(self):
        now = ovs.timeval.msec()
        action = self._fsm.run(now)
        if action == ovs.reconnect.CONNECT:
            self._start_connect(now)
        elif action == ovs.reconnect.DISCONNECT:
            self._drop("inactivity probe timed out")
        elif action == ovs.reconnect.PROBE and self._connected:
            self.send(W.EchoRequest(b""))
        if self._stream is not None and not self._connected:
            err = self._stream.connect()
            if err == 0:
                self._on_connected()
            elif err != errno.EAGAIN:
                self._fsm.connect_failed(ovs.timeval.msec(), err)
                self._stream.close()
                self._stream = None
        if self._connected:
            self._flush()
            self._receive()
            self._flush()

    def wait(self, poller):
        self._fsm.wait(poller, ovs.timeval.msec())
        if self._stream is None:
            return
        if not self._connected:
            self._stream.connect_wait(poller)
            return
        self._stream.recv_wait(poller)
        if self._tx:
            self._stream.send_wait(poller)

    # --- internals ------------------------------------------------------------

    def _start_connect(self, now):
        err, stream = ovs.stream.Stream.open(self.target)
        if err:
            self._fsm.connect_failed(now, err)
            return
        self._stream = stream
        self._fsm.connecting(now)

    def _on_connected(self):
        self._fsm.connected(ovs.timeval.msec())
        self._connected = True
        self._rx.clear()
        self._tx.clear()
        self.connection_seqno += 1
        self.peer_version = None
        vlog.info("%s: connected" % self.target)
        self.send(W.Hello())
        if self.on_connect:
            self.on_connect(self)

    def _drop(self, why):
        was = self._connected
        if self._stream is not None:
            self._stream.close()
            self._stream = None
        self._connected = False
        self._rx.clear()
        self._tx.clear()
        if was:
            self.connection_seqno += 1
            self._fsm.disconnected(ovs.timeval.msec(), 0)
            vlog.info("%s: connection dropped (%s)" % (self.target, why))
        pending, self._pending = self._pending, {}
        for cb, _parts in pending.values():
            cb(None)

    def _flush(self):
        while self._tx and self._stream is not None:
            # Coalesce small messages into one send (a bundle of thousands of
            # flow mods should not cost a system call each).
            if len(self._tx) > 1 and len(self._tx[0]) < 65536:
                chunk = []
                size = 0
                while self._tx and size < 262144:
                    data = self._tx.popleft()
                    chunk.append(data)
                    size += len(data)
                self._tx.appendleft(b"".join(chunk))
            data = self._tx[0]
            n = self._stream.send(data)
            if n == -errno.EAGAIN:
                return
            if n < 0:
                self._drop("send failed: %s" % os.strerror(-n))
                return
            if n < len(data):
                self._tx[0] = data[n:]
                return
            self._tx.popleft()

    def _receive(self):
        self._fsm.receive_attempted(ovs.timeval.msec())
        for _ in range(50):
            if self._stream is None:
                return
            err, data = self._stream.recv(65536)
            if err == errno.EAGAIN:
                break
            if err or not data:
                self._drop("connection closed by peer" if not err
                           else os.strerror(err))
                return
            self._fsm.activity(ovs.timeval.msec())
            self._rx += data
            while True:
                try:
                    n = W.frame_length(self._rx)
                except codec.CodecError as e:
                    self._drop("framing error: %s" % e)
                    return
                if n is None or len(self._rx) < n:
                    break
                raw = bytes(self._rx[:n])
                del self._rx[:n]
                self._handle(raw)
                if not self._connected:
                    return

    def _handle(self, raw):
        try:
            msg = W.decode(raw)
        except codec.CodecError as e:
            vlog.warn("%s: dropping undecodable message: %s" % (self.target, e))
            return
        if isinstance(msg, W.Hello):
            self.peer_version = raw[0]
            if raw[0] < W.OFP_VERSION:
                vlog.err("%s: switch speaks OpenFlow version 0x%02x, need "
                         "1.5 (0x06)" % (self.target, raw[0]))
            return
        if isinstance(msg, W.EchoRequest):
            self.send(W.EchoReply(msg.data), xid=msg.xid)
            return
        entry = self._pending.get(msg.xid)
        if entry is not None and not isinstance(msg, (W.PacketIn2,)):
            cb, parts = entry
            if isinstance(msg, W.MultipartReply) and not isinstance(msg, W.Error):
                parts.append(msg)
                if msg.more:
                    return
                del self._pending[msg.xid]
                cb(parts)
                return
            del self._pending[msg.xid]
            cb(msg)
            return
        if isinstance(msg, W.PacketIn2):
            if self.on_packet_in:
                self.on_packet_in(msg)
            return
        if isinstance(msg, W.Error):
            self.last_error = msg
            vlog.warn("%s: OpenFlow error %s" % (self.target, msg.text()))
            return
        if isinstance(msg, W.EchoReply):
            return
        if self.on_message:
            self.on_message(msg)

    # --- blocking helpers (tools and tests) -------------------------------------

    def run_until(self, predicate, timeout=10.0, what="condition"):
        """Runs the loop until PREDICATE() is true; raises ChannelError after
        TIMEOUT seconds."""
        deadline = ovs.timeval.msec() + int(timeout * 1000)
        while True:
            self.run()
            if predicate():
                return
            now = ovs.timeval.msec()
            if now >= deadline:
                raise ChannelError("%s: timed out waiting for %s" % (self.target, what))
            poller = ovs.poller.Poller()
            self.wait(poller)
            poller.timer_wait(min(deadline - now, 1000))
            poller.block()

    def wait_connected(self, timeout=10.0):
        self.run_until(self.is_connected, timeout, "connection")

    def request(self, msg, timeout=10.0):
        """Sends MSG and blocks (running this channel only) until its reply.
        Returns the reply (a list for multipart replies); raises
        ChannelError on an OpenFlow error, a disconnect or a timeout."""
        box = []
        self.send(msg, box.append)
        self.run_until(lambda: box, timeout, "reply to %s" % type(msg).__name__)
        reply = box[0]
        if reply is None:
            raise ChannelError("%s: connection lost before reply to %s"
                               % (self.target, type(msg).__name__))
        if isinstance(reply, W.Error):
            raise ChannelError("%s: %s" % (self.target, reply.text()))
        return reply

    def barrier(self, timeout=10.0):
        return self.request(W.BarrierRequest(), timeout)

    def dump_flows(self, table=W.OFPTT_ALL, timeout=10.0):
        """Installed flows (codec FlowStats) via a flow stats request."""
        parts = self.request(W.FlowStatsRequest(table=table), timeout)
        return [f for p in parts for f in p.flows]

    def dump_groups(self, timeout=10.0):
        parts = self.request(W.GroupDescRequest(), timeout)
        return [g for p in parts for g in p.groups]

    def dump_meters(self, timeout=10.0):
        parts = self.request(W.MeterConfigRequest(), timeout)
        return [m for p in parts for m in p.meters]
