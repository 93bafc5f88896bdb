"""OVN's tunnel metadata encodings (ovn-architecture(7))."""

import pytest

from pyovn.openflow import layout
from pyovn.packet import PacketError, tunnel


def test_geneve_option_layout():
    opt = tunnel.geneve_ovn_option(inport=0x7fff, outport=0x8001)
    assert opt.hex() == "0102" "80" "01" "7fff8001"
    assert opt[:2] == layout.GENEVE_OPT_CLASS.to_bytes(2, "big")
    assert tunnel.geneve_ovn_decode(opt[4:]) == (0x7fff, 0x8001)
    assert tunnel.geneve_ovn_value(1, 2) == 0x00010002
    assert tunnel.geneve_options(opt + bytes.fromhex("ffff0101aabbccdd")) == [
        (0x0102, 0x80, bytes.fromhex("7fff8001")), (0xffff, 0x01, bytes.fromhex("aabbccdd"))]


def test_stt_id_layout():
    tid = tunnel.stt_tunnel_id(datapath=0xabcdef, inport=0x7fff, outport=0x8000)
    assert tid == 0x007fff8000abcdef
    assert tunnel.stt_decode(tid) == (0xabcdef, 0x7fff, 0x8000)
    with pytest.raises(PacketError, match="reserved"):
        tunnel.stt_decode(1 << 60)


def test_vxlan_split():
    assert tunnel.vxlan_vni(datapath=1, outport=2) == 0x002001
    assert tunnel.vxlan_decode(0xabc123) == (0x123, 0xabc)


@pytest.mark.parametrize("call", [
    lambda: tunnel.geneve_ovn_value(0x8000, 1),       # inport is 15 bits
    lambda: tunnel.geneve_ovn_value(1, 0x10000),
    lambda: tunnel.stt_tunnel_id(1 << 24, 1, 1),
    lambda: tunnel.vxlan_vni(4096, 1),
    lambda: tunnel.vxlan_vni(1, 4096),
    lambda: tunnel.geneve_ovn_decode(b"\x80\0\0\0"),
])
def test_out_of_range_values_are_refused(call):
    with pytest.raises(PacketError):
        call()
