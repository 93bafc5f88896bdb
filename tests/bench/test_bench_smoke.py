"""Smoke test of the benchmark harness (bench/): a tiny topology with the C
ovn-northd only, no hypervisor, one repetition.  Checks what the harness
prints and that the NB populate wrote the documented rows; no timings are
asserted."""

import json
import os
import re
import shutil
import subprocess
import sys

import pytest

from pyovn.db import idl

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, ROOT)

from bench import report, topology  # noqa: E402

needs_c = pytest.mark.skipif(shutil.which("ovn-northd") is None or
                             shutil.which("ovn-nbctl") is None,
                             reason="C ovn-northd / ovn-nbctl not installed")


def documented(s, p, a):
    """The row counts the topology's docstring implies, written out."""
    return {"vif_ports": s * p, "switches": s + 2, "routers": -(-s // 10) + 1,
            "acls": 2 + s * (3 + p * a), "port_groups": s + 1, "address_sets": s,
            "load_balancers": 2}


def tables(text):
    """{section title: {row label: [cells]}} of a markdown report."""
    out, title = {}, None
    for line in text.splitlines():
        if line.startswith("## "):
            title = line[3:]
            out[title] = {}
        elif line.startswith("|") and title and not line.startswith("|---"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            out[title][cells[0]] = cells[1:]
    return out


def section(t, prefix):
    return next(v for k, v in t.items() if k.startswith(prefix))


@pytest.mark.peer
@needs_c
def test_run_small_custom_size_with_c_northd(tmp_path):
    s, p = 3, 2
    out_json = tmp_path / "results.json"
    r = subprocess.run([sys.executable, os.path.join(ROOT, "bench", "run.py"),
                        "--size", "%dx%d" % (s, p), "--northd", "c", "--skip-hv",
                        "--reps", "1", "--json", str(out_json)],
                       capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    t = tables(r.stdout)

    topo = section(t, "Topology")
    for key, n in documented(s, p, 2).items():
        assert topo[key][0] == str(n), (key, topo[key])
        assert topo[key][1] == str(n), (key, topo[key])

    northd = section(t, "northd")
    for label in ("cold start: exec -> NB sb_cfg caught up (empty SB), s",
                  "restart on populated SB -> sb_cfg, s",
                  "one-shot ovn-nbctl --wait=sb lsp-add + lsp-set-addresses, s",
                  "one-shot ovn-nbctl --wait=sb acl-add (port group), s",
                  "one-shot ovn-nbctl --wait=sb ls-del, s"):
        pyovn_col, c_col = northd[label][0], northd[label][1]
        assert pyovn_col == "-", (label, northd[label])   # pyovn northd not asked for
        assert float(c_col) > 0, (label, northd[label])

    sb = section(t, "Southbound")
    # Datapaths: the S switches, join, ext, the routers and gr.
    assert int(sb["Datapath_Binding"][1]) == s + 2 + documented(s, p, 2)["routers"]
    assert int(sb["Port_Group"][1]) > 0
    n_flows = int(sb["Logical_Flow"][1])
    stages = section(t, "Logical_Flow per stage")
    assert int(stages["**total**"][1]) == n_flows
    assert int(stages["ingress/08/ls_in_acl"][1]) > 0

    # The JSON has the same figures, and nothing for the northd not run.
    data = json.loads(out_json.read_text())
    assert set(data["results"]) == {"c"}
    assert data["topology"] == documented(s, p, 2)
    c = data["results"]["c"]
    assert c["northd_ok"] is True
    assert c["sb_counts"]["Logical_Flow"] == n_flows
    assert sum(c["lflow_stages"].values()) == n_flows
    assert c["metrics"]["cold_s"]["values"] and c["metrics"]["cold_s"]["median"] > 0


@pytest.mark.peer
@needs_c
def test_populate_writes_documented_rows(ovsdb):
    nb = ovsdb("nb")
    db = idl.Database(nb.remote, "nb")
    try:
        topology.populate(db, 12, 3, acls_per_port=1)
    finally:
        db.close()
    db = idl.Database(nb.remote, "nb").sync()
    try:
        want = documented(12, 3, 1)
        assert len(db.rows("Logical_Switch")) == want["switches"]
        assert len(db.rows("Logical_Router")) == want["routers"]
        assert len(db.rows("ACL")) == want["acls"]
        assert len(db.rows("Port_Group")) == want["port_groups"]
        assert len(db.rows("Address_Set")) == want["address_sets"]
        assert len(db.rows("Load_Balancer")) == want["load_balancers"]
        vifs = [lsp for lsp in db.rows("Logical_Switch_Port")
                if re.fullmatch(r"ls\d+-p\d+", lsp.name)]
        assert len(vifs) == want["vif_ports"]
        # Switch 11 hangs off the second router, which reaches gr via join.
        lr1 = db.find_one("Logical_Router", name="lr1")
        assert sorted(p.name for p in lr1.ports) == ["lrp-lr1-join", "lrp-ls10", "lrp-ls11"]
        gr = db.find_one("Logical_Router", name="gr")
        assert len(gr.nat) == 12 and len(gr.static_routes) == 13
        pg_drop = db.find_one("Port_Group", name="pg_drop")
        assert len(pg_drop.ports) == want["vif_ports"]
        ls11 = db.find_one("Logical_Switch", name="ls11")
        vif = db.find_one("Logical_Switch_Port", name="ls11-p2")
        assert vif.addresses == ["0a:58:00:0b:00:02 10.0.11.12"]
        assert vif.port_security == vif.addresses
        assert [g.name for g in ls11.load_balancer_group] == ["lbg-cluster"]
    finally:
        db.close()


def test_populate_refuses_a_non_empty_database(ovsdb):
    nb = ovsdb("nb")
    db = idl.Database(nb.remote, "nb")
    try:
        topology.populate(db, 1, 1)
        with pytest.raises(ValueError, match="not empty"):
            topology.populate(db, 1, 1)
    finally:
        db.close()


def test_reference_figures_are_read_by_size():
    small = report.load_reference("small")
    large = report.load_reference("large")
    assert small["Logical_Flow"] == "1511"
    assert large["Logical_Flow"] == "170344"
    assert small["ingress/08/ls_in_acl"] == "31"
    assert small["total"] == "1511"
    # The first table with a figure wins; "-" cells are skipped.
    assert small["cold start: SB ovsdb-server CPU, s"].startswith("0.10")
    assert report.load_reference("2x2") == {}
