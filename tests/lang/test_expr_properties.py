"""Properties of the expression passes, on random expressions and packets:

  evaluate(e, f) == evaluate(simplify(e), f) == evaluate(normalize(e), f)
                 == whether the OpenFlow flows for e match f

for plain cross-product flows and for conjunctive matches, and parsing
the canonical text of an expression gives the same expression back.
"""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pyovn.lang.annotate import annotate
from pyovn.lang.context import Context, sample_context
from pyovn.lang.evaluate import evaluate
from pyovn.lang.expr import format_expr
from pyovn.lang.matches import flows_match, to_matches
from pyovn.lang.microflow import Microflow
from pyovn.lang.normalize import normalize
from pyovn.lang.parse import parse
from pyovn.lang.simplify import simplify

SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

CTX_KNOWN = sample_context()
CTX_UNKNOWN = sample_context()
CTX_UNKNOWN.resident = None          # conditions survive annotation

# (field text, width) of ordinal fields with every relational operator.
ORDINAL = [("reg0[0..3]", 4), ("reg4[0..2]", 3), ("reg9[1..3]", 3),
           ("flags[0..2]", 3), ("ct_state[0..3]", 4), ("tcp.dst[0..2]", 3),
           ("vlan.vid[0..1]", 2), ("pkt.mark[0..3]", 4), ("ct_mark.ecmp_reply_port[0..1]", 2),
           ("eth.src[0..1]", 2), ("ip4.src[0..2]", 3), ("ct_label.label[0..1]", 2)]
ONE_BIT = ["flags.loopback", "ct.trk", "ct.est", "ct.new", "eth.mcast",
           "reg0[5]", "ct_mark.blocked", "vlan.present", "eth.bcast"]
# Nominal tests: only ever tested positively once enclosing ! count.
NOMINAL = [("eth.type", ["0x800", "0x86dd", "0x806"]),
           ("ip.proto", ["6", "17"]), ("inport", ['"lp1"', '"lp2"', '"lp3"', '"nonexistent"']),
           ("ip.ttl", ["1", "2"])]
NOMINAL_PREDICATES = ["ip4", "ip6", "tcp", "udp", "arp"]
SETS = ["ip4.src == $set1", "ip4.src == $empty", "inport == @pg1",
        "reg0[0..3] == {1, 3, 5}", "tcp.dst[0..2] == {0, 7}",
        "ip4.dst == {10.0.0.1, 10.0.0.0/30}"]


@st.composite
def atoms(draw, negated):
    kind = draw(st.integers(0, 5))
    if kind == 0:
        field, width = draw(st.sampled_from(ORDINAL))
        op = draw(st.sampled_from(["==", "!=", "<", "<=", ">", ">="]))
        value = draw(st.integers(0, (1 << width) - 1))
        return "%s %s %d" % (field, op, value)
    if kind == 1:
        return draw(st.sampled_from(ONE_BIT))
    if kind == 2:
        field, values = draw(st.sampled_from(NOMINAL))
        if draw(st.booleans()):
            vals = draw(st.lists(st.sampled_from(values), min_size=1, max_size=3))
            return "%s %s {%s}" % (field, "!=" if negated else "==", ", ".join(vals))
        return "%s %s %s" % (field, "!=" if negated else "==",
                             draw(st.sampled_from(values)))
    if kind == 3:
        pred = draw(st.sampled_from(NOMINAL_PREDICATES))
        return pred + (" == 0" if negated else "")
    if kind == 4:
        text = draw(st.sampled_from(SETS))
        if text.startswith("inport") and negated:
            text = text.replace("==", "!=")
        return text
    return 'is_chassis_resident("%s")' % draw(st.sampled_from(["lp1", "lp3"]))


@st.composite
def exprs(draw, negated=False, depth=0):
    if depth >= 3 or draw(st.integers(0, 2)) == 0:
        return draw(atoms(negated))
    kind = draw(st.integers(0, 2))
    if kind == 2:
        return "!(%s)" % draw(exprs(not negated, depth + 1))
    op = " && " if kind == 0 else " || "
    n = draw(st.integers(2, 3))
    return "(" + op.join(draw(exprs(negated, depth + 1)) for _ in range(n)) + ")"


@st.composite
def microflows(draw):
    mf = Microflow()
    mf.set("eth.type", draw(st.sampled_from([0x800, 0x86dd, 0x806, 0])))
    mf.set("ip.proto", draw(st.sampled_from([6, 17, 1, 0])))
    mf.set("ip.ttl", draw(st.sampled_from([1, 2, 64])))
    mf.set("xxreg0", draw(st.integers(0, (1 << 128) - 1)))
    mf.set("xxreg1", draw(st.integers(0, (1 << 128) - 1)))
    mf.set("xreg4", draw(st.integers(0, (1 << 64) - 1)))
    mf.set("flags", draw(st.integers(0, 15)))
    mf.set("ct_state", draw(st.integers(0, 255)))
    mf.set("ct_mark", draw(st.integers(0, (1 << 32) - 1)))
    mf.set("ct_label", draw(st.integers(0, (1 << 128) - 1)))
    mf.set("tcp.dst", draw(st.integers(0, 9)))
    mf.set("vlan.tci", draw(st.integers(0, 0xffff)))
    mf.set("pkt.mark", draw(st.integers(0, 31)))
    mf.set("eth.src", draw(st.integers(0, 7)))
    mf.set("eth.dst", draw(st.sampled_from([0xffffffffffff, 0x01005e000001,
                                            0x0a0000000001])))
    mf.set("ip4.src", draw(st.sampled_from([0x0a000001, 0x0a000002, 0x0a000003,
                                            0x0a000005, 0x0b000000])))
    mf.set("ip4.dst", draw(st.sampled_from([0x0a000001, 0x0a000002, 0x0a000004])))
    # Packets only ever come from ports of the datapath.
    port = draw(st.sampled_from(["", "lp1", "lp2", "lp3", "lp4"]))
    if port:
        mf.set("inport", port)
    return mf


def check_agreement(text, mf, ctx):
    expr = annotate(parse(text), context=ctx)
    want = evaluate(expr, mf, ctx)
    assert evaluate(simplify(expr), mf, ctx) == want, text
    assert evaluate(normalize(expr), mf, ctx) == want, text
    plain, n_plain = to_matches(expr, ctx, conjunctive=False)
    assert n_plain == 0
    assert flows_match(plain, mf, ctx) == want, (text, mf)
    conj, _ = to_matches(expr, ctx, conjunctive=True, conj_id_base=10)
    assert flows_match(conj, mf, ctx) == want, (text, mf)
    return conj


@SETTINGS
@given(exprs(), microflows(), st.booleans())
def test_passes_and_flows_agree(text, mf, known):
    check_agreement(text, mf, CTX_KNOWN if known else CTX_UNKNOWN)


@st.composite
def conjunctive_exprs(draw):
    """ANDs of sets on several fields: what conjunctive matches are for."""
    parts = []
    pools = [("reg0[0..3]", 4), ("reg4[0..2]", 3), ("tcp.dst[0..2]", 3),
             ("pkt.mark[0..3]", 4), ("ct_mark.ecmp_reply_port[0..1]", 2),
             ("eth.src[0..1]", 2)]
    chosen = draw(st.lists(st.sampled_from(pools), min_size=2, max_size=4,
                           unique=True))
    for field, width in chosen:
        vals = draw(st.lists(st.integers(0, (1 << width) - 1), min_size=1,
                             max_size=4, unique=True))
        parts.append("%s == {%s}" % (field, ", ".join(map(str, vals))))
    if draw(st.booleans()):
        parts.append(draw(st.sampled_from(["inport == @pg1", "ip4.src == $set1",
                                           "inport == {\"lp1\", \"lp3\"}",
                                           "eth.type == {0x800, 0x86dd}"])))
    if draw(st.booleans()):
        parts.append(draw(atoms(False)))
    return " && ".join(parts)


@SETTINGS
@given(conjunctive_exprs(), microflows())
def test_conjunctive_matches_agree(text, mf):
    check_agreement(text, mf, CTX_KNOWN)


def test_conjunctive_matches_are_generated():
    expr = annotate(parse("reg0[0..3] == {1, 2} && pkt.mark == {3, 4} && "
                          "inport == @pg1"), context=CTX_KNOWN)
    flows, n = to_matches(expr, CTX_KNOWN, conj_id_base=5)
    assert n == 1
    clauses = sorted({c for f in flows for c in f.conjunctions})
    assert clauses == [(5, 1, 3), (5, 2, 3), (5, 3, 3)]
    assert sum(1 for f in flows if f.conjunctions) == 6
    assert sum(1 for f in flows if not f.conjunctions) == 1   # conj_id=5


@SETTINGS
@given(exprs())
def test_canonical_text_parses_back(text):
    expr = parse(text)
    again = parse(format_expr(expr))
    assert again == expr, (text, format_expr(expr))


@settings(max_examples=80, deadline=None)
@given(exprs())
def test_normal_form_is_stable(text):
    expr = annotate(parse(text), context=CTX_UNKNOWN)
    once = normalize(expr)
    assert normalize(once) == once
    assert parse(format_expr(once)) == once


def test_empty_context_drops_unknown_ports():
    expr = annotate(parse('inport == "lp1"'), context=Context())
    flows, _ = to_matches(expr, Context())
    assert flows == []
