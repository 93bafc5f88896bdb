"""Interpreting actions on a microflow (what the tracer does)."""

from pyovn.lang.actions import ParseContext, interpret_actions, parse_actions
from pyovn.lang.microflow import Microflow

PORTS = {"p1": 1, "p2": 2, "p3": 3}


def run(actions, flow, lookup=None, table=10):
    parsed = parse_actions(actions, context=ParseContext(table_id=table))
    return interpret_actions(parsed, flow, ports=PORTS, lookup=lookup,
                             table_id=table)


def kinds(effects):
    return [e.kind for e in effects]


def test_assignments_and_next_change_the_microflow():
    mf = Microflow.parse('inport="p1", eth.type=0x800, ip.ttl=64, '
                         'eth.dst=00:00:00:00:00:01, reg1=7')
    eff = run('outport = "p2"; ip.ttl--; eth.dst = 00:00:00:00:00:02; '
              'reg0 = reg1; reg2[0..3] = 5; next;', mf)
    assert kinds(eff) == ["set", "set", "set", "set", "set", "next"]
    assert eff[-1].args == {"pipeline": "ingress", "table": 11}
    assert mf.get("outport") == "p2"
    assert mf.get("ip.ttl") == 63
    assert mf.get("eth.dst") == 2
    assert mf.get("reg0") == 7
    assert mf.get("reg2") == 5


def test_ttl_expiry_drops():
    mf = Microflow.parse("eth.type=0x800, ip.ttl=1")
    eff = run("ip.ttl--; next;", mf)
    assert kinds(eff) == ["drop"]


def test_exchange_and_stack():
    mf = Microflow.parse('reg0=1, reg1=2, inport="p1", outport="p3"')
    run("reg0 <-> reg1; outport <-> inport; push(reg0); reg0 = 9; pop(reg0);", mf)
    assert (mf.get("reg0"), mf.get("reg1")) == (2, 1)
    assert (mf.get("inport"), mf.get("outport")) == ("p3", "p1")


def test_clone_leaves_the_original_packet_alone():
    mf = Microflow.parse('outport="p1", eth.type=0x800')
    eff = run('clone { outport = "p2"; output; }; next;', mf)
    assert kinds(eff) == ["clone", "next"]
    inner = eff[0].args["effects"]
    assert [e.kind for e in inner] == ["set", "output"]
    assert inner[-1].args["outport"] == "p2"
    assert mf.get("outport") == "p1"


def test_packet_generation_reports_the_new_packet():
    mf = Microflow.parse('eth.type=0x800, eth.dst=00:00:00:00:00:01')
    eff = run("arp { eth.dst = ff:ff:ff:ff:ff:ff; output; }; drop;"
              .replace(" drop;", ""), mf)
    assert kinds(eff) == ["controller"]
    assert eff[0].args["name"] == "arp"
    assert [e.kind for e in eff[0].args["effects"]] == ["set", "output"]
    assert mf.get("eth.dst") == 1       # the original is not rewritten


def test_lookups_ask_the_tracer():
    asked = []

    def lookup(name, args, it):
        asked.append((name, args))
        return name == "lookup_arp"
    mf = Microflow.parse('inport="p1", eth.type=0x800, ip4.dst=10.0.0.1, '
                         'eth.src=00:00:00:00:00:05')
    run("reg0[0] = lookup_arp(inport, ip4.dst, eth.src); "
        "reg0[1] = chk_lb_hairpin();", mf, lookup)
    assert mf.get("reg0") == 1
    assert asked[0] == ("lookup_arp", {"port": 1, "ip": 0x0a000001, "mac": 5})
    assert asked[1][0] == "chk_lb_hairpin"


def test_select_and_ct():
    mf = Microflow.parse("eth.type=0x800")
    eff = run("reg9[16..31] = select(4=50, 5=50);", mf,
              lambda name, args, it: 5 if name == "select" else None)
    assert mf.get("reg9") == 5 << 16
    assert kinds(eff) == ["lookup", "group", "next"]
    eff = run("ct_commit { ct_mark.blocked = 1; }; ct_next;", mf)
    assert kinds(eff) == ["ct", "ct", "next"]
    assert eff[0].args["kind"] == "ct_commit"


def test_drop_stops():
    mf = Microflow()
    assert kinds(run("drop;", mf)) == ["drop"]
    eff = run("reject { }; ", Microflow.parse("eth.type=0x800"))
    assert kinds(eff) == ["controller"]


def test_template_variables_are_expanded():
    """Chassis_Template_Var values replace ^name before parsing (template
    load balancers); unknown names are errors."""
    import pytest
    from pyovn.lang.actions import EncodeContext, LangError, encode_actions
    from pyovn.openflow.model import format_actions
    ctx = ParseContext(table_id=10, templates={"vip_backends": "10.0.0.2:80,10.0.0.3:80",
                                                "port": "8080"})
    pa = parse_actions("ct_lb_mark(backends=^vip_backends); reg2[0..15] = ^port;",
                       context=ctx)
    assert pa.format() == ("ct_lb_mark(backends=10.0.0.2:80,10.0.0.3:80); "
                           "reg2[0..15] = 8080;")
    ec = EncodeContext(table_id=10)
    assert format_actions(encode_actions(pa, ec)).startswith("group:1,set_field:")
    assert len(ec.groups.groups[1].buckets) == 2
    with pytest.raises(LangError, match="Unknown template variable `nope'"):
        parse_actions("reg0 = ^nope;", context=ctx)
    with pytest.raises(LangError):
        parse_actions("reg0 = ^port;", context=ParseContext(table_id=10))


def test_userdata_helpers_for_the_packet_in_handler():
    """What pinctrl needs: split the opcode off, find the result bit."""
    from pyovn.lang.actions import EncodeContext, encode_actions, opcodes
    pa = parse_actions("reg1[0] = put_dhcp_opts(offerip = 1.2.3.4, router = 10.0.0.1);")
    (ctrl,) = encode_actions(pa, EncodeContext())
    assert ctrl.pause
    opcode, payload = opcodes.split_userdata(ctrl.userdata)
    assert opcode == opcodes.PUT_DHCP_OPTS
    field, ofs, rest = opcodes.split_result(payload)
    assert (field, ofs) == ("xxreg0", 64)          # reg1 = xxreg0[64..95]
    assert rest == bytes([1, 2, 3, 4, 3, 4, 10, 0, 0, 1])
    pa = parse_actions("reg9[5] = dns_lookup();")
    (ctrl,) = encode_actions(pa, EncodeContext())
    assert opcodes.split_result(opcodes.split_userdata(ctrl.userdata)[1])[:2] == \
        ("xreg4", 5)
