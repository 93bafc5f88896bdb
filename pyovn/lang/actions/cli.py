"""`pyovn lang parse-actions` and `pyovn lang encode-actions`: read action
strings from stdin, one per line, and print per line

  parse-actions    the canonical text, then `    has prereqs P' when the
                   actions add prerequisites to the match
  encode-actions   the OpenFlow actions (ovs-ofctl syntax), then
                   `    uses group: ...' / `    uses meter: ...' for each
                   group or meter the actions allocated

or `error: MESSAGE (at offset N)'.  Empty lines and lines starting with
`#' are copied through.  Options:

  --pipeline ingress|egress   pipeline of the logical flow (ingress)
  --table N                   its logical table (0); next goes to N+1
  --n-tables N                tables per pipeline (29)
  --port NAME=KEY             logical port tunnel keys (repeatable)
  --ofport NAME=N             local OpenFlow ports (fwd_group liveness)
  --router                    the datapath is a logical router
  --dp-key N, --cookie N      datapath key and lflow cookie (sample,
                              commit_lb_aff)
  --collector N               configured sample collector set (repeatable)
  --meter NAME=ID             named meters (log(meter=...))
"""

import argparse
import sys

from pyovn.lang.errors import LangError
from pyovn.lang.actions import (EncodeContext, MeterTable, ParseContext,
                                encode_actions, parse_actions)
from pyovn.openflow.model import format_actions as format_of_actions

COMMANDS = ("parse-actions", "encode-actions")


def run_line(command, line, pctx=None, ec_factory=None):
    """Runs COMMAND on LINE; returns the text to print (maybe several
    lines).  Errors come back as `error: ...'."""
    pctx = pctx or ParseContext()
    try:
        parsed = parse_actions(line, context=pctx)
        if command == "parse-actions":
            out = parsed.format()
            if parsed.prereqs:
                out += "\n    has prereqs %s" % parsed.prereqs
            return out
        ec = ec_factory() if ec_factory else EncodeContext(
            pipeline=pctx.pipeline, table_id=pctx.table_id, n_tables=pctx.n_tables)
        out = format_of_actions(encode_actions(parsed, ec))
        for gid, g in sorted(ec.groups.groups.items()):
            out += "\n    uses group: %s" % g
        for mid, m in sorted(ec.meters.meters.items()):
            out += "\n    uses meter: %s" % m
        return out
    except LangError as e:
        return "error: %s" % e


def _pairs(values, what, numeric=True):
    out = {}
    for v in values or ():
        name, sep, rest = v.partition("=")
        if not sep or not name:
            raise SystemExit("pyovn lang: %s must be NAME=VALUE, not %r" % (what, v))
        try:
            out[name] = int(rest, 0) if numeric else rest
        except ValueError:
            raise SystemExit("pyovn lang: %s %s: %r is not a number"
                             % (what, name, rest)) from None
    return out


def main(argv=None, extra=None):
    """Entry point; pyovn.lang.cli passes [COMMAND, options...]."""
    if isinstance(argv, str):
        argv = [argv] + list(extra or [])
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(
        prog="pyovn lang", description="Parse or encode logical flow actions "
        "read from stdin, one per line.")
    parser.add_argument("command", choices=COMMANDS)
    parser.add_argument("--pipeline", choices=("ingress", "egress"), default="ingress")
    parser.add_argument("--table", type=int, default=0)
    parser.add_argument("--n-tables", type=int, default=None)
    parser.add_argument("--port", action="append", metavar="NAME=KEY")
    parser.add_argument("--ofport", action="append", metavar="NAME=N")
    parser.add_argument("--router", action="store_true")
    parser.add_argument("--dp-key", type=lambda s: int(s, 0), default=0)
    parser.add_argument("--cookie", type=lambda s: int(s, 0), default=0)
    parser.add_argument("--collector", type=int, action="append")
    parser.add_argument("--meter", action="append", metavar="NAME=ID")
    args = parser.parse_args(argv)
    kw = {} if args.n_tables is None else {"n_tables": args.n_tables}
    pctx = ParseContext(pipeline=args.pipeline, table_id=args.table, **kw)
    ports = _pairs(args.port, "--port")
    ofports = _pairs(args.ofport, "--ofport")
    meters = _pairs(args.meter, "--meter")

    def ec_factory():
        return EncodeContext(pipeline=args.pipeline, table_id=args.table,
                             n_tables=pctx.n_tables, ports=ports, ofports=ofports,
                             is_switch=not args.router, dp_key=args.dp_key,
                             lflow_cookie=args.cookie,
                             collector_ids=(set(args.collector)
                                            if args.collector else None),
                             meters=MeterTable(named=meters))

    for raw in sys.stdin:
        line = raw.rstrip("\n")
        if not line.strip() or line.lstrip().startswith("#"):
            sys.stdout.write(line + "\n")
            continue
        sys.stdout.write(run_line(args.command, line, pctx, ec_factory) + "\n")
        sys.stdout.flush()
    return 0
