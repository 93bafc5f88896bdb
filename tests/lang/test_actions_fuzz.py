"""Fuzzing the actions parser: arbitrary text and random token soup never
raise anything but LangError, and whatever parses also formats back to
itself and encodes (or fails with LangError)."""

from hypothesis import HealthCheck, given, settings, strategies as st

from pyovn.lang.actions import (ACTION_NAMES, EncodeContext, LangError,
                                ParseContext, encode_actions, parse_actions)

WORDS = list(ACTION_NAMES) + [
    "inport", "outport", "reg0", "reg9", "xxreg0", "eth.src", "eth.dst",
    "ip4.dst", "ip6.src", "ip.ttl", "ct_mark", "ct_label", "ct_mark.blocked",
    "tcp.dst", "arp.sha", "nd.target", "icmp4.frag_mtu", "flags.loopback",
    "backends", "hash_fields", "offerip", "router", "pipeline", "table",
    "egress", "ingress", "verdict", "severity", "drop", "allow", "name",
    "liveness", "childports", "values", "vip", "backend", "proto", "timeout",
    "probability", "collector_set", "obs_domain", "obs_point", "tcp", "true",
    "addr_mode", "slla", "prefix", "mtu", "event",
]
PUNCT = ["(", ")", "{", "}", "[", "]", ",", ";", ";", ";", "=", "<->", "--",
         "..", ":", "-", "/", "$cookie"]
CONSTS = ["0", "1", "5", "80", "1500", "65536", "0xff", "10.0.0.1", "fd00::1",
          "00:11:22:33:44:55", "10.0.0.0/8", "aef0::/64", "\"p1\"", "\"\"",
          "\"ovn.org\"", "\"10.0.0.1:80\"", "\"empty_lb_backends\"", "\"tcp\"",
          "1-3000", "[fd00::1]"]

token = st.sampled_from(WORDS + PUNCT + CONSTS)


def check(text):
    ctx = ParseContext(table_id=5)
    try:
        parsed = parse_actions(text, context=ctx)
    except LangError:
        return
    again = parse_actions(parsed.format(), context=ctx)
    assert again == parsed, (text, parsed.format())
    try:
        encode_actions(parsed, EncodeContext(table_id=5, ports={"p1": 1}))
    except LangError:
        pass


@settings(max_examples=400, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(token, max_size=14))
def test_token_soup(tokens):
    check(" ".join(tokens))


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_arbitrary_text(text):
    check(text)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(ACTION_NAMES), st.lists(token, max_size=8))
def test_action_with_random_arguments(name, tokens):
    check("%s(%s);" % (name, " ".join(tokens)))
    check("reg0[0] = %s(%s);" % (name, " ".join(tokens)))
    check("%s { %s };" % (name, " ".join(tokens)))
