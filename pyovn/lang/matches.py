"""From an annotated expression to OpenFlow matches.

    to_matches(expr, context=None, conj_id_base=1, conjunctive=True,
               limit=DEFAULT_LIMIT) -> ([FlowMatch], n_conj_ids)

The expression is normalized (see normalize.py) and each conjunction
becomes flows:

  - logical port names (inport/outport) become tunnel keys in their
    registers through context.lookup_port(); names the context does not
    know cannot match, so their alternatives are dropped; the name "none"
    is key 0 (no port), as in OVN;
  - is_chassis_resident() asks context.is_chassis_resident() (unknown:
    false, the port is not here);
  - a conjunction with sets of alternatives on two or more fields becomes a
    conjunctive match: one flow per alternative with action
    conjunction(id, k/n), plus one flow matching conj_id=id (and the part
    common to all clauses) that carries the logical flow's actions.  Fields OpenFlow needs as prerequisites
    (must_crossproduct: eth.type, ip.proto, icmp6.type/code) are always
    crossed instead; with conjunctive=False every set is crossed;
  - otherwise the sets are crossed into plain flows.

A FlowMatch is (match, conjunctions): match is a
pyovn.openflow.model.Match; conjunctions is a tuple of (id, clause,
n_clauses) (clause counted from 1).  Empty conjunctions means the flow
carries the logical flow's actions itself (a plain flow or a conj_id flow).
A match that is both plain and a clause is kept plain only: it already
implies the whole expression.
"""

import itertools
from collections import namedtuple

from pyovn.lang.context import EMPTY
from pyovn.lang.errors import LangError
from pyovn.lang.normalize import DEFAULT_LIMIT, conjunctions
from pyovn.openflow.model import Match, field_info

FlowMatch = namedtuple("FlowMatch", "match conjunctions")

# A masked test on a non-maskable (nominal) field is expanded into exact
# values when it leaves at most this many bits free.
MAX_FREE_BITS = 8


def _words(field, value, mask):
    """Splits a value on xxregN/xregN into the 32-bit registers OVS keeps
    (the first holding the most significant bits); other fields as is."""
    if field == "ip_frag" and value & mask & 2 and not mask & 1:
        # A later fragment is always a fragment: ip.frag[1] is written the
        # way ovs-ofctl can say it, "later" (3/3).
        value, mask = value | 1, mask | 1
    if field.startswith(("xxreg", "xreg")):
        n = 4 if field.startswith("xxreg") else 2
        first = int(field.lstrip("x")[3:]) * n
        out = {}
        for i in range(n):
            shift = 32 * (n - 1 - i)
            m = (mask >> shift) & 0xffffffff
            if m:
                out["reg%d" % (first + i)] = ((value >> shift) & m, m)
        return out
    return {field: (value, mask)}


def _field_alternatives(sym, alts, context):
    """Returns a list of fragments ({OpenFlow field: (value, mask)}), one
    per alternative."""
    if sym.is_string:
        keys = set()
        for name in alts:
            # "none" is no port at all: tunnel key 0, as in OVN.
            key = 0 if name == "none" else context.lookup_port(name)
            if key is not None:
                keys.add(key)
        return [{sym.ovs_field: (key, 0xffffffff)} for key in sorted(keys)]
    full = (1 << sym.width) - 1
    values = set()
    for value, mask in alts:
        if sym.level == "nominal" and mask != full:
            free = full & ~mask
            free_bits = [i for i in range(sym.width) if free >> i & 1]
            if len(free_bits) > MAX_FREE_BITS:
                raise LangError("Field %s cannot be matched on some of its bits "
                                "in OpenFlow (it is not maskable)." % sym.name)
            for combo in range(1 << len(free_bits)):
                v = value
                for j, bit in enumerate(free_bits):
                    if combo >> j & 1:
                        v |= 1 << bit
                values.add((v, full))
        else:
            values.add((value, mask))
    # A test on all of a symbol's bits matches the whole OpenFlow field
    # (tcp.flags is 12 of tcp_flags' 16 bits; the others are always 0).
    of_full = (1 << field_info(sym.ovs_field).width) - 1
    return [_words(sym.ovs_field, value, of_full if mask == full else mask)
            for value, mask in sorted(values, key=lambda vm: (vm[1], vm[0]))]


class _Conflict(Exception):
    pass


def _combine(*frags):
    out = {}
    for frag in frags:
        for name, (value, mask) in frag.items():
            if name in out:
                ov, om = out[name]
                if (ov ^ value) & om & mask:
                    raise _Conflict()
                out[name] = (ov | value, om | mask)
            else:
                out[name] = (value, mask)
    return out


def _to_match(frag):
    m = Match()
    for name in frag:
        value, mask = frag[name]
        m = m.with_field(name, value, mask)
    return m


def to_matches(expr, context=None, conj_id_base=1, conjunctive=True,
               limit=DEFAULT_LIMIT):
    context = context or EMPTY
    flows = []
    conj_id = conj_id_base
    for conj in conjunctions(expr, limit):
        if not all(bool(context.is_chassis_resident(port)) != neg
                   for port, neg in conj.conds):
            continue
        fixed = {}
        dims = []
        ok = True
        for name in sorted(conj.fields):
            sym, alts = conj.fields[name]
            parts = _field_alternatives(sym, alts, context)
            if not parts:
                ok = False
                break
            if len(parts) == 1:
                try:
                    fixed = _combine(fixed, parts[0])
                except _Conflict:
                    ok = False
                    break
            else:
                dims.append((sym, parts))
        if not ok:
            continue
        if conjunctive:
            cross = [d for d in dims if d[0].must_crossproduct]
            conj_dims = [d for d in dims if not d[0].must_crossproduct]
            if len(conj_dims) < 2:
                cross, conj_dims = dims, []
        else:
            cross, conj_dims = dims, []
        n_cross = 1
        for _, parts in cross:
            n_cross *= len(parts)
        if n_cross * max(1, sum(len(p) for _, p in conj_dims)) > limit:
            raise LangError("Expression too complex: it would need more than "
                            "%d flows." % limit)
        for combo in itertools.product(*[parts for _, parts in cross]):
            try:
                base = _combine(fixed, *combo)
            except _Conflict:
                continue
            if not conj_dims:
                flows.append(FlowMatch(_to_match(base), ()))
                continue
            n = len(conj_dims)
            this_id = conj_id
            conj_id += 1
            for k, (_, parts) in enumerate(conj_dims, 1):
                for part in parts:
                    try:
                        flows.append(FlowMatch(_to_match(_combine(base, part)),
                                               ((this_id, k, n),)))
                    except _Conflict:
                        pass
            # The conj_id flow also carries the part common to every clause
            # (as OVN's does), so it only fires where that part holds.
            flows.append(FlowMatch(_to_match(_combine(base, {"conj_id": (
                this_id, 0xffffffff)})), ()))
    return _merge(flows), conj_id - conj_id_base


def _merge(flows):
    plain = {}
    clauses = {}
    for fm in flows:
        if not fm.conjunctions:
            plain[fm.match] = True
        else:
            clauses.setdefault(fm.match, set()).update(fm.conjunctions)
    out = [FlowMatch(m, ()) for m in plain]
    for m, conjs in clauses.items():
        if m not in plain:
            out.append(FlowMatch(m, tuple(sorted(conjs))))
    if len(out) > 1:
        out.sort(key=_flow_sort_key)
    return out


def _flow_sort_key(fm):
    return (tuple((n, v, -1 if m is None else m) for n, v, m in fm.match.fields),
            fm.conjunctions)


def format_flow_match(fm):
    text = str(fm.match) or "(match all)"
    if fm.conjunctions:
        text += " => " + ", ".join("conjunction(%d, %d/%d)" % c
                                   for c in fm.conjunctions)
    return text


def match_hits(match, microflow, context=None, conj_id=None):
    """Does MATCH (a Match) match MICROFLOW?  A conj_id field matches only
    when CONJ_ID (the conjunction just completed) is that id."""
    context = context or EMPTY
    for name, value, mask in match.fields:
        if name == "conj_id":
            if conj_id != value:
                return False
            continue
        x = microflow.ovs_value(name, context.lookup_port)
        if mask is None:
            if x != value:
                return False
        elif x & mask != value:
            return False
    return True


def flows_match(flow_matches, microflow, context=None):
    """Would a packet with MICROFLOW hit the logical flow's actions through
    FLOW_MATCHES (plain flows, or a complete conjunction followed by its
    conj_id flow)?"""
    context = context or EMPTY
    heads = {}
    satisfied = {}
    for fm in flow_matches:
        d = fm.match.as_dict()
        if not fm.conjunctions:
            if "conj_id" in d:
                heads.setdefault(d["conj_id"][0], []).append(fm.match)
            elif match_hits(fm.match, microflow, context):
                return True
            continue
        if match_hits(fm.match, microflow, context):
            for cid, k, n in fm.conjunctions:
                satisfied.setdefault((cid, n), set()).add(k)
    for (cid, n), ks in satisfied.items():
        if len(ks) == n and any(match_hits(h, microflow, context, cid)
                                for h in heads.get(cid, ())):
            return True
    return False
