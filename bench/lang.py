#!/usr/bin/env python3
"""Logical flow language throughput: how many of the logical flows that C
ovn-northd writes for the reference topology pyovn.lang compiles per
second, pass by pass.

    python bench/lang.py [--size small|medium|large|SxP] [--sb REMOTE]

Without --sb it builds the topology (bench/topology.py) in fresh NB/SB
ovsdb-servers, runs C ovn-northd once to fill the SB, and stops them.  Then
over every Logical_Flow row, in this order:

  parse            pyovn.lang.parse_expr(match)
  annotate+normalize  pyovn.lang.annotate.annotate() of the parsed match
                   (address sets, port groups, prerequisites) and
                   pyovn.lang.normalize.conjunctions() (normal form)
  to-matches       pyovn.lang.matches.to_matches() of the annotated match
                   (normalizes again, then builds OpenFlow matches)
  actions parse    pyovn.lang.actions.parse_actions(actions) (its cache is
                   emptied first; flows that share the same actions text
                   hit it, as in the controller)
  actions encode   pyovn.lang.actions.encode_actions() to OpenFlow actions

Each flow is compiled in the context of its datapath (the first datapath
of its group for a grouped flow): address sets, that datapath's port groups
(SB names them "<datapath key>_<name>"), and port and multicast group
names -> tunnel keys from the SB.  Flows a pass rejects
are counted, not timed twice.
"""

import argparse
import json
import os
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench import run as bench_run, topology  # noqa: E402
from bench.deploy import Deployment  # noqa: E402
from pyovn.db import idl, schemas  # noqa: E402
from pyovn.util import proc  # noqa: E402


def _uuid(v):
    return v[1] if isinstance(v, list) and v and v[0] == "uuid" else None


def _set(v):
    if isinstance(v, list) and v and v[0] == "set":
        return v[1]
    return [v]


def _map(v):
    return dict(v[1]) if isinstance(v, list) and v and v[0] == "map" else {}


def read_sb(remote):
    """The SB rows the language needs, as plain dicts."""
    want = {
        "Logical_Flow": ["_uuid", "match", "actions", "pipeline", "table_id",
                         "logical_datapath", "logical_dp_group"],
        "Logical_DP_Group": ["_uuid", "datapaths"],
        "Datapath_Binding": ["_uuid", "tunnel_key", "external_ids"],
        "Port_Binding": ["_uuid", "logical_port", "tunnel_key", "datapath"],
        "Multicast_Group": ["_uuid", "name", "tunnel_key", "datapath"],
        "Address_Set": ["_uuid", "name", "addresses"],
        "Port_Group": ["_uuid", "name", "ports"],
    }
    names = list(want)
    query = json.dumps([schemas.DB_NAMES["sb"]] + [
        {"op": "select", "table": t, "where": [], "columns": want[t]} for t in names])
    out = json.loads(proc.run([proc.which("ovsdb-client"), "transact", remote, query],
                              timeout=900))
    return {t: r["rows"] for t, r in zip(names, out)}


class World:
    """Per-datapath language contexts built from the SB rows."""

    def __init__(self, sb):
        from pyovn.lang import Context
        address_sets = {r["name"]: _set(r["addresses"]) for r in sb["Address_Set"]}
        port_groups = {r["name"]: _set(r["ports"]) for r in sb["Port_Group"]}
        self.is_switch = {}
        ports = {}
        for dp in sb["Datapath_Binding"]:
            u = _uuid(dp["_uuid"])
            ext = _map(dp["external_ids"])
            self.is_switch[u] = "logical-switch" in ext or "logical-router" not in ext
            ports[u] = {}
        for pb in sb["Port_Binding"]:
            ports.setdefault(_uuid(pb["datapath"]), {})[pb["logical_port"]] = pb["tunnel_key"]
        for mg in sb["Multicast_Group"]:
            ports.setdefault(_uuid(mg["datapath"]), {})[mg["name"]] = mg["tunnel_key"]
        # Port groups are per datapath in the SB: "<datapath key>_<name>";
        # a flow of that datapath refers to it as @<name>.
        dp_keys = {_uuid(dp["_uuid"]): dp["tunnel_key"] for dp in sb["Datapath_Binding"]}
        by_key = {}
        for name, members in port_groups.items():
            key, sep, short = name.partition("_")
            if sep and key.isdigit():
                by_key.setdefault(int(key), {})[short] = members
        self.contexts = {}
        for u, p in ports.items():
            pgs = dict(port_groups)
            pgs.update(by_key.get(dp_keys.get(u), {}))
            self.contexts[u] = Context(address_sets=address_sets, port_groups=pgs, ports=p)
        self.groups = {_uuid(g["_uuid"]): [_uuid(x) for x in _set(g["datapaths"])]
                       for g in sb["Logical_DP_Group"]}

    def datapath(self, flow):
        dp = _uuid(flow["logical_datapath"])
        if dp is None:
            group = _uuid(flow["logical_dp_group"])
            members = self.groups.get(group) or [None]
            dp = members[0]
        return dp


def measure(sb, log):
    """{pass: (flows ok, flows failed, seconds)} over the SB's flows."""
    from pyovn.lang import LangError, parse_expr
    from pyovn.lang import actions as lang_actions
    from pyovn.lang.annotate import annotate
    from pyovn.lang.matches import to_matches
    from pyovn.lang.normalize import conjunctions
    from pyovn.lang.actions import EncodeContext, ParseContext

    world = World(sb)
    flows = sb["Logical_Flow"]
    items = []
    for f in flows:
        dp = world.datapath(f)
        items.append((f, dp, world.contexts.get(dp)))
    results = {}

    def timed(name, fn, inputs):
        ok, bad, outputs, errors = 0, 0, [], {}
        t0 = time.perf_counter()
        for x in inputs:
            if x is None:
                outputs.append(None)
                continue
            try:
                outputs.append(fn(x))
                ok += 1
            except LangError as e:
                outputs.append(None)
                bad += 1
                errors.setdefault(str(e), 0)
                errors[str(e)] += 1
        results[name] = (ok, bad, time.perf_counter() - t0)
        log("%s: %d flows in %.2fs (%d rejected)" % (name, ok, results[name][2], bad))
        for text, n in sorted(errors.items(), key=lambda kv: -kv[1])[:3]:
            log("  %d rejected: %s" % (n, text))
        return outputs

    parsed = timed("parse", lambda it: (parse_expr(it[0]["match"], context=it[2]), it),
                   items)

    def ann_norm(p):
        expr, it = p
        a = annotate(expr, None, it[2])
        conjunctions(a)
        return a, it
    annotated = timed("annotate+normalize", ann_norm, parsed)
    timed("to-matches", lambda a: to_matches(a[0], a[1][2]), annotated)

    lang_actions._CACHE.clear()
    pcs = {}

    def parse_act(it):
        key = (it[0]["pipeline"], it[0]["table_id"])
        pc = pcs.get(key)
        if pc is None:
            pc = pcs[key] = ParseContext(pipeline=key[0], table_id=key[1])
        return lang_actions.parse_actions(it[0]["actions"], context=pc), it
    acts = timed("actions parse", parse_act, items)

    def encode(p):
        parsed_actions, (f, dp, ctx) = p
        ec = EncodeContext(pipeline=f["pipeline"], table_id=f["table_id"],
                           lookup_port=ctx.lookup_port if ctx else None,
                           is_switch=world.is_switch.get(dp, True))
        return lang_actions.encode_actions(parsed_actions, ec)
    timed("actions encode", encode, acts)
    return len(flows), results


def build_sb(size, n_sw, n_ports, acls_per_port, log, timeout=1800):
    """A fresh deployment with C ovn-northd; returns (deployment, rundir)."""
    root = tempfile.mkdtemp(prefix="pyovn-bench-lang-")
    dep = Deployment(os.path.join(root, "c"), "c")
    dep.start_nb()
    db = idl.Database(dep.nb.remote, "nb")
    try:
        topology.populate(db, n_sw, n_ports, acls_per_port)
    finally:
        db.close()
    dep.fresh_sb()
    target = dep.bump_nb_cfg()
    nd = dep.start_northd()
    dep.wait_cfg("sb_cfg", target, timeout, [nd])
    log("SB built by C ovn-northd")
    return dep, root


def render(size, n_flows, results):
    out = ["# pyovn.lang throughput over C ovn-northd's logical flows, size %s "
           "(%d flows), %s" % (size, n_flows, time.strftime("%Y-%m-%d %H:%M UTC",
                                                            time.gmtime())), "",
           "| pass | flows | rejected | seconds | flows/s |", "|---|---|---|---|---|"]
    for name, (ok, bad, secs) in results.items():
        rate = "%.0f" % (ok / secs) if secs > 0 and ok else "-"
        out.append("| %s | %d | %d | %.2f | %s |" % (name, ok, bad, secs, rate))
    return "\n".join(out) + "\n"


def main(argv=None):
    ap = argparse.ArgumentParser(prog="bench/lang.py", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", type=bench_run.parse_size,
                    default=bench_run.parse_size("small"))
    ap.add_argument("--acls-per-port", type=int, default=2)
    ap.add_argument("--sb", metavar="REMOTE",
                    help="use the logical flows of this SB instead of building one")
    args = ap.parse_args(argv)
    size, n_sw, n_ports = args.size

    def log(msg):
        sys.stderr.write("%s [lang %s] %s\n" % (time.strftime("%H:%M:%S"), size, msg))
        sys.stderr.flush()

    dep = root = None
    try:
        remote = args.sb
        if remote is None:
            dep, root = build_sb(size, n_sw, n_ports, args.acls_per_port, log)
            remote = dep.sb.remote
        sb = read_sb(remote)
    finally:
        if dep is not None:
            dep.stop()
        if root is not None:
            shutil.rmtree(root, ignore_errors=True)
    n_flows, results = measure(sb, log)
    print(render(size if args.sb is None else args.sb, n_flows, results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
