"""pyovn vtep-ctl: manage a hardware_vtep database, as vtep-ctl(8) does,
with the per-tunnel key and level of the explicit-tunnel-key extension.

The VTEP commands below are written against the shared ctl command layer
(pyovn/ctl/base.py): each is a function of a Context that reads the
replica through a VtepCache (so that several commands joined with "--"
see each other's changes before the transaction commits) and writes
through the context's transaction.  The generic database commands (list,
find, get, set, add, remove, clear, create, destroy, wait-until) come
from that layer unchanged.

Locators are identified by (encapsulation_type, dst_ip, tunnel_key,
tunnel_level).  level0 is stored as an empty tunnel_level (vtep(5) with
the extension: empty means level0), so a locator written by a tool that
knows nothing of levels is the same locator as one written here with
"level0".
"""

import ipaddress
import re

import ovs.db.types

from pyovn.ctl.errors import CtlError

PROG = "vtep-ctl"
ENCAP_DEFAULT = "vxlan_over_ipv4"
ENCAPS = ("vxlan_over_ipv4",)
LEVELS = ("level0", "level1")
MAX_TUNNEL_KEY = (1 << 24) - 1
REPLICATION_MODES = ("service_node", "source_node")
UNKNOWN_DST = "unknown-dst"
_MAC_RE = re.compile(r"^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$")


class ExitStatus(Exception):
    """Raised by the *-exists commands to end the tool with STATUS (2)
    without an error message."""

    def __init__(self, status):
        super().__init__(status)
        self.status = status


# --- the cache of VTEP objects ----------------------------------------------

class Port:
    def __init__(self, ps, row, name):
        self.ps = ps
        self.row = row
        self.name = name
        self.bindings = {}           # vlan -> Logical_Switch row


class PhysSwitch:
    def __init__(self, row, name):
        self.row = row
        self.name = name
        self.ports = {}              # name -> Port


class McastEntry:
    def __init__(self, row, locators):
        self.row = row
        self.locators = locators     # list of Physical_Locator rows


class VtepCache:
    """The VTEP objects of the replica, kept up to date by the commands of
    one invocation as they write into the transaction.  Rows inserted by
    this transaction cannot be read back through python-ovs, so every
    attribute the commands need is held here."""

    def __init__(self, idl):
        self.idl = idl
        rows = lambda t: list(idl.tables[t].rows.values())
        globals_ = rows("Global")
        self.global_row = globals_[0] if globals_ else None
        self.ls = {r.name: r for r in rows("Logical_Switch")}
        self.ls_name = {r.uuid: r.name for r in rows("Logical_Switch")}
        self.lr = {r.name: r for r in rows("Logical_Router")}
        self.locators = {}           # key tuple -> row
        self.loc_key = {}            # row uuid -> key tuple
        for r in rows("Physical_Locator"):
            key = locator_key_of(r)
            self.locators.setdefault(key, r)
            self.loc_key[r.uuid] = key
        self.ps = {}
        switches = self.global_row.switches if self.global_row else []
        for ps_row in switches:
            ps = PhysSwitch(ps_row, ps_row.name)
            self.ps[ps.name] = ps
            for port_row in ps_row.ports:
                port = Port(ps, port_row, port_row.name)
                for vlan, ls_row in port_row.vlan_bindings.items():
                    port.bindings[vlan] = ls_row
                ps.ports[port.name] = port
        # MAC tables: {ls name: {mac: row or McastEntry}}
        self.macs = {}
        for table in ("Ucast_Macs_Local", "Ucast_Macs_Remote"):
            d = self.macs[table] = {}
            for r in rows(table):
                if r.logical_switch is None:
                    continue
                d.setdefault(r.logical_switch.name, {})[r.MAC] = r
        for table in ("Mcast_Macs_Local", "Mcast_Macs_Remote"):
            d = self.macs[table] = {}
            for r in rows(table):
                if r.logical_switch is None or r.locator_set is None:
                    continue
                d.setdefault(r.logical_switch.name, {})[r.MAC] = \
                    McastEntry(r, list(r.locator_set.locators))
        self.managers = [r for r in (self.global_row.managers
                                     if self.global_row else [])]
        self.manager_targets = [r.target for r in self.managers]

    def locator_key(self, row):
        return self.loc_key[row.uuid]


def locator_key_of(row):
    key = row.tunnel_key[0] if row.tunnel_key else None
    level = row.tunnel_level[0] if row.tunnel_level else None
    return (row.encapsulation_type, row.dst_ip, key, _canon_level(level))


def _canon_level(level):
    return None if level in (None, "level0") else level


def format_locator(key):
    encap, ip, tkey, level = key
    text = "%s/%s" % (encap, ip)
    if tkey is not None:
        text += " %d" % tkey
    if level is not None:
        text += " %s" % level
    return text


# --- argument checking ------------------------------------------------------

def check_mac(mac, multicast=False):
    if multicast and mac == UNKNOWN_DST:
        return mac
    if not _MAC_RE.match(mac):
        raise CtlError("%s: invalid MAC address (expected xx:xx:xx:xx:xx:xx%s)"
                       % (mac, " or unknown-dst" if multicast else ""))
    return mac


def check_ip(ip):
    try:
        ipaddress.ip_address(ip)
    except ValueError:
        raise CtlError("%s: invalid IP address for a physical locator" % ip)
    return ip


def check_tunnel_key(text):
    try:
        key = int(text, 10)
    except ValueError:
        raise CtlError("%s: invalid tunnel key (expected an integer from 0 "
                       "to %d)" % (text, MAX_TUNNEL_KEY))
    if not 0 <= key <= MAX_TUNNEL_KEY:
        raise CtlError("%s: tunnel key out of range (0 to %d)"
                       % (text, MAX_TUNNEL_KEY))
    return key


def check_level(text):
    if text not in LEVELS:
        raise CtlError("%s: invalid tunnel level (expected level0 or level1)"
                       % text)
    return text


def parse_locator_args(cmd, args):
    """Parses '[ENCAP] IP [KEY] [LEVEL]' (ARGS after LS and MAC) into a
    locator key tuple."""
    rest = list(args)
    encap = ENCAP_DEFAULT
    if rest and not _looks_like_ip(rest[0]) and len(rest) >= 2:
        encap = rest.pop(0)
        if encap not in ENCAPS:
            raise CtlError("%s: unknown encapsulation '%s' (the only one "
                           "defined is %s)" % (cmd, encap, ENCAP_DEFAULT))
    if not rest:
        raise CtlError("%s: missing IP address of the physical locator" % cmd)
    ip = check_ip(rest.pop(0))
    key = level = None
    if rest and rest[0] not in LEVELS:
        key = check_tunnel_key(rest.pop(0))
    if rest:
        level = check_level(rest.pop(0))
    if rest:
        raise CtlError("%s: unexpected argument '%s' (expected [ENCAP] IP "
                       "[KEY] [LEVEL])" % (cmd, rest[0]))
    return (encap, ip, key, _canon_level(level))


def _looks_like_ip(text):
    try:
        ipaddress.ip_address(text)
        return True
    except ValueError:
        return False


# --- lookups ----------------------------------------------------------------

def find_ps(cache, name, must_exist=True):
    ps = cache.ps.get(name)
    if ps is None and must_exist:
        raise CtlError("no physical switch named %s" % name)
    return ps


def find_port(cache, ps_name, port_name, must_exist=True):
    ps = find_ps(cache, ps_name)
    port = ps.ports.get(port_name)
    if port is None and must_exist:
        raise CtlError("physical switch %s has no port named %s"
                       % (ps_name, port_name))
    return port


def find_ls(cache, name, must_exist=True):
    row = cache.ls.get(name)
    if row is None and must_exist:
        raise CtlError("no logical switch named %s" % name)
    return row


def find_lr(cache, name, must_exist=True):
    row = cache.lr.get(name)
    if row is None and must_exist:
        raise CtlError("no logical router named %s" % name)
    return row


def new_row(ctx, table):
    """Inserts a row into TABLE with every column at its default value, so
    that later commands of the same invocation (list, get...) can read any
    column of it."""
    row = ctx.txn.insert(ctx.idl.tables[table])
    for name, column in ctx.idl.tables[table].columns.items():
        type_ = column.type
        if type_.is_map():
            value = {}
        elif type_.n_min == 0 or type_.n_max > 1:
            value = []
        elif type_.key.type == ovs.db.types.UuidType:
            continue                    # a reference: the caller sets it
        else:
            value = type_.key.type.default_atom().value
        setattr(row, name, value)
    return row


def get_global(ctx, cache):
    if cache.global_row is None:
        row = new_row(ctx, "Global")
        row.switches = []
        row.managers = []
        cache.global_row = row
    return cache.global_row


def find_or_create_locator(ctx, cache, key):
    row = cache.locators.get(key)
    if row is None:
        encap, ip, tkey, level = key
        row = new_row(ctx, "Physical_Locator")
        row.encapsulation_type = encap
        row.dst_ip = ip
        row.tunnel_key = [] if tkey is None else [tkey]
        row.tunnel_level = [] if level is None else [level]
        cache.locators[key] = row
        cache.loc_key[row.uuid] = key
    return row


# --- physical switches and ports ---------------------------------------------

def _write_switches(cache, g):
    # Whole-column writes from the cache, verified against concurrent
    # changes (the server answers TRY_AGAIN and the commands run again).
    if g._data is not None:
        g.verify("switches")
    g.switches = [ps.row for ps in cache.ps.values()]


def _write_ports(ps):
    if ps.row._data is not None:
        ps.row.verify("ports")
    ps.row.ports = [p.row for p in ps.ports.values()]


def _write_bindings(port):
    if port.row._data is not None:
        port.row.verify("vlan_bindings")
    port.row.vlan_bindings = dict(port.bindings)


def cmd_add_ps(ctx, cache):
    name = ctx.args[0]
    if name in cache.ps:
        if ctx.has("--may-exist"):
            return
        raise CtlError("cannot create physical switch %s because it already "
                       "exists" % name)
    g = get_global(ctx, cache)
    row = new_row(ctx, "Physical_Switch")
    row.name = name
    row.ports = []
    cache.ps[name] = PhysSwitch(row, name)
    _write_switches(cache, g)


def cmd_del_ps(ctx, cache):
    name = ctx.args[0]
    ps = find_ps(cache, name, not ctx.has("--if-exists"))
    if ps is None:
        return
    for port in ps.ports.values():
        port.row.delete()
    ps.row.delete()
    del cache.ps[name]
    _write_switches(cache, cache.global_row)


def cmd_list_ps(ctx, cache):
    for name in sorted(cache.ps):
        ctx.write(name + "\n")


def cmd_ps_exists(ctx, cache):
    if ctx.args[0] not in cache.ps:
        raise ExitStatus(2)


def cmd_list_ports(ctx, cache):
    ps = find_ps(cache, ctx.args[0])
    for name in sorted(ps.ports):
        ctx.write(name + "\n")


def cmd_add_port(ctx, cache):
    ps_name, port_name = ctx.args
    ps = find_ps(cache, ps_name)
    if port_name in ps.ports:
        if ctx.has("--may-exist"):
            return
        raise CtlError("cannot create a port named %s on %s because a port "
                       "with that name already exists" % (port_name, ps_name))
    row = new_row(ctx, "Physical_Port")
    row.name = port_name
    ps.ports[port_name] = Port(ps, row, port_name)
    _write_ports(ps)


def cmd_del_port(ctx, cache):
    if_exists = ctx.has("--if-exists")
    if len(ctx.args) == 2:
        ps_name, port_name = ctx.args
        ps = find_ps(cache, ps_name)
        port = ps.ports.get(port_name)
        if port is None:
            if if_exists:
                return
            raise CtlError("physical switch %s has no port named %s"
                           % (ps_name, port_name))
    else:
        port_name = ctx.args[0]
        found = [p for ps in cache.ps.values() for p in ps.ports.values()
                 if p.name == port_name]
        if not found:
            if if_exists:
                return
            raise CtlError("no port named %s" % port_name)
        if len(found) > 1:
            raise CtlError("port %s is on several physical switches (%s): "
                           "name the switch" % (port_name, ", ".join(
                               sorted(p.ps.name for p in found))))
        port = found[0]
    port.row.delete()
    del port.ps.ports[port.name]
    _write_ports(port.ps)


# --- logical switches and bindings -------------------------------------------

def cmd_add_ls(ctx, cache):
    name = ctx.args[0]
    if name in cache.ls:
        if ctx.has("--may-exist"):
            return
        raise CtlError("cannot create logical switch %s because it already "
                       "exists" % name)
    row = new_row(ctx, "Logical_Switch")
    row.name = name
    cache.ls[name] = row
    cache.ls_name[row.uuid] = name


def cmd_del_ls(ctx, cache):
    name = ctx.args[0]
    row = find_ls(cache, name, not ctx.has("--if-exists"))
    if row is None:
        return
    # Everything that refers to the switch goes with it: its MACs, the
    # port bindings and logical router attachments.
    for table, by_ls in cache.macs.items():
        for entry in by_ls.pop(name, {}).values():
            (entry.row if isinstance(entry, McastEntry) else entry).delete()
    for ps in cache.ps.values():
        for port in ps.ports.values():
            for vlan, ls_row in list(port.bindings.items()):
                if ls_row.uuid == row.uuid:
                    del port.bindings[vlan]
                    _write_bindings(port)
    for lr in cache.lr.values():
        try:
            binding = lr.switch_binding
        except AttributeError:
            continue
        kept = {prefix: ls_row for prefix, ls_row in binding.items()
                if ls_row is not None and ls_row.uuid != row.uuid}
        if len(kept) != len(binding):
            lr.verify("switch_binding")
            lr.switch_binding = kept
    row.delete()
    del cache.ls[name]


def cmd_list_ls(ctx, cache):
    for name in sorted(cache.ls):
        ctx.write(name + "\n")


def cmd_ls_exists(ctx, cache):
    if ctx.args[0] not in cache.ls:
        raise ExitStatus(2)


def _parse_vlan(text):
    try:
        vlan = int(text, 10)
    except ValueError:
        vlan = -1
    if not 0 <= vlan <= 4095:
        raise CtlError("%s: invalid VLAN (expected 0 to 4095)" % text)
    return vlan


def cmd_bind_ls(ctx, cache):
    ps_name, port_name, vlan_text, ls_name = ctx.args
    port = find_port(cache, ps_name, port_name)
    vlan = _parse_vlan(vlan_text)
    ls_row = find_ls(cache, ls_name)
    port.bindings[vlan] = ls_row
    _write_bindings(port)


def cmd_unbind_ls(ctx, cache):
    ps_name, port_name, vlan_text = ctx.args
    port = find_port(cache, ps_name, port_name)
    vlan = _parse_vlan(vlan_text)
    if vlan in port.bindings:
        del port.bindings[vlan]
        _write_bindings(port)


def cmd_list_bindings(ctx, cache):
    port = find_port(cache, ctx.args[0], ctx.args[1])
    for vlan in sorted(port.bindings):
        ls_row = port.bindings[vlan]
        ctx.write("%04d %s\n" % (vlan, cache.ls_name.get(ls_row.uuid,
                                                              ls_row.uuid)))


def cmd_set_replication_mode(ctx, cache):
    ls_row = find_ls(cache, ctx.args[0])
    mode = ctx.args[1]
    if mode not in REPLICATION_MODES:
        raise CtlError("%s: invalid replication mode (expected service_node "
                       "or source_node)" % mode)
    ls_row.replication_mode = [mode]


def cmd_get_replication_mode(ctx, cache):
    ls_row = find_ls(cache, ctx.args[0])
    try:
        mode = ls_row.replication_mode
    except AttributeError:       # inserted by this very invocation
        mode = []
    ctx.write((mode[0] if mode else "") + "\n")


# --- logical routers --------------------------------------------------------

def cmd_add_lr(ctx, cache):
    name = ctx.args[0]
    if name in cache.lr:
        if ctx.has("--may-exist"):
            return
        raise CtlError("cannot create logical router %s because it already "
                       "exists" % name)
    row = new_row(ctx, "Logical_Router")
    row.name = name
    cache.lr[name] = row


def cmd_del_lr(ctx, cache):
    name = ctx.args[0]
    row = find_lr(cache, name, not ctx.has("--if-exists"))
    if row is None:
        return
    row.delete()
    del cache.lr[name]


def cmd_list_lr(ctx, cache):
    for name in sorted(cache.lr):
        ctx.write(name + "\n")


def cmd_lr_exists(ctx, cache):
    if ctx.args[0] not in cache.lr:
        raise ExitStatus(2)


# --- MAC bindings -----------------------------------------------------------

def _add_ucast(ctx, cache, table):
    ls_name, mac = ctx.args[0], check_mac(ctx.args[1])
    ls_row = find_ls(cache, ls_name)
    key = parse_locator_args(ctx.inv.name, ctx.args[2:])
    loc = find_or_create_locator(ctx, cache, key)
    macs = cache.macs[table].setdefault(ls_name, {})
    row = macs.get(mac)
    if row is None:
        row = new_row(ctx, table)
        row.MAC = mac
        row.logical_switch = ls_row
        macs[mac] = row
    row.locator = loc
    cache_set_ucast_locator(cache, row, key)


def cache_set_ucast_locator(cache, row, key):
    cache.ucast_loc = getattr(cache, "ucast_loc", {})
    cache.ucast_loc[row.uuid] = key


def _ucast_locator_key(cache, row):
    known = getattr(cache, "ucast_loc", {})
    if row.uuid in known:
        return known[row.uuid]
    return cache.locator_key(row.locator)


def _del_ucast(ctx, cache, table):
    ls_name, mac = ctx.args
    find_ls(cache, ls_name)
    macs = cache.macs[table].get(ls_name, {})
    row = macs.pop(mac, None)
    if row is not None:
        row.delete()


def _add_mcast(ctx, cache, table):
    ls_name, mac = ctx.args[0], check_mac(ctx.args[1], multicast=True)
    ls_row = find_ls(cache, ls_name)
    key = parse_locator_args(ctx.inv.name, ctx.args[2:])
    loc = find_or_create_locator(ctx, cache, key)
    macs = cache.macs[table].setdefault(ls_name, {})
    entry = macs.get(mac)
    if entry is None:
        row = new_row(ctx, table)
        row.MAC = mac
        row.logical_switch = ls_row
        entry = macs[mac] = McastEntry(row, [])
    if any(cache.loc_key[l.uuid] == key for l in entry.locators):
        return
    entry.locators.append(loc)
    _write_locator_set(ctx, entry)


def _write_locator_set(ctx, entry):
    # Physical_Locator_Set.locators is immutable: a changed set is a new
    # row; the old one is garbage-collected when nothing refers to it.
    pls = new_row(ctx, "Physical_Locator_Set")
    pls.locators = list(entry.locators)
    entry.row.locator_set = pls


def _del_mcast(ctx, cache, table):
    ls_name, mac = ctx.args[0], ctx.args[1]
    find_ls(cache, ls_name)
    key = parse_locator_args(ctx.inv.name, ctx.args[2:])
    macs = cache.macs[table].get(ls_name, {})
    entry = macs.get(mac)
    if entry is None:
        return
    kept = [l for l in entry.locators if cache.loc_key[l.uuid] != key]
    if len(kept) == len(entry.locators):
        return
    entry.locators = kept
    if kept:
        _write_locator_set(ctx, entry)
    else:
        entry.row.delete()
        del macs[mac]


def _clear_macs(ctx, cache, local):
    ls_name = ctx.args[0]
    find_ls(cache, ls_name)
    kind = "Local" if local else "Remote"
    for table in ("Ucast_Macs_" + kind, "Mcast_Macs_" + kind):
        for entry in cache.macs[table].pop(ls_name, {}).values():
            (entry.row if isinstance(entry, McastEntry) else entry).delete()


def _list_macs(ctx, cache, local):
    ls_name = ctx.args[0]
    find_ls(cache, ls_name)
    kind = "Local" if local else "Remote"
    word = "local" if local else "remote"
    lines = []
    for mac, row in cache.macs["Ucast_Macs_" + kind].get(ls_name, {}).items():
        lines.append("  %s -> %s" % (mac, format_locator(
            _ucast_locator_key(cache, row))))
    ctx.write("ucast-mac-%s\n" % word)
    for line in sorted(lines):
        ctx.write(line + "\n")
    ctx.write("\n")
    lines = []
    for mac, entry in cache.macs["Mcast_Macs_" + kind].get(ls_name, {}).items():
        for loc in entry.locators:
            lines.append("  %s -> %s" % (mac, format_locator(
                cache.loc_key[loc.uuid])))
    ctx.write("mcast-mac-%s\n" % word)
    for line in sorted(lines):
        ctx.write(line + "\n")
    ctx.write("\n")


def cmd_add_ucast_local(ctx, cache):
    _add_ucast(ctx, cache, "Ucast_Macs_Local")


def cmd_del_ucast_local(ctx, cache):
    _del_ucast(ctx, cache, "Ucast_Macs_Local")


def cmd_add_ucast_remote(ctx, cache):
    _add_ucast(ctx, cache, "Ucast_Macs_Remote")


def cmd_del_ucast_remote(ctx, cache):
    _del_ucast(ctx, cache, "Ucast_Macs_Remote")


def cmd_add_mcast_local(ctx, cache):
    _add_mcast(ctx, cache, "Mcast_Macs_Local")


def cmd_del_mcast_local(ctx, cache):
    _del_mcast(ctx, cache, "Mcast_Macs_Local")


def cmd_add_mcast_remote(ctx, cache):
    _add_mcast(ctx, cache, "Mcast_Macs_Remote")


def cmd_del_mcast_remote(ctx, cache):
    _del_mcast(ctx, cache, "Mcast_Macs_Remote")


def cmd_clear_local_macs(ctx, cache):
    _clear_macs(ctx, cache, True)


def cmd_clear_remote_macs(ctx, cache):
    _clear_macs(ctx, cache, False)


def cmd_list_local_macs(ctx, cache):
    _list_macs(ctx, cache, True)


def cmd_list_remote_macs(ctx, cache):
    _list_macs(ctx, cache, False)


# --- managers ---------------------------------------------------------------

def cmd_get_manager(ctx, cache):
    for target in sorted(cache.manager_targets):
        ctx.write(target + "\n")


def _delete_managers(ctx, cache):
    g = get_global(ctx, cache)
    for row in cache.managers:
        row.delete()
    g.managers = []
    cache.managers = []
    cache.manager_targets = []
    return g


def cmd_del_manager(ctx, cache):
    _delete_managers(ctx, cache)


def cmd_set_manager(ctx, cache):
    g = _delete_managers(ctx, cache)
    rows = []
    for target in ctx.args:
        row = new_row(ctx, "Manager")
        row.target = target
        rows.append(row)
    g.managers = rows
    cache.managers = rows
    cache.manager_targets = list(ctx.args)


# name -> (min args, max args, arguments for --help, options, function, RW?)
MAY_EXIST = ("--may-exist",)
IF_EXISTS = ("--if-exists",)
LOC_ARGS = "LS MAC [ENCAP] IP [KEY] [LEVEL]"
VTEP_COMMANDS = [
    ("add-ps", 1, 1, "PS", MAY_EXIST, cmd_add_ps, True),
    ("del-ps", 1, 1, "PS", IF_EXISTS, cmd_del_ps, True),
    ("list-ps", 0, 0, "", (), cmd_list_ps, False),
    ("ps-exists", 1, 1, "PS", (), cmd_ps_exists, False),
    ("list-ports", 1, 1, "PS", (), cmd_list_ports, False),
    ("add-port", 2, 2, "PS PORT", MAY_EXIST, cmd_add_port, True),
    ("del-port", 1, 2, "[PS] PORT", IF_EXISTS, cmd_del_port, True),
    ("add-ls", 1, 1, "LS", MAY_EXIST, cmd_add_ls, True),
    ("del-ls", 1, 1, "LS", IF_EXISTS, cmd_del_ls, True),
    ("list-ls", 0, 0, "", (), cmd_list_ls, False),
    ("ls-exists", 1, 1, "LS", (), cmd_ls_exists, False),
    ("list-bindings", 2, 2, "PS PORT", (), cmd_list_bindings, False),
    ("bind-ls", 4, 4, "PS PORT VLAN LS", (), cmd_bind_ls, True),
    ("unbind-ls", 3, 3, "PS PORT VLAN", (), cmd_unbind_ls, True),
    ("set-replication-mode", 2, 2, "LS MODE", (), cmd_set_replication_mode,
     True),
    ("get-replication-mode", 1, 1, "LS", (), cmd_get_replication_mode, False),
    ("add-lr", 1, 1, "LR", MAY_EXIST, cmd_add_lr, True),
    ("del-lr", 1, 1, "LR", IF_EXISTS, cmd_del_lr, True),
    ("list-lr", 0, 0, "", (), cmd_list_lr, False),
    ("lr-exists", 1, 1, "LR", (), cmd_lr_exists, False),
    ("add-ucast-local", 3, 6, LOC_ARGS, (), cmd_add_ucast_local, True),
    ("del-ucast-local", 2, 2, "LS MAC", (), cmd_del_ucast_local, True),
    ("add-mcast-local", 3, 6, LOC_ARGS, (), cmd_add_mcast_local, True),
    ("del-mcast-local", 3, 6, LOC_ARGS, (), cmd_del_mcast_local, True),
    ("clear-local-macs", 1, 1, "LS", (), cmd_clear_local_macs, True),
    ("list-local-macs", 1, 1, "LS", (), cmd_list_local_macs, False),
    ("add-ucast-remote", 3, 6, LOC_ARGS, (), cmd_add_ucast_remote, True),
    ("del-ucast-remote", 2, 2, "LS MAC", (), cmd_del_ucast_remote, True),
    ("add-mcast-remote", 3, 6, LOC_ARGS, (), cmd_add_mcast_remote, True),
    ("del-mcast-remote", 3, 6, LOC_ARGS, (), cmd_del_mcast_remote, True),
    ("clear-remote-macs", 1, 1, "LS", (), cmd_clear_remote_macs, True),
    ("list-remote-macs", 1, 1, "LS", (), cmd_list_remote_macs, False),
    ("get-manager", 0, 0, "", (), cmd_get_manager, False),
    ("del-manager", 0, 0, "", (), cmd_del_manager, True),
    ("set-manager", 1, 1 << 30, "TARGET...", (), cmd_set_manager, True),
]


# --- the program --------------------------------------------------------------

def _vtep_cache(ctx):
    """The VtepCache of the current transaction attempt (rebuilt when the
    runner retries after TRY_AGAIN, since it clears ctx.cache)."""
    cache = ctx.cache.get("vtep")
    if cache is None:
        cache = ctx.cache["vtep"] = VtepCache(ctx.idl)
    return cache


def _bind(func):
    def run(ctx):
        return func(ctx, _vtep_cache(ctx))
    run.__name__ = func.__name__
    run.__doc__ = func.__doc__
    return run


def _validate_locator_args(inv):
    check_mac(inv.args[1], multicast=inv.name.startswith(("add-mcast",
                                                            "del-mcast")))
    parse_locator_args(inv.name, inv.args[2:])


def _validate_replication_mode(inv):
    if inv.args[1] not in REPLICATION_MODES:
        raise CtlError("%s: invalid replication mode (expected service_node "
                       "or source_node)" % inv.args[1])


def _validate_vlan(inv):
    _parse_vlan(inv.args[2])


_VALIDATORS = {
    "add-ucast-local": _validate_locator_args,
    "add-ucast-remote": _validate_locator_args,
    "add-mcast-local": _validate_locator_args,
    "add-mcast-remote": _validate_locator_args,
    "del-mcast-local": _validate_locator_args,
    "del-mcast-remote": _validate_locator_args,
    "set-replication-mode": _validate_replication_mode,
    "bind-ls": _validate_vlan,
    "unbind-ls": _validate_vlan,
}


def build_registry():
    from pyovn.ctl import base
    registry = base.Registry()
    try:
        from pyovn.ctl import dbcmds
    except ImportError:          # the generic commands are not built yet
        dbcmds = None
    if dbcmds is not None:
        registry.include(dbcmds.REGISTRY)
    for name, lo, hi, syntax, options, func, rw in VTEP_COMMANDS:
        registry.add(base.Command(name, syntax, _bind(func), lo, hi, options,
                                  validate=_VALIDATORS.get(name),
                                  mode="rw" if rw else "ro",
                                  help=(func.__doc__ or "").strip()))
    return registry


def build_program():
    from pyovn.ctl import base
    row_ids = {
        "Physical_Switch": [base.RowId("Physical_Switch", "name")],
        "Physical_Port": [base.RowId("Physical_Port", "name")],
        "Logical_Switch": [base.RowId("Logical_Switch", "name")],
        "Logical_Router": [base.RowId("Logical_Router", "name")],
        "ACL": [base.RowId("ACL", "acl_name")],
        "Manager": [base.RowId("Manager", "target")],
    }
    return base.Program(
        "vtep-ctl", "vtep", build_registry(), row_ids,
        db_env="VTEP_DB", db_socket="db.sock",
        options_env="VTEP_CTL_OPTIONS", rundir_env="OVS_RUNDIR",
        default_rundir="/var/run/openvswitch", singletons=("Global",),
        description="manage a hardware_vtep database (with per-tunnel keys "
                    "and levels)")


def main(argv, stdout=None, stderr=None):
    try:
        return build_program().main(argv, stdout=stdout, stderr=stderr)
    except ExitStatus as e:
        return e.status
