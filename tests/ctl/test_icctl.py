"""pyovn ic-nbctl / ic-sbctl: verbs, and rows and output equal to the C
ovn-ic-nbctl / ovn-ic-sbctl."""

import io
import shutil

import pytest

from pyovn.ctl import icctl

from .peer import canonical_dump, diff_dumps, run_c


def _py(program, remote, argv):
    out, err = io.StringIO(), io.StringIO()
    rc = program.main(["--db=" + remote] + list(argv), stdout=out, stderr=err)
    return rc, out.getvalue(), err.getvalue()


def test_ts_add_del_list(ovsdb):
    db = ovsdb("ic-nb")
    assert _py(icctl.NB_PROGRAM, db.remote, ["ts-add", "ts1", "--",
                                             "ts-add", "ts2"])[0] == 0
    rc, out, err = _py(icctl.NB_PROGRAM, db.remote, ["ts-add", "ts1"])
    assert rc == 1 and \
        err == "pyovn ic-nbctl: ts1: a transit switch with this name already exists\n"
    assert _py(icctl.NB_PROGRAM, db.remote, ["--may-exist", "ts-add", "ts1"])[0] == 0
    rc, out, err = _py(icctl.NB_PROGRAM, db.remote, ["ts-list"])
    assert [l.split()[1] for l in out.splitlines()] == ["(ts1)", "(ts2)"]
    assert _py(icctl.NB_PROGRAM, db.remote, ["ts-del", "ts2"])[0] == 0
    rc, out, err = _py(icctl.NB_PROGRAM, db.remote, ["ts-del", "ts2"])
    assert rc == 1 and "ts2: switch name not found" in err
    assert _py(icctl.NB_PROGRAM, db.remote, ["show"])[1] == "Transit_Switch ts1\n"


@pytest.mark.peer
def test_ic_tools_equal_c(ovsdb):
    if shutil.which("ovn-ic-nbctl") is None:
        pytest.skip("ovn-ic-nbctl (C peer) is not installed")
    nb_cmds = [["init"], ["ts-add", "ts1"], ["ts-add", "ts2"],
               ["--may-exist", "ts-add", "ts1"], ["ts-add", "ts3"],
               ["ts-del", "ts3"], ["set-connection", "ptcp:6645"],
               ["set", "Transit_Switch", "ts1", "external_ids:a=b"]]
    sb_cmds = [["--", "--id=@az", "create", "Availability_Zone", "name=az1",
                "--", "--id=@e", "create", "Encap", "type=geneve",
                "ip=1.1.1.1", "gateway_name=gw1", "--", "create", "Gateway",
                "name=gw1", "availability_zone=@az", "hostname=h1",
                "encaps=@e", "--", "create", "Datapath_Binding",
                "transit_switch=ts1", "tunnel_key=1", "--", "create",
                "Port_Binding", "logical_port=lsp-ts1-az1",
                "transit_switch=ts1", "availability_zone=@az", "gateway=gw1",
                "tunnel_key=1", 'address="00:00:00:00:00:01 10.0.0.1"']]
    for kind, prog, program, cmds, reads in (
            ("ic-nb", "ovn-ic-nbctl", icctl.NB_PROGRAM, nb_cmds,
             [["show"], ["ts-list"], ["get-connection"]]),
            ("ic-sb", "ovn-ic-sbctl", icctl.SB_PROGRAM, sb_cmds, [["show"]])):
        c_db, p_db = ovsdb(kind, name="c_" + kind), ovsdb(kind, name="p_" + kind)
        for argv in cmds:
            crc, _, cerr = run_c(prog, c_db.remote, argv)
            prc, _, perr = _py(program, p_db.remote, argv)
            assert crc == 0, cerr
            assert prc == 0, perr
        a, b = canonical_dump(c_db.remote, kind), canonical_dump(p_db.remote, kind)
        assert a == b, diff_dumps(a, b)
        for argv in reads:
            crc, cout, _ = run_c(prog, c_db.remote, argv)
            prc, pout, _ = _py(program, c_db.remote, argv)
            if kind == "ic-nb" and argv == ["show"]:
                # C prints the switches in hash order
                cout, pout = sorted(cout.splitlines()), sorted(pout.splitlines())
            assert pout == cout, argv
