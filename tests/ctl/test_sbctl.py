"""pyovn sbctl against a real ovsdb-server."""

import shutil

import pytest

from .peer import run_c

FLOWS = [
    # datapath, pipeline, table, stage, priority, match, actions
    ("sw0", "ingress", 0, "ls_in_check_port_sec", 100, "eth.src[40]",
     "drop;"),
    ("sw0", "ingress", 0, "ls_in_check_port_sec", 50, "1",
     "reg0[15] = check_in_port_sec(); next;"),
    ("sw0", "ingress", 1, "ls_in_apply_port_sec", 50, "reg0[15] == 1",
     "drop;"),
    ("sw0", "egress", 0, "ls_out_pre_lb", 0, "1", "next;"),
    ("r0", "ingress", 0, "lr_in_admission", 100,
     "vlan.present || eth.src[40]", "drop;"),
]


def _make_flows(sbctl):
    args = []
    for i, name in enumerate(("sw0", "r0")):
        args += ["--", "--id=@%s" % name, "create", "Datapath_Binding",
                 "tunnel_key=%d" % (i + 1), "external_ids:name=%s" % name]
    for dp, pipe, table, stage, prio, match, actions in FLOWS:
        args += ["--", "create", "Logical_Flow", "logical_datapath=@%s" % dp,
                 "pipeline=%s" % pipe, "table_id=%d" % table,
                 "priority=%d" % prio, 'match="%s"' % match.replace('"', '\\"'),
                 'actions="%s"' % actions,
                 'external_ids:stage-name=%s' % stage]
    sbctl(*args)


def test_chassis_add_del_and_show(sbctl):
    sbctl("chassis-add", "hv1", "geneve,vxlan", "192.168.0.1")
    ch = sbctl.rows("Chassis")
    assert [c["name"] for c in ch] == ["hv1"]
    encaps = sorted((e["type"], e["ip"], e["chassis_name"], e["options"])
                    for e in sbctl.rows("Encap"))
    assert encaps == [("geneve", "192.168.0.1", "hv1", {"csum": "true"}),
                      ("vxlan", "192.168.0.1", "hv1", {"csum": "true"})]
    assert "a chassis with this name already exists" in sbctl.fails(
        "chassis-add", "hv1", "geneve", "192.168.0.1")
    sbctl("--may-exist", "chassis-add", "hv1", "geneve", "192.168.0.1")
    out = sbctl("show")
    assert out.startswith("Chassis hv1\n    Encap geneve\n"
                          '        ip: "192.168.0.1"\n'
                          '        options: {csum="true"}\n')
    sbctl("chassis-del", "hv1")
    assert sbctl.rows("Chassis") == [] and sbctl.rows("Encap") == []
    assert len(sbctl.rows("SB_Global")) == 1


@pytest.mark.parametrize("argv,message", [
    (["chassis-add", "hv1", "gre", "1.1.1.1"], "gre: encapsulation type"),
    (["chassis-add", "hv1", "geneve", "1.1.1.300"],
     "1.1.1.300: invalid IPv4 address"),
    (["chassis-del", "nope"], 'no row "nope" in table Chassis'),
    (["lsp-bind", "nope", "hv1"], 'no row "nope" in table Port_Binding'),
    (["lflow-list", "nodp"], "nodp: unknown logical datapath"),
])
def test_errors(sbctl, argv, message):
    err = sbctl.fails(*argv)
    assert err.startswith("pyovn sbctl: ") and message in err
    assert sbctl.rows("Chassis") == []


def test_bind_unbind(sbctl):
    sbctl("chassis-add", "hv1", "geneve", "1.1.1.1", "--", "--id=@dp",
          "create", "Datapath_Binding", "tunnel_key=1", "--", "create",
          "Port_Binding", "logical_port=lp1", "datapath=@dp", "tunnel_key=1")
    sbctl("lsp-bind", "lp1", "hv1")
    pb = sbctl.rows("Port_Binding")[0]
    assert pb["chassis"][0].name == "hv1" and pb["up"] == [True]
    assert "    Port_Binding lp1\n" in sbctl("show")
    assert "already bound" in sbctl.fails("lsp-bind", "lp1", "hv1")
    sbctl("lsp-unbind", "lp1")
    assert sbctl.rows("Port_Binding")[0]["chassis"] == []
    assert "not bound" in sbctl.fails("lsp-unbind", "lp1")


def test_lflow_list_format(sbctl):
    _make_flows(sbctl)
    out = sbctl("lflow-list")
    lines = out.splitlines()
    assert lines[0].startswith('Datapath: "r0" (') and \
        lines[0].endswith(")  Pipeline: ingress")
    assert lines[1] == ("  table=0 (lr_in_admission    ), priority=100  , "
                        "match=(vlan.present || eth.src[40]), action=(drop;)")
    sw = out[out.index('Datapath: "sw0"'):].splitlines()
    assert sw[1] == ("  table=0 (ls_in_check_port_sec), priority=100  , "
                     "match=(eth.src[40]), action=(drop;)")
    assert sw[4].endswith("Pipeline: egress")
    only = sbctl("dump-flows", "r0").splitlines()
    assert len(only) == 2
    assert "uuid=0x" in sbctl("--uuid", "lflow-list", "sw0")


@pytest.mark.peer
def test_lflow_list_output_equals_c_ovn_sbctl(sbctl):
    if shutil.which("ovn-sbctl") is None:
        pytest.skip("ovn-sbctl not installed")
    sbctl("chassis-add", "hv1", "geneve", "1.1.1.1")
    _make_flows(sbctl)
    # a flow shared by both datapaths through a logical datapath group
    sbctl("--", "--id=@g", "create", "Logical_DP_Group",
          "datapaths=%s,%s" % (sbctl("get", "Datapath_Binding", "sw0",
                                     "_uuid").strip(),
                               sbctl("get", "Datapath_Binding", "r0",
                                     "_uuid").strip()),
          "--", "create", "Logical_Flow", "logical_dp_group=@g",
          "pipeline=ingress", "table_id=5", "priority=0", "match=1",
          'actions="next;"', "external_ids:stage-name=shared")
    flow = sbctl("--bare", "--columns=_uuid", "find", "Logical_Flow",
                 "table_id=1").strip()
    for argv in (["lflow-list"], ["lflow-list", "sw0"], ["show"],
                 ["--uuid", "lflow-list", "r0"], ["dump-flows", "sw0"],
                 ["count-flows"], ["count-flows", "sw0"],
                 ["--columns=name,encaps", "list", "Chassis"],
                 ["lflow-list", "sw0", "0x" + flow[:8]],
                 ["lflow-list", flow[:6]]):
        rc, c_out, c_err = run_c("ovn-sbctl", sbctl.remote, argv)
        assert rc == 0, c_err
        assert sbctl(*argv) == c_out, argv


def test_docs_describe_every_command():
    """docs/nbctl.md and docs/sbctl.md name every command the tools have."""
    import os
    from pyovn.ctl import dbcmds, nbctl, sbctl
    root = os.path.join(os.path.dirname(__file__), "..", "..", "docs")
    generic = set(dbcmds.REGISTRY.commands)
    for mod, doc in ((nbctl, "nbctl.md"), (sbctl, "sbctl.md")):
        with open(os.path.join(root, doc)) as f:
            text = f.read()
        missing = [c for c in mod.REGISTRY.commands
                   if c not in generic and c not in text]
        assert not missing, (doc, missing)
    with open(os.path.join(root, "ctl.md")) as f:
        text = f.read()
    assert all(c in text for c in generic)
