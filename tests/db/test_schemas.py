"""pyovn's OVN schemas are semantically equal to the ones OVN 23.03 ships
(Debian's ovn-common, a test-only peer), and each is what its description
file generates."""

import json
import os
import shutil
import subprocess
import sys

import ovs.db.schema
import pytest

from pyovn.db import schemas
from pyovn.db.schemas import describe

OVN_KINDS = ["nb", "sb", "ic-nb", "ic-sb"]

VERSIONS = {"nb": ("OVN_Northbound", "7.0.0"),
            "sb": ("OVN_Southbound", "20.27.0"),
            "ic-nb": ("OVN_IC_Northbound", "1.0.0"),
            "ic-sb": ("OVN_IC_Southbound", "1.1.1")}


def ovn_pkgdatadir():
    """Where the OVN package keeps its schemas: OVN_PKGDATADIR, else
    share/ovn beside the installed ovn-nbctl."""
    env = os.environ.get("OVN_PKGDATADIR")
    if env:
        return env
    nbctl = shutil.which("ovn-nbctl")
    if nbctl is None:
        return None
    prefix = os.path.dirname(os.path.dirname(os.path.realpath(nbctl)))
    return os.path.join(prefix, "share", "ovn")


def reference_schema(kind):
    d = ovn_pkgdatadir()
    path = d and os.path.join(d, schemas.FILES[kind])
    if not path or not os.path.exists(path):
        pytest.skip("OVN's own %s not installed (peer)" % schemas.FILES[kind])
    with open(path) as f:
        return json.load(f)


# -- semantic normal form -----------------------------------------------------

def _norm_base(base):
    if isinstance(base, str):
        base = {"type": base}
    out = {"type": base["type"]}
    enum = base.get("enum")
    if enum is not None:
        values = enum[1] if isinstance(enum, list) and enum[:1] == ["set"] else [enum]
        out["enum"] = sorted(values, key=repr)
    for k in ("minInteger", "maxInteger", "minReal", "maxReal",
              "minLength", "maxLength"):
        if k in base:
            out[k] = base[k]
    if "refTable" in base:
        out["refTable"] = base["refTable"]
        out["refType"] = base.get("refType", "strong")
    return out


def _norm_type(t):
    if isinstance(t, str) or "key" not in t:
        t = {"key": t}
    return {"key": _norm_base(t["key"]),
            "value": _norm_base(t["value"]) if "value" in t else None,
            "min": t.get("min", 1),
            "max": t.get("max", 1)}


def _norm_column(c):
    return {"type": _norm_type(c["type"]),
            "mutable": c.get("mutable", True),
            "ephemeral": c.get("ephemeral", False)}


def _norm_table(t):
    return {"isRoot": t.get("isRoot", False),
            "maxRows": t.get("maxRows"),
            "indexes": sorted(tuple(sorted(i)) for i in t.get("indexes", [])),
            "columns": {n: _norm_column(c) for n, c in t["columns"].items()}}


def differences(mine, theirs):
    """Every semantic difference between two schemas, one readable line each."""
    diffs = []
    for key in ("name", "version"):
        if mine.get(key) != theirs.get(key):
            diffs.append("schema %s: pyovn %r, OVN %r" % (key, mine.get(key), theirs.get(key)))
    mt, tt = mine["tables"], theirs["tables"]
    for name in sorted(set(tt) - set(mt)):
        diffs.append("table %s: missing in pyovn" % name)
    for name in sorted(set(mt) - set(tt)):
        diffs.append("table %s: not in OVN's schema" % name)
    for name in sorted(set(mt) & set(tt)):
        a, b = _norm_table(mt[name]), _norm_table(tt[name])
        for prop in ("isRoot", "maxRows", "indexes"):
            if a[prop] != b[prop]:
                diffs.append("table %s: %s is %r in pyovn, %r in OVN"
                             % (name, prop, a[prop], b[prop]))
        for col in sorted(set(b["columns"]) - set(a["columns"])):
            diffs.append("column %s.%s: missing in pyovn (OVN: %s)"
                         % (name, col, json.dumps(tt[name]["columns"][col])))
        for col in sorted(set(a["columns"]) - set(b["columns"])):
            diffs.append("column %s.%s: not in OVN's schema" % (name, col))
        for col in sorted(set(a["columns"]) & set(b["columns"])):
            ca, cb = a["columns"][col], b["columns"][col]
            for prop in ("mutable", "ephemeral"):
                if ca[prop] != cb[prop]:
                    diffs.append("column %s.%s: %s is %r in pyovn, %r in OVN"
                                 % (name, col, prop, ca[prop], cb[prop]))
            if ca["type"] != cb["type"]:
                diffs.append("column %s.%s: type is %s in pyovn, %s in OVN"
                             % (name, col, json.dumps(mt[name]["columns"][col]["type"]),
                                json.dumps(tt[name]["columns"][col]["type"])))
    return diffs


def load_mine(kind):
    with open(schemas.path(kind)) as f:
        return json.load(f)


# -- tests --------------------------------------------------------------------

@pytest.mark.parametrize("kind", OVN_KINDS)
def test_schema_equals_ovn_23_03(kind):
    diffs = differences(load_mine(kind), reference_schema(kind))
    assert not diffs, "%s differs from OVN's:\n  %s" % (
        schemas.FILES[kind], "\n  ".join(diffs))


@pytest.mark.parametrize("kind", OVN_KINDS)
def test_schema_name_and_version(kind):
    mine = load_mine(kind)
    assert (mine["name"], mine["version"]) == VERSIONS[kind]
    assert schemas.DB_NAMES[kind] == mine["name"]


@pytest.mark.parametrize("kind", OVN_KINDS)
def test_schema_file_is_generated_from_description(kind):
    assert describe.build(kind) == load_mine(kind), (
        "%s is stale: run python -m pyovn.db.schemas.describe %s"
        % (schemas.FILES[kind], kind))


@pytest.mark.parametrize("kind", OVN_KINDS)
def test_schema_parses_and_creates_database(kind, tmp_path):
    ovs.db.schema.DbSchema.from_json(load_mine(kind))
    db = tmp_path / "x.db"
    subprocess.run(["ovsdb-tool", "create", str(db), schemas.path(kind)], check=True)
    out = subprocess.run(["ovsdb-tool", "db-name", str(db)], check=True,
                         capture_output=True, text=True).stdout.strip()
    assert out == VERSIONS[kind][0]
    out = subprocess.run(["ovsdb-tool", "db-version", str(db)], check=True,
                         capture_output=True, text=True).stdout.strip()
    assert out == VERSIONS[kind][1]


def test_differences_reports_each_kind_of_mismatch():
    """The comparison itself can fail: a changed type, a lost index, a
    missing table and a wrong version are all reported."""
    theirs = reference_schema("nb")
    mine = json.loads(json.dumps(theirs))
    mine["version"] = "6.0.0"
    del mine["tables"]["Copp"]
    mine["tables"]["ACL"]["columns"]["priority"]["type"]["key"]["maxInteger"] = 100
    mine["tables"]["Logical_Switch_Port"].pop("indexes")
    mine["tables"]["Logical_Switch"]["columns"]["ports"]["type"]["key"]["refType"] = "weak"
    diffs = "\n".join(differences(mine, theirs))
    assert "schema version" in diffs
    assert "table Copp: missing in pyovn" in diffs
    assert "column ACL.priority: type" in diffs
    assert "table Logical_Switch_Port: indexes" in diffs
    assert "column Logical_Switch.ports: type" in diffs
    assert differences(theirs, theirs) == []


@pytest.mark.parametrize("text,expected", [
    ("string", "string"),
    ("optional weak reference to Copp",
     {"key": {"type": "uuid", "refTable": "Copp", "refType": "weak"}, "min": 0}),
    ("set of 1 or more strings", {"key": "string", "max": "unlimited"}),
    ("set of HA_Chassises",
     {"key": {"type": "uuid", "refTable": "HA_Chassis"}, "min": 0, "max": "unlimited"}),
    ("set of weak reference to Chassis",
     {"key": {"type": "uuid", "refTable": "Chassis", "refType": "weak"},
      "min": 0, "max": "unlimited"}),
    ("integer, in range 0 to 32,767",
     {"key": {"type": "integer", "minInteger": 0, "maxInteger": 32767}}),
    ("string, either from-lport or to-lport",
     {"key": {"type": "string", "enum": ["set", ["from-lport", "to-lport"]]}}),
    ("optional string, at most 63 characters long",
     {"key": {"type": "string", "maxLength": 63}, "min": 0}),
    ("map of string-weak reference to RBAC_Permission pairs",
     {"key": "string", "value": {"type": "uuid", "refTable": "RBAC_Permission",
                                 "refType": "weak"}, "min": 0, "max": "unlimited"}),
])
def test_parse_man_page_types(text, expected):
    assert describe.parse_type(text)[0] == expected


def test_bad_description_names_file_and_line():
    with pytest.raises(describe.DescriptionError) as e:
        describe.parse_description("schema X 1.0.0\ntable T\n  c: set of frobnicate\n",
                                   "x.schema.txt")
    assert "x.schema.txt:3" in str(e.value) and "frobnicate" in str(e.value)


@pytest.mark.parametrize("kind", OVN_KINDS)
def test_description_matches_man_page(kind):
    """Every table and column of the man page is in the description with
    the type the man page gives, and nothing else is."""
    from pyovn.db.schemas import from_man
    page = schemas.FILES[kind].replace(".ovsschema", "")
    try:
        text = from_man.man_text(page)
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("man page %s(5) not installed" % page)
    from_page = describe.parse_description(from_man.draft(text), page + "(5)")
    built = describe.build(kind)
    assert (from_page["name"], from_page["version"]) == (built["name"], built["version"])
    assert sorted(from_page["tables"]) == sorted(built["tables"])
    for name, table in from_page["tables"].items():
        mine = built["tables"][name]["columns"]
        assert sorted(table["columns"]) == sorted(mine), name
        for col, c in table["columns"].items():
            assert c["type"] == mine[col]["type"], "%s.%s" % (name, col)


def test_description_flags():
    s = describe.parse_description(
        "schema X 1.2.3\n"
        "table G root maxRows=1\n"
        "  index(a, b)\n"
        "  a: string immutable\n"
        "  b: integer ephemeral\n"
        "  index: integer\n"             # a column may be called "index"
        "table T\n"
        "  n: string (must be unique within table)\n")
    g = s["tables"]["G"]
    assert (g["isRoot"], g["maxRows"], g["indexes"]) == (True, 1, [["a", "b"]])
    assert g["columns"]["a"] == {"type": "string", "mutable": False}
    assert g["columns"]["b"] == {"type": "integer", "ephemeral": True}
    assert g["columns"]["index"] == {"type": "integer"}
    assert s["tables"]["T"] == {"isRoot": False, "indexes": [["n"]],
                                "columns": {"n": {"type": "string"}}}
