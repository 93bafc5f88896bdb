"""The fast JSON stream parser agrees with python-ovs's own parser, however
the input is cut into chunks, and the IDL works through it."""

import json

from hypothesis import given, settings, strategies as st

import ovs.json

from pyovn.db import jsonstream

scalars = st.one_of(st.none(), st.booleans(), st.integers(-2**63, 2**63),
                    st.text(alphabet=st.characters(blacklist_categories=("Cs",),
                                                   blacklist_characters="\x00"),
                            max_size=20))
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=5),
    st.dictionaries(st.text(max_size=8), inner, max_size=5)), max_leaves=30)
documents = st.one_of(st.lists(values, max_size=5),
                      st.dictionaries(st.text(max_size=8), values, max_size=5))


def feed_in_chunks(parser, text, cuts):
    """Feeds TEXT as jsonrpc does; returns (value, what was left over)."""
    pieces, last = [], 0
    for c in sorted(set(cuts)):
        if 0 < c < len(text):
            pieces.append(text[last:c])
            last = c
    pieces.append(text[last:])
    buf = ""
    for k, piece in enumerate(pieces):
        buf += piece
        buf = buf[parser.feed(buf):]
        if parser.is_done():
            return parser.finish(), buf + "".join(pieces[k + 1:])
    return parser.finish(), buf


@settings(max_examples=300, deadline=None)
@given(documents, st.lists(st.integers(0, 400), max_size=12), st.booleans())
def test_same_value_as_json_for_any_chunking(doc, cuts, escape_slashes):
    text = json.dumps(doc, ensure_ascii=escape_slashes)
    trailer = ' {"next": 1}'
    value, rest = feed_in_chunks(jsonstream.StreamParser(), text + trailer, cuts)
    assert value == doc
    # The next message is left unconsumed, as python-ovs's parser leaves it.
    assert rest.strip() == '{"next": 1}'


def test_strings_with_brackets_quotes_and_escapes_cut_everywhere():
    doc = {"match": 'ip4.src == {10.0.0.1, 10.0.0.2} && a[1] == "x\\"}"',
           "list": ["]", "[", "{", "}", "\\", "\\\\\"", "\u00e9"]}
    text = json.dumps(doc)
    for cut in range(len(text) + 1):
        value, _ = feed_in_chunks(jsonstream.StreamParser(), text, [cut])
        assert value == doc, cut
        value, _ = feed_in_chunks(jsonstream.StreamParser(), text, list(range(len(text))))
        assert value == doc


def test_errors_are_returned_as_strings_like_python_ovs():
    def parse(text):
        p = jsonstream.StreamParser(check_trailer=True)
        p.feed(text)
        return p.finish()
    assert parse("") == "empty input stream"
    assert "unexpected end of input" in parse('{"a": [1, 2')
    assert "quoted string" in parse('{"a": "abc')
    assert "trailing garbage" in parse('{"a": 1} x')
    assert isinstance(parse('{"a": tru}'), str)
    assert parse("  [1, 2.5, null]  ") == [1, 2.5, None]
    assert parse('"just a string"') == "just a string"
    assert parse("42") == 42
    deep = "[" * 1001 + "]" * 1001
    assert "nesting" in parse(deep)


def test_installed_for_idl_and_from_string():
    jsonstream.install()
    if ovs.json.PARSER == ovs.json.PARSER_C:
        return                      # python-ovs's own C parser stays
    assert ovs.json.Parser is jsonstream.StreamParser
    assert ovs.json.from_string('{"a": [1, {"b": "c"}]}') == {"a": [1, {"b": "c"}]}


def test_idl_replicates_a_large_database_through_it(ovsdb):
    from pyovn.db import idl
    jsonstream.install()
    srv = ovsdb("nb")
    db = idl.Database(srv.remote, "nb").sync()

    def build(txn):
        for i in range(300):
            ls = txn.insert(db.tables["Logical_Switch"])
            ls.name = "ls%d" % i
            ls.external_ids = {"note": 'quote " brace { bracket ] %d' % i}
    db.transact(build)
    other = idl.Database(srv.remote, "nb").sync()
    rows = other.wait_until(lambda d: len(d.rows("Logical_Switch")) == 300 and
                            d.rows("Logical_Switch"))
    assert sorted(r.name for r in rows) == sorted("ls%d" % i for i in range(300))
    assert {r.external_ids["note"] for r in rows} == {
        'quote " brace { bracket ] %d' % i for i in range(300)}
