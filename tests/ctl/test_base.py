"""The command layer on its own: a tool for another schema built from the
generic commands, the TRY_AGAIN retry driven by verify(), option and
argument checking, @names."""

import io

import pytest

from pyovn.ctl import dbcmds
from pyovn.ctl.base import Program, Registry, RowId
from pyovn.ctl.errors import CtlError
from pyovn.db.idl import Database


def make_tool(registry):
    return Program("test-ctl", "vswitch", registry,
                   {"Bridge": [RowId("Bridge", "name")],
                    "Port": [RowId("Port", "name")],
                    "Interface": [RowId("Interface", "name")]},
                   db_env="TEST_CTL_DB", db_socket="db.sock",
                   singletons=("Open_vSwitch",))


def run(tool, remote, *argv):
    out, err = io.StringIO(), io.StringIO()
    rc = tool.main(["--db=" + remote] + list(argv), stdout=out, stderr=err)
    return rc, out.getvalue(), err.getvalue()


def test_generic_commands_on_another_schema(ovsdb):
    """The same layer drives the Open_vSwitch schema: vtep-ctl and others
    reuse it unchanged."""
    srv = ovsdb("vswitch")
    reg = Registry()
    reg.include(dbcmds.REGISTRY)
    tool = make_tool(reg)
    rc, out, err = run(tool, srv.remote, "--", "--id=@i", "create",
                       "Interface", "name=br0", "type=internal", "--",
                       "--id=@p", "create", "Port", "name=br0",
                       "interfaces=@i", "--", "--id=@b", "create", "Bridge",
                       "name=br0", "ports=@p", "--", "create", "Open_vSwitch",
                       "bridges=@b")
    assert rc == 0, err
    assert len(out.splitlines()) == 4        # four UUIDs
    rc, out, err = run(tool, srv.remote, "get", "Interface", "br0", "type")
    assert (rc, out) == (0, "internal\n")
    rc, out, err = run(tool, srv.remote, "set", "Bridge", "br0",
                       "other_config:hwaddr=\"00:00:00:00:00:01\"",
                       "--", "get", "Bridge", "br0", "other_config:hwaddr")
    assert (rc, out) == (0, '"00:00:00:00:00:01"\n'), err
    rc, out, err = run(tool, srv.remote, "--bare", "--columns=name", "find",
                       "Bridge", "other_config:hwaddr!=\"00:00:00:00:00:02\"")
    assert out == "br0\n"
    # the singleton "." and unique table-name abbreviations
    rc, out, err = run(tool, srv.remote, "get", "open", ".", "bridges")
    assert rc == 0 and out.startswith("[") and len(out) > 10
    rc, out, err = run(tool, srv.remote, "get", "Bridge", "nosuch", "name")
    assert rc == 1 and 'no row "nosuch" in table Bridge' in err


def test_verify_makes_a_concurrent_change_retry(ovsdb):
    """A command reads a column, another client changes it before the
    commit: the server answers TRY_AGAIN and the whole invocation runs
    again on fresh data, so the other client's change is not lost."""
    srv = ovsdb("vswitch")
    reg = Registry()
    reg.include(dbcmds.REGISTRY)
    other = Database(srv.remote, "vswitch").sync()
    attempts = []

    @reg.command("append-key", "BRIDGE KEY", args=(2, 2))
    def append_key(ctx):
        br = ctx.get_row("Bridge", ctx.args[0])
        ctx.verify(br, "external_ids")
        ids = dict(br.external_ids)
        attempts.append(dict(ids))
        if len(attempts) == 1:
            # another client writes the same column meanwhile
            def write(txn):
                b = other.find_one("Bridge", name=ctx.args[0])
                b.external_ids = dict(b.external_ids, other="yes")
            other.transact(write)
        ids[ctx.args[1]] = "1"
        br.external_ids = ids

    tool = make_tool(reg)
    # (Bridge rows must be reachable from Open_vSwitch to survive)
    rc, _, err = run(tool, srv.remote, "--", "--id=@b", "create", "Bridge",
                     "name=br0", "--", "create", "Open_vSwitch", "bridges=@b")
    assert rc == 0, err
    other.wait_until(lambda d: d.find("Bridge", name="br0"))
    rc, _, err = run(tool, srv.remote, "append-key", "br0", "mine")
    assert rc == 0, err
    assert len(attempts) == 2 and attempts[1] == {"other": "yes"}
    other.wait_until(lambda d: d.find_one("Bridge", name="br0").external_ids
                     == {"other": "yes", "mine": "1"})
    other.close()


def test_validate_runs_for_every_command_before_connecting():
    """A bad argument in the last command is reported although the
    database does not even exist: nothing was attempted."""
    reg = Registry()
    seen = []

    def check(inv):
        seen.append(inv.args[0])
        if inv.args[0] == "bad":
            raise CtlError("bad: not good")

    @reg.command("thing", "X", args=(1, 1), validate=check)
    def thing(ctx):
        raise AssertionError("must not run")

    tool = make_tool(reg)
    rc, out, err = run(tool, "unix:/nonexistent/db.sock", "thing", "a",
                       "--", "thing", "b", "--", "thing", "bad")
    assert rc == 1 and err == "test-ctl: bad: not good\n"
    assert seen == ["a", "b", "bad"]


@pytest.mark.parametrize("argv,message", [
    (["thing"], "'thing' command requires at least 1 arguments"),
    (["thing", "a", "b"], "'thing' command takes at most 1 arguments"),
    (["--nope", "thing", "a"], "'thing' command has no '--nope' option"),
    (["--", "--val", "thing", "a"], "requires an argument to '--val'"),
    (["--", "--flag=1", "thing", "a"], "does not accept an argument"),
    (["--", "--flag", "--flag", "thing", "a"], "specified multiple times"),
    (["other"], "unknown command 'other'"),
    ([], "missing command name"),
])
def test_command_line_errors(argv, message):
    reg = Registry()
    reg.command("thing", "X", args=(1, 1), options=("--flag", "--val="))(
        lambda ctx: None)
    rc, out, err = run(make_tool(reg), "unix:/nonexistent/db.sock", *argv)
    assert rc == 1 and message in err and err.count("\n") == 1
