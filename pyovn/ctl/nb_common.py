"""Lookups shared by the pyovn nbctl commands: switches, routers, ports,
port groups, load balancers... by name or UUID, with the error messages an
ovn-nbctl user knows."""

import uuid as uuidlib

from pyovn.ctl.errors import CtlError
from pyovn.ctl.values import is_uuid

# table -> (what it is called in messages, name column)
KINDS = {
    "Logical_Switch": ("switch", "logical switches"),
    "Logical_Router": ("router", "logical routers"),
    "Logical_Switch_Port": ("port", "logical switch ports"),
    "Logical_Router_Port": ("port", "logical router ports"),
    "Port_Group": ("port group", "port groups"),
    "Load_Balancer": ("load balancer", "load balancers"),
    "HA_Chassis_Group": ("ha chassis group", "ha chassis groups"),
}


def _name_index(ctx, table):
    """name -> [rows] of TABLE, built once per invocation (ctx.cache) and
    kept up to date by remember(); deleted rows are filtered on lookup."""
    key = ("names", table)
    idx = ctx.cache.get(key)
    if idx is None:
        idx = {}
        for r in ctx.table(table).rows.values():
            idx.setdefault(r.name, []).append(r)
        ctx.cache[key] = idx
    return idx


def remember(ctx, table, row):
    """Records ROW (just inserted, name set) in the name index."""
    idx = ctx.cache.get(("names", table))
    if idx is not None:
        idx.setdefault(row.name, []).append(row)


def by_name_or_uuid(ctx, table, key, must_exist=True):
    """The row of TABLE whose UUID or name is KEY."""
    what, plural = KINDS[table]
    rows = ctx.table(table).rows
    if is_uuid(key):
        row = rows.get(uuidlib.UUID(key))
        if row is not None:
            return row
    found = [r for r in _name_index(ctx, table).get(key, ())
             if rows.get(r.uuid) is r]
    if len(found) > 1:
        raise CtlError("Multiple %s named '%s'.  Use a UUID." % (plural, key))
    if found:
        return found[0]
    if must_exist:
        raise CtlError("%s: %s %s not found"
                       % (key, what, "UUID" if is_uuid(key) else "name"))
    return None


def add_datapath(ctx, table, lookup, noun):
    """ls-add / lr-add [NAME]: creates a switch or router, honouring
    --may-exist and --add-duplicate; LOOKUP is ls() or lr()."""
    name = ctx.args[0] if ctx.args else None
    if name and not ctx.has("--add-duplicate"):
        if lookup(ctx, name, must_exist=False) is not None:
            if ctx.has("--may-exist"):
                return
            raise CtlError("%s: a %s with this name already exists" % (name, noun))
    row = ctx.insert(table)
    if name:
        row.name = name
        remember(ctx, table, row)


def delete_datapath(row):
    """ls-del / lr-del: deletes ROW (if any) and its ports.  The server would
    garbage-collect the ports; deleting them here lets later commands of
    this invocation reuse their names."""
    if row is not None:
        for p in row.ports:
            if p is not None:
                p.delete()
        row.delete()


def ls(ctx, key, must_exist=True):
    return by_name_or_uuid(ctx, "Logical_Switch", key, must_exist)


def lr(ctx, key, must_exist=True):
    return by_name_or_uuid(ctx, "Logical_Router", key, must_exist)


def lsp(ctx, key, must_exist=True):
    return by_name_or_uuid(ctx, "Logical_Switch_Port", key, must_exist)


def lrp(ctx, key, must_exist=True):
    return by_name_or_uuid(ctx, "Logical_Router_Port", key, must_exist)


def pg(ctx, key, must_exist=True):
    return by_name_or_uuid(ctx, "Port_Group", key, must_exist)


def lb(ctx, key, must_exist=True):
    return by_name_or_uuid(ctx, "Load_Balancer", key, must_exist)


def ha_group(ctx, key, must_exist=True):
    return by_name_or_uuid(ctx, "HA_Chassis_Group", key, must_exist)


def _owner_map(ctx, table):
    """port uuid -> owning switch/router row, built once per invocation."""
    key = ("owner", table)
    m = ctx.cache.get(key)
    if m is None:
        m = {}
        for owner in ctx.table(table).rows.values():
            for p in owner.ports:
                if p is not None:
                    m[p.uuid] = owner
        ctx.cache[key] = m
    return m


def set_owner(ctx, table, port, owner):
    """Records that PORT now belongs to OWNER (a row of TABLE)."""
    m = ctx.cache.get(("owner", table))
    if m is not None:
        m[port.uuid] = owner


def _owner(ctx, table, port, what):
    owner = _owner_map(ctx, table).get(port.uuid)
    if owner is None or ctx.table(table).rows.get(owner.uuid) is not owner:
        raise CtlError("logical port %s is not part of any logical %s"
                       % (port.name, what))
    return owner


def switch_of_port(ctx, port):
    return _owner(ctx, "Logical_Switch", port, "switch")


def router_of_port(ctx, port):
    return _owner(ctx, "Logical_Router", port, "router")


def dhcp_options(ctx, key, must_exist=True):
    if not is_uuid(key):
        raise CtlError("%s: DHCP options UUID not found" % key)
    row = ctx.table("DHCP_Options").rows.get(uuidlib.UUID(key))
    if row is None and must_exist:
        raise CtlError("%s: DHCP options UUID not found" % key)
    return row


def label(row):
    """'UUID (name)' as the list commands print rows."""
    return "%s (%s)" % (row.uuid, row.name)


def opt1(value):
    """The value of an optional scalar column, or None."""
    if isinstance(value, list):
        return value[0] if value else None
    return value
