"""ofctrl: keeps br-int's flow table, groups and meters equal to a desired
state, over one persistent OpenFlow channel.

    ofc = Ofctrl(bridge_target(rundir), wait_before_clear_ms=0)
    ofc.put(flows, groups, meters, cfg=nb_cfg)   # desired state (model objects)
    loop: ofc.run(); ofc.wait(poller); poller.block()
    ofc.installed_cfg        # the last cfg whose state is known installed

Life cycle of a connection:
  1. connect, send SET_CONFIG (so packet-ins flow on this service
     connection), NXT_SET_PACKET_IN_FORMAT (NXT_PACKET_IN2), and make sure
     the Geneve option OVN uses (class 0x0102, type 0x80, 4 bytes) is
     mapped to tun_metadata0 (NXT_TLV_TABLE_REQUEST, then _MOD if needed);
  2. read back what the switch has installed (flow, group-desc and
     meter-config multipart requests; flows with an idle or hard timeout
     are learned flows and are left alone).  Nothing is deleted at this point,
     so packets keep flowing with the old flows across controller restarts,
     reconnects and southbound outages;
  3. once a desired state has been put (and, on the first connection,
     wait_before_clear_ms -- ovn-ofctrl-wait-before-clear -- has passed),
     diff it against what is installed and send the difference as one
     atomic bundle (OFPBF_ATOMIC|OFPBF_ORDERED): group adds/modifies, flow
     deletes, flow adds/modifies, group deletes.  Meters cannot travel in
     bundles: new or changed ones go just before the bundle, removed ones
     just after it commits;
  4. after the commit reply and a barrier reply, the cfg that was put with
     that desired state becomes installed_cfg (what the controller writes
     to Chassis_Private.nb_cfg).
Later put()s repeat step 3 with only the changes.  One bundle is in flight
at a time.  If a bundle fails, the switch keeps its old state (atomic); the
flow the switch rejected is logged once and left out, and the rest is sent
again.
"""

import ovs.timeval
import ovs.vlog

from pyovn.openflow import channel as ch
from pyovn.openflow import codec
from pyovn.openflow import layout
from pyovn.openflow.codec import messages as W
from pyovn.openflow.codec import model_wire as MW

vlog = ovs.vlog.Vlog("ofctrl")

# OVN's Geneve option: tun_metadata0 <- class 0x0102 type 0x80, 4 bytes.
OVN_TLV = W.TlvMapping(layout.GENEVE_OPT_CLASS, layout.GENEVE_OPT_TYPE,
                       layout.GENEVE_OPT_LEN, 0)

S_DISCONNECTED = "disconnected"
S_TLV = "tlv-table"
S_READBACK = "read-back"
S_SYNC = "sync"


class Ofctrl:
    def __init__(self, target, wait_before_clear_ms=0, on_packet_in=None,
                 tlv_mappings=(OVN_TLV,), probe_interval_ms=None):
        self.tlv_mappings = list(tlv_mappings)
        ctx = codec.EncodeContext({m.index: m.option_len for m in self.tlv_mappings})
        self.channel = ch.Channel(target, on_connect=self._on_connect,
                                  on_packet_in=on_packet_in,
                                  probe_interval_ms=probe_interval_ms, ctx=ctx)
        self.wait_before_clear_ms = wait_before_clear_ms
        self.state = S_DISCONNECTED
        self._first_connect_ms = None
        self._synced_once = False
        # Desired state (model objects).
        self.desired_flows = {}
        self.desired_groups = {}
        self.desired_meters = {}
        self.desired_cfg = None
        self._desired_seq = 0
        self._have_desired = False
        # What the switch has, as far as we know.
        self.installed_flows = {}
        self.installed_groups = {}
        self.installed_meters = {}
        self.installed_cfg = None
        self._installed_seq = -1
        self.rejected = {}          # flow key -> error text (left out)
        self._in_flight = None      # dict describing the bundle in flight
        self._readback = None
        self._next_bundle_id = 1
        self.n_bundles = 0
        self.n_flow_mods = 0
        self.errors = []
        self._clear_all = set()
        self._normal_cache = {}

    # --- public -----------------------------------------------------------------

    def put(self, flows, groups=(), meters=(), cfg=None):
        """Sets the desired state: iterables of model Flow, GroupMod and
        MeterMod.  Two flows with the same (table, priority, match): the
        last one wins (and is logged)."""
        d = {}
        for f in flows:
            if f.key in d and d[f.key] != f:
                vlog.warn("duplicate flow %s replaces %s" % (f, d[f.key]))
            d[f.key] = f
        groups = {g.group_id: g for g in groups}
        meters = {m.meter_id: m for m in meters}
        same = (self._have_desired and d == self.desired_flows
                and groups == self.desired_groups and meters == self.desired_meters)
        was_installed = self._installed_seq == self._desired_seq
        self.desired_flows = d
        self.desired_groups = groups
        self.desired_meters = meters
        self.desired_cfg = cfg
        self._desired_seq += 1
        self._have_desired = True
        if (same and was_installed and self.state == S_SYNC
                and self._in_flight is None and self.channel.is_connected()):
            # Nothing changed and the previous state is installed: so is
            # this one.
            self._installed_seq = self._desired_seq
            self.installed_cfg = cfg

    def is_connected(self):
        return self.channel.is_connected()

    def status(self):
        """A few lines for debug/status and connection-status commands."""
        return ("%s: %s, state %s, %d flows (%d desired, %d rejected), "
                "%d groups, %d meters, installed cfg %s, %d bundles sent"
                % (self.channel.target,
                   "connected" if self.is_connected() else "not connected",
                   self.state, len(self.installed_flows), len(self.desired_flows),
                   len(self.rejected), len(self.installed_groups),
                   len(self.installed_meters), self.installed_cfg, self.n_bundles))

    def up_to_date(self):
        """True when the last put() is installed."""
        return (self._installed_seq == self._desired_seq and self.state == S_SYNC
                and self.channel.is_connected())

    def close(self):
        self.channel.close()

    # --- poll loop ----------------------------------------------------------------

    def run(self):
        self.channel.run()
        if not self.channel.is_connected():
            if self.state != S_DISCONNECTED:
                self.state = S_DISCONNECTED
                self._in_flight = None
                self._readback = None
            return
        if self.state == S_SYNC and self._in_flight is None:
            self._maybe_sync()
        self.channel.run()

    def wait(self, poller):
        self.channel.wait(poller)
        if (self.state == S_SYNC and self._in_flight is None
                and self._have_desired and not self._synced_once
                and self.wait_before_clear_ms):
            remaining = self._clear_deadline() - ovs.timeval.msec()
            if remaining > 0:
                poller.timer_wait(remaining)
            else:
                poller.immediate_wake()
        elif (self.state == S_SYNC and self._in_flight is None
              and self._installed_seq != self._desired_seq):
            poller.immediate_wake()

    # --- connection set-up ---------------------------------------------------------

    def _on_connect(self, channel):
        if self._first_connect_ms is None:
            self._first_connect_ms = ovs.timeval.msec()
        self._in_flight = None
        self._installed_seq = -1
        channel.send(W.SetConfig(0, 0xffff))
        channel.send(W.SetPacketInFormat(W.NXPIF_NXT_PACKET_IN2))
        self.state = S_TLV
        channel.send(W.TlvTableRequest(), self._on_tlv_reply)

    def _on_tlv_reply(self, reply):
        if reply is None:
            return
        if isinstance(reply, W.Error):
            vlog.err("TLV table request failed: %s" % reply.text())
            missing = []
        else:
            have = set(reply.mappings)
            missing = []
            for m in self.tlv_mappings:
                if m in have:
                    continue
                clash = [h for h in reply.mappings if h.index == m.index]
                if clash:
                    vlog.err("tun_metadata%d is mapped to %r, not %r; Geneve "
                             "metadata flows will misbehave" % (m.index, clash[0], m))
                else:
                    missing.append(m)
        tlv_xid = None
        if missing:
            tlv_xid = self.channel.send(W.TlvTableMod(W.NXTTMC_ADD, missing),
                                        self._on_tlv_mod)

        def after_barrier(reply):
            if tlv_xid is not None:
                self.channel.forget(tlv_xid)     # answered only on failure
            self._start_readback(reply)
        self.channel.send(W.BarrierRequest(), after_barrier)

    def _on_tlv_mod(self, reply):
        if isinstance(reply, W.Error):
            vlog.err("could not map Geneve option to tun_metadata: %s" % reply.text())

    def _start_readback(self, reply):
        if reply is None:
            return
        self.state = S_READBACK
        rb = self._readback = {"flows": None, "groups": None, "meters": None}

        def done(kind, parts):
            if self._readback is not rb:
                return
            if parts is None:
                return
            rb[kind] = parts
            if all(v is not None for v in rb.values()):
                self._finish_readback(rb)
        self.channel.send(W.FlowStatsRequest(), lambda r: done("flows", r))
        self.channel.send(W.GroupDescRequest(), lambda r: done("groups", r))
        self.channel.send(W.MeterConfigRequest(), lambda r: done("meters", r))

    def _finish_readback(self, rb):
        self._readback = None
        flows, groups, meters = {}, {}, {}
        unknown = []
        if isinstance(rb["flows"], W.Error):
            vlog.err("reading installed flows failed: %s" % rb["flows"].text())
            unknown.append("flows")
        else:
            for part in rb["flows"]:
                for fs in part.flows:
                    if fs.idle_timeout or fs.hard_timeout:
                        # Flows that expire by themselves are what learn()
                        # actions installed: not ours to delete.
                        continue
                    try:
                        f = MW.flow_from_stats(fs)
                    except Exception as e:      # anything we cannot model
                        vlog.info("installed flow we cannot decode (%s): "
                                  "will be replaced" % e)
                        unknown.append("flows")
                        continue
                    flows[f.key] = f
        for kind, store, conv in (("groups", groups, MW.group_from_wire),
                                  ("meters", meters, MW.meter_from_wire)):
            if isinstance(rb[kind], W.Error):
                unknown.append(kind)
                continue
            for part in rb[kind]:
                for item in getattr(part, kind):
                    try:
                        obj = conv(item)
                    except Exception as e:
                        vlog.info("installed %s we cannot decode (%s)" % (kind, e))
                        unknown.append(kind)
                        continue
                    store[obj.group_id if kind == "groups" else obj.meter_id] = obj
        self.installed_flows = flows
        self.installed_groups = groups
        self.installed_meters = meters
        self._clear_all = set(unknown)
        self.state = S_SYNC
        vlog.info("read back %d flows, %d groups, %d meters"
                  % (len(flows), len(groups), len(meters)))

    # --- syncing --------------------------------------------------------------------

    def _clear_deadline(self):
        return (self._first_connect_ms or 0) + self.wait_before_clear_ms

    def _maybe_sync(self):
        if not self._have_desired or self._installed_seq == self._desired_seq:
            return
        if not self._synced_once and self.wait_before_clear_ms \
                and ovs.timeval.msec() < self._clear_deadline():
            return
        self._send_sync()

    def _send_sync(self):
        c = self.channel
        seq, cfg = self._desired_seq, self.desired_cfg
        # Compare in the form the switch reports back (see model_wire).
        cache = self._normal_cache
        new_cache = {}
        want_flows = {}
        for k, f in self.desired_flows.items():
            if k in self.rejected:
                continue
            nf = cache.get(f)
            if nf is None:
                nf = MW.normal_flow(f)
            new_cache[f] = want_flows[k] = nf
        self._normal_cache = new_cache
        want_groups = {i: MW.normal_group(g) for i, g in self.desired_groups.items()}
        want_meters = {i: MW.normal_meter(m) for i, m in self.desired_meters.items()}
        have_flows = self.installed_flows
        clear = self._clear_all

        flow_dels, flow_adds, flow_mods = [], [], []
        if "flows" in clear:
            flow_dels = [None]       # delete everything first
            flow_adds = list(want_flows.values())
        else:
            for k, f in have_flows.items():
                if k not in want_flows:
                    flow_dels.append(f)
            for k, f in want_flows.items():
                old = have_flows.get(k)
                if old is None:
                    flow_adds.append(f)
                elif old != f:
                    if old.cookie != f.cookie:
                        flow_dels.append(old)
                        flow_adds.append(f)
                    else:
                        flow_mods.append(f)
        group_set, group_dels = [], []
        for gid, g in want_groups.items():
            old = self.installed_groups.get(gid)
            if old is None:
                group_set.append((W.OFPGC_ADD, g))
            elif old != g:
                group_set.append((W.OFPGC_MODIFY, g))
        for gid, g in self.installed_groups.items():
            if gid not in want_groups:
                group_dels.append(g)
        meter_set, meter_dels = [], []
        for mid, m in want_meters.items():
            old = self.installed_meters.get(mid)
            if old is None:
                meter_set.append((W.OFPMC_ADD, m))
            elif old != m:
                meter_set.append((W.OFPMC_MODIFY, m))
        for mid, m in self.installed_meters.items():
            if mid not in want_meters:
                meter_dels.append(m)

        # Encode everything first: a flow that cannot be encoded is logged
        # and left out, without disturbing the rest.
        msgs = []          # (message, flow key or None)
        for cmd, g in group_set:
            self._add_msg(msgs, lambda g=g, cmd=cmd: MW.group_mod(g, cmd), ("group", g.group_id))
        for f in flow_dels:
            if f is None:
                msgs.append((W.FlowMod(command=W.OFPFC_DELETE, table=W.OFPTT_ALL), None))
            else:
                self._add_msg(msgs, lambda f=f: MW.flow_mod(f, W.OFPFC_DELETE_STRICT), None)
        for f in flow_adds:
            self._add_msg(msgs, lambda f=f: MW.flow_mod(f, W.OFPFC_ADD), f.key)
        for f in flow_mods:
            self._add_msg(msgs, lambda f=f: MW.flow_mod(f, W.OFPFC_MODIFY_STRICT), f.key)
        for g in group_dels:
            self._add_msg(msgs, lambda g=g: MW.group_mod(g, W.OFPGC_DELETE), None)

        flight = {"seq": seq, "cfg": cfg, "conn": c.connection_seqno,
                  "failed": {}, "pending": 0, "ok": True, "quiet": []}
        self._in_flight = flight

        def track(reply):
            """For requests that always get a reply (bundle open and
            commit, barrier)."""
            flight["pending"] -= 1
            if reply is None:
                flight["ok"] = False
            elif isinstance(reply, W.Error):
                flight["ok"] = False
                self._log_error(reply)
            self._check_done(flight)

        def on_error(reply, key):
            """For requests answered only when they fail (bundle adds,
            meter mods)."""
            if reply is None:
                flight["ok"] = False
            elif isinstance(reply, W.Error):
                flight["ok"] = False
                if key is not None:
                    flight["failed"][key] = reply.text()
                else:
                    self._log_error(reply)

        def quiet(msg, key):
            xid = c.send(msg, lambda r: on_error(r, key))
            flight["quiet"].append(xid)

        for cmd, m in meter_set:
            try:
                mm = MW.meter_mod(m, cmd)
            except codec.CodecError as e:
                self._log_once("meter %d: %s" % (m.meter_id, e))
                continue
            quiet(mm, ("meter", m.meter_id))
        if msgs:
            bid = self._next_bundle_id
            self._next_bundle_id = bid % 0xffffffff + 1
            flags = W.OFPBF_ATOMIC | W.OFPBF_ORDERED
            flight["pending"] += 1
            c.send(W.BundleControl(bid, W.OFPBCT_OPEN_REQUEST, flags), track)
            for msg, key in msgs:
                quiet(W.BundleAdd(bid, msg, flags), key)
                if isinstance(msg, W.FlowMod):
                    self.n_flow_mods += 1
            flight["pending"] += 1
            c.send(W.BundleControl(bid, W.OFPBCT_COMMIT_REQUEST, flags), track)
            self.n_bundles += 1
        for m in meter_dels:
            quiet(MW.meter_mod(m, W.OFPMC_DELETE), None)
        flight["new"] = (want_flows, want_groups, want_meters)
        flight["pending"] += 1
        # The barrier's reply comes after every reply and error above.

        def on_barrier(reply):
            for xid in flight["quiet"]:
                c.forget(xid)
            track(reply)
        c.send(W.BarrierRequest(), on_barrier)

    def _add_msg(self, msgs, build, key):
        try:
            msgs.append((build(), key))
        except (codec.CodecError, ValueError) as e:
            self._log_once("%s: %s" % (key, e))
            if key is not None and key[0] not in ("group", "meter"):
                self.rejected[key] = str(e)

    def _check_done(self, flight):
        if flight["pending"] or self._in_flight is not flight:
            return
        self._in_flight = None
        if flight["conn"] != self.channel.connection_seqno:
            return
        if flight["ok"]:
            want_flows, groups, meters = flight["new"]
            self.installed_flows = want_flows
            self.installed_groups = groups
            self.installed_meters = meters
            self._clear_all = set()
            self._installed_seq = flight["seq"]
            self.installed_cfg = flight["cfg"]
            self._synced_once = True
            return
        # The bundle was rolled back: leave out what the switch rejected and
        # try again on the next run().
        for key, text in flight["failed"].items():
            self._log_once("switch rejected %s: %s" % (self._describe(key), text))
            if key[0] == "meter" or key[0] == "group":
                kind, ident = key
                (self.desired_meters if kind == "meter" else self.desired_groups).pop(ident, None)
            else:
                self.rejected[key] = text
        if not flight["failed"]:
            # Nothing to blame: do not spin; retry on the next put().
            self._installed_seq = flight["seq"]

    def _describe(self, key):
        f = self.desired_flows.get(key)
        return ("flow %s" % f) if f is not None else str(key)

    def _log_error(self, err):
        self._log_once("OpenFlow error: %s" % err.text())

    def _log_once(self, text):
        if text not in self.errors:
            self.errors.append(text)
            vlog.warn(text)
