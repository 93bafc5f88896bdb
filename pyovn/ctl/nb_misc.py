"""pyovn nbctl: mirrors, forwarding groups, control plane protection (CoPP),
static MAC bindings and router port options (ovn-nbctl(8) "Mirror
commands", "Forwarding Group Commands", "Control Plane Protection Policy
commands", MAC_Binding commands, lrp-set-options)."""

from pyovn.ctl import nb_common as nb
from pyovn.ctl import validate as v
from pyovn.ctl.base import Registry
from pyovn.ctl.errors import CtlError

REGISTRY = Registry()
command = REGISTRY.command

COPP_PROTOS = ("arp", "arp-resolve", "dhcpv4-opts", "dhcpv6-opts", "dns",
               "event-elb", "icmp4-error", "icmp6-error", "igmp", "nd-na",
               "nd-ns", "nd-ns-resolve", "nd-ra-opts", "tcp-reset", "bfd",
               "reject", "svc-monitor")


def _named(ctx, table, name, what, must_exist=True):
    found = [r for r in ctx.rows(table) if r.name == name]
    if found:
        return found[0]
    if must_exist:
        raise CtlError("%s: %s not found" % (name, what))
    return None


# -- router port options --------------------------------------------------

def _check_kv(inv):
    for a in inv.args[1:]:
        v.key_value(a)


@command("lrp-set-options", "PORT KEY=VALUE [KEY=VALUE]...", args=(2, None),
         validate=_check_kv)
def lrp_set_options(ctx):
    """Sets the options of a router port (replacing them)."""
    nb.lrp(ctx, ctx.args[0]).options = dict(v.key_value(a)
                                            for a in ctx.args[1:])


# -- mirrors ------------------------------------------------------------------

def _check_mirror_add(inv):
    v.choice(inv.args[1], ("gre", "erspan"), "mirror type")
    v.integer(inv.args[2], 0, 2 ** 32 - 1, "index")
    v.choice(inv.args[3], ("from-lport", "to-lport"), "filter")
    v.ip(inv.args[4])


@command("mirror-add", "NAME TYPE INDEX FILTER IP", args=(5, 5),
         validate=_check_mirror_add)
def mirror_add(ctx):
    """Creates a mirror: TYPE gre|erspan, FILTER from-lport|to-lport,
    IP the tunnel destination."""
    if _named(ctx, "Mirror", ctx.args[0], "mirror", False) is not None:
        raise CtlError("%s: mirror with this name already exists"
                       % ctx.args[0])
    m = ctx.insert("Mirror")
    m.name = ctx.args[0]
    m.type = ctx.args[1]
    m.index = int(ctx.args[2])
    m.filter = ctx.args[3]
    m.sink = ctx.args[4]


@command("mirror-del", "[NAME]", args=(0, 1))
def mirror_del(ctx):
    """Deletes a mirror (all mirrors without NAME)."""
    mirrors = ctx.rows("Mirror")
    if ctx.args:
        mirrors = [_named(ctx, "Mirror", ctx.args[0], "mirror")]
    for p in ctx.rows("Logical_Switch_Port"):
        keep = [m for m in p.mirror_rules
                if m is not None and m.uuid not in {x.uuid for x in mirrors}]
        if len(keep) != len([m for m in p.mirror_rules if m is not None]):
            p.mirror_rules = keep
    for m in mirrors:
        m.delete()


@command("mirror-list", "", args=(0, 0), mode="ro")
def mirror_list(ctx):
    """Lists the mirrors."""
    for m in sorted(ctx.rows("Mirror"), key=lambda m: m.name):
        ctx.writeln("%s:" % m.name)
        ctx.writeln("  Type     :  %s" % m.type)
        ctx.writeln("  Sink     :  %s" % m.sink)
        ctx.writeln("  Filter   :  %s" % m.filter)
        ctx.writeln("  Index/Key:  %d" % m.index)
        ctx.writeln("")


@command("lsp-attach-mirror", "PORT MIRROR", args=(2, 2))
def lsp_attach_mirror(ctx):
    """Makes PORT a source of MIRROR."""
    port = nb.lsp(ctx, ctx.args[0])
    ctx.add_to(port, "mirror_rules", _named(ctx, "Mirror", ctx.args[1],
                                            "mirror"))


@command("lsp-detach-mirror", "PORT MIRROR", args=(2, 2))
def lsp_detach_mirror(ctx):
    """Stops mirroring PORT to MIRROR."""
    port = nb.lsp(ctx, ctx.args[0])
    m = _named(ctx, "Mirror", ctx.args[1], "mirror")
    if not any(x is not None and x.uuid == m.uuid for x in port.mirror_rules):
        raise CtlError("mirror %s is not attached to logical port %s"
                       % (ctx.args[1], ctx.args[0]))
    ctx.remove_from(port, "mirror_rules", m)


# -- forwarding groups ----------------------------------------------------------

def _check_fwd_add(inv):
    v.ip(inv.args[2])
    v.mac(inv.args[3])


@command("fwd-group-add", "GROUP SWITCH VIP VMAC PORT...", args=(5, None),
         options=("--liveness",), validate=_check_fwd_add)
def fwd_group_add(ctx):
    """Creates a forwarding group on SWITCH for VIP/VMAC over PORTs."""
    name = ctx.args[0]
    ls = nb.ls(ctx, ctx.args[1])
    if _named(ctx, "Forwarding_Group", name, "forwarding group", False):
        raise CtlError("%s: a forwarding group by this name already exists"
                       % name)
    ports = ctx.args[4:]
    members = {p.uuid for p in ls.ports if p is not None}
    for pname in ports:
        p = nb.lsp(ctx, pname)
        if p.uuid not in members:
            raise CtlError("%s: port is not part of switch %s"
                           % (pname, ctx.args[1]))
    g = ctx.insert("Forwarding_Group")
    g.name = name
    g.vip = ctx.args[2]
    g.vmac = ctx.args[3]
    g.child_port = ports
    if ctx.has("--liveness"):
        g.liveness = True
    ctx.add_to(ls, "forwarding_groups", g)


@command("fwd-group-del", "GROUP", args=(1, 1), options=("--if-exists",))
def fwd_group_del(ctx):
    """Deletes a forwarding group."""
    g = _named(ctx, "Forwarding_Group", ctx.args[0], "forwarding group",
               not ctx.has("--if-exists"))
    if g is None:
        return
    for ls in ctx.rows("Logical_Switch"):
        if any(x is not None and x.uuid == g.uuid for x in ls.forwarding_groups):
            ctx.remove_from(ls, "forwarding_groups", g)
    g.delete()


@command("fwd-group-list", "[SWITCH]", args=(0, 1), mode="ro")
def fwd_group_list(ctx):
    """Lists forwarding groups (of one switch)."""
    switches = [nb.ls(ctx, ctx.args[0])] if ctx.args else \
        sorted(ctx.rows("Logical_Switch"), key=lambda s: s.name)
    rows = []
    for ls in switches:
        for g in sorted((g for g in ls.forwarding_groups if g is not None),
                        key=lambda g: g.name):
            rows.append((ls, g))
    if not rows:
        return
    ctx.writeln("%-16s%-14s%-16s%-22s%s"
                % ("FWD_GROUP", "LS", "VIP", "VMAC", "CHILD_PORTS"))
    for ls, g in rows:
        ctx.writeln("%-16s%-14s%-15s%-22s%s" % (
            g.name, ls.name, g.vip, g.vmac,
            "".join(" %s" % p for p in sorted(g.child_port))))


# -- CoPP -----------------------------------------------------------------------

def _check_copp_add(inv):
    v.choice(inv.args[1], COPP_PROTOS, "control protocol")


@command("copp-add", "NAME PROTO METER", args=(3, 3), validate=_check_copp_add)
def copp_add(ctx):
    """Maps control protocol PROTO to METER in CoPP policy NAME."""
    copp = _named(ctx, "Copp", ctx.args[0], "copp", False)
    if copp is None:
        copp = ctx.insert("Copp")
        copp.name = ctx.args[0]
    ctx.verify(copp, "meters")
    meters = dict(copp.meters)
    meters[ctx.args[1]] = ctx.args[2]
    copp.meters = meters


def _check_copp_del(inv):
    if len(inv.args) == 2:
        v.choice(inv.args[1], COPP_PROTOS, "control protocol")


@command("copp-del", "NAME [PROTO]", args=(1, 2), validate=_check_copp_del)
def copp_del(ctx):
    """Removes PROTO from CoPP policy NAME, or the whole policy."""
    copp = _named(ctx, "Copp", ctx.args[0], "copp")
    if len(ctx.args) == 1:
        for t in ("Logical_Switch", "Logical_Router"):
            for r in ctx.rows(t):
                if r.copp and r.copp[0] is not None and r.copp[0].uuid == copp.uuid:
                    r.copp = []
        copp.delete()
        return
    ctx.verify(copp, "meters")
    meters = dict(copp.meters)
    meters.pop(ctx.args[1], None)
    copp.meters = meters


@command("copp-list", "NAME", args=(1, 1), mode="ro")
def copp_list(ctx):
    """Lists the protocol-to-meter mappings of CoPP policy NAME."""
    copp = _named(ctx, "Copp", ctx.args[0], "copp")
    for proto, meter in sorted(copp.meters.items()):
        ctx.writeln("%s: %s" % (proto, meter))


def _attach_copp(table, lookup):
    def run(ctx):
        copp = _named(ctx, "Copp", ctx.args[0], "copp")
        lookup(ctx, ctx.args[1]).copp = [copp]
    return run


REGISTRY.command("ls-copp-add", "NAME SWITCH", args=(2, 2),
                 help="Applies CoPP policy NAME to SWITCH.")(
    _attach_copp("Logical_Switch", nb.ls))
REGISTRY.command("lr-copp-add", "NAME ROUTER", args=(2, 2),
                 help="Applies CoPP policy NAME to ROUTER.")(
    _attach_copp("Logical_Router", nb.lr))


# -- static MAC bindings --------------------------------------------------------

def _check_smb_add(inv):
    v.ip(inv.args[1])
    v.mac(inv.args[2])


@command("static-mac-binding-add", "LOGICAL_PORT IP MAC", args=(3, 3),
         options=("--may-exist", "--override-dynamic-mac"),
         validate=_check_smb_add)
def static_mac_binding_add(ctx):
    """Adds a static MAC binding of IP to MAC on router port LOGICAL_PORT."""
    port, ip, mac = ctx.args[0], str(v.ip(ctx.args[1])), ctx.args[2]
    nb.lrp(ctx, port)
    for b in ctx.rows("Static_MAC_Binding"):
        if b.logical_port == port and b.ip == ip:
            if not ctx.has("--may-exist"):
                raise CtlError("%s, %s: a Static_MAC_Binding with this "
                               "logical_port and ip already exists"
                               % (port, ip))
            b.mac = mac
            return
    b = ctx.insert("Static_MAC_Binding")
    b.logical_port = port
    b.ip = ip
    b.mac = mac
    if ctx.has("--override-dynamic-mac"):
        b.override_dynamic_mac = True


def _check_smb_del(inv):
    v.ip(inv.args[1])


@command("static-mac-binding-del", "LOGICAL_PORT IP", args=(2, 2),
         options=("--if-exists",), validate=_check_smb_del)
def static_mac_binding_del(ctx):
    """Deletes the static MAC binding of IP on LOGICAL_PORT."""
    ip = str(v.ip(ctx.args[1]))
    for b in ctx.rows("Static_MAC_Binding"):
        if b.logical_port == ctx.args[0] and b.ip == ip:
            b.delete()
            return
    if not ctx.has("--if-exists"):
        raise CtlError("no Static_MAC_Binding with logical_port %s and ip %s"
                       % (ctx.args[0], ctx.args[1]))


@command("static-mac-binding-list", "", args=(0, 0), mode="ro")
def static_mac_binding_list(ctx):
    """Lists the static MAC bindings."""
    rows = sorted(ctx.rows("Static_MAC_Binding"),
                  key=lambda b: (b.logical_port, b.ip))
    if not rows:
        return
    ctx.writeln("%-25s%-25s%s" % ("LOGICAL_PORT", "IP", "MAC"))
    for b in rows:
        ctx.writeln("%-25s%-25s%s" % (b.logical_port, b.ip, b.mac))
