"""Unit tests of northd's pure parts: the stage table, tunnel keys,
address parsing, match validation."""

import pytest

from pyovn.northd import addresses, engine, keys, sb_core, stages, validate
from pyovn.northd.log import Problems


def test_stage_table_is_23_03s():
    def names(dp, pipe):
        return [s.name for s in stages.stages_of(dp, pipe)]
    ls_in = names(stages.SWITCH, stages.INGRESS)
    ls_out = names(stages.SWITCH, stages.EGRESS)
    lr_in = names(stages.ROUTER, stages.INGRESS)
    lr_out = names(stages.ROUTER, stages.EGRESS)
    assert len(ls_in) == 27 and len(ls_out) == 10 and len(lr_in) == 22 and len(lr_out) == 7
    # Spot checks against ovn-northd(8) / the C SB of the bench topology.
    assert stages.stage("ls_in_check_port_sec").table == 0
    assert stages.stage("ls_in_acl").table == 8
    assert stages.stage("ls_in_acl_after_lb").table == 17
    assert stages.stage("ls_in_arp_rsp").table == 19
    assert stages.stage("ls_in_l2_lkup").table == 25
    assert stages.stage("ls_in_l2_unknown").table == 26
    assert stages.stage("ls_out_acl").table == 4
    assert stages.stage("ls_out_apply_port_sec").table == 9
    assert stages.stage("lr_in_ip_routing").table == 13
    assert stages.stage("lr_in_arp_request").table == 21
    assert stages.stage("lr_out_delivery").table == 6
    assert stages.S.LS_IN_DNS_RESPONSE.table == 23
    with pytest.raises(KeyError):
        stages.stage("ls_in_nonexistent")


def test_key_allocator_stable_requested_and_exhausted():
    a = keys.KeyAllocator(1, 3, "datapath")
    assert a.reserve(2)
    assert not a.reserve(2)              # taken
    assert not a.reserve(4)              # out of range
    assert [a.allocate(), a.allocate()] == [1, 3]
    with pytest.raises(keys.KeyExhausted) as e:
        a.allocate()
    assert "all 3 datapath tunnel keys (1..3) are in use" in str(e.value)


def test_datapath_keys_run_out_clearly(nb, monkeypatch):
    monkeypatch.setattr(keys, "MAX_DP_KEY_LOCAL", 2)
    for name in ("a", "b", "c"):
        nb.ls(name)
    nb.db.run()
    problems = Problems()
    r = engine.compute(nb.db, sb_core.SbView(), problems)
    assert len(r.desired.tables["Datapath_Binding"]) == 2
    found = problems.flush()
    assert any("tunnel keys (1..2) are in use" in k[3] and "not created" in k[3]
               for k in found)


def test_lport_addresses_parse():
    a = addresses.parse_lport_addresses("0A:00:00:00:00:01 10.0.0.1 fd00::1/64")
    assert a.mac == "0a:00:00:00:00:01"
    assert [str(i) for i in a.ipv4] == ["10.0.0.1"]
    assert [str(i) for i in a.ipv6] == ["fd00::1"] and a.ipv6[0].plen == 64
    with pytest.raises(addresses.AddressError):
        addresses.parse_lport_addresses("zz:00:00:00:00:01 10.0.0.1")
    errs = []
    a = addresses.parse_lport_addresses("0a:00:00:00:00:01 10.0.0.1 bogus 10.0.0.2",
                                        errors=errs)
    assert [str(i) for i in a.ipv4] == ["10.0.0.1"] and errs
    assert str(addresses.ipv6_lla("00:00:00:00:ff:01")) == "fe80::200:ff:fe00:ff01"
    assert str(addresses.solicited_node(addresses.IPAddr("fd00::fe").addr)) == \
        "ff02::1:ff00:fe"


def test_validate_matches():
    names = validate.Names({"as1": ["10.0.0.1", "10.0.0.2"], "as6": ["fd00::1"]},
                           {"pg1": ["p1"]})
    assert validate.check_match("outport == @pg1 && ip4.src == $as1", names) is None
    assert validate.check_match("ip4 &&& tcp", names)
    assert validate.check_match("ip4.src == ", names)
    assert validate.check_match("foo.bar == 1", names)
    assert validate.check_match("ip4.src == $nope", names)        # unknown set
    assert validate.check_match("inport == @nope", names)         # unknown group
    assert validate.check_match("ip4.src == $as6", names)         # wrong family
    assert validate.check_match("", names)
    assert validate.check_actions("next;") is None
    assert validate.check_actions("bogus;")
    assert validate.representatives(["10.0.0.1", "10.0.0.2", "fd00::1",
                                     "00:00:00:00:00:01"]) == \
        ["10.0.0.1", "fd00::1", "00:00:00:00:00:01"]
