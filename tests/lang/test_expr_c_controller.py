"""Differential test against the C ovn-controller 23.03 (test-only peer):
the OpenFlow matches C ovn-controller installs for the logical flows of a
topology are the ones pyovn's expression compiler produces for the same
logical flows (plain flows, and conjunctive matches compared up to the
numbering of their conjunction ids).

One chassis "gw1" (so gateway-bound flows and is_chassis_resident() are
exercised): ovsdb-servers, ovs-vswitchd on the dummy datapath, C
ovn-northd and ovn-controller, the topology of test_expr_compat_peer.
"""

import re
import time

import pytest

from pyovn.lang.annotate import annotate
from pyovn.lang.context import Context
from pyovn.lang.errors import LangError
from pyovn.lang.matches import to_matches
from pyovn.lang.parse import parse
from pyovn.openflow import layout
from pyovn.openflow.model import Match

from c_chassis import CChassis  # noqa: E402
from test_expr_compat_peer import populate  # noqa: E402

pytestmark = pytest.mark.peer

FLOW = re.compile(r"cookie=(0x[0-9a-f]+), .*?table=(\d+), .*?priority=(\d+)"
                  r"(?:,(\S+))? actions=(.*)$")
CONJ = re.compile(r"conjunction\((\d+),(\d+)/(\d+)\)")


@pytest.fixture
def chassis(rundir):
    c = CChassis(rundir, system_id="gw1", vifs=["ls0-p0", "ls0-p1", "ls1-p2"],
                 external_ids=["ovn-bridge-mappings=physnet:br-int"])
    try:
        yield c.start()
    finally:
        c.stop()


def uuid_of(v):
    return v[1] if isinstance(v, list) and v and v[0] == "uuid" else None


def set_of(v):
    if isinstance(v, list) and v and v[0] == "set":
        return v[1]
    return [v] if v not in (None, []) else []


def wait_stable(c):
    last, same = None, 0
    for _ in range(200):
        n = len(c.dump().splitlines())
        same = same + 1 if n == last else 0
        if same >= 6 and n > 300:
            return
        last = n
        time.sleep(0.25)
    raise AssertionError("ovn-controller flows never settled")


def c_flows(dump):
    """Plain flows {(table, prio, Match)} and conjunctions
    {(table, prio, frozenset of (clause, n, Match))} of the logical
    pipelines in a dump-flows."""
    logical = set(range(layout.LOG_INGRESS_PIPELINE, layout.OUTPUT_LARGE_PKT_DETECT)) | \
        set(range(layout.LOG_EGRESS_PIPELINE, layout.SAVE_INPORT))
    plain = set()
    clauses = {}
    conj_keys = {}
    for line in dump.splitlines():
        m = FLOW.search(line)
        if not m:
            continue
        cookie, table, prio, match, actions = m.groups()
        table, prio = int(table), int(prio)
        conjs = CONJ.findall(actions)
        # Clause flows of conjunctions carry cookie 0 (they may serve
        # several logical flows); other flows carry their logical flow's.
        if table not in logical or (int(cookie, 16) == 0 and not conjs):
            continue
        mt = Match.parse(match or "")
        d = mt.as_dict()
        if "conj_id" in d:
            conj_keys[d["conj_id"][0]] = (table, prio, mt)
            continue
        if conjs:
            for cid, k, n in conjs:
                clauses.setdefault(int(cid), set()).add((int(k), int(n), mt))
        else:
            plain.add((table, prio, mt))
    conjunctions = set()
    for cid, (table, prio, mt) in conj_keys.items():
        conjunctions.add((table, prio, _without_conj_id(mt),
                          frozenset(clauses.get(cid, ()))))
    return plain, conjunctions


def _covers(general, specific):
    """Does every packet matching SPECIFIC match GENERAL?"""
    spec = {n: (v, m) for n, v, m in specific.fields}
    for name, value, mask in general.fields:
        if name not in spec:
            return False
        sv, sm = spec[name]
        full = (1 << 128) - 1
        gm = full if mask is None else mask
        sm = full if sm is None else sm
        if gm & ~sm or (sv & gm) != value:
            return False
    return True


def absorb_clauses(conjunctions):
    """Drops, within each clause of each conjunction, matches that another
    match of the same clause covers.  pyovn does this while normalizing,
    C ovn-controller does not; the conjunctions mean the same either way."""
    out = set()
    for table, prio, head, clauses in conjunctions:
        kept = set()
        for k, n, m in clauses:
            if not any(k2 == k and m2 != m and _covers(m2, m)
                       for k2, _, m2 in clauses):
                kept.add((k, n, m))
        out.add((table, prio, head, frozenset(kept)))
    return out


def _without_conj_id(mt):
    out = Match()
    for name, value, mask in mt.fields:
        if name != "conj_id":
            out = out.with_field(name, value, mask)
    return out


class DpContext(Context):
    """What ovn-controller knows when it translates a flow of one datapath:
    port names resolve to tunnel keys only for ports of that datapath, and
    a VIF only when it is bound here (flows for remote VIFs are not
    installed), as do the members of port groups."""

    vifs = frozenset()

    def lookup_port(self, name):
        if name in self.vifs and name not in self.resident:
            return None
        return self.ports.get(name)


def contexts(c):
    chassis = {uuid_of(r["_uuid"]): r["name"]
               for r in c.sb_rows("Chassis", ["_uuid", "name"])}
    dps = {uuid_of(r["_uuid"]): r["tunnel_key"]
           for r in c.sb_rows("Datapath_Binding", ["_uuid", "tunnel_key"])}
    address_sets = {r["name"]: set_of(r["addresses"])
                    for r in c.sb_rows("Address_Set", ["name", "addresses"])}
    port_groups = {r["name"]: set_of(r["ports"])
                   for r in c.sb_rows("Port_Group", ["name", "ports"])}
    resident = set()
    bindings = c.sb_rows("Port_Binding", ["logical_port", "tunnel_key",
                                          "datapath", "chassis", "type"])
    for r in bindings:
        if chassis.get(uuid_of(r["chassis"])) == "gw1":
            resident.add(r["logical_port"])
    # Ports that tag-restricted flows may name: VIFs bound here, and the
    # non-VIF ports (patch, localnet, ...) of local datapaths.
    related = resident | {r["logical_port"] for r in bindings if r["type"]}
    vifs = frozenset(r["logical_port"] for r in bindings if not r["type"])
    ctxs = {}
    for uuid, key in dps.items():
        ctx = DpContext(address_sets=address_sets)
        ctx.related = related
        ctx.vifs = vifs
        ctx.resident = resident
        # ovn-controller expands @port_group to the group's members that
        # are local to the chassis.
        prefix = "%d_" % key
        ctx.port_groups = {n[len(prefix):]: [x for x in p if x in resident]
                           for n, p in port_groups.items() if n.startswith(prefix)}
        ctxs[uuid] = ctx
    for r in bindings:
        ctxs[uuid_of(r["datapath"])].ports[r["logical_port"]] = r["tunnel_key"]
    for r in c.sb_rows("Multicast_Group", ["name", "tunnel_key", "datapath"]):
        ctxs[uuid_of(r["datapath"])].ports[r["name"]] = r["tunnel_key"]
    return dps, ctxs


def pyovn_flows(c, local_dps):
    dps, ctxs = contexts(c)
    groups = {uuid_of(r["_uuid"]): [uuid_of(d) for d in set_of(r["datapaths"])]
              for r in c.sb_rows("Logical_DP_Group", ["_uuid", "datapaths"])}
    plain = set()
    conjunctions = set()
    errors = []
    for lf in c.sb_rows("Logical_Flow", ["logical_datapath", "logical_dp_group",
                                         "pipeline", "table_id", "priority",
                                         "match", "actions", "tags"]):
        # Flows tagged with a port apply only where that port is local.
        tags = dict(lf["tags"][1]) if isinstance(lf["tags"], list) else {}
        if "in_out_port" in tags and tags["in_out_port"] not in \
                next(iter(ctxs.values())).related:
            continue
        dp_uuids = [uuid_of(lf["logical_datapath"])] if uuid_of(lf["logical_datapath"]) \
            else groups.get(uuid_of(lf["logical_dp_group"]), [])
        base = (layout.LOG_INGRESS_PIPELINE if lf["pipeline"] == "ingress"
                else layout.LOG_EGRESS_PIPELINE)
        table = base + lf["table_id"]
        # ovn-controller ANDs the actions' prerequisites (ct_next needs
        # ip, ...) into the match.
        text = lf["match"]
        try:
            from pyovn.lang.actions import ParseContext, parse_actions
            pre = parse_actions(lf["actions"], context=ParseContext(
                pipeline=lf["pipeline"], table_id=lf["table_id"])).prereqs
        except (ImportError, LangError):
            pre = None
        if pre:
            text = "(%s) && (%s)" % (text, pre)
        for dp in dp_uuids:
            if dps[dp] not in local_dps:
                continue
            ctx = ctxs[dp]
            try:
                flows, _ = to_matches(annotate(parse(text), context=ctx), ctx)
            except LangError as e:
                errors.append("%s: %s" % (lf["match"], e))
                continue
            meta = lambda m: m.with_field("metadata", dps[dp])   # noqa: E731
            clauses = {}
            heads = {}
            for fm in flows:
                d = fm.match.as_dict()
                if "conj_id" in d:
                    clauses.setdefault(d["conj_id"][0], set())
                    heads[d["conj_id"][0]] = meta(_without_conj_id(fm.match))
                    continue
                if fm.conjunctions:
                    for cid, k, n in fm.conjunctions:
                        clauses.setdefault(cid, set()).add((k, n, meta(fm.match)))
                else:
                    plain.add((table, lf["priority"], meta(fm.match)))
            for cid, cl in clauses.items():
                conjunctions.add((table, lf["priority"], heads[cid], frozenset(cl)))
    return plain, conjunctions, errors


def test_matches_agree_with_c_ovn_controller(chassis):
    c = chassis
    populate(c.nb)
    c.run("ovn-nbctl", "--db=" + c.nb.remote, "--timeout=60", "--wait=sb", "sync")
    wait_stable(c)
    c_plain, c_conj = c_flows(c.dump())
    local_dps = {m.as_dict()["metadata"][0] for _, _, m in c_plain
                 if "metadata" in m.as_dict()}
    py_plain, py_conj, errors = pyovn_flows(c, local_dps)
    assert not errors, errors[:20]
    assert len(c_plain) > 300
    missing = sorted(c_plain - py_plain, key=str)
    extra = sorted(py_plain - c_plain, key=str)
    report = ["C only:   %s %s %s" % (t, p, m) for t, p, m in missing[:30]] + \
        ["pyovn only: %s %s %s" % (t, p, m) for t, p, m in extra[:30]]
    assert not missing and not extra, "%d C-only, %d pyovn-only plain flows\n%s" % (
        len(missing), len(extra), "\n".join(report))
    c_conj, py_conj = absorb_clauses(c_conj), absorb_clauses(py_conj)
    assert c_conj == py_conj, (len(c_conj), len(py_conj),
                               sorted(map(str, c_conj - py_conj))[:5],
                               sorted(map(str, py_conj - c_conj))[:5])
