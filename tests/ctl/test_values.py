"""The OVS ctl value syntax: parsing, constraint checks, printing; and the
argument validators.  Pure functions, no database."""

import json

import ovs.db.types as types
import pytest
from hypothesis import given, settings, strategies as st

from pyovn.ctl import validate as v
from pyovn.ctl import values
from pyovn.ctl.base import Symbols
from pyovn.ctl.errors import CtlError


def T(js):
    return types.Type.from_json(js)


STRING = T("string")
INT_RANGE = T({"key": {"type": "integer", "minInteger": 0,
                       "maxInteger": 4095}, "min": 0, "max": 1})
ENUM = T({"key": {"type": "string", "enum": ["set", ["a", "b"]]}})
STR_SET = T({"key": "string", "min": 0, "max": "unlimited"})
STR_MAP = T({"key": "string", "value": "string", "min": 0,
             "max": "unlimited"})
UUID_SET = T({"key": {"type": "uuid"}, "min": 0, "max": "unlimited"})
BOOL_OPT = T({"key": "boolean", "min": 0, "max": 1})


def fmt(type_, text):
    return values.format_datum(values.parse_datum(type_, text, Symbols()))


@pytest.mark.parametrize("type_,text,printed", [
    (STRING, "abc", "abc"),
    (STRING, '"a b"', '"a b"'),
    (STRING, "sw0", "sw0"),
    (STRING, '""', '""'),
    (INT_RANGE, "42", "42"),
    (INT_RANGE, "[]", "[]"),
    (ENUM, "b", "b"),
    (STR_SET, "a,b", "[a, b]"),
    (STR_SET, "[b, a]", "[a, b]"),
    (STR_SET, '"10.0.0.1" "10.0.0.2"', '["10.0.0.1", "10.0.0.2"]'),
    (STR_SET, "[]", "[]"),
    (STR_MAP, "k=v,a=b", "{a=b, k=v}"),
    (STR_MAP, '{x="y z"}', '{x="y z"}'),
    (STR_MAP, "{}", "{}"),
    (BOOL_OPT, "true", "true"),
])
def test_parse_and_print(type_, text, printed):
    assert fmt(type_, text) == printed


@pytest.mark.parametrize("type_,text,message", [
    (INT_RANGE, "5000", "5000 is not in the valid range 0 to 4095"),
    (INT_RANGE, "x", '"x" is not a valid integer'),
    (ENUM, "c", "c is not one of the allowed values"),
    (BOOL_OPT, "yes", '"yes" is not a valid boolean'),
    (STR_SET, "a,a", "duplicate value"),
    (STR_MAP, "k=1,k=2", "duplicate key"),
    (STR_MAP, "k", 'missing "="'),
    (STR_SET, "[a, b", 'missing "]"'),
    (UUID_SET, "not-a-uuid", "is not a valid UUID"),
    (STRING, '"unterminated', "unterminated"),
])
def test_parse_errors(type_, text, message):
    with pytest.raises(CtlError) as e:
        values.parse_datum(type_, text, Symbols())
    assert message in str(e.value)


def test_at_names_resolve_to_one_uuid():
    sym = Symbols()
    d1 = values.parse_datum(UUID_SET, "@a", sym)
    u = sym.define_new("@a")
    assert [k.value for k in d1.values] == [u]
    with pytest.raises(CtlError):
        Symbols().check_name("a")


def test_column_key_value_split():
    assert values.parse_column_key_value("external_ids:foo=bar") == \
        ("external_ids", ("foo", False), "=", "bar")
    assert values.parse_column_key_value('options:"a b"=c') == \
        ("options", ("a b", True), "=", "c")
    assert values.parse_column_key_value("priority>=5", allow_ops=True) == \
        ("priority", None, ">=", "5")
    assert values.parse_column_key_value("tag{in}1,2", allow_ops=True) == \
        ("tag", None, "{in}", "1,2")


@pytest.mark.parametrize("text,out", [
    ("10.2.0.7/24", "10.2.0.0/24"), ("10.2.0.1/32", "10.2.0.1"),
    ("10.2.0.1", "10.2.0.1"), ("fd00::1:2/64", "fd00::/64"),
    ("fd00::1/128", "fd00::1"), ("0.0.0.0/0", "0.0.0.0/0"),
])
def test_normalize_prefix(text, out):
    assert v.normalize_prefix(text) == out


@pytest.mark.parametrize("check,text", [
    (v.ip, "10.0.0.300"), (v.ip, "1.2.3"), (v.ip, "fd00:::1"),
    (v.mac, "00:00:00:00:00"), (v.mac, "00:00:00:00:00:0g"),
    (v.network, "10.0.0.1"), (v.network, "10.0.0.1/33"),
    (v.port_range, "0"), (v.port_range, "5-4"), (v.port_range, "1-70000"),
    (v.priority, "32768"), (v.priority, "abc"), (v.tag, "4096"),
    (v.lsp_address, "00:00:00:00:00:01 300.1.1.1"),
    (v.lsp_address, "foo"), (v.port_security, "10.0.0.1"),
])
def test_validators_refuse(check, text):
    with pytest.raises(CtlError) as e:
        check(text)
    assert str(e.value)


@pytest.mark.parametrize("text", [
    "unknown", "router", "dynamic", "dynamic 10.0.0.5",
    "dynamic 10.0.0.5 fd00::5", "dynamic fd00::5", "00:00:00:00:00:01",
    "00:00:00:00:00:01 dynamic", "00:00:00:00:00:01 10.0.0.1 fd00::1",
    "00:00:00:00:00:01 10.0.0.1/24 fd00::1/64",
])
def test_lsp_address_forms_of_ovn_nb(text):
    assert v.lsp_address(text) == text


@pytest.mark.parametrize("text", [
    "dynamic 10.0.0.1 10.0.0.2", "dynamic foo", "00:00:00:00:00:01 dynamic x",
    "10.0.0.1", "", "00:00:00:00:00:01 10.0.0.1/33",
])
def test_lsp_address_refused(text):
    with pytest.raises(CtlError):
        v.lsp_address(text)


def test_lb_endpoints_normalized():
    assert v.lb_vip("[FD00::0010]:80") == ("[fd00::10]:80", 6, True)
    assert v.lb_backends("10.0.0.1:80, 10.0.0.2:80", 4, True) == \
        "10.0.0.1:80,10.0.0.2:80"


TYPES = [STRING, INT_RANGE, ENUM, STR_SET, STR_MAP, UUID_SET, BOOL_OPT]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(TYPES), st.text(max_size=30))
def test_parser_never_crashes(type_, text):
    """Arbitrary text gives a checked value or a CtlError, nothing else."""
    try:
        d = values.parse_datum(type_, text, Symbols())
    except CtlError as e:
        assert str(e)
        return
    d.check_constraints()
    # and what is printed parses back to the same value
    again = values.parse_datum(type_, values.format_datum(d), Symbols())
    assert again == d


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=20))
def test_string_printing_round_trips(s):
    printed = values.format_string(s)
    if printed.startswith('"'):
        assert json.loads(printed) == s
    else:
        assert printed == s
