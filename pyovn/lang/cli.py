"""`pyovn lang COMMAND`: run one pass of the logical flow language over
each line of standard input, like a test driver, and print the result (or
`error: MESSAGE (at offset N)`) per line.

Commands:
  lex             tokens, in canonical form, separated by spaces
  parse-expr      the parsed expression
  annotate-expr   ... with prerequisites, predicates and references expanded
  simplify-expr   ... then simplified (only == tests left)
  normalize-expr  ... then in normal form
  expr-to-flows   the OpenFlow matches, one per output line
  evaluate        each line is `MICROFLOW ; EXPRESSION`: prints 1 or 0
                  (MICROFLOW: `field=value, ...`; EXPRESSION with its
                  prerequisites)

Errors are printed in place of the result; the exit status is 0 (it is a
test driver), 2 for bad options.
  parse-actions, encode-actions
                  provided by pyovn.lang.actions.cli when present

Options (before the command):
  --empty-context          no address sets, port groups, templates or ports
                           (default: the sample context of
                           pyovn.lang.context.sample_context())
  --address-set NAME=A,B   --port-group NAME=P,Q   --template NAME=VALUE
  --port NAME=KEY          --resident NAME          add to the context
  --no-conjunctive         cross-product instead of conjunctive matches
"""

import argparse
import importlib
import sys

from pyovn.lang.context import Context, sample_context
from pyovn.lang.errors import LangError

EXPR_COMMANDS = ("lex", "parse-expr", "annotate-expr", "simplify-expr",
                 "normalize-expr", "expr-to-flows", "evaluate")
ACTION_COMMANDS = ("parse-actions", "encode-actions")


def _lex(line, ctx, opts):
    from pyovn.lang.lexer import format_token, tokenize
    return " ".join(format_token(t) for t in tokenize(line)[:-1])


def _parse(line, ctx, opts):
    from pyovn.lang.parse import parse
    return parse(line)


def _annotate(line, ctx, opts):
    from pyovn.lang.annotate import annotate
    return annotate(_parse(line, ctx, opts), context=ctx)


def _simplify(line, ctx, opts):
    from pyovn.lang.simplify import simplify
    return simplify(_annotate(line, ctx, opts))


def _normalize(line, ctx, opts):
    from pyovn.lang.normalize import normalize
    return normalize(_annotate(line, ctx, opts))


def _flows(line, ctx, opts):
    from pyovn.lang.matches import format_flow_match, to_matches
    flows, _ = to_matches(_annotate(line, ctx, opts), ctx,
                          conjunctive=opts.get("conjunctive", True))
    if not flows:
        return "(no flows)"
    return "\n".join(format_flow_match(f) for f in flows)


def _evaluate(line, ctx, opts):
    from pyovn.lang.evaluate import evaluate
    from pyovn.lang.microflow import Microflow
    if ";" not in line:
        raise LangError("expecting `MICROFLOW ; EXPRESSION'")
    flow_text, _, expr_text = line.partition(";")
    mf = Microflow.parse(flow_text)
    return "1" if evaluate(_annotate(expr_text, ctx, opts), mf, ctx) else "0"


HANDLERS = {"lex": _lex, "parse-expr": _parse, "annotate-expr": _annotate,
            "simplify-expr": _simplify, "normalize-expr": _normalize,
            "expr-to-flows": _flows, "evaluate": _evaluate}


def run_line(command, line, ctx=None, opts=None):
    """Runs COMMAND on one input LINE; returns the text to print (which may
    span lines).  Errors come back as `error: ...`, never as exceptions."""
    ctx = sample_context() if ctx is None else ctx
    try:
        return str(HANDLERS[command](line, ctx, opts or {}))
    except LangError as e:
        return "error: %s" % e


def _pairs(values, what):
    out = {}
    for v in values or ():
        name, sep, rest = v.partition("=")
        if not sep or not name:
            raise SystemExit("pyovn lang: %s must be NAME=VALUE, not %r" % (what, v))
        out[name] = rest
    return out


def build_context(args):
    ctx = Context() if args.empty_context else sample_context()
    for name, rest in _pairs(args.address_set, "--address-set").items():
        ctx.address_sets[name] = [x.strip() for x in rest.split(",") if x.strip()]
    for name, rest in _pairs(args.port_group, "--port-group").items():
        ctx.port_groups[name] = [x.strip() for x in rest.split(",") if x.strip()]
    ctx.templates.update(_pairs(args.template, "--template"))
    for name, rest in _pairs(args.port, "--port").items():
        try:
            ctx.ports[name] = int(rest, 0)
        except ValueError:
            raise SystemExit("pyovn lang: --port %s: %r is not a number" % (name, rest))
    if args.resident:
        ctx.resident = (ctx.resident or set()) | set(args.resident)
    return ctx


def _action_main(command, argv):
    try:
        module = importlib.import_module("pyovn.lang.actions.cli")
    except ModuleNotFoundError as e:
        if e.name in ("pyovn.lang.actions", "pyovn.lang.actions.cli"):
            sys.stderr.write("pyovn lang: %s is not available yet\n" % command)
            return 2
        raise
    return module.main([command] + list(argv))


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    for i, a in enumerate(argv):
        if a in ACTION_COMMANDS:
            return _action_main(a, argv[:i] + argv[i + 1:])
    parser = argparse.ArgumentParser(
        prog="pyovn lang",
        description="Run logical flow language passes over stdin, line by line.",
        epilog="Commands: " + ", ".join(EXPR_COMMANDS + ACTION_COMMANDS))
    parser.add_argument("command", choices=EXPR_COMMANDS)
    parser.add_argument("--empty-context", action="store_true")
    parser.add_argument("--address-set", action="append", metavar="NAME=A,B")
    parser.add_argument("--port-group", action="append", metavar="NAME=P,Q")
    parser.add_argument("--template", action="append", metavar="NAME=VALUE")
    parser.add_argument("--port", action="append", metavar="NAME=KEY")
    parser.add_argument("--resident", action="append", metavar="NAME")
    parser.add_argument("--no-conjunctive", action="store_true")
    args = parser.parse_args(argv)
    ctx = build_context(args)
    opts = {"conjunctive": not args.no_conjunctive}
    for raw in sys.stdin:
        line = raw.rstrip("\n")
        sys.stdout.write(run_line(args.command, line, ctx, opts) + "\n")
        sys.stdout.flush()
    return 0
