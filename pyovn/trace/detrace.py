"""`pyovn detrace`: annotate OpenFlow output with the logical flows behind it.

    ovs-ofctl dump-flows br-int | pyovn detrace [--db SB] [--ovnnb NB]
    ovs-appctl ofproto/trace br-int FLOW | pyovn detrace

Every line is copied to standard output.  After a line that carries a
cookie (`cookie=0x...` in dump-flows, `cookie 0x...` in ofproto/trace),
pyovn detrace prints what the cookie names: ovn-controller sets the cookie
of the flows it installs for a logical flow to the first 32 bits of the
Logical_Flow's UUID, and of physical flows to the first 32 bits of the
Port_Binding, Multicast_Group or Datapath_Binding UUID.  For a logical
flow: its datapath(s), pipeline, table and stage, priority, match and
actions, the northbound row behind it (external_ids:stage-hint, looked up
in the NB database when --ovnnb is given) and the ports it names, with the
chassis each is bound to.
"""

import argparse
import os
import re
import sys

from pyovn.daemon import paths

COOKIE_RE = re.compile(r"cookie[= ](0x[0-9a-fA-F]+)")
PORT_RE = re.compile(r'"([^"]+)"')

NB_TABLES = ("ACL", "Logical_Switch_Port", "Logical_Router_Port", "Load_Balancer",
             "NAT", "Logical_Router_Static_Route", "Logical_Router_Policy",
             "Logical_Switch", "Logical_Router", "Port_Group", "Address_Set",
             "DHCP_Options", "Meter", "Forwarding_Group", "Static_MAC_Binding")


def build_parser():
    p = argparse.ArgumentParser(
        prog="pyovn detrace",
        description="Reads `ovs-ofctl dump-flows' or `ofproto/trace' output on "
        "stdin and annotates each cookie with the OVN logical flow, datapath, "
        "northbound object and ports behind it.")
    p.add_argument("--db", "--ovnsb", dest="db",
                   help="southbound database (default: $OVN_SB_DB or "
                   "unix:$OVN_RUNDIR/ovnsb_db.sock)")
    p.add_argument("--ovnnb", help="northbound database, to name the NB rows "
                   "behind logical flows (optional)")
    p.add_argument("--no-repeat", action="store_true",
                   help="describe each cookie only the first time it appears")
    return p


class NbIndex:
    """UUID -> (table, short description) over the NB tables detrace names."""

    def __init__(self, remote):
        from pyovn.db.idl import Database
        from pyovn.trace.sbdata import check_remote
        check_remote(remote)
        db = Database(remote, "nb", tables={t: None for t in NB_TABLES})
        try:
            db.sync(10.0)
            self.rows = {}
            for t in NB_TABLES:
                for r in db.rows(t):
                    self.rows[str(r.uuid)] = (t, _describe_nb(t, r))
        finally:
            db.close()

    def get(self, uuid):
        """Row for a full UUID or a prefix of one (stage-hint holds the
        first 8 hex digits)."""
        if uuid in self.rows:
            return self.rows[uuid]
        found = [v for k, v in self.rows.items() if k.startswith(uuid)]
        return found[0] if len(found) == 1 else None


def _describe_nb(table, r):
    if table == "ACL":
        return "%s, priority=%d, match=(%s), action=%s" % (
            r.direction, r.priority, r.match, r.action)
    if table == "NAT":
        return "%s %s -> %s" % (r.type, r.external_ip, r.logical_ip)
    if table == "Load_Balancer":
        return "%s %s" % (r.name, ", ".join("%s -> %s" % kv for kv in
                                           sorted(dict(r.vips).items())))
    if table == "Logical_Router_Static_Route":
        return "%s via %s" % (r.ip_prefix, r.nexthop)
    if table == "Logical_Router_Policy":
        return "priority=%d, match=(%s), action=%s" % (r.priority, r.match, r.action)
    name = getattr(r, "name", "")
    return name if isinstance(name, str) else str(name)


def describe_cookie(view, cookie, nb=None):
    """Lines describing what COOKIE (an int) names in VIEW."""
    out = []
    prefix = "%08x" % (cookie & 0xffffffff)
    for fl, dps in sorted(view.flow_by_cookie(cookie), key=lambda x: x[0].uuid):
        names = ", ".join('"%s"' % dp.name for dp in dps) or "(no datapath)"
        kind = "router" if dps and dps[0].is_router else "switch"
        out.append("Logical datapath%s: %s (%s) [%s]" % (
            "s" if len(dps) > 1 else "", names, kind, fl.pipeline))
        out.append("Logical flow: uuid=%s, table=%d (%s), priority=%d, match=(%s), "
                   "actions=(%s)" % (fl.uuid, fl.table, fl.stage, fl.priority,
                                     fl.match, fl.actions))
        if fl.stage_hint:
            row = nb.get_by_prefix(fl.stage_hint) if nb is not None else None
            if row:
                out.append("NB %s %s: %s" % (row[0], fl.stage_hint, row[1]))
            else:
                out.append("NB row: %s" % fl.stage_hint)
        seen = set()
        for name in PORT_RE.findall(fl.match + " " + fl.actions):
            port = view.port(name)
            if port is None or name in seen:
                continue
            seen.add(name)
            out.append('Port "%s" (type "%s", datapath "%s")%s' % (
                name, port.type, port.dp.name,
                ' bound to chassis "%s"' % port.chassis if port.chassis else ""))
    for port in view.ports.values():
        if port.uuid.replace("-", "").startswith(prefix):
            out.append('Port_Binding "%s" (type "%s", datapath "%s")%s' % (
                port.name, port.type, port.dp.name,
                ' bound to chassis "%s"' % port.chassis if port.chassis else ""))
    for dp in view.datapaths.values():
        if dp.uuid.replace("-", "").startswith(prefix):
            out.append('Datapath_Binding "%s" (tunnel key %d)' % (dp.name, dp.key))
    return out


def annotate(view, lines, out, nb=None, no_repeat=False):
    seen = set()
    for line in lines:
        out.write(line if line.endswith("\n") else line + "\n")
        m = COOKIE_RE.search(line)
        if not m:
            continue
        cookie = int(m.group(1), 16)
        if cookie == 0 or (no_repeat and cookie in seen):
            continue
        seen.add(cookie)
        indent = re.match(r"\s*", line).group(0)
        for d in describe_cookie(view, cookie, nb):
            out.write("%s  * %s\n" % (indent, d))


class _NbPrefix:
    def __init__(self, idx):
        self.idx = idx

    def get_by_prefix(self, uuid):
        return self.idx.get(uuid)


def main(argv):
    opts = build_parser().parse_args(argv)
    db = opts.db or os.environ.get("OVN_SB_DB") or paths.default_db("ovnsb_db")
    try:
        from pyovn.trace.sbdata import SbView
        view = SbView.connect(db)
        nb = _NbPrefix(NbIndex(opts.ovnnb)) if opts.ovnnb else None
    except (TimeoutError, ValueError, OSError) as e:
        sys.stderr.write("pyovn detrace: cannot read the database: %s\n" % e)
        return 1
    annotate(view, sys.stdin, sys.stdout, nb, opts.no_repeat)
    return 0
