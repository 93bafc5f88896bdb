"""The one sync step: desired SB content against the SB replica, written as
one transaction.  Rows are matched by a natural key per table; a matched row
is updated column by column (only the columns northd owns, only when they
differ), so it keeps its UUID; desired rows without a match are inserted and
SB rows without a desired counterpart are deleted.
"""

import collections
import uuid as uuid_mod


class Ref:
    """A reference to another desired row: (table, key)."""
    __slots__ = ("table", "key")

    def __init__(self, table, key):
        self.table = table
        self.key = key

    def __repr__(self):
        return "Ref(%s, %r)" % (self.table, self.key)


def dp_nb_uuid(dp_row):
    ids = dp_row.external_ids
    return ids.get("logical-switch") or ids.get("logical-router")


def _raw_map(row, column):
    return {k.value: v.value for k, v in row._data[column].values.items()}


def _raw_scalar(row, column):
    values = row._data[column].values
    return next(iter(values)).value if values else None


def _lflow_key(row):
    # Read the IDL's datums directly: python-ovs converts a whole column to
    # Python objects on every attribute access, and this runs for every
    # Logical_Flow row of the SB on every recompute.
    try:
        ids = _raw_map(row, "external_ids")
        return (ids.get("stage-name"), _raw_scalar(row, "pipeline"),
                _raw_scalar(row, "table_id"), _raw_scalar(row, "priority"),
                _raw_scalar(row, "match"), _raw_scalar(row, "actions"),
                _raw_scalar(row, "controller_meter"), ids.get("stage-hint"))
    except (AttributeError, KeyError, TypeError):
        ids = row.external_ids
        meter = row.controller_meter
        return (ids.get("stage-name"), row.pipeline, row.table_id, row.priority,
                row.match, row.actions, meter[0] if meter else None,
                ids.get("stage-hint"))


def _dpg_key(row):
    return frozenset(dp_nb_uuid(d) for d in row.datapaths)


def _mc_key(row):
    return (dp_nb_uuid(row.datapath), row.name)


KEYS = {
    "Datapath_Binding": dp_nb_uuid,
    "Port_Binding": lambda r: r.logical_port,
    "Multicast_Group": _mc_key,
    "Logical_DP_Group": _dpg_key,
    "Logical_Flow": _lflow_key,
    "Address_Set": lambda r: r.name,
    "Port_Group": lambda r: r.name,
    "Load_Balancer": lambda r: r.external_ids.get("lb_id"),
    "DHCP_Options": lambda r: r.name,
    "DHCPv6_Options": lambda r: r.name,
    "DNS": lambda r: r.external_ids.get("dns_id"),
    "RBAC_Role": lambda r: r.name,
    "RBAC_Permission": lambda r: r.table,
    "Meter": lambda r: r.name,
    "IP_Multicast": lambda r: dp_nb_uuid(r.datapath),
    "Meter_Band": lambda r: (r.action, r.rate, r.burst_size),
    "Service_Monitor": lambda r: (r.ip, r.port, r.protocol[0] if r.protocol else "tcp",
                                  r.logical_port),
    # Router gateways (lr_sb.py).
    "HA_Chassis_Group": lambda r: r.name,
    "HA_Chassis": lambda r: (r.external_ids.get("chassis-name"), r.priority),
}

# Columns the key already covers: equal on every matched row, so not compared.
KEY_COLUMNS = {
    "Logical_Flow": {"pipeline", "table_id", "priority", "match", "actions",
                     "controller_meter"},
    "Port_Binding": {"logical_port"},
    "Address_Set": {"name"},
    "Port_Group": {"name"},
    "Multicast_Group": {"name"},
}

# Order of inserts/updates (referenced tables first).  Deletes happen in the
# same transaction, so order does not matter to the server.
ORDER = ["Datapath_Binding", "Port_Binding", "Logical_DP_Group",
         "Multicast_Group", "Logical_Flow", "Address_Set", "Port_Group",
         "Load_Balancer", "DHCP_Options", "DHCPv6_Options", "DNS",
         "RBAC_Permission", "RBAC_Role", "Meter_Band", "Meter", "Service_Monitor", "IP_Multicast", "HA_Chassis", "HA_Chassis_Group"]


# A desired row may carry {INSERT_ONLY: {column: value}}: columns northd
# initializes but another component owns afterwards (Port_Binding.up).
INSERT_ONLY = "_insert_only"


class Desired:
    def __init__(self):
        self.tables = collections.defaultdict(dict)

    def add(self, _table, _key, **columns):
        self.tables[_table][_key] = columns
        return Ref(_table, _key)

    def get(self, table, key):
        return self.tables[table].get(key)


def _norm_atom(x):
    return ("row", str(x)) if isinstance(x, uuid_mod.UUID) else x


def _current(row, col):
    """ROW's COL, normalized like _norm(), read from the IDL's datum without
    python-ovs's conversion to Python objects (the hot path of a sync)."""
    datum = row._data.get(col) if getattr(row, "_data", None) is not None else None
    if datum is None:
        return None
    t = datum.type
    if t.is_map():
        return tuple(sorted((k.value, _norm_atom(v.value)) for k, v in datum.values.items()))
    vals = sorted(_norm_atom(k.value) for k in datum.values)
    if t.n_min == 1 and t.n_max == 1:
        return vals[0] if vals else None
    return tuple(vals)


def _same_raw(row, col, wanted):
    try:
        cur = _current(row, col)
    except (AttributeError, TypeError):
        return _same(getattr(row, col), wanted)
    if cur is None:
        return _same(getattr(row, col), wanted)
    return cur == _norm(wanted)


def _same(current, wanted):
    if isinstance(wanted, list) and isinstance(current, list):
        return sorted(map(_norm, current)) == sorted(map(_norm, wanted))
    return _norm(current) == _norm(wanted)


def _norm(v):
    if hasattr(v, "uuid") and hasattr(v, "_table"):
        return ("row", str(v.uuid))
    if isinstance(v, dict):
        return tuple(sorted((k, _norm(x)) for k, x in v.items()))
    if isinstance(v, list):
        return tuple(sorted(map(_norm, v)))
    return v


class SyncStats:
    def __init__(self):
        self.inserted = collections.Counter()
        self.updated = collections.Counter()
        self.deleted = collections.Counter()

    def __bool__(self):
        return bool(self.inserted or self.updated or self.deleted)

    def __str__(self):
        parts = []
        for t in sorted(set(self.inserted) | set(self.updated) | set(self.deleted)):
            parts.append("%s +%d ~%d -%d" % (t, self.inserted[t], self.updated[t],
                                           self.deleted[t]))
        return ", ".join(parts) or "no change"


def apply(sb, txn, desired, tables=None, stats=None):
    """Writes DESIRED into TXN against SB's replica.  TABLES limits which
    tables are synced (default: every table northd owns, ORDER).  Returns
    SyncStats (added to STATS if given)."""
    stats = stats if stats is not None else SyncStats()
    rows_by_key = {}
    tables = tables or ORDER
    # Match existing rows.
    for table in tables:
        keyfn = KEYS[table]
        want = desired.tables.get(table, {})
        matched = {}
        for row in sb.rows(table):
            try:
                k = keyfn(row)
            except Exception:
                k = None
            if k is not None and k in want and k not in matched:
                matched[k] = row
            else:
                row.delete()
                stats.deleted[table] += 1
        rows_by_key[table] = matched
    # Insert missing rows first so references can be resolved.
    inserted = {}
    for table in tables:
        matched = rows_by_key[table]
        for k in desired.tables.get(table, {}):
            if k not in matched:
                row = txn.insert(sb.idl.tables[table])
                matched[k] = row
                inserted[(table, k)] = True
                stats.inserted[table] += 1

    def resolve(v):
        if isinstance(v, Ref):
            return rows_by_key[v.table][v.key]
        if isinstance(v, list):
            return [resolve(x) for x in v]
        if isinstance(v, dict):
            return {k: resolve(x) for k, x in v.items()}
        return v

    for table in tables:
        matched = rows_by_key[table]
        skip = KEY_COLUMNS.get(table, ())
        for k, cols in desired.tables.get(table, {}).items():
            row = matched[k]
            is_new = (table, k) in inserted
            changed = False
            for col, value in cols.items():
                if not is_new and col in skip:
                    continue
                if col == INSERT_ONLY:
                    if is_new:
                        for c, v in value.items():
                            setattr(row, c, resolve(v))
                    continue
                value = resolve(value)
                if not is_new and _same_raw(row, col, value):
                    continue
                setattr(row, col, value)
                changed = True
            if changed and not is_new:
                stats.updated[table] += 1
    return stats
