"""The base every component stands on: the pyovn command, the ovsdb-server
launcher and the IDL wrapper."""

import subprocess
import sys

from pyovn import cli
from pyovn.db import idl


def test_pyovn_help_lists_commands(capsys):
    assert cli.main(["--help"]) == 0
    out = capsys.readouterr().out
    for name in ("nbctl", "northd", "controller", "sandbox", "trace"):
        assert name in out


def test_unknown_command_is_an_error(capsys):
    assert cli.main(["no-such-thing"]) == 2
    assert "unknown command 'no-such-thing'" in capsys.readouterr().err


def test_console_script_version():
    out = subprocess.run([sys.executable, "-m", "pyovn.cli", "--version"],
                         capture_output=True, text=True, check=True).stdout
    assert out.startswith("pyovn ")


def test_idl_write_read_and_retry_on_real_server(ovsdb):
    srv = ovsdb("vswitch", name="conf")
    assert srv.is_running()
    db = idl.Database(srv.remote, "vswitch").sync()

    def add(txn):
        row = txn.insert(db.tables["Open_vSwitch"])
        row.external_ids = {"system-id": "hv1"}
    db.transact(add)
    rows = db.wait_until(lambda d: d.rows("Open_vSwitch"))
    assert rows[0].external_ids == {"system-id": "hv1"}

    # A second client sees the same row.
    other = idl.Database(srv.remote, "vswitch").sync()
    assert other.find_one("Open_vSwitch").external_ids["system-id"] == "hv1"
    srv.stop()
    assert not srv.is_running()
