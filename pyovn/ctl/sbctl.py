"""pyovn sbctl: manage the OVN southbound database, like ovn-sbctl(8).

    pyovn sbctl [OPTIONS] COMMAND [ARG...] [-- COMMAND [ARG...]]...

Commands: show, chassis-add/del, lsp-bind/unbind, lflow-list (alias
dump-flows), count-flows, plus the generic database commands (dbcmds.py).
docs/sbctl.md lists them all.
"""

import json

from pyovn.ctl import conncmds, dbcmds
from pyovn.ctl import validate as v
from pyovn.ctl.base import Program, Registry, RowId
from pyovn.ctl.errors import CtlError
from pyovn.ctl.values import format_datum, datum_of, is_uuid

REGISTRY = Registry()
command = REGISTRY.command

ENCAP_TYPES = ("geneve", "stt", "vxlan")


def _chassis(ctx, name, must_exist=True):
    found = [c for c in ctx.rows("Chassis") if c.name == name]
    if found:
        return found[0]
    if must_exist:
        raise CtlError("no row \"%s\" in table Chassis" % name)
    return None


def _port_binding(ctx, name):
    found = [p for p in ctx.rows("Port_Binding") if p.logical_port == name]
    if not found:
        raise CtlError("no row \"%s\" in table Port_Binding" % name)
    return found[0]


@command("show", "", args=(0, 0), mode="ro")
def show(ctx):
    """Prints the chassis, their encapsulations and bound ports."""
    pbs = ctx.rows("Port_Binding")
    for ch in sorted(ctx.rows("Chassis"), key=lambda c: c.name):
        ctx.writeln("Chassis %s" % _q_if_needed(ch.name))
        if ch.hostname:
            ctx.writeln("    hostname: %s" % _q_if_needed(ch.hostname))
        for e in sorted((e for e in ch.encaps if e is not None),
                        key=lambda e: (e.type, e.ip)):
            ctx.writeln("    Encap %s" % e.type)
            ctx.writeln("        ip: %s" % json.dumps(e.ip))
            ctx.writeln("        options: %s"
                        % format_datum(datum_of(e, "options")))
        for pb in sorted(pbs, key=lambda p: p.logical_port):
            bound = pb.chassis[0] if pb.chassis else None
            if bound is not None and bound.uuid == ch.uuid:
                ctx.writeln("    Port_Binding %s" % _q_if_needed(pb.logical_port))


def _q_if_needed(s):
    from pyovn.ctl.values import format_string
    return format_string(s)


def _check_chassis_add(inv):
    types = inv.args[1].split(",")
    for t in types:
        v.choice(t, ENCAP_TYPES, "encapsulation type")
    if len(set(types)) != len(types):
        raise CtlError("%s: duplicate encapsulation type" % inv.args[1])
    v.ip(inv.args[2])


@command("chassis-add", "CHASSIS ENCAP-TYPE ENCAP-IP", args=(3, 3),
         options=("--may-exist",), validate=_check_chassis_add)
def chassis_add(ctx):
    """Creates a chassis with one encapsulation per type."""
    name = ctx.args[0]
    if _chassis(ctx, name, must_exist=False) is not None:
        if ctx.has("--may-exist"):
            return
        raise CtlError("%s: a chassis with this name already exists" % name)
    encaps = []
    for t in ctx.args[1].split(","):
        e = ctx.insert("Encap")
        e.type = t
        e.ip = ctx.args[2]
        e.options = {"csum": "true"}
        e.chassis_name = name
        encaps.append(e)
    ch = ctx.insert("Chassis")
    ch.name = name
    ch.encaps = encaps


@command("chassis-del", "CHASSIS", args=(1, 1), options=("--if-exists",))
def chassis_del(ctx):
    """Deletes a chassis and its encapsulations."""
    ch = _chassis(ctx, ctx.args[0], must_exist=not ctx.has("--if-exists"))
    if ch is None:
        return
    for e in ch.encaps:
        if e is not None:
            e.delete()
    for p in ctx.rows("Chassis_Private"):
        if p.name == ch.name:
            p.delete()
    ch.delete()


@command("lsp-bind", "PORT CHASSIS", args=(2, 2), options=("--may-exist",))
def lsp_bind(ctx):
    """Binds a logical port to a chassis."""
    pb = _port_binding(ctx, ctx.args[0])
    ch = _chassis(ctx, ctx.args[1])
    ctx.verify(pb, "chassis")
    if pb.chassis:
        if ctx.has("--may-exist"):
            return
        raise CtlError("lport %s already bound to chassis %s"
                       % (ctx.args[0], pb.chassis[0].name))
    pb.chassis = [ch]
    pb.up = [True]


@command("lsp-unbind", "PORT", args=(1, 1), options=("--if-exists",))
def lsp_unbind(ctx):
    """Removes the binding of a logical port."""
    pb = _port_binding(ctx, ctx.args[0])
    ctx.verify(pb, "chassis")
    if not pb.chassis:
        if ctx.has("--if-exists"):
            return
        raise CtlError("lport %s is not bound" % ctx.args[0])
    pb.chassis = []
    pb.up = []


# -- logical flows --------------------------------------------------------------

def _dp_name(dp):
    return dp.external_ids.get("name") or dp.external_ids.get("name2") or ""


def _flow_datapaths(flow):
    dps = [d for d in flow.logical_datapath if d is not None]
    for g in flow.logical_dp_group:
        if g is not None:
            dps.extend(d for d in g.datapaths if d is not None)
    return dps


def _select_datapath(ctx, key):
    dps = ctx.rows("Datapath_Binding")
    if is_uuid(key):
        found = [d for d in dps if str(d.uuid) == key]
        if found:
            return found[0]
    found = [d for d in dps if _dp_name(d) == key]
    if len(found) > 1:
        raise CtlError("Multiple logical datapaths named '%s'.  Use a UUID."
                       % key)
    if not found:
        raise CtlError("%s: unknown logical datapath" % key)
    return found[0]


def _flow_filters(keys):
    out = []
    for k in keys:
        s = k.lower()
        if s.startswith("0x"):
            s = s[2:]
        if not s or any(c not in "0123456789abcdef-" for c in s):
            raise CtlError("%s: not a UUID or UUID prefix" % k)
        out.append(s)
    return out


def _check_lflow_list(inv):
    _flow_filters(inv.args[1:])


@command("lflow-list", "[DATAPATH] [LFLOW...]", args=(0, None),
         options=("--uuid", "--ovs", "--stats", "--vflows"),
         validate=_check_lflow_list, mode="ro")
def lflow_list(ctx):
    """Lists logical flows (of one datapath, or the given flows)."""
    dp_filter = None
    args = list(ctx.args)
    if args:
        # The first argument is a datapath unless it only names flows.
        try:
            dp_filter = _select_datapath(ctx, args[0])
            args = args[1:]
        except CtlError:
            if not all(c in "0123456789abcdefx-" for c in args[0].lower()):
                raise
    prefixes = _flow_filters(args)
    entries = []
    for f in ctx.rows("Logical_Flow"):
        if prefixes and not any(str(f.uuid).startswith(p) or
                                ("%08x" % (f.uuid.int >> 96)).startswith(p)
                                for p in prefixes):
            continue
        for dp in _flow_datapaths(f):
            if dp_filter is not None and dp.uuid != dp_filter.uuid:
                continue
            entries.append((dp, f))
    entries.sort(key=lambda e: (_dp_name(e[0]), str(e[0].uuid),
                                0 if e[1].pipeline == "ingress" else 1,
                                e[1].table_id, -e[1].priority, e[1].match,
                                e[1].actions))
    last = None
    for dp, f in entries:
        head = (dp.uuid, f.pipeline)
        if head != last:
            ctx.writeln('Datapath: "%s" (%s)  Pipeline: %s'
                        % (_dp_name(dp), dp.uuid, f.pipeline))
            last = head
        uuid = "uuid=0x%08x, " % (f.uuid.int >> 96) if ctx.has("--uuid") else ""
        ctx.writeln("  %stable=%-2d(%-19s), priority=%-5d, match=(%s), "
                    "action=(%s)" % (uuid, f.table_id,
                                     f.external_ids.get("stage-name", ""),
                                     f.priority, f.match, f.actions))


REGISTRY.add(REGISTRY.get("lflow-list").__class__(
    "dump-flows", "[DATAPATH] [LFLOW...]", lflow_list, 0, None,
    ("--uuid", "--ovs", "--stats", "--vflows"), _check_lflow_list, "ro",
    "Alias for lflow-list."))


@command("count-flows", "[DATAPATH]", args=(0, 1), mode="ro")
def count_flows(ctx):
    """Prints the number of logical flows per datapath, pipeline and table."""
    dp_filter = _select_datapath(ctx, ctx.args[0]) if ctx.args else None
    groups = {}
    for f in ctx.rows("Logical_Flow"):
        for dp in _flow_datapaths(f):
            if dp_filter is not None and dp.uuid != dp_filter.uuid:
                continue
            key = (_dp_name(dp), str(dp.uuid),
                   0 if f.pipeline == "ingress" else 1)
            tables = groups.setdefault(key, {})
            stage, n = tables.get(f.table_id, (None, 0))
            tables[f.table_id] = (stage or f.external_ids.get("stage-name", ""),
                                  n + 1)
    total = 0
    for (name, uuid, pipe), tables in sorted(groups.items()):
        pipeline = "ingress" if pipe == 0 else "egress"
        ctx.writeln('Datapath: "%s" (%s)  Pipeline: %s' % (name, uuid, pipeline))
        n = 0
        for table, (stage, count) in sorted(tables.items()):
            ctx.writeln("  table=%-2d(%-19s) lflows=%d" % (table, stage, count))
            n += count
        ctx.writeln('Total number of logical flows in the datapath "%s" (%s) '
                    'Pipeline: %s = %d' % (name, uuid, pipeline, n))
        ctx.writeln("")
        total += n
    ctx.writeln("Total number of logical flows = %d" % total)


REGISTRY.include(conncmds.make_registry("SB_Global"))
REGISTRY.include(dbcmds.REGISTRY)

ROW_IDS = {
    "Chassis": [RowId("Chassis", "name")],
    "Chassis_Private": [RowId("Chassis_Private", "name")],
    "Datapath_Binding": [RowId("Datapath_Binding", "external_ids", key="name")],
    "Port_Binding": [RowId("Port_Binding", "logical_port")],
    "Address_Set": [RowId("Address_Set", "name")],
    "Port_Group": [RowId("Port_Group", "name")],
    "HA_Chassis_Group": [RowId("HA_Chassis_Group", "name")],
    "Meter": [RowId("Meter", "name")],
    "Load_Balancer": [RowId("Load_Balancer", "name")],
}


def prepare(ctx):
    """Every transaction makes sure SB_Global exists."""
    if not ctx.rows("SB_Global"):
        ctx.insert("SB_Global")


PROGRAM = Program(
    "pyovn sbctl", "sb", REGISTRY, ROW_IDS, db_env="OVN_SB_DB",
    db_socket="ovnsb_db.sock", options_env="OVN_SBCTL_OPTIONS",
    singletons=("SB_Global",), prepare=prepare,
    description="OVN southbound DB management utility",
    daemon_env="OVN_SB_DAEMON", daemon_name="ovn-sbctl")


def main(argv):
    return PROGRAM.main(argv)
