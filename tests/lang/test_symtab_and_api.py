"""The symbol table against ovn-sb(5), the microflow model and the public
API of pyovn.lang."""

import pytest

from pyovn import lang
from pyovn.lang import Context, LangError, Microflow
from pyovn.lang.lexer import Lexer
from pyovn.lang.parse import parse_field
from pyovn.lang.symtab import default_symtab
from pyovn.openflow import layout

T = default_symtab()

# Every symbol ovn-sb(5) lists for 23.03 (fields, subfields, predicates).
MAN_PAGE_FIELDS = """
reg0 reg1 reg2 reg3 reg4 reg5 reg6 reg7 reg8 reg9 xxreg0 xxreg1 inport outport
flags.loopback pkt.mark eth.src eth.dst eth.type vlan.tci vlan.vid vlan.pcp
vlan.present ip.proto ip.dscp ip.ecn ip.ttl ip.frag ip4.src ip4.dst ip6.src
ip6.dst ip6.label arp.op arp.spa arp.tpa arp.sha arp.tha rarp.op rarp.spa
rarp.tpa rarp.sha rarp.tha tcp.src tcp.dst tcp.flags udp.src udp.dst sctp.src
sctp.dst icmp4.type icmp4.code icmp6.type icmp6.code nd.target nd.sll nd.tll
ct_mark ct_label ct_state ct.trk ct.new ct.est ct.rel ct.rpl ct.inv ct.dnat
ct.snat""".split()
MAN_PAGE_PREDICATES = {
    "eth.bcast": "eth.dst == ff:ff:ff:ff:ff:ff",
    "vlan.present": "vlan.tci[12]",
    "ip4": "eth.type == 0x800",
    "ip4.src_mcast": "ip4.src[28..31] == 0xe",
    "ip6": "eth.type == 0x86dd",
    "ip": "ip4 || ip6",
    "icmp4": "ip4 && ip.proto == 1",
    "icmp6": "ip6 && ip.proto == 58",
    "icmp": "icmp4 || icmp6",
    "ip.is_frag": "ip.frag[0]",
    "ip.later_frag": "ip.frag[1]",
    "ip.first_frag": "ip.is_frag && !ip.later_frag",
    "arp": "eth.type == 0x806",
    "rarp": "eth.type == 0x8035",
    "nd": "icmp6.type == {135, 136} && icmp6.code == 0 && ip.ttl == 255",
    "nd_ns": "icmp6.type == 135 && icmp6.code == 0 && ip.ttl == 255",
    "nd_na": "icmp6.type == 136 && icmp6.code == 0 && ip.ttl == 255",
    "nd_rs": "icmp6.type == 133 && icmp6.code == 0 && ip.ttl == 255",
    "nd_ra": "icmp6.type == 134 && icmp6.code == 0 && ip.ttl == 255",
    "tcp": "ip.proto == 6", "udp": "ip.proto == 17", "sctp": "ip.proto == 132",
}


def test_every_man_page_symbol_exists():
    for name in MAN_PAGE_FIELDS + list(MAN_PAGE_PREDICATES) + \
            ["eth.mcast", "ip4.mcast", "ip6.mcast", "igmp", "mldv1", "mldv2"]:
        assert name in T, name


def test_predicate_expansions_match_the_man_page():
    for name, expansion in MAN_PAGE_PREDICATES.items():
        sym = T.lookup(name)
        assert sym.expansion == expansion, name


def test_widths_and_openflow_fields():
    expect = {"eth.src": (48, "eth_src"), "eth.type": (16, "eth_type"),
              "vlan.tci": (16, "vlan_tci"), "ip.proto": (8, "nw_proto"),
              "ip.dscp": (6, "ip_dscp"), "ip.ecn": (2, "nw_ecn"),
              "ip.ttl": (8, "nw_ttl"), "ip.frag": (2, "ip_frag"),
              "ip4.src": (32, "ip_src"), "ip6.dst": (128, "ipv6_dst"),
              "ip6.label": (20, "ipv6_label"), "arp.op": (16, "arp_op"),
              "rarp.sha": (48, "arp_sha"), "tcp.flags": (12, "tcp_flags"),
              "icmp6.type": (8, "icmpv6_type"), "nd.target": (128, "nd_target"),
              "pkt.mark": (32, "pkt_mark"), "ct_label": (128, "ct_label"),
              "xxreg0": (128, "xxreg0"), "xreg4": (64, "xreg4"),
              "flags": (32, layout.LOG_FLAGS), "inport": (0, layout.LOG_INPORT),
              "outport": (0, layout.LOG_OUTPORT)}
    for name, (width, field) in expect.items():
        sym = T.lookup(name)
        assert (sym.width, sym.ovs_field) == (width, field), name


def test_register_overlay():
    # xxreg0 overlays reg0..reg3 with reg0 most significant; xreg4 = reg8:reg9.
    assert [T.base(T.lookup("reg%d" % i)) for i in range(4)] == \
        [(T.lookup("xxreg0"), 96), (T.lookup("xxreg0"), 64),
         (T.lookup("xxreg0"), 32), (T.lookup("xxreg0"), 0)]
    assert T.base(T.lookup("reg8")) == (T.lookup("xreg4"), 32)
    assert T.base(T.lookup("reg9")) == (T.lookup("xreg4"), 0)
    assert T.base(T.lookup("xreg1")) == (T.lookup("xxreg0"), 0)


def test_subfields_and_prerequisites():
    assert T.base(T.lookup("flags.loopback")) == (T.lookup("flags"),
                                                  layout.MLF_ALLOW_LOOPBACK_BIT)
    assert T.lookup("ct.new").prereqs == "ct.trk"
    assert T.lookup("ct.trk").prereqs is None
    assert T.lookup("vlan.vid").prereqs == "vlan.present"
    assert T.lookup("nd.sll").prereqs == "nd_ns"
    assert T.lookup("nd.tll").prereqs == "nd_na"
    assert T.lookup("tcp.src").prereqs == "tcp"
    assert T.base(T.lookup("ct_label.ecmp_reply_eth")) == (T.lookup("ct_label"), 32)
    assert T.base(T.lookup("ct_mark.ecmp_reply_port")) == (T.lookup("ct_mark"), 16)


def test_write_scopes_and_levels():
    assert T.lookup("eth.type").write_scope is None        # read-only
    assert T.lookup("ct_state").write_scope is None
    assert T.lookup("ct.est").write_scope is None
    assert T.lookup("ct_mark").write_scope == "ct_commit"
    assert T.lookup("ct_label.blocked").write_scope == "ct_commit"
    assert T.lookup("eth.src").write_scope == "default"
    assert T.lookup("outport").write_scope == "default"
    assert T.lookup("ip4").write_scope is None               # predicate
    assert T.lookup("eth.type").level == "nominal"
    assert T.lookup("ip4").level == "nominal"
    assert T.lookup("eth.bcast").level == "boolean"
    assert T.lookup("tcp.src").level == "ordinal"
    assert T.lookup("eth.type").must_crossproduct
    assert not T.lookup("tcp.src").must_crossproduct


def test_parse_field_for_the_actions_parser():
    lx = Lexer("reg0[3..5] = 1")
    ref = parse_field(lx, T)
    assert (ref.sym.name, ref.ofs, ref.width, ref.sliced) == ("reg0", 3, 3, True)
    assert lx.token.type == "="


def test_microflow_set_get_and_overlay():
    mf = Microflow()
    mf.set("reg0", 0x12345678)
    assert mf.get("xxreg0") == 0x12345678 << 96
    assert mf.ovs_value("reg0") == 0x12345678
    mf.set("reg9", 7)
    assert mf.get("xreg4") == 7 and mf.ovs_value("reg9") == 7
    mf.set("rarp.op", 3)
    assert mf.get("arp.op") == 3
    mf.set("vlan.vid", 10)
    assert mf.get("vlan.tci") == 10
    mf.set("inport", "lp1")
    assert mf.ovs_value("reg14", {"lp1": 5}.get) == 5
    with pytest.raises(LangError):
        mf.set("ip4", 1)
    m2 = Microflow.parse('inport="lp1", ip4.src=10.0.0.1, ct.trk=1')
    assert m2.get("ct_state") == 0x20 and m2.get("ip4.src") == 0x0a000001
    assert Microflow.parse(m2.format()).ints == m2.ints


def test_public_api():
    ctx = Context(address_sets={"as": ["10.0.0.1", "10.0.0.2"]},
                  ports={"p1": 3}, port_groups={"pg": ["p1"]})
    flows, n = lang.compile_match('inport == @pg && ip4.src == $as', ctx)
    assert n == 0 and [str(f.match) for f in flows] == [
        "ip,reg14=0x3,nw_src=10.0.0.1", "ip,reg14=0x3,nw_src=10.0.0.2"]
    assert lang.check_match("ip4 && tcp.dst == 80") is None
    assert "Unknown field `tcp.dstt'" in lang.check_match("tcp.dstt == 80")
    assert "Unknown address set `x'" in lang.check_match("ip4.src == $x", ctx)
    assert lang.check_match("ip4.src == $x") is None       # no context: syntax only
    mf = Microflow.parse("eth.type=0x800, ip4.src=10.0.0.2")
    assert lang.evaluate_match("ip4.src == $as", mf, ctx)
    assert not lang.evaluate_match("ip6", mf, ctx)
    assert str(lang.parse_expr("tcp.src == {1, 2}")) == "tcp.src == 1 || tcp.src == 2"
    assert str(lang.annotate_expr("ip4", ctx)) == "eth.type == 0x800"


def test_lang_error_position():
    with pytest.raises(LangError) as e:
        lang.parse_expr("ip4 && tcp.src == 99999")
    assert e.value.offset == 18
    assert "17-bit constant" in str(e.value) and "(at offset 18)" in str(e.value)


def test_templates_expand_lexically_anywhere():
    ctx = Context(templates={"fld": "tcp.dst", "vip": "10.0.0.1",
                             "cond": "udp && udp.src == 53", "bad": "1.2."})
    assert str(lang.parse_expr("^fld == 80", context=ctx)) == "tcp.dst == 80"
    assert str(lang.parse_expr("ip4.dst == ^vip", context=ctx)) == \
        "ip4.dst == 10.0.0.1"
    assert str(lang.parse_expr("ip4 && (^cond)", context=ctx)) == \
        "ip4 && (udp && udp.src == 53)"
    # Unknown to the context: stays a reference, annotate names it.
    assert str(lang.parse_expr("ip4.dst == ^other", context=ctx)) == \
        "ip4.dst == ^other"
    with pytest.raises(LangError) as e:
        lang.annotate_expr("ip4.dst == ^other", ctx)
    assert "Unknown template variable `other'" in str(e.value)
    with pytest.raises(LangError) as e:
        lang.parse_expr("ip4.dst == ^bad", context=ctx)
    assert "template variable ^bad" in e.value.message and e.value.offset == 11


def test_microflow_openflow_register_views_agree():
    mf = Microflow()
    mf.ints["reg1"] = 0xabc            # what an OpenFlow action writes
    assert mf.get("reg1") == 0xabc and mf.get("xxreg0") == 0xabc << 64
    mf.set_ovs_value("reg9", 5)
    assert mf.get("xreg4") == 5 and mf.ints["reg9"] == 5
    mf.set("xxreg0", 1)
    assert mf.ovs_value("reg3") == 1 and mf.ovs_value("reg1") == 0
    assert Microflow(ints={"reg0": 7}).get("reg0") == 7


def test_microflow_xreg_views():
    mf = Microflow()
    mf.ints["xreg1"] = 0x1122334455667788
    assert mf.get("reg2") == 0x11223344 and mf.get("reg3") == 0x55667788
    assert mf.ovs_value("xreg1") == 0x1122334455667788
    mf.set("xreg2", 5)
    assert mf.ints["reg5"] == 5 and mf.ovs_value("xxreg1") == 5 << 64
