"""Conntrack zones: one per local logical port (reg13) and a DNAT and an
SNAT zone per local datapath (reg11, reg12).  Zones have only local
meaning; they are kept across restarts in the integration bridge's
external_ids as ct-zone-<name> = <zone> (as ovn-controller does), so a
restarted controller gives every port the zone its connections live in."""

PREFIX = "ct-zone-"
MIN_ZONE, MAX_ZONE = 1, 65535


def dnat_name(dp):
    return "%s_dnat" % dp.uuid


def snat_name(dp):
    return "%s_snat" % dp.uuid


def read(bridge_external_ids):
    """{name: zone} from a bridge's external_ids."""
    out = {}
    for k, v in bridge_external_ids.items():
        if k.startswith(PREFIX):
            try:
                z = int(v)
            except ValueError:
                continue
            if MIN_ZONE <= z <= MAX_ZONE:
                out[k[len(PREFIX):]] = z
    return out


def assign(current, wanted):
    """New {name: zone} for the WANTED names, keeping CURRENT assignments
    of names still wanted and giving new names the lowest free zones."""
    out = {n: z for n, z in current.items() if n in wanted}
    used = set(out.values())
    nxt = MIN_ZONE
    for name in sorted(wanted):
        if name in out:
            continue
        while nxt in used:
            nxt += 1
        if nxt > MAX_ZONE:
            break
        out[name] = nxt
        used.add(nxt)
    return out


def external_ids(old_ids, zones):
    """OLD_IDS with the ct-zone-* keys replaced by ZONES."""
    ids = {k: v for k, v in old_ids.items() if not k.startswith(PREFIX)}
    for n, z in zones.items():
        ids[PREFIX + n] = str(z)
    return ids
