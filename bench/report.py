"""Printing the results as markdown tables laid out like the C reference
figures (bench/reference/c-ovn-23.03-results.md), with a pyovn column, a C
column, their ratio and the reference figure for the same size.

Each table row is declared once below: (key, label, reference label,
decimals).  The key names the measurement in NorthdResult.metrics; the
reference label is the row of the C results file it compares to.
"""

import os
import re

REFERENCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "reference",
                         "c-ovn-23.03-results.md")

TOPOLOGY_ROWS = ("vif_ports", "switches", "routers", "acls", "port_groups",
                 "address_sets", "load_balancers")

INC_LABELS = {
    "lsp_add": "lsp-add + lsp-set-addresses", "lsp_del": "lsp-del",
    "acl_add": "acl-add (port group)", "acl_del": "acl-del (port group)",
    "ls_add": "ls-add", "ls_del": "ls-del", "sync": "sync (nb_cfg bump only)",
}


def _inc_rows():
    rows = []
    for client, name in (("c", "ovn-nbctl"), ("py", "pyovn nbctl")):
        for op, text in INC_LABELS.items():
            rows.append(("%s_%s" % (client, op),
                         "one-shot %s --wait=sb %s, s" % (name, text),
                         "one-shot ovn-nbctl --wait=sb %s, s" % text, 3))
    return rows


NORTHD_ROWS = [
    ("cold_s", "cold start: exec -> NB sb_cfg caught up (empty SB), s", None, 3),
    ("cold_cpu", "cold start: northd CPU (user+sys), s", None, 2),
    ("cold_sb_cpu", "cold start: SB ovsdb-server CPU, s", None, 2),
    ("cold_hwm", "northd VmHWM after cold start, MiB",
     "ovn-northd VmHWM after cold start, MiB", 0),
    ("cold_sb_hwm", "SB ovsdb-server VmHWM after cold start, MiB", None, 0),
    ("restart_s", "restart on populated SB -> sb_cfg, s", None, 3),
    ("restart_cpu", "restart on populated SB: northd CPU, s", None, 2),
] + _inc_rows() + [
    ("final_northd_hwm", "northd VmHWM end of run, MiB", "ovn-northd VmHWM end of run, MiB", 0),
    ("final_sb_hwm", "SB ovsdb-server VmHWM end of run, MiB", None, 0),
    ("final_nb_hwm", "NB ovsdb-server VmHWM end of run, MiB", None, 0),
]

CLIENT_ROWS = [
    ("lsp_add", "one-shot nbctl client only (--dry-run) lsp-add, s",
     "one-shot ovn-nbctl client only (--dry-run) lsp-add, s", 3),
    ("acl_add", "one-shot nbctl client only (--dry-run) acl-add, s",
     "one-shot ovn-nbctl client only (--dry-run) acl-add, s", 3),
    ("ls_add", "one-shot nbctl client only (--dry-run) ls-add, s",
     "one-shot ovn-nbctl client only (--dry-run) ls-add, s", 3),
]

SB_TABLES = ("Logical_Flow", "Port_Binding", "Datapath_Binding", "Logical_DP_Group",
             "Multicast_Group", "Address_Set", "Port_Group", "Load_Balancer", "Chassis")

HV_ROWS = [
    ("hv_ack", "1st start, no VIFs: Chassis_Private.nb_cfg ack, s", None, 3),
    ("hv_ack_sync", "1st start, no VIFs: + nbctl --wait=hv sync, s",
     "1st start, no VIFs: + ovn-nbctl --wait=hv sync, s", 3),
    ("hv_flows", "1st start: OpenFlow flows on br-int", None, 0),
    ("hv_bind_all", "bind P-1 VIFs (1 ovs-vsctl txn) -> --wait=hv sync returns, s", None, 3),
    ("hv_flows_bound", "OpenFlow flows after binding", None, 0),
    ("hv_bind1", "bind 1 more VIF -> --wait=hv sync, s", None, 3),
    ("hv_lsp_add", "lsp-add + set-addresses --wait=hv, s", None, 3),
    ("hv_restart", "restart with VIFs bound: nb_cfg ack, s", None, 3),
    ("hv_restart_cpu", "restart: controller CPU, s", "restart: ovn-controller CPU, s", 2),
    ("hv_hwm", "controller VmHWM (restart), MiB", "ovn-controller VmHWM (restart), MiB", 0),
    ("hv_vswitchd_hwm", "ovs-vswitchd VmHWM, MiB", None, 0),
]


# -- the reference figures ----------------------------------------------------------

def load_reference(size, path=REFERENCE):
    """{row label: figure text} of the column for SIZE ("small", ...) in
    the C results file; the first table that has a figure for a row wins.
    Empty when there is no such file or size."""
    ref = {}
    try:
        with open(path) as f:
            lines = f.read().splitlines()
    except OSError:
        return ref
    column = None
    for line in lines:
        if not line.startswith("|"):
            column = None if not line.strip() else column
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells[0] in ("metric", "pipeline/table/stage"):
            column = next((n for n, c in enumerate(cells)
                           if n and re.match(r"%s\b" % re.escape(size), c)), None)
            continue
        if column is None or set(cells[0]) <= set("-: ") or column >= len(cells):
            continue
        label = cells[0].strip("*")
        if cells[column] != "-" and label not in ref:
            ref[label] = cells[column]
    return ref


# -- tables ---------------------------------------------------------------------

def _ratio(a, b):
    if a is None or b is None or b == 0:
        return "-"
    return "%.2f" % (a / b)


def _table(out, head, rows):
    out.append("| " + " | ".join(head) + " |")
    out.append("|" + "---|" * len(head))
    for r in rows:
        out.append("| " + " | ".join(str(c) for c in r) + " |")
    out.append("")


def _metric_rows(spec, left, right, ref):
    rows = []
    for key, label, ref_label, digits in spec:
        a = left.get(key) if left is not None else None
        b = right.get(key) if right is not None else None
        if not a and not b:
            continue
        rows.append((label, a.format(digits) if a else "-", b.format(digits) if b else "-",
                     _ratio(a.median if a else None, b.median if b else None),
                     ref.get(ref_label or label, "-")))
    return rows


def render(run):
    """The markdown report of RUN (a dict made by bench/run.py)."""
    size, ref = run["size"], run["reference"]
    py, c = run["results"].get("py"), run["results"].get("c")
    ref_head = "C ref 23.03 (%s)" % size
    out = ["# pyovn vs C OVN 23.03, size %s (S=%d, P=%d, %d ACLs per port), %s"
           % (size, run["S"], run["P"], run["acls_per_port"], run["date"]), ""]
    for note in run["notes"]:
        out.append("- " + note)
    if run["notes"]:
        out.append("")

    out.append("## Topology")
    out.append("")
    rows = [(k, run["topology"].get(k, "-"), run["expected"][k], ref.get(k, "-"))
            for k in TOPOLOGY_ROWS]
    rows.append(("NB populate (pyovn IDL, %d txns), s" % run["populate_txns"],
                 "%.2f" % run["populate_s"], "-",
                 ref.get("NB populate (raw OVSDB txns), s", "-")))
    _table(out, ["metric", "this run (NB rows)", "documented", ref_head], rows)

    pm = py.metrics if py else None
    cm = c.metrics if c else None
    out.append("## northd (median, (min-max)); columns: which northd")
    out.append("")
    _table(out, ["metric", "pyovn northd", "C ovn-northd", "pyovn/C", ref_head],
           _metric_rows(NORTHD_ROWS, pm, cm, ref))

    if run.get("client_only"):
        co = run["client_only"]
        left = {k: v for (cl, k), v in co.items() if cl == "py"}
        right = {k: v for (cl, k), v in co.items() if cl == "c"}
        out.append("## nbctl client alone (--dry-run); columns: which client")
        out.append("")
        _table(out, ["metric", "pyovn nbctl", "C ovn-nbctl", "pyovn/C", ref_head],
               _metric_rows(CLIENT_ROWS, left, right, ref))

    out.append("## Southbound contents after northd cold start")
    out.append("")
    rows = []
    for t in SB_TABLES:
        a = py.sb_counts.get(t) if py and py.sb_counts else None
        b = c.sb_counts.get(t) if c and c.sb_counts else None
        rows.append((t, "-" if a is None else a, "-" if b is None else b, _ratio(a, b),
                     ref.get(t, "-")))
    _table(out, ["metric", "pyovn northd", "C ovn-northd", "pyovn/C", ref_head],
           rows + _metric_rows([("sb_file", "SB db file, MiB (end of run)", None, 1),
                                ("nb_file", "NB db file, MiB (end of run)", None, 1)],
                               pm, cm, ref))

    out.append("## One simulated hypervisor (ovs-vswitchd dummy + controller); "
               "columns: which controller (with its own northd and nbctl)")
    out.append("")
    rows = _metric_rows(HV_ROWS, pm, cm, ref)
    if rows:
        _table(out, ["metric", "pyovn controller", "C ovn-controller", "pyovn/C", ref_head],
               rows)
    else:
        out.append("(not measured)")
        out.append("")

    out.append("## Logical_Flow per stage")
    out.append("")
    pst = py.lflow_stages if py else {}
    cst = c.lflow_stages if c else {}
    ref_stages = {k: v for k, v in ref.items() if re.match(r"(ingress|egress)/\d\d/", k)}
    rows = []
    for key in sorted(set(pst) | set(cst) | set(ref_stages)):
        rows.append((key, pst.get(key, "-" if not pst else 0),
                     cst.get(key, "-" if not cst else 0), ref_stages.get(key, "-")))
    rows.append(("**total**", sum(pst.values()) if pst else "-",
                 sum(cst.values()) if cst else "-", ref.get("total", "-")))
    _table(out, ["pipeline/table/stage", "pyovn northd", "C ovn-northd", ref_head], rows)
    return "\n".join(out)


__all__ = ["render", "load_reference", "REFERENCE"]
