"""Row counts of a database and Logical_Flow counts per stage, read with
ovsdb-client (one `select` per table, parsed by the standard json module,
which is far quicker than replicating 100k rows into an IDL)."""

import json
import re
import os

from pyovn.db import schemas
from pyovn.util import proc


def _select(remote, kind, selects):
    query = json.dumps([schemas.DB_NAMES[kind]] + selects)
    out = proc.run([proc.which("ovsdb-client"), "transact", remote, query], timeout=900)
    return json.loads(out)


def table_names(kind):
    with open(schemas.path(kind)) as f:
        return sorted(json.load(f)["tables"])


def count_rows(remote, kind):
    """{table: number of rows} for every table of schema KIND."""
    tables = table_names(kind)
    # select returns distinct rows over the selected columns: select _uuid.
    res = _select(remote, kind, [{"op": "select", "table": t, "where": [],
                                  "columns": ["_uuid"]} for t in tables])
    return {t: len(r["rows"]) for t, r in zip(tables, res)}


def lflow_stages(remote):
    """{"ingress/08/ls_in_acl": n, ...}: Logical_Flow rows per pipeline,
    table and external_ids:stage-name."""
    res = _select(remote, "sb", [{"op": "select", "table": "Logical_Flow", "where": [],
                                  "columns": ["_uuid", "pipeline", "table_id",
                                              "external_ids"]}])
    out = {}
    for row in res[0]["rows"]:
        ext = row["external_ids"]
        ext = dict(ext[1]) if isinstance(ext, list) and ext[0] == "map" else {}
        key = "%s/%02d/%s" % (row["pipeline"], row["table_id"], ext.get("stage-name", "?"))
        out[key] = out.get(key, 0) + 1
    return dict(sorted(out.items()))


def file_mib(path):
    try:
        return os.path.getsize(path) / 2.0 ** 20
    except OSError:
        return None


# NB table behind each count of the topology (bench.topology.expected_counts).
TOPOLOGY_TABLES = {"switches": "Logical_Switch", "routers": "Logical_Router",
                   "acls": "ACL", "port_groups": "Port_Group",
                   "address_sets": "Address_Set", "load_balancers": "Load_Balancer"}


def topology_counts(remote):
    """The topology's counts as the NB database at REMOTE holds them; VIFs
    are the Logical_Switch_Ports of type "" named ls<i>-p<j>."""
    counts = count_rows(remote, "nb")
    out = {k: counts[t] for k, t in TOPOLOGY_TABLES.items()}
    res = _select(remote, "nb", [{"op": "select", "table": "Logical_Switch_Port",
                                  "where": [["type", "==", ""]],
                                  "columns": ["_uuid", "name"]}])
    out["vif_ports"] = sum(1 for r in res[0]["rows"]
                           if re.fullmatch(r"ls\d+-p\d+", r["name"]))
    return out
