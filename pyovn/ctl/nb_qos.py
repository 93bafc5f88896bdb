"""pyovn nbctl: QoS rules and meters (ovn-nbctl(8) "Logical Switch QoS Rule
Commands" and "Meter Commands")."""

from pyovn.ctl import nb_common as nb
from pyovn.ctl import validate as v
from pyovn.ctl.base import Registry
from pyovn.ctl.errors import CtlError
from pyovn.ctl.nb_switch import DIRECTIONS
from pyovn.ctl.values import is_uuid

REGISTRY = Registry()
command = REGISTRY.command

MAX32 = 4294967295


def _qos_params(args):
    """[dscp=N] [rate=N [burst=N]] -> (action, bandwidth)."""
    action, bandwidth = {}, {}
    for a in args:
        k, val = v.key_value(a)
        if k == "dscp":
            action["dscp"] = v.integer(val, 0, 63, "dscp")
        elif k == "rate":
            bandwidth["rate"] = v.integer(val, 1, MAX32, "rate")
        elif k == "burst":
            bandwidth["burst"] = v.integer(val, 1, MAX32, "burst")
        else:
            raise CtlError("%s: supported arguments are \"dscp=\", \"rate=\", "
                           "and \"burst=\"" % a)
    if "burst" in bandwidth and "rate" not in bandwidth:
        raise CtlError("burst may only be given together with rate")
    if not action and not bandwidth:
        raise CtlError("Either \"rate\" and/or \"dscp\" must be specified")
    return action, bandwidth


def _check_qos_add(inv):
    v.choice(inv.args[1], DIRECTIONS, "direction")
    v.priority(inv.args[2])
    v.check_match(inv.args[3])
    _qos_params(inv.args[4:])


@command("qos-add", "SWITCH DIRECTION PRIORITY MATCH [dscp=DSCP] "
         "[rate=RATE [burst=BURST]]", args=(5, 7), options=("--may-exist",),
         validate=_check_qos_add)
def qos_add(ctx):
    """Adds a QoS marking / metering rule to a switch."""
    ls = nb.ls(ctx, ctx.args[0])
    direction, prio, match = ctx.args[1], int(ctx.args[2]), ctx.args[3]
    action, bandwidth = _qos_params(ctx.args[4:])
    ctx.verify(ls, "qos_rules")
    for q in ls.qos_rules:
        if q is not None and q.direction == direction and \
                q.priority == prio and q.match == match:
            if ctx.has("--may-exist"):
                return
            raise CtlError("Same qos already existed on the ls %s."
                           % ctx.args[0])
    q = ctx.insert("QoS")
    q.direction = direction
    q.priority = prio
    q.match = match
    q.action = action
    q.bandwidth = bandwidth
    ctx.add_to(ls, "qos_rules", q)


def _check_qos_del(inv):
    if len(inv.args) >= 2 and not is_uuid(inv.args[1]):
        v.choice(inv.args[1], DIRECTIONS, "direction")
    if len(inv.args) == 3:
        raise CtlError("cannot specify priority without match")
    if len(inv.args) == 4:
        v.priority(inv.args[2])


@command("qos-del", "SWITCH [{DIRECTION | UUID} [PRIORITY MATCH]]",
         args=(1, 4), validate=_check_qos_del)
def qos_del(ctx):
    """Deletes QoS rules of a switch."""
    ls = nb.ls(ctx, ctx.args[0])
    ctx.verify(ls, "qos_rules")
    rules = [q for q in ls.qos_rules if q is not None]
    if len(ctx.args) >= 2 and is_uuid(ctx.args[1]):
        keep = [q for q in rules if str(q.uuid) != ctx.args[1]]
        if len(keep) == len(rules):
            raise CtlError("uuid is not found")
    else:
        keep = []
        for q in rules:
            gone = (len(ctx.args) < 2 or q.direction == ctx.args[1]) and \
                (len(ctx.args) < 4 or (q.priority == int(ctx.args[2]) and
                                       q.match == ctx.args[3]))
            if not gone:
                keep.append(q)
    ls.qos_rules = keep


@command("qos-list", "SWITCH", args=(1, 1), mode="ro")
def qos_list(ctx):
    """Lists the QoS rules of a switch."""
    ls = nb.ls(ctx, ctx.args[0])
    rules = sorted((q for q in ls.qos_rules if q is not None),
                   key=lambda q: (q.direction, -q.priority, q.match))
    for q in rules:
        line = "%10s %5d (%s)" % (q.direction, q.priority, q.match)
        for k in ("rate", "burst"):
            if k in q.bandwidth:
                line += " %s=%d" % (k, q.bandwidth[k])
        if "dscp" in q.action:
            line += " dscp=%d" % q.action["dscp"]
        ctx.writeln(line)


def _check_meter_add(inv):
    name = inv.args[0]
    if name.startswith("__"):
        raise CtlError("meter names that begin with \"__\" are reserved")
    v.choice(inv.args[1], ("drop",), "action")
    v.integer(inv.args[2], 1, MAX32, "rate")
    v.choice(inv.args[3], ("kbps", "pktps"), "unit")
    if len(inv.args) == 5:
        v.integer(inv.args[4], 0, MAX32, "burst")


@command("meter-add", "NAME ACTION RATE UNIT [BURST]", args=(4, 5),
         options=("--fair",), validate=_check_meter_add)
def meter_add(ctx):
    """Adds a meter with one band."""
    name = ctx.args[0]
    if any(m.name == name for m in ctx.rows("Meter")):
        raise CtlError("meter with name \"%s\" already exists" % name)
    band = ctx.insert("Meter_Band")
    band.action = ctx.args[1]
    band.rate = int(ctx.args[2])
    if len(ctx.args) == 5:
        band.burst_size = int(ctx.args[4])
    m = ctx.insert("Meter")
    m.name = name
    m.unit = ctx.args[3]
    m.bands = [band]
    if ctx.has("--fair"):
        m.fair = [True]


@command("meter-del", "[NAME]", args=(0, 1))
def meter_del(ctx):
    """Deletes one meter, or all of them."""
    meters = ctx.rows("Meter")
    if ctx.args:
        meters = [m for m in meters if m.name == ctx.args[0]]
    for m in meters:
        m.delete()


@command("meter-list", "", args=(0, 0), mode="ro")
def meter_list(ctx):
    """Lists the meters with their bands."""
    for m in sorted(ctx.rows("Meter"), key=lambda m: m.name):
        line = "%s:" % m.name
        if m.fair and m.fair[0]:
            line += " (fair)"
        ctx.writeln(line + " bands:")
        for b in sorted((b for b in m.bands if b is not None),
                        key=lambda b: (b.rate, b.burst_size)):
            s = "  %s: %d %s" % (b.action, b.rate, m.unit)
            if b.burst_size:
                s += ", %d %s burst" % (b.burst_size,
                                        "kb" if m.unit == "kbps" else "packet")
            ctx.writeln(s)
