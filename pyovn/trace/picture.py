"""Pictures of the logical topology and of a trace's path on it, as
self-contained SVG (or an HTML page embedding that SVG), drawn by hand:
no external libraries.

    pyovn show --svg FILE [--html FILE] [--db SB] [--nb NB]
    pyovn trace --svg FILE ... MICROFLOW

Layout: routers on the top row, switches on the row below, each switch's
ports under it (name, type, the chassis it is bound to), chassis boxes on
the bottom row with the tunnels between them.  Patch port pairs join a
switch to a router.  Gateway ports (l3gateway, chassisredirect) are
marked.  For a trace, the datapaths, ports and chassis on the path are
drawn in red, with the hops numbered in order.
"""

import argparse
import os
import sys
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from pyovn.daemon import paths

W_DP, H_DP = 150, 46
W_PORT, H_PORT = 138, 34
GAP = 30


@dataclass
class Topology:
    routers: list = field(default_factory=list)     # [Datapath]
    switches: list = field(default_factory=list)
    chassis: list = field(default_factory=list)     # [name]
    links: list = field(default_factory=list)       # [(switch port, router port)]
    view: object = None
    notes: dict = field(default_factory=dict)       # datapath name -> NB summary

    @classmethod
    def from_sb(cls, view):
        t = cls(view=view)
        dps = sorted(view.datapaths.values(), key=lambda d: (d.name, d.key))
        t.routers = [d for d in dps if d.is_router]
        t.switches = [d for d in dps if not d.is_router]
        t.chassis = sorted(view.chassis)
        for p in view.ports.values():
            if p.type in ("patch", "l3gateway") and p.peer and not p.dp.is_router:
                peer = view.port(p.peer)
                if peer is not None:
                    t.links.append((p, peer))
        return t

    def add_nb(self, remote):
        """Notes from the northbound database: per router its NAT rules and
        load balancers, per switch its ACLs and load balancers."""
        from pyovn.db.idl import Database
        from pyovn.trace.sbdata import check_remote
        check_remote(remote)
        db = Database(remote, "nb", tables={t: None for t in (
            "Logical_Switch", "Logical_Router", "NAT", "ACL", "Load_Balancer",
            "Port_Group", "Logical_Switch_Port")})
        try:
            db.sync(10.0)
            pg_acls = {}
            for pg in db.rows("Port_Group"):
                for lsp in pg.ports:
                    pg_acls.setdefault(lsp.name, 0)
                    pg_acls[lsp.name] += len(pg.acls)
            for ls in db.rows("Logical_Switch"):
                n_acl = len(ls.acls) + max([pg_acls.get(p.name, 0) for p in ls.ports]
                                           or [0])
                parts = []
                if n_acl:
                    parts.append("%d ACL%s" % (n_acl, "s" if n_acl > 1 else ""))
                if ls.load_balancer:
                    parts.append("%d LB" % len(ls.load_balancer))
                if parts:
                    self.notes[ls.name] = ", ".join(parts)
            for lr in db.rows("Logical_Router"):
                parts = []
                if lr.nat:
                    parts.append("%d NAT" % len(lr.nat))
                if lr.load_balancer:
                    parts.append("%d LB" % len(lr.load_balancer))
                if parts:
                    self.notes[lr.name] = ", ".join(parts)
        finally:
            db.close()


def _box(out, x, y, w, h, label, sub="", cls="dp", title=""):
    out.append('<g class="%s"><title>%s</title>' % (cls, escape(title or label)))
    out.append('<rect x="%d" y="%d" width="%d" height="%d" rx="6"/>' % (x, y, w, h))
    out.append('<text x="%d" y="%d" class="label">%s</text>'
               % (x + w // 2, y + (h // 2 if not sub else h // 2 - 4), escape(label)))
    if sub:
        out.append('<text x="%d" y="%d" class="sub">%s</text>'
                   % (x + w // 2, y + h // 2 + 11, escape(sub)))
    out.append("</g>")


def _path_sets(result):
    """(datapath names, port names, chassis names, ordered hops) on a
    trace's path."""
    dps, ports, chassis, hops = set(), set(), set(), []
    if result is None:
        return dps, ports, chassis, hops
    for n in result.root.walk():
        if n.kind == "pipeline" and not n.info.get("skipped"):
            dps.add(n.info["dp"])
            if n.info.get("chassis"):
                chassis.add(n.info["chassis"])
            hops.append(n.info["dp"])
    for v in result.verdicts:
        if v.kind == "output":
            ports.add(v.port)
            if v.chassis:
                chassis.add(v.chassis)
    return dps, ports, chassis, hops


def svg(topo, result=None, title="OVN logical topology"):
    """The SVG document (text) for TOPO, with RESULT's path if given."""
    view = topo.view
    on_dps, on_ports, on_chassis, hops = _path_sets(result)
    if result is not None:
        for n in result.root.walk():
            if n.kind == "pipeline" and n.info["pipeline"] == "ingress":
                inport = n.text.split('inport="', 1)[1].split('"', 1)[0]
                on_ports.add(inport)
    out = []
    pos = {}
    # Rows.
    y_router, y_switch, y_port = 40, 150, 250
    switch_w = []
    for sw in topo.switches:
        ports = [p for p in sw.ports.values() if p.type != "patch"]
        switch_w.append(max(W_DP, len(ports) * (W_PORT + 10)))
    width = max(sum(switch_w) + GAP * (len(switch_w) + 1),
                len(topo.routers) * (W_DP + GAP) + GAP,
                len(topo.chassis) * (W_DP + GAP) + GAP, 400)
    max_ports = max([len([p for p in sw.ports.values() if p.type != "patch"])
                     for sw in topo.switches] or [0])
    y_chassis = y_port + (H_PORT + 14) * (1 if max_ports else 0) + 90
    height = y_chassis + H_DP + 60
    out.append('<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
               'viewBox="0 0 %d %d" font-family="sans-serif">' % (width, height,
                                                                  width, height))
    out.append("<title>%s</title>" % escape(title))
    out.append("<style>"
               ".dp rect{fill:#e8f0fe;stroke:#3060a0;stroke-width:1.5}"
               ".router rect{fill:#fdf0d8;stroke:#a06010;stroke-width:1.5}"
               ".port rect{fill:#ffffff;stroke:#707070}"
               ".gw rect{fill:#fff4c0;stroke:#a08000;stroke-width:1.5}"
               ".chassis rect{fill:#eeeeee;stroke:#404040;stroke-dasharray:4 2}"
               ".on rect{stroke:#d01010;stroke-width:3}"
               ".label{font-size:13px;text-anchor:middle;dominant-baseline:middle}"
               ".sub{font-size:10px;text-anchor:middle;fill:#505050}"
               "line{stroke:#606060;stroke-width:1.5}"
               "line.tunnel{stroke:#909090;stroke-dasharray:6 4}"
               "line.on{stroke:#d01010;stroke-width:3}"
               ".hop{font-size:11px;fill:#d01010;font-weight:bold}"
               "</style>")
    # Routers.
    for i, r in enumerate(topo.routers):
        x = GAP + i * (W_DP + GAP)
        pos[r.name] = (x + W_DP // 2, y_router + H_DP // 2)
        gw = [p for p in r.ports.values() if p.type in ("l3gateway", "chassisredirect")]
        sub = ("gateway on %s" % ",".join(sorted({p.chassis or "?" for p in gw}))
               if gw else "router")
        if topo.notes.get(r.name):
            sub += "; " + topo.notes[r.name]
        _box(out, x, y_router, W_DP, H_DP, r.display(), sub,
             "router on" if r.name in on_dps else "router")
    # Switches and their ports.
    x = GAP
    port_pos = {}
    for sw, w in zip(topo.switches, switch_w):
        sx = x + (w - W_DP) // 2
        pos[sw.name] = (sx + W_DP // 2, y_switch + H_DP // 2)
        _box(out, sx, y_switch, W_DP, H_DP, sw.display(),
             "switch" + ("; " + topo.notes[sw.name] if topo.notes.get(sw.name) else ""),
             "dp on" if sw.name in on_dps else "dp")
        ports = sorted((p for p in sw.ports.values() if p.type != "patch"),
                       key=lambda p: p.name)
        for j, p in enumerate(ports):
            px = x + j * (W_PORT + 10)
            port_pos[p.name] = (px + W_PORT // 2, y_port)
            out.append('<line x1="%d" y1="%d" x2="%d" y2="%d"%s/>' % (
                sx + W_DP // 2, y_switch + H_DP, px + W_PORT // 2, y_port,
                ' class="on"' if p.name in on_ports else ""))
            cls = "gw" if p.type in ("l3gateway", "chassisredirect", "localnet") else "port"
            sub = ("%s@%s" % (p.type or "vif", p.chassis)) if p.chassis else (p.type or "vif")
            _box(out, px, y_port, W_PORT, H_PORT, p.display(), sub,
                 cls + (" on" if p.name in on_ports else ""),
                 "port %s (%s) on %s" % (p.name, p.type or "vif", p.chassis or "no chassis"))
        x += w + GAP
    # Patch links switch <-> router.
    for sp, rp in topo.links:
        a, b = pos.get(sp.dp.name), pos.get(rp.dp.name)
        if a and b:
            on = sp.dp.name in on_dps and rp.dp.name in on_dps
            out.append('<line x1="%d" y1="%d" x2="%d" y2="%d"%s><title>%s - %s</title>'
                       '</line>' % (a[0], a[1] - H_DP // 2, b[0], b[1] + H_DP // 2,
                                    ' class="on"' if on else "", escape(sp.name),
                                    escape(rp.name)))
    # Chassis and tunnels.
    cpos = {}
    for i, ch in enumerate(topo.chassis):
        cx = GAP + i * (W_DP + GAP)
        cpos[ch] = (cx + W_DP // 2, y_chassis + H_DP // 2)
        encaps = view.chassis.get(ch, {}).get("encaps", []) if view else []
        sub = ", ".join("%s %s" % e for e in encaps)
        _box(out, cx, y_chassis, W_DP, H_DP, "chassis " + ch, sub,
             "chassis on" if ch in on_chassis else "chassis")
    names = list(cpos)
    for i in range(len(names)):
        for j in range(i + 1, len(names)):
            a, b = cpos[names[i]], cpos[names[j]]
            out.append('<line class="tunnel" x1="%d" y1="%d" x2="%d" y2="%d"/>'
                       % (a[0], a[1] + H_DP // 2, b[0], b[1] + H_DP // 2 + 0))
    for name, (px, py) in port_pos.items():
        p = view.port(name) if view else None
        if p is not None and p.chassis in cpos:
            cx, cy = cpos[p.chassis]
            out.append('<line class="tunnel" x1="%d" y1="%d" x2="%d" y2="%d" '
                       'style="stroke:#c0c0c0"/>' % (px, py + H_PORT, cx, cy - H_DP // 2))
    # Hop numbers along the path.
    for k, dp in enumerate(hops):
        if dp in pos:
            hx, hy = pos[dp]
            out.append('<text class="hop" x="%d" y="%d">%d</text>'
                       % (hx - W_DP // 2 + 4 + 12 * (k % 6), hy - H_DP // 2 - 4, k + 1))
    if result is not None and result.verdicts:
        text = "; ".join(str(v) for v in result.verdicts[:6])
        out.append('<text x="10" y="%d" font-size="12">verdict: %s</text>'
                   % (height - 20, escape(text)))
    out.append("</svg>")
    return "\n".join(out) + "\n"


def html(topo, result=None, title="OVN logical topology"):
    body = svg(topo, result, title)
    extra = ""
    if result is not None:
        from pyovn.trace import render
        extra = "<h2>Trace</h2>\n<pre>%s</pre>\n" % escape(
            "# " + result.flow_text + "\n\n" + render.detailed(result))
    return ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>%s</title>"
            "</head>\n<body>\n<h1>%s</h1>\n%s%s</body></html>\n"
            % (escape(title), escape(title), body, extra))


def write_svg(path, topo, result=None):
    with open(path, "w") as f:
        f.write(svg(topo, result))


def write_html(path, topo, result=None):
    with open(path, "w") as f:
        f.write(html(topo, result))


def main(argv):
    """`pyovn show --svg FILE / --html FILE`."""
    p = argparse.ArgumentParser(prog="pyovn show",
                                description="Draw the OVN logical topology "
                                "(switches, routers, ports, chassis, gateways, "
                                "tunnels) from the southbound database.")
    p.add_argument("--db", help="southbound database (default: $OVN_SB_DB or "
                   "unix:$OVN_RUNDIR/ovnsb_db.sock)")
    p.add_argument("--nb", help="northbound database, to note NAT rules, load "
                   "balancers and ACLs (optional)")
    p.add_argument("--svg", metavar="FILE", help="write an SVG picture")
    p.add_argument("--html", metavar="FILE", help="write an HTML page")
    opts = p.parse_args(argv)
    if not opts.svg and not opts.html:
        p.error("give --svg FILE and/or --html FILE")
    db = opts.db or os.environ.get("OVN_SB_DB") or paths.default_db("ovnsb_db")
    try:
        from pyovn.trace.sbdata import SbView
        view = SbView.connect(db)
    except (TimeoutError, ValueError, OSError) as e:
        sys.stderr.write("pyovn show: %s: cannot read the southbound database: %s\n"
                         % (db, e))
        return 1
    topo = Topology.from_sb(view)
    try:
        if opts.nb:
            topo.add_nb(opts.nb)
    except (TimeoutError, ValueError, OSError) as e:
        sys.stderr.write("pyovn show: %s: cannot read the northbound database: %s\n"
                         % (opts.nb, e))
        return 1
    try:
        if opts.svg:
            write_svg(opts.svg, topo)
        if opts.html:
            write_html(opts.html, topo)
    except OSError as e:
        sys.stderr.write("pyovn show: %s\n" % e)
        return 1
    return 0
