"""The hardware_vtep schema pyovn serves is Debian's vtep.ovsschema 1.7.0
plus Physical_Locator.tunnel_level, and the locator index that makes
(encapsulation_type, dst_ip, tunnel_key, tunnel_level) the identity."""

import json
import os

import ovs.db.schema
import pytest

from pyovn.db import schemas
from pyovn.util import proc


def _load(path):
    with open(path) as f:
        return ovs.db.schema.DbSchema.from_json(json.load(f))


def _debian_schema_path():
    path = os.path.join(proc.ovs_pkgdatadir(), "vtep.ovsschema")
    if not os.path.exists(path):
        pytest.skip("Debian's vtep.ovsschema (openvswitch-vtep) not installed")
    return path


def _describe(schema):
    """table -> (isRoot, maxRows, indexes, {column: (type json, mutable,
    ephemeral)})"""
    out = {}
    for name, table in schema.tables.items():
        cols = {}
        for cname, col in table.columns.items():
            if cname.startswith("_"):
                continue
            cols[cname] = (json.dumps(col.type.to_json(), sort_keys=True),
                           col.mutable, not col.persistent)
        indexes = sorted(tuple(c.name for c in idx) for idx in table.indexes)
        out[name] = (table.is_root, table.max_rows, indexes, cols)
    return out


def test_schema_name_and_version():
    ours = _load(schemas.path("vtep"))
    assert ours.name == "hardware_vtep"
    assert ours.version == "1.7.0"


def test_schema_equals_debian_except_tunnel_level():
    ours = _describe(_load(schemas.path("vtep")))
    theirs = _describe(_load(_debian_schema_path()))
    assert sorted(ours) == sorted(theirs)

    ploc_cols = ours["Physical_Locator"][3]
    level = ploc_cols.pop("tunnel_level")
    assert json.loads(level[0]) == {
        "key": {"type": "string", "enum": ["set", ["level0", "level1"]]},
        "min": 0}
    # The one index change: a locator's identity includes tunnel_level.
    assert ours["Physical_Locator"][2] == [
        ("encapsulation_type", "dst_ip", "tunnel_key", "tunnel_level")]
    assert theirs["Physical_Locator"][2] == [
        ("encapsulation_type", "dst_ip", "tunnel_key")]

    for table in theirs:
        o_root, o_max, o_idx, o_cols = ours[table]
        t_root, t_max, t_idx, t_cols = theirs[table]
        assert (table, o_root, o_max) == (table, t_root, t_max)
        if table != "Physical_Locator":
            assert (table, o_idx) == (table, t_idx)
        assert sorted(o_cols) == sorted(t_cols), table
        for col in t_cols:
            assert (table, col, o_cols[col]) == (table, col, t_cols[col])


def test_ovsdb_tool_accepts_schema(tmp_path):
    db = tmp_path / "vtep.db"
    proc.run([proc.which("ovsdb-tool"), "create", str(db),
              schemas.path("vtep")])
    out = proc.run([proc.which("ovsdb-tool"), "db-version", str(db)])
    assert out.strip() == "1.7.0"
