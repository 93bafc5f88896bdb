"""Golden tests for logical flow actions (pyovn.lang.actions).

tests/lang/fixtures/actions.txt: each unindented line is an action string;
the indented lines under it are what parsing, formatting and encoding it
must give:

    formats as TEXT       canonical text (omitted when equal to the input)
    encodes as ACTIONS    OpenFlow actions, ovs-ofctl syntax
    has prereqs EXPR      prerequisites added to the match (omitted: none)
    uses group: GROUP     a group the encoding allocated (ids from 1)
    uses meter: METER     a meter the encoding allocated
    error: MESSAGE        parsing or encoding fails with MESSAGE

`@ table=N pipeline=P router meters=NAME,...` lines change the context of
the entries after them (default: ingress table 10 of a logical switch;
the named meters get id 9).  The encode
context knows ports eth0=5, LOCAL=0xfffe, lsp1=0x11, datapath key
0xabcdef, lflow cookie 0xaaaaaaaa, sample collector sets 0 and 200 and
the meter "meter1" (id 7).
"""

import os
import shutil
import subprocess

import pytest

from pyovn.lang.actions import (ACTION_NAMES, EncodeContext, LangError,
                                MeterTable, ParseContext, encode_actions,
                                parse_actions)
from pyovn.openflow.model import format_actions as format_of

FIXTURE = os.path.join(os.path.dirname(__file__), "fixtures", "actions.txt")

PORTS = {"eth0": 5, "LOCAL": 0xfffe, "lsp1": 0x11}
OFPORTS = {"eth0": 5, "lsp1": 17}


def context_from(spec):
    """(ParseContext, EncodeContext factory) for a `@ ...` spec dict."""
    pipeline = spec.get("pipeline", "ingress")
    table = int(spec.get("table", 10))
    router = "router" in spec
    named = {"meter1": 7}
    for name in filter(None, spec.get("meters", "").split(",")):
        named[name] = 9
    pctx = ParseContext(pipeline=pipeline, table_id=table)

    def make_ec():
        return EncodeContext(pipeline=pipeline, table_id=table, ports=PORTS,
                             ofports=OFPORTS, is_switch=not router,
                             dp_key=0xabcdef, lflow_cookie=0xaaaaaaaa,
                             collector_ids={0, 200},
                             meters=MeterTable(named=named))
    return pctx, make_ec


def parse_spec(line):
    spec = {}
    for word in line[1:].split():
        k, _, v = word.partition("=")
        spec[k] = v
    return spec


def run_entry(text, pctx, make_ec):
    """The expectation lines for action string TEXT."""
    try:
        parsed = parse_actions(text, context=pctx)
        ec = make_ec()
        encoded = format_of(encode_actions(parsed, ec))
    except LangError as e:
        return ["error: %s" % e.message]
    out = []
    if parsed.format() != text:
        out.append("formats as %s" % parsed.format())
    out.append("encodes as %s" % encoded)
    if parsed.prereqs:
        out.append("has prereqs %s" % parsed.prereqs)
    for gid, g in sorted(ec.groups.groups.items()):
        out.append("uses group: %s" % g)
    for mid, m in sorted(ec.meters.meters.items()):
        out.append("uses meter: %s" % m)
    return out


def load_fixture():
    """[(lineno, spec, input, [expected lines])]"""
    entries = []
    spec = {}
    with open(FIXTURE) as f:
        lines = f.read().split("\n")
    for i, line in enumerate(lines, 1):
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith("@"):
            spec = parse_spec(line)
            continue
        if line.startswith("    "):
            entries[-1][3].append(line[4:])
            continue
        entries.append((i, dict(spec), line, []))
    return entries


ENTRIES = load_fixture()


@pytest.mark.parametrize("lineno,spec,text,expected", ENTRIES,
                         ids=["line%d" % e[0] for e in ENTRIES])
def test_golden(lineno, spec, text, expected):
    pctx, make_ec = context_from(spec)
    assert run_entry(text, pctx, make_ec) == expected


def test_fixture_coverage():
    """Every registered action appears in the fixture, and there are
    plenty of error cases."""
    with open(FIXTURE) as f:
        text = f.read()
    inputs = "\n".join(e[2] for e in ENTRIES)
    missing = [n for n in ACTION_NAMES if n not in inputs]
    assert not missing
    n_errors = sum(1 for e in ENTRIES if e[3] and e[3][0].startswith("error:"))
    assert n_errors >= 60, n_errors
    assert "uses group:" in text and "uses meter:" in text


@pytest.mark.parametrize("lineno,spec,text,expected",
                         [e for e in ENTRIES if not e[3][0].startswith("error:")],
                         ids=["line%d" % e[0] for e in ENTRIES
                              if not e[3][0].startswith("error:")])
def test_format_roundtrip(lineno, spec, text, expected):
    """parse(format(parse(x))) == parse(x), prerequisites included."""
    pctx, make_ec = context_from(spec)
    first = parse_actions(text, context=pctx)
    second = parse_actions(first.format(), context=pctx)
    assert second == first
    assert second.format() == first.format()


@pytest.mark.skipif(not shutil.which("ovs-ofctl"), reason="needs ovs-ofctl")
def test_groups_accepted_by_ovs_ofctl():
    """The group descriptions the encoder allocates are valid for OVS."""
    groups = [line[len("uses group: "):] for e in ENTRIES for line in e[3]
              if line.startswith("uses group: ")]
    assert groups
    for g in groups:
        r = subprocess.run(["ovs-ofctl", "-O", "OpenFlow15", "parse-group", g],
                           capture_output=True, text=True)
        assert r.returncode == 0, (g, r.stderr)


@pytest.mark.skipif(not shutil.which("ovs-ofctl"), reason="needs ovs-ofctl")
def test_encoded_flows_accepted_by_ovs_ofctl():
    """Each encoded action list, in a flow whose match is the action's
    prerequisites compiled by pyovn.lang, is a flow Open vSwitch accepts
    (OVS checks field prerequisites of set_field, move, ct, ...)."""
    from pyovn.lang.annotate import annotate
    from pyovn.lang.matches import to_matches
    from pyovn.lang.parse import parse
    from pyovn.openflow.model import Flow
    checked = 0
    for lineno, spec, text, expected in ENTRIES:
        if expected[0].startswith("error:"):
            continue
        pctx, make_ec = context_from(spec)
        parsed = parse_actions(text, context=pctx)
        actions = tuple(encode_actions(parsed, make_ec()))
        flows, _ = to_matches(annotate(parse(parsed.prereqs or "1")))
        for fm in flows[:2]:
            flow = Flow(8 + pctx.table_id, 100, fm.match, actions)
            r = subprocess.run(["ovs-ofctl", "-O", "OpenFlow15", "parse-flow",
                                flow.to_ofctl()], capture_output=True, text=True)
            assert r.returncode == 0, (lineno, text, flow.to_ofctl(), r.stderr)
            checked += 1
    assert checked > 150
