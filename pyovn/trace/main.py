"""`pyovn trace`: simulate a packet through the OVN logical network
(the interface of ovn-trace(8), over the southbound database).

    pyovn trace [OPTIONS] [DATAPATH] MICROFLOW
"""

import argparse
import os
import sys

from pyovn.daemon import paths
from pyovn.lang.errors import LangError

USAGE = "pyovn trace [OPTIONS] [DATAPATH] MICROFLOW\n       pyovn trace [OPTIONS] --detach"

DESCRIPTION = """\
Simulates MICROFLOW (a logical flow language expression, e.g.
'inport == "lp1" && eth.src == 00:00:00:00:00:01 && eth.dst == ff:ff:ff:ff:ff:ff')
through the logical pipelines in the OVN southbound database, as ovn-trace(8).
DATAPATH (a logical switch/router name or UUID) is optional: it is taken
from the inport."""


def build_parser():
    p = argparse.ArgumentParser(prog="pyovn trace", usage=USAGE,
                                description=DESCRIPTION,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("args", nargs="*", help=argparse.SUPPRESS)
    p.add_argument("--db", help="southbound database (default: $OVN_SB_DB or "
                   "unix:$OVN_RUNDIR/ovnsb_db.sock)")
    p.add_argument("--detailed", action="store_true", help="detailed output (default)")
    p.add_argument("--summary", action="store_true", help="summary output")
    p.add_argument("--minimal", action="store_true", help="minimal output")
    p.add_argument("--all", action="store_true", help="all three forms of output")
    p.add_argument("--ct", action="append", default=[], metavar="FLAGS",
                   help="ct_state flags for the next conntrack action (repeatable; "
                   "default trk,est)")
    p.add_argument("--lb-dst", metavar="IP[:PORT]",
                   help="load balancer backend to select")
    p.add_argument("--select-id", type=int, metavar="ID",
                   help="value the select action chooses")
    p.add_argument("--friendly-names", dest="friendly", action="store_true",
                   default=True, help="show ports' and datapaths' friendly names "
                   "(default)")
    p.add_argument("--no-friendly-names", dest="friendly", action="store_false",
                   help="show logical port names and datapath UUIDs")
    p.add_argument("--ovs", metavar="TARGET",
                   help="show the OpenFlow flows of each step (ovs-ofctl "
                   "dump-flows TARGET: a bridge, default br-int, a connection, "
                   "or a chassis of the --sandbox)")
    p.add_argument("--verify", action="store_true",
                   help="also run the microflow through the sandbox's real "
                   "datapath (ofproto/trace) and compare step by step")
    p.add_argument("--sandbox", metavar="DIR",
                   help="sandbox directory for --verify (default $PYOVN_SANDBOX)")
    p.add_argument("--svg", metavar="FILE", help="draw the trace's path as SVG")
    p.add_argument("--html", metavar="FILE", help="draw the trace's path as HTML")
    p.add_argument("--detach", action="store_true",
                   help="run as a daemon answering `trace' over appctl")
    # Daemon options (handled by the daemon framework with --detach).
    p.add_argument("--pidfile", help="daemon: pidfile")
    p.add_argument("--overwrite-pidfile", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--no-chdir", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--unixctl", help="daemon: control socket")
    p.add_argument("--log-file", help="daemon: log file")
    return p


def default_db():
    return os.environ.get("OVN_SB_DB") or paths.default_db("ovnsb_db")


def run_trace(view, opts, args, out):
    """One trace over VIEW; writes to OUT; returns (status, TraceResult)."""
    from pyovn.trace import render
    from pyovn.trace.tracer import Tracer
    from pyovn.trace.uflow import ovs_flow_text, parse_microflow

    if len(args) == 1:
        dp_name, text = None, args[0]
    elif len(args) == 2:
        dp_name, text = args
    else:
        raise UsageError("exactly one microflow argument is required "
                         "(optionally preceded by a datapath)")
    try:
        mf = parse_microflow(text)
    except LangError as e:
        raise UsageError("error parsing flow: %s" % e)
    try:
        inport = view.find_port(mf.strings["inport"])
    except ValueError as e:
        raise UsageError(str(e))
    if inport is not None:
        mf.strings["inport"] = inport.name      # a friendly name or UUID given
    dp = None
    if dp_name is not None:
        try:
            dp = view.datapath(dp_name)
        except ValueError as e:
            raise UsageError(str(e))
        if dp is None:
            raise UsageError('unknown datapath "%s"' % dp_name)
    if inport is None:
        raise UsageError('unknown logical port "%s" in the microflow\'s inport'
                         % mf.strings["inport"])
    if dp is None:
        dp = inport.dp
    elif inport.dp is not dp:
        raise UsageError('inport "%s" is not on datapath "%s"'
                         % (inport.name, dp_name))
    try:
        tracer = Tracer(view, opts.ct, opts.lb_dst, opts.select_id, opts.friendly)
    except ValueError as e:
        raise UsageError("--ct: %s" % e)
    flow_text = ovs_flow_text(mf, view, dp)      # before the trace changes mf
    result = tracer.trace(dp, mf)
    result.flow_text = flow_text
    forms = []
    if opts.all:
        forms = ["detailed", "summary", "minimal"]
    else:
        forms = [f for f in ("detailed", "summary", "minimal") if getattr(opts, f)]
    if not forms:
        forms = ["detailed"]
    ovs_flows = None
    if opts.ovs:
        from pyovn.trace.ofdump import flows_by_cookie
        from pyovn.util.proc import ProcError
        sandbox = None
        root = getattr(opts, "sandbox", None) or os.environ.get("PYOVN_SANDBOX")
        if root:
            from pyovn.sandbox.sandbox import Sandbox, SandboxError
            try:
                sandbox = Sandbox(root)
                sandbox.chassis_names()
            except (SandboxError, OSError):
                sandbox = None
        try:
            ovs_flows = flows_by_cookie(opts.ovs, sandbox)
        except ProcError as e:
            raise UsageError("--ovs: %s" % e)
    out.write("# %s\n" % result.flow_text)
    for form in forms:
        if len(forms) > 1:
            out.write("# %s trace.\n" % form.capitalize())
        if form == "detailed":
            out.write("\n")
        if form == "detailed":
            out.write(render.detailed(result, ovs_flows))
        elif form == "summary":
            out.write(render.summary(result))
        else:
            out.write(render.minimal(result))
    return 0, result


class UsageError(Exception):
    pass


# Options whose value is optional and only given as --opt=VALUE (as in the
# C tools), so that a bare --opt never swallows the microflow.
OPTIONAL_VALUE = {"--ovs": "br-int", "--pidfile": "", "--log-file": ""}


def parse_args(argv):
    argv = ["%s=%s" % (a, OPTIONAL_VALUE[a]) if a in OPTIONAL_VALUE else a
            for a in argv]
    return build_parser().parse_args(argv)


def main(argv):
    if "--detach" in argv:
        from pyovn.trace.daemon import main_daemon
        db = next((a.split("=", 1)[1] for a in argv if a.startswith("--db=")), None)
        if db is None and "--db" in argv and argv.index("--db") + 1 < len(argv):
            db = argv[argv.index("--db") + 1]
        return main_daemon([a for a in argv if not a.startswith("--db")
                            and a != db], db or default_db())
    opts = parse_args(argv)
    db = opts.db or default_db()
    try:
        from pyovn.trace.sbdata import SbView
        view = SbView.connect(db)
    except (TimeoutError, ValueError, OSError) as e:
        sys.stderr.write("pyovn trace: %s: cannot read the southbound database: %s\n"
                         % (db, e))
        return 1
    try:
        status, result = run_trace(view, opts, opts.args, sys.stdout)
    except UsageError as e:
        sys.stderr.write("pyovn trace: %s\n" % e)
        return 1
    if opts.svg or opts.html:
        from pyovn.trace import picture
        topo = picture.Topology.from_sb(view)
        if opts.svg:
            picture.write_svg(opts.svg, topo, result)
        if opts.html:
            picture.write_html(opts.html, topo, result)
    if opts.verify:
        from pyovn.trace import verify
        return verify.main_verify(view, opts, result, sys.stdout)
    return status
