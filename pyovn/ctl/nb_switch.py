"""pyovn nbctl: logical switches, their ports, ACLs, port groups and DHCP
options (ovn-nbctl(8) "Logical Switch Commands", "Logical Switch Port
Commands", "ACL Commands", "Port Group commands", "DHCP Options commands")."""

from pyovn.ctl import nb_common as nb
from pyovn.ctl import validate as v
from pyovn.ctl.base import Registry
from pyovn.ctl.errors import CtlError

REGISTRY = Registry()
command = REGISTRY.command

LSP_TYPES = ("", "router", "localnet", "localport", "l2gateway", "vtep",
             "external", "virtual", "remote")
ACL_ACTIONS = ("allow", "allow-related", "allow-stateless", "drop", "reject")
DIRECTIONS = ("from-lport", "to-lport")
SEVERITIES = ("alert", "warning", "notice", "info", "debug")


# -- logical switches ---------------------------------------------------------

def _check_add_dup(inv):
    if inv.has("--may-exist") and inv.has("--add-duplicate"):
        raise CtlError("--may-exist and --add-duplicate may not be used "
                       "together")
    if not inv.args and (inv.has("--may-exist") or inv.has("--add-duplicate")):
        raise CtlError("%s with --may-exist or --add-duplicate requires a "
                       "name" % inv.name)


@command("ls-add", "[SWITCH]", args=(0, 1),
         options=("--may-exist", "--add-duplicate"), validate=_check_add_dup)
def ls_add(ctx):
    """Creates a logical switch."""
    nb.add_datapath(ctx, "Logical_Switch", nb.ls, "switch")


@command("ls-del", "SWITCH", args=(1, 1), options=("--if-exists",))
def ls_del(ctx):
    """Deletes a logical switch (and its ports)."""
    nb.delete_datapath(nb.ls(ctx, ctx.args[0], must_exist=not ctx.has("--if-exists")))


@command("ls-list", "", args=(0, 0), mode="ro")
def ls_list(ctx):
    """Lists the logical switches."""
    for r in sorted(ctx.rows("Logical_Switch"), key=lambda r: (r.name, str(r.uuid))):
        ctx.writeln(nb.label(r))


# -- logical switch ports -----------------------------------------------------

def _check_lsp_add(inv):
    if len(inv.args) == 3:
        raise CtlError("'lsp-add' with a parent port requires a tag "
                       "(lsp-add SWITCH PORT PARENT TAG)")
    if len(inv.args) == 4:
        t = inv.args[3]
        if not t.isdigit() or int(t) > 4095:
            raise CtlError("%s: invalid tag (must be in range 0 to 4095)" % t)


@command("lsp-add", "SWITCH PORT [PARENT TAG]", args=(2, 4),
         options=("--may-exist",), validate=_check_lsp_add)
def lsp_add(ctx):
    """Creates a logical switch port (optionally a tagged child port)."""
    ls = nb.ls(ctx, ctx.args[0])
    name = ctx.args[1]
    parent = ctx.args[2] if len(ctx.args) == 4 else None
    tag = int(ctx.args[3]) if len(ctx.args) == 4 else None
    existing = nb.lsp(ctx, name, must_exist=False)
    if existing is not None:
        if not ctx.has("--may-exist"):
            raise CtlError("%s: a port with this name already exists" % name)
        owner = nb.switch_of_port(ctx, existing)
        if owner.uuid != ls.uuid:
            raise CtlError("%s: port already exists but in switch %s"
                           % (name, owner.name or owner.uuid))
        have_parent = nb.opt1(existing.parent_name)
        if parent is None and have_parent:
            raise CtlError("%s: port already exists but has parent %s"
                           % (name, have_parent))
        if parent is not None:
            if have_parent != parent:
                raise CtlError("%s: port already exists with different "
                               "parent %s" % (name, have_parent or "(none)"))
            if nb.opt1(existing.tag_request) != tag:
                raise CtlError("%s: port already exists with different "
                               "tag_request %s" % (name, nb.opt1(
                                   existing.tag_request)))
        return
    port = ctx.insert("Logical_Switch_Port")
    port.name = name
    nb.remember(ctx, "Logical_Switch_Port", port)
    if parent is not None:
        port.parent_name = parent
        port.tag_request = tag
    ctx.add_to(ls, "ports", port)
    nb.set_owner(ctx, "Logical_Switch", port, ls)


@command("lsp-del", "PORT", args=(1, 1), options=("--if-exists",))
def lsp_del(ctx):
    """Deletes a logical switch port."""
    port = nb.lsp(ctx, ctx.args[0], must_exist=not ctx.has("--if-exists"))
    if port is None:
        return
    ls = nb.switch_of_port(ctx, port)
    ctx.remove_from(ls, "ports", port)
    port.delete()


@command("lsp-list", "SWITCH", args=(1, 1), mode="ro")
def lsp_list(ctx):
    """Lists the ports of a logical switch."""
    ls = nb.ls(ctx, ctx.args[0])
    for p in sorted((p for p in ls.ports if p is not None), key=lambda p: p.name):
        ctx.writeln(nb.label(p))


@command("lsp-get-ls", "PORT", args=(1, 1), mode="ro")
def lsp_get_ls(ctx):
    """Prints the logical switch a port belongs to."""
    port = nb.lsp(ctx, ctx.args[0])
    ctx.writeln(nb.label(nb.switch_of_port(ctx, port)))


@command("lsp-get-parent", "PORT", args=(1, 1), mode="ro")
def lsp_get_parent(ctx):
    """Prints the parent port name, if any."""
    p = nb.opt1(nb.lsp(ctx, ctx.args[0]).parent_name)
    if p:
        ctx.writeln(p)


@command("lsp-get-tag", "PORT", args=(1, 1), mode="ro")
def lsp_get_tag(ctx):
    """Prints the tag of a child port, if any."""
    t = nb.opt1(nb.lsp(ctx, ctx.args[0]).tag)
    if t is not None:
        ctx.writeln(str(t))


def _port_ips(addresses):
    """The IP addresses (normal form) in a port's addresses entries."""
    ips = set()
    for a in addresses:
        parts = a.split()
        if not parts or not v.is_mac(parts[0]):
            continue
        for p in parts[1:]:
            try:
                ips.add(str(v.ip_or_prefix(p)[0]))
            except CtlError:
                pass
    return ips


def _switch_ips(ctx, ls):
    """ip -> port of switch LS, built once per invocation."""
    key = ("ls_ips", ls.uuid)
    idx = ctx.cache.get(key)
    if idx is None:
        idx = {}
        for p in ls.ports:
            if p is not None:
                for ip in _port_ips(p.addresses):
                    idx[ip] = p
        ctx.cache[key] = idx
    return idx


def _check_addresses(inv):
    for a in inv.args[1:]:
        v.lsp_address(a)
    if sum(1 for a in inv.args[1:] if "dynamic" in a.split()) > 1:
        raise CtlError("only one address may contain \"dynamic\"")


@command("lsp-set-addresses", "PORT [ADDRESS]...", args=(1, None),
         validate=_check_addresses)
def lsp_set_addresses(ctx):
    """Sets the addresses of a port ("MAC [IP]...", unknown, dynamic, router)."""
    port = nb.lsp(ctx, ctx.args[0])
    addrs = ctx.args[1:]
    # An IP address may be used by only one port of a switch.
    ls = nb.switch_of_port(ctx, port)
    index = _switch_ips(ctx, ls)
    mine = _port_ips(addrs)
    for ip in mine:
        other = index.get(ip)
        if other is None or other.uuid == port.uuid:
            continue
        # the index may be stale: check the other port really has it now
        if ctx.table("Logical_Switch_Port").rows.get(other.uuid) is other \
                and ip in _port_ips(other.addresses) \
                and nb.switch_of_port(ctx, other).uuid == ls.uuid:
            raise CtlError("Error on switch %s: duplicate IPv%d address "
                           "'%s' found on logical switch port '%s'"
                           % (ls.name, 6 if ":" in ip else 4, ip, other.name))
    for ip in _port_ips(port.addresses):
        if index.get(ip) is port:
            del index[ip]
    for ip in mine:
        index[ip] = port
    port.addresses = addrs


@command("lsp-get-addresses", "PORT", args=(1, 1), mode="ro")
def lsp_get_addresses(ctx):
    """Prints the addresses of a port, one per line."""
    for a in sorted(nb.lsp(ctx, ctx.args[0]).addresses):
        ctx.writeln(a)


def _check_port_security(inv):
    for a in inv.args[1:]:
        v.port_security(a)


@command("lsp-set-port-security", "PORT [ADDRS]...", args=(1, None),
         validate=_check_port_security)
def lsp_set_port_security(ctx):
    """Sets the port security addresses of a port."""
    nb.lsp(ctx, ctx.args[0]).port_security = ctx.args[1:]


@command("lsp-get-port-security", "PORT", args=(1, 1), mode="ro")
def lsp_get_port_security(ctx):
    """Prints the port security addresses of a port."""
    for a in sorted(nb.lsp(ctx, ctx.args[0]).port_security):
        ctx.writeln(a)


@command("lsp-get-up", "PORT", args=(1, 1), mode="ro")
def lsp_get_up(ctx):
    """Prints "up" or "down"."""
    up = nb.opt1(nb.lsp(ctx, ctx.args[0]).up)
    ctx.writeln("up" if up else "down")


def _check_state(inv):
    v.choice(inv.args[1].lower(), ("enabled", "disabled"), "state")


@command("lsp-set-enabled", "PORT STATE", args=(2, 2), validate=_check_state)
def lsp_set_enabled(ctx):
    """Sets the administrative state: enabled or disabled."""
    nb.lsp(ctx, ctx.args[0]).enabled = [ctx.args[1].lower() == "enabled"]


@command("lsp-get-enabled", "PORT", args=(1, 1), mode="ro")
def lsp_get_enabled(ctx):
    """Prints "enabled" or "disabled"."""
    en = nb.opt1(nb.lsp(ctx, ctx.args[0]).enabled)
    ctx.writeln("disabled" if en is False else "enabled")


def _check_type(inv):
    if inv.args[1] not in LSP_TYPES:
        raise CtlError("Logical switch port type '%s' is unrecognized. Not "
                       "setting type." % inv.args[1])


@command("lsp-set-type", "PORT TYPE", args=(2, 2), validate=_check_type)
def lsp_set_type(ctx):
    """Sets the type of a port."""
    nb.lsp(ctx, ctx.args[0]).type = ctx.args[1]


@command("lsp-get-type", "PORT", args=(1, 1), mode="ro")
def lsp_get_type(ctx):
    """Prints the type of a port."""
    ctx.writeln(nb.lsp(ctx, ctx.args[0]).type)


def _check_kv(inv, first=1):
    for a in inv.args[first:]:
        v.key_value(a)


@command("lsp-set-options", "PORT [KEY=VALUE]...", args=(1, None),
         validate=_check_kv)
def lsp_set_options(ctx):
    """Sets the options of a port (replacing them)."""
    nb.lsp(ctx, ctx.args[0]).options = dict(v.key_value(a) for a in ctx.args[1:])


@command("lsp-get-options", "PORT", args=(1, 1), mode="ro")
def lsp_get_options(ctx):
    """Prints the options of a port, KEY=VALUE per line."""
    for k, val in sorted(nb.lsp(ctx, ctx.args[0]).options.items()):
        ctx.writeln("%s=%s" % (k, val))


def _dhcp_setter(column):
    def run(ctx):
        port = nb.lsp(ctx, ctx.args[0])
        if len(ctx.args) > 1 and ctx.args[1]:
            setattr(port, column, [nb.dhcp_options(ctx, ctx.args[1])])
        else:
            setattr(port, column, [])
    return run


def _dhcp_getter(column):
    def run(ctx):
        port = nb.lsp(ctx, ctx.args[0])
        d = nb.opt1(getattr(port, column))
        if d is not None:
            ctx.writeln("%s (%s)" % (d.uuid, d.cidr))
    return run


for _ver in ("v4", "v6"):
    REGISTRY.command("lsp-set-dhcp%s-options" % _ver, "PORT [DHCP_OPTIONS_UUID]",
                     args=(1, 2), help="Sets the DHCP%s options of a port." % _ver)(
        _dhcp_setter("dhcp%s_options" % _ver))
    REGISTRY.command("lsp-get-dhcp%s-options" % _ver, "PORT", args=(1, 1),
                     mode="ro", help="Prints the DHCP%s options of a port." % _ver)(
        _dhcp_getter("dhcp%s_options" % _ver))


# -- ACLs -----------------------------------------------------------------------

def _acl_entity(ctx):
    key = ctx.args[0]
    typ = ctx.opt("--type")
    if typ == "switch":
        return nb.ls(ctx, key)
    if typ == "port-group":
        return nb.pg(ctx, key)
    s = nb.ls(ctx, key, must_exist=False)
    p = nb.pg(ctx, key, must_exist=False)
    if s is not None and p is not None:
        raise CtlError("Same name '%s' exists in both port-groups and "
                       "logical switches. Specify --type=port-group or "
                       "switch" % key)
    if s is None and p is None:
        raise CtlError("'%s' is not found for port-group or switch" % key)
    return s if s is not None else p


def _check_type_opt(inv):
    if inv.has("--type"):
        v.choice(inv.opt("--type"), ("switch", "port-group"), "--type")


def _check_acl_add(inv):
    _check_type_opt(inv)
    v.choice(inv.args[1], DIRECTIONS, "direction")
    v.priority(inv.args[2])
    v.check_match(inv.args[3])
    v.choice(inv.args[4], ACL_ACTIONS, "verdict")
    if inv.has("--severity"):
        v.choice(inv.opt("--severity"), SEVERITIES, "severity")
    if inv.has("--label"):
        v.integer(inv.opt("--label"), 0, 4294967295, "label")


@command("acl-add", "{SWITCH | PORTGROUP} DIRECTION PRIORITY MATCH VERDICT",
         args=(5, 5), validate=_check_acl_add,
         options=("--type=", "--log", "--meter=", "--severity=", "--name=",
                  "--label=", "--may-exist", "--apply-after-lb"))
def acl_add(ctx):
    """Adds an ACL to a switch or port group."""
    entity = _acl_entity(ctx)
    direction, prio, match, action = (ctx.args[1], int(ctx.args[2]),
                                      ctx.args[3], ctx.args[4])
    ctx.verify(entity, "acls")
    for a in entity.acls:
        if a is not None and a.direction == direction and \
                a.priority == prio and a.match == match:
            if ctx.has("--may-exist"):
                return
            raise CtlError("Same ACL already existed on the %s %s."
                           % ("ls" if entity._table.name == "Logical_Switch"
                              else "pg", ctx.args[0]))
    acl = ctx.insert("ACL")
    acl.direction = direction
    acl.priority = prio
    acl.match = match
    acl.action = action
    if ctx.has("--log") or ctx.has("--name") or ctx.has("--severity") or \
            ctx.has("--meter"):
        acl.log = True
    if ctx.has("--name"):
        acl.name = ctx.opt("--name")
    if ctx.has("--severity"):
        acl.severity = ctx.opt("--severity")
    if ctx.has("--meter"):
        acl.meter = ctx.opt("--meter")
    if ctx.has("--label"):
        acl.label = int(ctx.opt("--label"))
    if ctx.has("--apply-after-lb"):
        acl.options = {"apply-after-lb": "true"}
    ctx.add_to(entity, "acls", acl)


def _check_acl_del(inv):
    _check_type_opt(inv)
    if len(inv.args) >= 2:
        v.choice(inv.args[1], DIRECTIONS, "direction")
    if len(inv.args) == 3:
        raise CtlError("cannot specify priority without match")
    if len(inv.args) == 4:
        v.priority(inv.args[2])


@command("acl-del", "{SWITCH | PORTGROUP} [DIRECTION [PRIORITY MATCH]]",
         args=(1, 4), options=("--type=",), validate=_check_acl_del)
def acl_del(ctx):
    """Deletes ACLs from a switch or port group."""
    entity = _acl_entity(ctx)
    ctx.verify(entity, "acls")
    acls = [a for a in entity.acls if a is not None]
    keep = []
    for a in acls:
        gone = True
        if len(ctx.args) >= 2 and a.direction != ctx.args[1]:
            gone = False
        if len(ctx.args) == 4 and (a.priority != int(ctx.args[2]) or
                                    a.match != ctx.args[3]):
            gone = False
        if gone:
            a.delete()
        else:
            keep.append(a)
    entity.acls = keep


def acl_line(a):
    s = "%10s %5d (%s) %s" % (a.direction, a.priority, a.match, a.action)
    if a.log:
        parts = []
        if nb.opt1(a.name):
            parts.append("name=%s" % nb.opt1(a.name))
        if nb.opt1(a.severity):
            parts.append("severity=%s" % nb.opt1(a.severity))
        if nb.opt1(a.meter):
            parts.append('meter="%s"' % nb.opt1(a.meter))
        s += " log(%s)" % ",".join(parts)
    if a.label:
        s += " label=%d" % a.label
    if a.options.get("apply-after-lb") == "true":
        s += " [after-lb]"
    return s


@command("acl-list", "{SWITCH | PORTGROUP}", args=(1, 1),
         options=("--type=",), validate=_check_type_opt, mode="ro")
def acl_list(ctx):
    """Lists the ACLs of a switch or port group."""
    entity = _acl_entity(ctx)
    acls = sorted((a for a in entity.acls if a is not None),
                  key=lambda a: (a.direction, -a.priority, a.match))
    for a in acls:
        ctx.writeln(acl_line(a))


# -- port groups ------------------------------------------------------------

def _ports_by_name(ctx, names):
    return [nb.lsp(ctx, n) for n in names]


@command("pg-add", "GROUP [PORT]...", args=(1, None))
def pg_add(ctx):
    """Creates a port group, optionally with ports."""
    name = ctx.args[0]
    if nb.pg(ctx, name, must_exist=False) is not None:
        raise CtlError("%s: a port group with this name already exists" % name)
    g = ctx.insert("Port_Group")
    g.name = name
    nb.remember(ctx, "Port_Group", g)
    g.ports = _ports_by_name(ctx, ctx.args[1:])


@command("pg-set-ports", "GROUP PORT...", args=(2, None))
def pg_set_ports(ctx):
    """Sets the ports of a port group."""
    nb.pg(ctx, ctx.args[0]).ports = _ports_by_name(ctx, ctx.args[1:])


@command("pg-del", "GROUP", args=(1, 1), options=("--if-exists",))
def pg_del(ctx):
    """Deletes a port group."""
    g = nb.pg(ctx, ctx.args[0], must_exist=not ctx.has("--if-exists"))
    if g is not None:
        g.delete()


# -- DHCP options -------------------------------------------------------------

def _check_dhcp_create(inv):
    v.cidr(inv.args[0])
    _check_kv(inv, 1)


@command("dhcp-options-create", "CIDR [KEY=VALUE]...", args=(1, None),
         validate=_check_dhcp_create)
def dhcp_options_create(ctx):
    """Creates DHCP options for CIDR, with external-ids KEY=VALUE."""
    row = ctx.insert("DHCP_Options")
    row.cidr = ctx.args[0]
    row.external_ids = dict(v.key_value(a) for a in ctx.args[1:])
    provisional = row.uuid
    ctx.defer(lambda txn: "%s\n" % ((txn.get_insert_uuid(provisional)
                                     if txn else None) or provisional))


@command("dhcp-options-list", "", args=(0, 0), mode="ro")
def dhcp_options_list(ctx):
    """Lists the DHCP options rows."""
    for r in sorted(ctx.rows("DHCP_Options"), key=lambda r: str(r.uuid)):
        ctx.writeln(str(r.uuid))


@command("dhcp-options-del", "DHCP_OPTIONS_UUID", args=(1, 1))
def dhcp_options_del(ctx):
    """Deletes a DHCP options row."""
    row = nb.dhcp_options(ctx, ctx.args[0])
    for p in ctx.rows("Logical_Switch_Port"):
        for col in ("dhcpv4_options", "dhcpv6_options"):
            if any(d is not None and d.uuid == row.uuid for d in getattr(p, col)):
                setattr(p, col, [])
    row.delete()


@command("dhcp-options-set-options", "DHCP_OPTIONS_UUID [KEY=VALUE]...",
         args=(1, None), validate=_check_kv)
def dhcp_options_set_options(ctx):
    """Sets the DHCP options (replacing them)."""
    nb.dhcp_options(ctx, ctx.args[0]).options = dict(
        v.key_value(a) for a in ctx.args[1:])


@command("dhcp-options-get-options", "DHCP_OPTIONS_UUID", args=(1, 1), mode="ro")
def dhcp_options_get_options(ctx):
    """Prints the DHCP options, KEY=VALUE per line."""
    for k, val in sorted(nb.dhcp_options(ctx, ctx.args[0]).options.items()):
        ctx.writeln("%s=%s" % (k, val))
