"""pyovn ic-nbctl and pyovn ic-sbctl: manage the OVN interconnection
databases, like ovn-ic-nbctl(8) and ovn-ic-sbctl(8).

    pyovn ic-nbctl [OPTIONS] COMMAND [ARG...] [-- COMMAND [ARG...]]...
        init, show, [--may-exist] ts-add SWITCH, [--if-exists] ts-del SWITCH,
        ts-list, the connection/SSL commands and the database commands
    pyovn ic-sbctl [OPTIONS] COMMAND [ARG...]
        show, the connection/SSL commands and the database commands

Both run on the command layer of base.py (docs/ctl.md).
"""

import json

from pyovn.ctl import conncmds, dbcmds
from pyovn.ctl.base import Program, Registry, RowId
from pyovn.ctl.errors import CtlError
from pyovn.ctl.values import is_uuid

# -- OVN_IC_Northbound ----------------------------------------------------------

NB_REGISTRY = Registry()


def _ts(ctx, key, must_exist=True):
    rows = ctx.rows("Transit_Switch")
    found = [r for r in rows if (is_uuid(key) and str(r.uuid) == key)]
    found = found or [r for r in rows if r.name == key]
    if len(found) > 1:
        raise CtlError("Multiple transit switches named '%s'.  Use a UUID."
                       % key)
    if not found and must_exist:
        raise CtlError("%s: switch %s not found"
                       % (key, "UUID" if is_uuid(key) else "name"))
    return found[0] if found else None


@NB_REGISTRY.command("init", "", args=(0, 0))
def ic_nb_init(ctx):
    """Initializes the database (creates IC_NB_Global) if it is empty."""


@NB_REGISTRY.command("show", "", args=(0, 0), mode="ro")
def ic_nb_show(ctx):
    """Prints the transit switches."""
    for ts in sorted(ctx.rows("Transit_Switch"), key=lambda r: r.uuid):
        ctx.writeln("Transit_Switch %s" % ts.name)


@NB_REGISTRY.command("ts-add", "SWITCH", args=(1, 1), options=("--may-exist",))
def ts_add(ctx):
    """Creates a transit switch."""
    name = ctx.args[0]
    if _ts(ctx, name, must_exist=False) is not None:
        if ctx.has("--may-exist"):
            return
        raise CtlError("%s: a transit switch with this name already exists"
                       % name)
    ctx.insert("Transit_Switch").name = name


@NB_REGISTRY.command("ts-del", "SWITCH", args=(1, 1), options=("--if-exists",))
def ts_del(ctx):
    """Deletes a transit switch."""
    ts = _ts(ctx, ctx.args[0], must_exist=not ctx.has("--if-exists"))
    if ts is not None:
        ts.delete()


@NB_REGISTRY.command("ts-list", "", args=(0, 0), mode="ro")
def ts_list(ctx):
    """Lists the transit switches."""
    for ts in sorted(ctx.rows("Transit_Switch"), key=lambda r: (r.name, r.uuid)):
        ctx.writeln("%s (%s)" % (ts.uuid, ts.name))


NB_REGISTRY.include(conncmds.make_registry("IC_NB_Global"))
NB_REGISTRY.include(dbcmds.REGISTRY)


def _nb_prepare(ctx):
    if not ctx.rows("IC_NB_Global"):
        ctx.insert("IC_NB_Global")


NB_PROGRAM = Program(
    "pyovn ic-nbctl", "ic-nb", NB_REGISTRY,
    {"Transit_Switch": [RowId("Transit_Switch", "name")]},
    db_env="OVN_IC_NB_DB", db_socket="ovn_ic_nb_db.sock",
    options_env="OVN_IC_NBCTL_OPTIONS", singletons=("IC_NB_Global",),
    prepare=_nb_prepare,
    description="OVN interconnection northbound DB management utility")


# -- OVN_IC_Southbound ----------------------------------------------------------

SB_REGISTRY = Registry()


@SB_REGISTRY.command("show", "", args=(0, 0), mode="ro")
def ic_sb_show(ctx):
    """Prints availability zones, their gateways, encaps and ports."""
    gateways = ctx.rows("Gateway")
    pbs = ctx.rows("Port_Binding")
    for az in sorted(ctx.rows("Availability_Zone"), key=lambda r: r.uuid):
        ctx.writeln("availability-zone %s" % az.name)
        for gw in sorted((g for g in gateways
                          if g.availability_zone is not None and
                          g.availability_zone.uuid == az.uuid),
                         key=lambda r: r.uuid):
            ctx.writeln("    gateway %s" % gw.name)
            ctx.writeln("        hostname: %s" % gw.hostname)
            for e in sorted((e for e in gw.encaps if e is not None),
                            key=lambda r: r.uuid):
                ctx.writeln("        type: %s" % e.type)
                ctx.writeln("            ip: %s" % e.ip)
            for pb in sorted((p for p in pbs if p.gateway == gw.name and
                              p.availability_zone is not None and
                              p.availability_zone.uuid == az.uuid),
                             key=lambda r: r.uuid):
                ctx.writeln("        port %s" % pb.logical_port)
                ctx.writeln("            transit switch: %s" % pb.transit_switch)
                ctx.writeln("            address: [%s]" % json.dumps(pb.address))


SB_REGISTRY.include(conncmds.make_registry("IC_SB_Global"))
SB_REGISTRY.include(dbcmds.REGISTRY)


def _sb_prepare(ctx):
    if not ctx.rows("IC_SB_Global"):
        ctx.insert("IC_SB_Global")


SB_PROGRAM = Program(
    "pyovn ic-sbctl", "ic-sb", SB_REGISTRY,
    {"Availability_Zone": [RowId("Availability_Zone", "name")],
     "Gateway": [RowId("Gateway", "name")],
     "Port_Binding": [RowId("Port_Binding", "logical_port")],
     "Datapath_Binding": [RowId("Datapath_Binding", "transit_switch")]},
    db_env="OVN_IC_SB_DB", db_socket="ovn_ic_sb_db.sock",
    options_env="OVN_IC_SBCTL_OPTIONS", singletons=("IC_SB_Global",),
    prepare=_sb_prepare,
    description="OVN interconnection southbound DB management utility")


def nb_main(argv):
    return NB_PROGRAM.main(argv)


def sb_main(argv):
    return SB_PROGRAM.main(argv)
