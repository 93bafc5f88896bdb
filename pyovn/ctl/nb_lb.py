"""pyovn nbctl: load balancers and their attachment to switches and routers
(ovn-nbctl(8) "Load Balancer Commands")."""

from pyovn.ctl import nb_common as nb
from pyovn.ctl import validate as v
from pyovn.ctl.base import Registry
from pyovn.ctl.errors import CtlError

REGISTRY = Registry()
command = REGISTRY.command

PROTOCOLS = ("tcp", "udp", "sctp")


def _check_lb_add(inv):
    if inv.has("--may-exist") and inv.has("--add-duplicate"):
        raise CtlError("--may-exist and --add-duplicate may not be used "
                       "together")
    if inv.has("--reject") and inv.has("--event"):
        raise CtlError("--reject and --event may not be used together")
    vip, family, has_port = v.lb_vip(inv.args[1])
    v.lb_backends(inv.args[2], family, has_port)
    if len(inv.args) == 4:
        v.choice(inv.args[3], PROTOCOLS, "protocol")
        if not has_port:
            raise CtlError("Protocol is unnecessary when no port of vip is "
                           "given.")


@command("lb-add", "LB VIP[:PORT] IP[:PORT][,IP[:PORT]]... [PROTOCOL]",
         args=(3, 4), validate=_check_lb_add,
         options=("--may-exist", "--add-duplicate", "--reject", "--event"))
def lb_add(ctx):
    """Creates a load balancer or adds a VIP to one."""
    name = ctx.args[0]
    vip, family, has_port = v.lb_vip(ctx.args[1])
    backends = v.lb_backends(ctx.args[2], family, has_port)
    proto = ctx.args[3] if len(ctx.args) == 4 else None
    lb = None
    if not ctx.has("--add-duplicate"):
        lb = nb.lb(ctx, name, must_exist=False)
    if lb is not None:
        ctx.verify(lb, "vips")
        if vip in lb.vips and not ctx.has("--may-exist"):
            raise CtlError("%s: a load balancer with this vip (%s) already "
                           "exists" % (name, vip))
        vips = dict(lb.vips)
        vips[vip] = backends
        lb.vips = vips
        if proto:
            lb.protocol = proto
        return
    lb = ctx.insert("Load_Balancer")
    lb.name = name
    nb.remember(ctx, "Load_Balancer", lb)
    lb.protocol = proto or "tcp"
    lb.vips = {vip: backends}
    if ctx.has("--reject"):
        lb.options = {"reject": "true"}
    elif ctx.has("--event"):
        lb.options = {"event": "true"}


def _check_lb_del(inv):
    if len(inv.args) == 2:
        v.lb_vip(inv.args[1])


@command("lb-del", "LB [VIP]", args=(1, 2), options=("--if-exists",),
         validate=_check_lb_del)
def lb_del(ctx):
    """Deletes a load balancer, or one VIP of it (a load balancer that does
    not exist is not an error, as with ovn-nbctl)."""
    lb = nb.lb(ctx, ctx.args[0], must_exist=False)
    if lb is None:
        return
    if len(ctx.args) == 1:
        lb.delete()
        return
    vip = v.lb_vip(ctx.args[1])[0]
    ctx.verify(lb, "vips")
    if vip not in lb.vips:
        if ctx.has("--if-exists"):
            return
        raise CtlError("vip %s is not part of the load balancer." % vip)
    vips = dict(lb.vips)
    del vips[vip]
    lb.vips = vips


def _lb_table(ctx, lbs):
    lbs = sorted(lbs, key=lambda l: (l.name, str(l.uuid)))
    if not lbs:
        return
    vip_w = max([len("VIP")] + [len(k) for l in lbs for k in l.vips])
    ctx.writeln("%-40s%-20s%-11s%-*s    %s"
                % ("UUID", "LB", "PROTO", vip_w, "VIP", "IPs"))
    for l in lbs:
        first = True
        for vip in sorted(l.vips):
            proto = nb.opt1(l.protocol) or ""
            if not v.lb_vip(vip)[2]:
                proto = ""
            head = ("%-40s%-20s" % (l.uuid, l.name)) if first else " " * 60
            ctx.writeln("%s%-11s%-*s    %s" % (head, proto, vip_w, vip, l.vips[vip]))
            first = False
        if not l.vips:
            ctx.writeln("%-40s%-20s" % (l.uuid, l.name))


@command("lb-list", "[LB]", args=(0, 1), mode="ro")
def lb_list(ctx):
    """Lists load balancers."""
    if ctx.args:
        _lb_table(ctx, [nb.lb(ctx, ctx.args[0])])
    else:
        _lb_table(ctx, ctx.rows("Load_Balancer"))


def _attach(kind, lookup, what):
    def add(ctx):
        owner = lookup(ctx, ctx.args[0])
        lb = nb.lb(ctx, ctx.args[1])
        ctx.verify(owner, "load_balancer")
        if any(x is not None and x.uuid == lb.uuid for x in owner.load_balancer):
            if ctx.has("--may-exist"):
                return
            raise CtlError("%s: an LB with this UUID already exists in %s %s"
                           % (lb.uuid, what, ctx.args[0]))
        ctx.add_to(owner, "load_balancer", lb)

    def delete(ctx):
        owner = lookup(ctx, ctx.args[0])
        ctx.verify(owner, "load_balancer")
        if len(ctx.args) == 1:
            owner.load_balancer = []
            return
        lb = nb.lb(ctx, ctx.args[1], must_exist=not ctx.has("--if-exists"))
        if lb is None:
            return
        if not any(x is not None and x.uuid == lb.uuid for x in owner.load_balancer):
            if ctx.has("--if-exists"):
                return
            raise CtlError("load balancer %s is not part of any logical %s."
                           % (ctx.args[1], what))
        ctx.remove_from(owner, "load_balancer", lb)

    def lst(ctx):
        owner = lookup(ctx, ctx.args[0])
        _lb_table(ctx, [x for x in owner.load_balancer if x is not None])

    REGISTRY.command("%s-lb-add" % kind, "%s LB" % what.upper(), args=(2, 2),
                     options=("--may-exist",),
                     help="Adds load balancer LB to %s." % what.upper())(add)
    REGISTRY.command("%s-lb-del" % kind, "%s [LB]" % what.upper(), args=(1, 2),
                     options=("--if-exists",),
                     help="Removes LB (or all) from %s." % what.upper())(delete)
    REGISTRY.command("%s-lb-list" % kind, what.upper(), args=(1, 1), mode="ro",
                     help="Lists the load balancers of %s." % what.upper())(lst)


_attach("ls", nb.ls, "switch")
_attach("lr", nb.lr, "router")
