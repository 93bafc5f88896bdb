"""Logical flow actions (ovn-sb(5), Logical_Flow actions column, OVN 23.03).

    parse_actions(text, symtab=None, context=None) -> ParsedActions
    format_actions(actions) -> canonical text
    encode_actions(actions, ec=None) -> [pyovn.openflow.model actions]
    check_actions(text, ...) -> None or an error message (for northd)
    interpret_actions(actions, flow, ...) -> [Effect] (for the tracer)

Every action is one class, registered once by name (base.REGISTRY and
RESULT_REGISTRY) in the module of its family:

    assign      =  <->  ip.ttl--  push  pop
    control     drop next output clone set_queue set_meter
                check_pkt_larger ct_snat_to_vip
    conntrack   ct_next ct_commit ct_dnat ct_snat ct_dnat_in_czone
                ct_snat_in_czone ct_clear ct_commit_nat ct_lb ct_lb_mark
    packet      arp nd_ns nd_na nd_na_router icmp4 icmp6 icmp4_error
                icmp6_error tcp_reset sctp_abort reject igmp
    neighbor    get_arp put_arp lookup_arp lookup_arp_ip get_nd put_nd
                lookup_nd lookup_nd_ip put_fdb get_fdb lookup_fdb
    services    put_dhcp_opts put_dhcpv6_opts handle_dhcpv6_reply
                dns_lookup put_nd_ra_opts
    misc        log trigger_event bind_vport handle_svc_check
                handle_bfd_msg fwd_group select chk_lb_hairpin
                chk_lb_hairpin_reply check_in_port_sec check_out_port_sec
                commit_ecmp_nh chk_ecmp_nh_mac chk_ecmp_nh commit_lb_aff
                chk_lb_aff sample
"""

from dataclasses import dataclass

from pyovn.lang.errors import LangError
from pyovn.lang.actions import (assign, base, conntrack, control,  # noqa: F401
                                misc, neighbor, packet, services)
from pyovn.lang.actions.context import (EncodeContext, GroupTable, MeterTable,
                                        ParseContext)
from pyovn.lang.actions.interpret import Effect, Interpreter
from pyovn.lang.actions.parser import ActionParser, prereq_expression
from pyovn.openflow.model import ModelError

ACTION_NAMES = sorted(set(base.REGISTRY) | set(base.RESULT_REGISTRY))


@dataclass(frozen=True)
class ParsedActions:
    """A parsed action list and the prerequisites it adds to the match
    (an expression string, or None)."""
    actions: tuple
    prereqs: str = None

    def format(self):
        return format_actions(self.actions)

    def encode(self, ec=None):
        return encode_actions(self.actions, ec)

    def __str__(self):
        return self.format()


_CACHE = {}
_CACHE_MAX = 100000


def parse_actions(text, symtab=None, context=None):
    """Parses TEXT.  CONTEXT is a ParseContext (pipeline, table; default
    ingress table 0).  Raises LangError, never anything else.  Results
    (and errors) are cached by text and context, since many logical flows
    share their actions."""
    if context is None:
        context = ParseContext(symtab)
    elif symtab is not None and context.symtab is not symtab:
        context.symtab = symtab
    key = (text, id(context.symtab), context.pipeline, context.table_id,
           context.n_tables,
           tuple(sorted(context.templates.items())) if context.templates else None)
    hit = _CACHE.get(key)
    if hit is None:
        if len(_CACHE) >= _CACHE_MAX:
            _CACHE.clear()
        try:
            hit = _CACHE[key] = _parse(text, context)
        except LangError as e:
            _CACHE[key] = e
            raise
    if isinstance(hit, LangError):
        raise LangError(hit.message, hit.offset)
    return hit


def _parse(text, context):
    try:
        p = ActionParser(text, context)
        acts = p.parse()
        return ParsedActions(tuple(acts), prereq_expression(p.prereqs))
    except LangError:
        raise
    except RecursionError:
        raise LangError("Actions nested too deeply.") from None
    except (ValueError, OverflowError, ModelError) as e:
        raise LangError(str(e)) from None


def format_actions(actions):
    """Canonical text of an action list (`drop;` when empty)."""
    if isinstance(actions, ParsedActions):
        actions = actions.actions
    if not actions:
        return "drop;"
    return " ".join(str(a) for a in actions)


def encode_actions(actions, ec=None):
    """OpenFlow actions (pyovn.openflow.model) for ACTIONS.  EC is an
    EncodeContext; groups and meters it allocates are in ec.groups and
    ec.meters.  Raises LangError."""
    if isinstance(actions, ParsedActions):
        actions = actions.actions
    if ec is None:
        ec = EncodeContext()
    try:
        out = []
        for a in actions:
            out.extend(a.encode(ec))
        return out
    except LangError:
        raise
    except (ValueError, OverflowError, ModelError) as e:
        raise LangError(str(e)) from None


def check_actions(text, symtab=None, context=None):
    """None if TEXT parses, else the error message (for northd)."""
    try:
        parse_actions(text, symtab, context)
        return None
    except LangError as e:
        return str(e)


def interpret_actions(actions, flow=None, ports=None, lookup=None,
                      pipeline="ingress", table_id=0):
    """Runs ACTIONS on FLOW (see interpret.py); returns the Effects."""
    if isinstance(actions, ParsedActions):
        actions = actions.actions
    it = Interpreter(flow, ports, pipeline, table_id, lookup)
    if not actions:
        it.effect("drop")           # `drop;' is the empty action list
    it.run(actions)
    return it.effects


__all__ = ["parse_actions", "format_actions", "encode_actions", "check_actions",
           "interpret_actions", "ParsedActions", "ParseContext", "EncodeContext",
           "GroupTable", "MeterTable", "Interpreter", "Effect", "ACTION_NAMES",
           "LangError"]
