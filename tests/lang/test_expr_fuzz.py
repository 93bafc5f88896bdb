"""Fuzz: random token sequences and random strings never make the lexer,
the parser or any later pass raise anything but LangError."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pyovn.lang import check_match, compile_match
from pyovn.lang.annotate import annotate
from pyovn.lang.context import sample_context
from pyovn.lang.errors import LangError
from pyovn.lang.evaluate import evaluate
from pyovn.lang.lexer import tokenize
from pyovn.lang.matches import to_matches
from pyovn.lang.microflow import Microflow
from pyovn.lang.normalize import normalize
from pyovn.lang.parse import parse
from pyovn.lang.simplify import simplify
from pyovn.lang.symtab import default_symtab

CTX = sample_context()
SYMBOLS = [s.name for s in default_symtab()]
TOKENS = SYMBOLS + [
    "==", "!=", "<", "<=", ">", ">=", "!", "&&", "||", "(", ")", "{", "}",
    "[", "]", ",", ";", ":", "=", "..", "<->", "--", "0", "1", "2", "80",
    "0x800", "0xffffffff", "10.0.0.1", "10.0.0.0/8", "fe80::1", "::/0",
    "00:00:00:00:00:01", "ff:ff:ff:ff:ff:ff/01:00:00:00:00:00", '"lp1"',
    '"x"', "$set1", "$nope", "@pg1", "@nope", "^vip", "^ports", "^nope",
    "is_chassis_resident", "[0..3]", "[5]", "[127]", "/", "&", "|", "-",
    ".", "#", '"', "\\", "//", "/*", "*/", "\n", "18446744073709551616"]

SETTINGS = settings(max_examples=300, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def run_all(text):
    try:
        tokenize(text)
    except LangError:
        pass
    try:
        Microflow.parse(text)
    except LangError:
        pass
    try:
        tokenize(text, {"vip": "10.0.0.1", "bad": "1.2.", "x": "^x"}.get)
    except LangError:
        pass
    try:
        expr = parse(text)
    except LangError:
        return
    mf = Microflow()
    try:
        evaluate(expr, mf, CTX)
    except LangError:
        pass
    try:
        ann = annotate(expr, context=CTX)
        evaluate(ann, mf, CTX)
        simplify(ann)
        normalize(ann, limit=2000)
        to_matches(ann, CTX, limit=2000)
    except LangError:
        pass
    assert check_match(text) is None or isinstance(check_match(text), str)


@SETTINGS
@given(st.lists(st.sampled_from(TOKENS), max_size=12).map(" ".join))
def test_random_token_strings(text):
    run_all(text)


@SETTINGS
@given(st.lists(st.sampled_from(TOKENS), max_size=12).map("".join))
def test_random_glued_tokens(text):
    run_all(text)


@SETTINGS
@given(st.text(max_size=40))
def test_random_text(text):
    run_all(text)


@SETTINGS
@given(st.binary(max_size=40))
def test_random_bytes(data):
    run_all(data.decode("latin-1"))


def test_compile_match_wraps_everything():
    for text in ["", "(", "ip4 &&", "\x00", "inport == @nope", "$", "0x",
                 "ip4.src == $bad", "!ip4.mcast"]:
        try:
            compile_match(text, CTX)
        except LangError as e:
            assert e.message
