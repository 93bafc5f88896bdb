"""The northd runtime: two database connections, the SB lock, and one
iteration of work (recompute, write SB, feed status back to NB).

    nd = Northd(nb_remote, sb_remote)
    while ...: nd.run(); nd.wait(poller); poller.block()
"""

import time

import ovs.db.idl

from pyovn.db.idl import Database, Transaction
from pyovn.northd import engine
from pyovn.northd import mcast
from pyovn.northd import sb_core
from pyovn.northd import sync
from pyovn.northd.log import Problems, vlog
from pyovn.northd.model import opt

LOCK_NAME = "ovn_northd"
RETRY_INTERVAL = 2            # seconds before a failed iteration is retried

# NB columns northd itself writes: their changes need no recompute.
NB_OWN_COLUMNS = {
    "NB_Global": {"sb_cfg", "sb_cfg_timestamp", "hv_cfg", "hv_cfg_timestamp",
                  "nb_cfg_timestamp"},
    "Logical_Switch_Port": {"up", "dynamic_addresses"},
}
# SB tables whose changes change what northd computes (VXLAN in use,
# requested-chassis, health check status); changes to the tables northd owns are its own writes.
SB_FULL_INPUTS = {"Chassis", "Encap", "Service_Monitor", "IGMP_Group"}
# SB tables feeding the status written back to the NB.
SB_STATUS_INPUTS = {"SB_Global", "Chassis_Private", "Port_Binding"}


class Northd:
    def __init__(self, nb_remote, sb_remote, paused=False, problems=None):
        self.nb = Database(nb_remote, "nb")
        self.sb = Database(sb_remote, "sb")
        self.problems = problems or Problems()
        self.paused = paused
        if not paused:
            self.sb.idl.set_lock(LOCK_NAME)
        self.dirty = True
        self.force = True
        self.seen_seqnos = None
        self.written_nb_options = None
        self.retry_at = None
        self.last_nb_cfg = None
        self.had_lock = False
        self.last_result = None
        self.stats = {"recompute": 0, "sb_txn": 0, "nb_txn": 0}
        self.last_error = None

    def close(self):
        self.nb.close()
        self.sb.close()

    # -- status --------------------------------------------------------------
    def status(self):
        if self.paused:
            return "paused"
        return "active" if self.sb.idl.has_lock else "standby"

    def pause(self):
        if not self.paused:
            self.paused = True
            self.sb.idl.set_lock(None)
            vlog.info("paused: released the SB lock %s" % LOCK_NAME)

    def resume(self):
        if self.paused:
            self.paused = False
            self.sb.idl.set_lock(LOCK_NAME)
            self.dirty = True
            self.force = True
            vlog.info("resumed: asking for the SB lock %s" % LOCK_NAME)

    # -- loop ------------------------------------------------------------------
    def wait(self, poller):
        self.nb.wait(poller)
        self.sb.wait(poller)
        if self.dirty and self._ready():
            poller.immediate_wake()
        else:
            # Updates that arrive while a blocking transaction commits are
            # sometimes left unannounced to the poller (python-ovs); a short
            # timer bounds the delay until they are seen.
            poller.timer_wait(100)

    def _ready(self):
        return (not self.paused and self.sb.idl.has_lock
                and self.nb.idl.has_ever_connected()
                and self.sb.idl.has_ever_connected()
                and self.nb.idl.change_seqno and self.sb.idl.change_seqno)

    def run(self):
        self.nb.run()
        self.sb.run()
        # Compare sequence numbers rather than trusting run()'s answer: the
        # transactions of an iteration also process updates.
        seqnos = (self.nb.idl.change_seqno, self.sb.idl.change_seqno)
        if seqnos != self.seen_seqnos:
            self.dirty = True
        has_lock = self.sb.idl.has_lock
        if has_lock != self.had_lock:
            vlog.info("%s the SB lock %s: now %s" % (
                "acquired" if has_lock else "lost", LOCK_NAME,
                "active" if has_lock else "standby"))
            self.had_lock = has_lock
            self.dirty = True
            self.force = True
        if self.retry_at is not None and time.monotonic() >= self.retry_at:
            self.retry_at = None
            self.dirty = True
        if not self.dirty or not self._ready():
            return False
        self.dirty = False
        try:
            self.iterate()
        except Exception as e:  # keep serving: log, retry in a while (or sooner
            self.last_error = str(e)    # on the next change)
            self.force = True
            self.retry_at = time.monotonic() + RETRY_INTERVAL
            vlog.exception("northd iteration failed (retrying in %ds): %s"
                           % (RETRY_INTERVAL, e))
        return True

    def _classify(self, nb_changes, sb_changes):
        """What the changes since the last iteration require: "full" (a
        recompute), "cfg" (only nb_cfg moved: SB_Global + status) or
        "status" (feedback to the NB only), or None."""
        if self.force or self.last_result is None:
            return "full"
        need = None
        for table in nb_changes.tables:
            if nb_changes.inserted(table) or nb_changes.deleted(table):
                return "full"
            own = NB_OWN_COLUMNS.get(table)
            for row in nb_changes.updated(table):
                cols = nb_changes.updated_columns(table, row)
                if table == "NB_Global" and "options" in cols and \
                        dict(row.options) == self.written_nb_options:
                    cols = cols - {"options"}      # what we wrote ourselves
                if own is None or cols - own - {"nb_cfg"}:
                    return "full"
                if "nb_cfg" in cols and table == "NB_Global":
                    need = "cfg"
        tables = sb_changes.tables
        if tables & SB_FULL_INPUTS:
            return "full"
        if need is None and tables & SB_STATUS_INPUTS:
            need = "status"
        return need

    def iterate(self):
        nb_changes = self.nb.take_changes()
        sb_changes = self.sb.take_changes()
        self.seen_seqnos = (self.nb.idl.change_seqno, self.sb.idl.change_seqno)
        what = self._classify(nb_changes, sb_changes)
        if what is None:
            return
        nb_global = self.nb.rows("NB_Global")
        nb_cfg = nb_global[0].nb_cfg if nb_global else 0
        vlog.dbg("iteration (%s) for nb_cfg %d" % (what, nb_cfg))
        if what == "full":
            self.force = False
            view = sb_core.SbView.from_sb(self.sb)
            view.igmp = mcast.read_sb(self.sb)
            result = engine.compute(self.nb, view, self.problems)
            self.stats["recompute"] += 1
            self.last_result = result
            self.problems.flush()
            self._write_sb(result, nb_cfg)
        elif what == "cfg":
            self._write_sb(self.last_result, nb_cfg, content=False)
        self._write_nb(self.last_result, nb_cfg)

    # -- SB ------------------------------------------------------------------
    def _write_sb(self, result, nb_cfg, content=True):
        """Writes RESULT's SB content (unless not CONTENT) and SB_Global."""
        sb = self.sb
        holder = {}

        def build(txn):
            stats = sync.SyncStats()
            if content:
                _cleanup(sb, result, stats)
                stats = sync.apply(sb, txn, result.desired, stats=stats)
            rows = sb.rows("SB_Global")
            g = rows[0] if rows else txn.insert(sb.idl.tables["SB_Global"])
            changed = bool(stats) or not rows
            opts = dict(result.nb_options)
            if not rows or dict(g.options) != opts:
                g.options = opts
                changed = True
            ipsec = bool(result.model.nb_global.ipsec) if result.model.nb_global else False
            if not rows or g.ipsec != ipsec:
                g.ipsec = ipsec
                changed = True
            if not rows or g.nb_cfg != nb_cfg:
                g.nb_cfg = nb_cfg
                changed = True
            holder["stats"] = stats
            return changed

        txn = sb.transact(build)
        stats = holder.get("stats")
        if txn is not None:
            self.stats["sb_txn"] += 1
            if stats:
                vlog.dbg("SB sync: %s" % stats)

    # -- NB ------------------------------------------------------------------
    def _write_nb(self, result, nb_cfg):
        nb, sb = self.nb, self.sb
        now = engine.now_ms()
        sbg = sb.rows("SB_Global")
        sb_cfg = sbg[0].nb_cfg if sbg else 0
        hv_cfg, hv_ts = _hv_cfg(sb, sb_cfg)
        pb_by_name = {pb.logical_port: pb for pb in sb.rows("Port_Binding")}
        m = result.model
        tags = _allocate_tags(m)

        def build(txn):
            rows = nb.rows("NB_Global")
            changed = False
            if rows:
                g = rows[0]
                if dict(g.options) != _nb_opts(g, result):
                    self.written_nb_options = _nb_opts(g, result)
                    g.options = self.written_nb_options
                    changed = True
                if self.last_nb_cfg != g.nb_cfg:
                    g.nb_cfg_timestamp = now
                    changed = True
                if g.sb_cfg != sb_cfg:
                    g.sb_cfg = sb_cfg
                    g.sb_cfg_timestamp = now
                    changed = True
                if g.hv_cfg != hv_cfg:
                    g.hv_cfg = hv_cfg
                    g.hv_cfg_timestamp = hv_ts or now
                    changed = True
            for p in m.ports.values():
                if p.kind != "lsp":
                    continue
                pb = pb_by_name.get(p.name)
                up = _lsp_up(p, pb)
                if up is not None and opt(p.row.up) != up:
                    p.row.up = [up]
                    changed = True
                dyn = [p.new_dynamic_addresses] if p.new_dynamic_addresses else []
                if list(p.row.dynamic_addresses) != dyn:
                    p.row.dynamic_addresses = dyn
                    changed = True
                if p.name in tags and opt(p.row.tag) != tags[p.name]:
                    p.row.tag = [tags[p.name]]
                    changed = True
            return changed

        txn = nb.transact(build)
        vlog.dbg("NB status: sb_cfg=%d hv_cfg=%d %s" % (
            sb_cfg, hv_cfg, "written" if txn is not None else "unchanged"))
        if txn is not None:
            self.stats["nb_txn"] += 1
        rows = nb.rows("NB_Global")
        if rows:
            self.last_nb_cfg = rows[0].nb_cfg


def _nb_opts(g, result):
    opts = dict(g.options)
    for k in ("mac_prefix", "svc_monitor_mac", "max_tunid", "northd_internal_version"):
        opts[k] = result.nb_options[k]
    return opts


def _hv_cfg(sb, sb_cfg):
    """hv_cfg: the nb_cfg every (local) chassis has caught up with."""
    values = []
    ts = 0
    for cp in sb.rows("Chassis_Private"):
        ch = opt(cp.chassis)
        if ch is not None and ch.other_config.get("is-remote") == "true":
            continue
        values.append(cp.nb_cfg)
        ts = max(ts, cp.nb_cfg_timestamp)
    if not values:
        return sb_cfg, None
    return min(values), ts or None


def _lsp_up(p, pb):
    if p.type == "router":
        return True
    if pb is None:
        return None
    up = opt(pb.up)
    if up is not None:
        return bool(up) and bool(pb.chassis)
    return bool(pb.chassis)


def _allocate_tags(m):
    """Tags for container ports with tag_request 0 (unique per parent)."""
    out = {}
    used = {}
    for p in m.ports.values():
        if p.kind == "lsp" and p.parent_name and p.tag:
            used.setdefault(p.parent_name, set()).add(p.tag)
    for p in sorted(m.ports.values(), key=lambda x: x.name):
        if p.kind != "lsp" or not p.parent_name or p.tag_request is None:
            continue
        if p.tag_request:
            out[p.name] = p.tag_request
            continue
        if p.tag:
            continue
        taken = used.setdefault(p.parent_name, set())
        for t in range(1, 4096):
            if t not in taken:
                taken.add(t)
                out[p.name] = t
                p.tag = t
                break
    return out


def _cleanup(sb, result, stats):
    """MAC_Binding and FDB rows of deleted datapaths and ports."""
    d = result.desired
    live_ports = set(d.tables.get("Port_Binding", {}))
    live_dp_keys = {}
    for dp in result.model.datapaths:
        if dp.key is not None:
            live_dp_keys[dp.key] = {p.key for p in dp.ports if p.key is not None}
    live_dps = set(d.tables.get("Datapath_Binding", {}))
    for mb in sb.rows("MAC_Binding"):
        dp_uuid = sync.dp_nb_uuid(mb.datapath) if mb.datapath else None
        if dp_uuid not in live_dps or mb.logical_port not in live_ports:
            mb.delete()
            stats.deleted["MAC_Binding"] += 1
    for fdb in sb.rows("FDB"):
        ports = live_dp_keys.get(fdb.dp_key)
        if ports is None or fdb.port_key not in ports:
            fdb.delete()
            stats.deleted["FDB"] += 1
