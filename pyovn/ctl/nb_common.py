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


def by_name_or_uuid(ctx, table, key, must_exist=True):
    """The row of TABLE whose UUID or name is KEY."""
    what, plural = KINDS[table]
    rows = ctx.table(table).rows
    if is_uuid(key):
        row = rows.get(uuidlib.UUID(key))
        if row is not None:
            return row
    found = [r for r in rows.values() if r.name == key]
    if len(found) > 1:
        raise CtlError("Multiple %s named '%s'.  Use a UUID." % (plural, key))
    if found:
        return found[0]
    if must_exist:
        raise CtlError("%s: %s %s not found"
                       % (key, what, "UUID" if is_uuid(key) else "name"))
    return None


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


def switch_of_port(ctx, port):
    for s in ctx.rows("Logical_Switch"):
        if any(p is not None and p.uuid == port.uuid for p in s.ports):
            return s
    raise CtlError("logical port %s is not part of any logical switch"
                   % port.name)


def router_of_port(ctx, port):
    for r in ctx.rows("Logical_Router"):
        if any(p is not None and p.uuid == port.uuid for p in r.ports):
            return r
    raise CtlError("logical port %s is not part of any logical router"
                   % port.name)


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
