"""pyovn nbctl: manage the OVN northbound database, like ovn-nbctl(8).

    pyovn nbctl [OPTIONS] COMMAND [ARG...] [-- COMMAND [ARG...]]...

Commands are declared in nb_switch.py (switches, ports, ACLs, port groups,
DHCP options), nb_router.py (routers, router ports, routes, NAT, policies,
gateway chassis, HA chassis groups), nb_lb.py (load balancers), here
(init, show, sync) and dbcmds.py (the generic database commands).
docs/nbctl.md lists them all.
"""

import json

from pyovn.ctl import (conncmds, dbcmds, nb_lb, nb_misc, nb_qos, nb_router,
                       nb_switch)
from pyovn.ctl import nb_common as nb
from pyovn.ctl.base import Program, Registry, RowId

REGISTRY = Registry(nb_switch.REGISTRY, nb_router.REGISTRY, nb_lb.REGISTRY,
                    nb_qos.REGISTRY, nb_misc.REGISTRY,
                    conncmds.make_registry("NB_Global"))
command = REGISTRY.command


@command("init", "", args=(0, 0))
def init(ctx):
    """Initializes the database (creates NB_Global) if it is empty."""
    # prepare() below already creates NB_Global when it is missing.


@command("sync", "", args=(0, 0), mode="ro")
def sync(ctx):
    """With --wait=sb|hv: waits for all earlier changes to propagate."""
    ctx.runner.force_wait = True


def _q(s):
    return json.dumps(s)


def _show_switch(ls):
    out = ["switch %s (%s)\n" % (ls.uuid, ls.name)]
    for p in sorted((p for p in ls.ports if p is not None), key=lambda p: p.uuid):
        out.append("    port %s\n" % p.name)
        if p.type:
            out.append("        type: %s\n" % p.type)
        parent = nb.opt1(p.parent_name)
        if parent:
            out.append("        parent: %s\n" % parent)
        tag = nb.opt1(p.tag)
        if tag is not None:
            out.append("        tag: %d\n" % tag)
        if p.type == "router" and p.options.get("router-port"):
            out.append("        router-port: %s\n" % p.options["router-port"])
        if p.addresses:
            out.append("        addresses: [%s]\n"
                       % ", ".join(_q(a) for a in sorted(p.addresses)))
    return "".join(out)


@command("show", "[SWITCH | ROUTER]", args=(0, 1), mode="ro")
def show(ctx):
    """Prints an overview of the database (or of one switch or router)."""
    if ctx.args:
        s = nb.ls(ctx, ctx.args[0], must_exist=False)
        if s is not None:
            ctx.write(_show_switch(s))
            return
        ctx.write(nb_router.show_router(ctx, nb.lr(ctx, ctx.args[0])))
        return
    for s in sorted(ctx.rows("Logical_Switch"), key=lambda r: (r.name, str(r.uuid))):
        ctx.write(_show_switch(s))
    for r in sorted(ctx.rows("Logical_Router"), key=lambda r: (r.name, str(r.uuid))):
        ctx.write(nb_router.show_router(ctx, r))


REGISTRY.include(dbcmds.REGISTRY)

ROW_IDS = {t: [RowId(t, "name")] for t in (
    "Logical_Switch", "Logical_Switch_Port", "Logical_Router",
    "Logical_Router_Port", "Port_Group", "Address_Set", "Load_Balancer",
    "Load_Balancer_Group", "Meter", "Forwarding_Group", "HA_Chassis_Group",
    "Gateway_Chassis", "Mirror", "Copp")}


def prepare(ctx):
    """Every transaction makes sure NB_Global exists; with --wait it bumps
    nb_cfg (only if the transaction changes anything else, or for sync)."""
    runner = ctx.runner
    rows = ctx.rows("NB_Global")
    if not rows:
        ctx.insert("NB_Global")
        return
    if runner.wait == "none":
        return
    g = rows[0]
    if any(inv.name == "sync" for inv in runner.invocations):
        g.verify("nb_cfg")
        g.nb_cfg = g.nb_cfg + 1
        runner.forced_cfg = g.nb_cfg
    else:
        g.increment("nb_cfg")


def after_commit(runner, txn):
    if runner.wait == "none" or runner.dry_run:
        return
    target = getattr(runner, "forced_cfg", None)
    if target is None:
        if txn._status != txn.SUCCESS:     # UNCHANGED: nothing to wait for
            return
        target = txn.get_increment_new_value()
    if target is None or target < 0:
        return
    column = "sb_cfg" if runner.wait == "sb" else "hv_cfg"

    def done(db):
        rows = db.rows("NB_Global")
        return bool(rows) and getattr(rows[0], column) >= target
    runner.db.wait_until(done, timeout=runner.remaining())


PROGRAM = Program(
    "pyovn nbctl", "nb", REGISTRY, ROW_IDS, db_env="OVN_NB_DB",
    db_socket="ovnnb_db.sock", options_env="OVN_NBCTL_OPTIONS",
    singletons=("NB_Global",), prepare=prepare, after_commit=after_commit,
    wait_modes=("none", "sb", "hv"),
    description="OVN northbound DB management utility",
    daemon_env="OVN_NB_DAEMON", daemon_name="ovn-nbctl")


def main(argv):
    return PROGRAM.main(argv)
