"""The dispatcher: opcode -> handler, southbound context, rate-limited
logging of dropped packet-ins."""

import time

from pyovn.controller.pinctrl import (acl_log, bfd, dhcp, dns, events, fdb, garp, generate,
                                     igmp, neighbor, pd, ra, svc_monitor)
from pyovn.controller.pinctrl.pkt import Drop
from pyovn.lang.actions import opcodes as OP


PERIODIC_MIN = 0.05


class RateLimit:
    """At most BURST messages, then RATE per second (token bucket), as OVS's
    vlog rate limiting; the number suppressed is reported with the next
    message that gets through."""

    def __init__(self, rate=5.0, burst=20):
        self.rate, self.burst = rate, burst
        self.tokens = burst
        self.last = time.monotonic()
        self.suppressed = 0

    def allow(self):
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.last) * self.rate)
        self.last = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        self.suppressed += 1
        return False


HANDLERS = {
    OP.ARP: generate.handler("arp"),
    OP.ND_NS: generate.handler("nd_ns"),
    OP.ND_NA: generate.handler("nd_na"),
    OP.ND_NA_ROUTER: generate.handler("nd_na_router"),
    OP.ICMP: generate.handler("icmp"),
    OP.ICMP4_ERROR: generate.handler("icmp4_error"),
    OP.ICMP6_ERROR: generate.handler("icmp6_error"),
    OP.TCP_RESET: generate.handler("tcp_reset"),
    OP.SCTP_ABORT: generate.handler("sctp_abort"),
    OP.REJECT: generate.handler("reject"),
    OP.PUT_ICMP4_FRAG_MTU: generate.handle_frag_mtu(4),
    OP.PUT_ICMP6_FRAG_MTU: generate.handle_frag_mtu(6),
    OP.PUT_ARP: neighbor.handle_put_arp,
    OP.PUT_ND: neighbor.handle_put_nd,
    OP.PUT_DHCP_OPTS: dhcp.handle_put_dhcp_opts,
    OP.PUT_DHCPV6_OPTS: dhcp.handle_put_dhcpv6_opts,
    OP.DNS_LOOKUP: dns.handle_dns_lookup,
    OP.PUT_FDB: fdb.handle_put_fdb,
    OP.EVENT: events.handle_event,
    OP.BIND_VPORT: events.handle_bind_vport,
    OP.LOG: acl_log.handle_log,
    OP.PUT_ND_RA_OPTS: ra.handle_put_nd_ra_opts,
    OP.HANDLE_SVC_CHECK: svc_monitor.handle_svc_check,
    OP.IGMP: igmp.handle_igmp,
    OP.BFD_MSG: bfd.handle_bfd_msg,
    OP.DHCP6_SERVER: pd.handle_dhcpv6_reply,
}


class Pinctrl:
    def __init__(self, vlog, sender=None):
        self.vlog = vlog
        self.ctl = None
        self.sender = sender          # tests: a function(msg)
        self.neighbors = neighbor.Neighbors()
        self.fdb = fdb.Fdb()
        self.events = events.Events()
        self.vports = {}               # virtual port -> parent (bind_vport)
        self.ra = ra.Periodic()
        self.garp = garp.Announcer()
        self.svc = svc_monitor.Monitors()
        self.igmp = igmp.Snooping()
        self.bfd = bfd.Bfd()
        self.pd = pd.PrefixDelegation()
        self.warned = set()
        self.acl_rl = RateLimit(rate=20.0, burst=100)
        self.acl_lines = []            # the last ACL log lines (appctl, tests)
        self.rl = RateLimit()
        self.unknown_logged = set()
        self.stats = {}                # opcode name -> packet-ins handled
        self.drops = 0
        self._pb_index = None
        self._next_periodic = 0.0
        self._pb_seqno = None

    # -- context -----------------------------------------------------------
    def attach(self, ctl):
        """CTL provides .sb (southbound Database), .ofc (Ofctrl: its
        .channel sends), .cfg.system_id."""
        self.ctl = ctl

    @property
    def sb(self):
        return None if self.ctl is None else self.ctl.sb

    def send(self, msg):
        if self.sender is not None:
            self.sender(msg)
        elif self.ctl is not None and self.ctl.ofc is not None:
            self.ctl.ofc.channel.send(msg)

    def port(self, dp_key, port_key):
        """The Port_Binding with datapath key DP_KEY and port key PORT_KEY."""
        sb = self.sb
        if sb is None:
            return None
        if self._pb_index is None or self._pb_seqno != sb.change_seqno:
            idx = {}
            for pb in sb.rows("Port_Binding"):
                try:
                    idx[(pb.datapath.tunnel_key, pb.tunnel_key)] = pb
                except AttributeError:
                    continue
            self._pb_index, self._pb_seqno = idx, sb.change_seqno
        return self._pb_index.get((dp_key, port_key))

    def datapath(self, dp_key):
        sb = self.sb
        if sb is None:
            return None
        for dp in sb.rows("Datapath_Binding"):
            if dp.tunnel_key == dp_key:
                return dp
        return None

    # -- packet-ins ----------------------------------------------------------
    def drop(self, text):
        self.drops += 1
        if self.rl.allow():
            more = ""
            if self.rl.suppressed:
                more = " (%d similar drops not logged)" % self.rl.suppressed
                self.rl.suppressed = 0
            self.vlog.warn("pinctrl: dropped packet-in: %s%s" % (text, more))

    def packet_in(self, pin):
        if pin.userdata is None:
            return self.drop("packet-in without userdata (table %s)" % pin.table_id)
        try:
            opcode, payload = OP.split_userdata(pin.userdata)
        except ValueError as e:
            return self.drop(str(e))
        h = HANDLERS.get(opcode)
        name = OP.NAMES.get(opcode, "opcode %d" % opcode)
        if h is None:
            if opcode not in self.unknown_logged:
                self.unknown_logged.add(opcode)
                self.vlog.warn("pinctrl: no handler for controller action %s" % name)
            return
        self.stats[name] = self.stats.get(name, 0) + 1
        try:
            h(self, pin, payload)
        except Drop as e:
            self.drop("%s: %s" % (name, e))
        except Exception as e:      # a handler bug must not stop the controller
            self.drop("%s: %s: %s" % (name, type(e).__name__, e))

    # -- controller loop -------------------------------------------------------
    def run(self):
        sb = self.sb
        if sb is None or not sb.is_connected():
            return
        name = self.ctl.cfg.system_id if self.ctl is not None else None
        for what, flush in (("MAC_Binding", lambda: self.neighbors.flush(sb, self.port)),
                            ("FDB", lambda: self.fdb.flush(sb)),
                            ("Controller_Event", lambda: self.events.flush(sb, name)),
                            ("Port_Binding virtual_parent",
                             lambda: events.flush_vports(self, sb))):
            try:
                flush()
            except Exception as e:
                if self.rl.allow():
                    self.vlog.warn("pinctrl: writing %s failed: %s" % (what, e))
        self._periodic(sb)

    def _periodic(self, sb):
        st = getattr(self.ctl, "state", None)
        ofc = getattr(self.ctl, "ofc", None)
        if st is None or ofc is None or not ofc.is_connected():
            return
        # The periodic work scans southbound tables: at most every 50 ms
        # (a burst of packet-ins wakes the loop far more often).
        now = time.monotonic()
        if now < self._next_periodic:
            return
        self._next_periodic = now + PERIODIC_MIN
        try:
            self.ra.run(self, sb, st.local_dps)
        except Exception as e:
            if self.rl.allow():
                self.vlog.warn("pinctrl: periodic RA failed: %s: %s" % (type(e).__name__, e))
        try:
            from pyovn.controller import ovsports
            localnets = ovsports.localnet_pairs(st, self.ctl.cfg)
            keys = garp.wanted(sb, st, self.ctl.cfg.system_id, localnets, self.warn_once)
            self.garp.run(self, keys)
        except Exception as e:
            if self.rl.allow():
                self.vlog.warn("pinctrl: GARP failed: %s: %s" % (type(e).__name__, e))

        try:
            self.svc.run(self, sb, st)
        except Exception as e:
            if self.rl.allow():
                self.vlog.warn("pinctrl: service monitors failed: %s: %s"
                               % (type(e).__name__, e))

        try:
            self.igmp.run(self, sb, self.ctl.cfg.system_id, st.local_dps)
        except Exception as e:
            if self.rl.allow():
                self.vlog.warn("pinctrl: IGMP snooping failed: %s: %s" % (type(e).__name__, e))

        try:
            self.bfd.run(self, sb, st)
        except Exception as e:
            if self.rl.allow():
                self.vlog.warn("pinctrl: BFD failed: %s: %s" % (type(e).__name__, e))

        try:
            self.pd.run(self, sb, st)
        except Exception as e:
            if self.rl.allow():
                self.vlog.warn("pinctrl: prefix delegation failed: %s: %s"
                               % (type(e).__name__, e))

    def warn_once(self, text):
        if text not in self.warned:
            self.warned.add(text)
            self.vlog.warn(text)

    def wait(self, poller):
        if self.neighbors.pending or self.fdb.pending or self.events.pending or self.vports:
            poller.immediate_wake()
        if self.svc.mons or self.pd.clients:
            poller.timer_wait(500)
        if self.igmp.dirty:
            poller.immediate_wake()
        floor = max(0.0, self._next_periodic - time.monotonic())
        for t in (self.ra.timeout(), self.garp.timeout(), self.igmp.timeout(),
                  self.bfd.timeout()):
            if t is not None:
                poller.timer_wait(int(max(t, floor) * 1000) + 1)
