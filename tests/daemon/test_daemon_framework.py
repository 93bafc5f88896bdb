"""The daemon framework: --detach returns when ready, the control socket
answers ovs-appctl (the real one) and pyovn appctl, exit stops it."""

import os
import subprocess
import sys
import textwrap

import pytest

from pyovn.daemon import appctl
from pyovn.util import proc

EXAMPLE = textwrap.dedent('''
    import sys
    import ovs.poller
    from pyovn.daemon import Daemon, run_loop

    d = Daemon("pyovn-example", "test daemon")
    args = d.arg_parser().parse_args(sys.argv[1:])
    d.start(args)
    d.register_command("hello", "NAME", 1, 1,
                       lambda conn, argv: conn.reply("hello " + argv[0]))
    d.register_command("fail", "", 0, 0,
                       lambda conn, argv: conn.reply_error("it failed"))
    d.ready()
    run_loop(d, lambda: None)
    d.close()
''')


@pytest.fixture
def example(rundir, tmp_path):
    script = tmp_path / "example.py"
    script.write_text(EXAMPLE)
    env = dict(os.environ, OVN_RUNDIR=rundir, OVN_LOGDIR=rundir)
    subprocess.run([sys.executable, str(script), "--detach", "--pidfile",
                    "--log-file", "--no-chdir", "-vconsole:off"],
                   env=env, check=True, timeout=30)
    pid = proc.read_pidfile(os.path.join(rundir, "pyovn-example.pid"))
    yield pid, env
    proc.stop_pid(pid)


def test_detach_pidfile_ctl_and_log(example, rundir):
    pid, env = example
    assert proc.pid_alive(pid)
    ctl = os.path.join(rundir, "pyovn-example.%d.ctl" % pid)
    assert os.path.exists(ctl)
    out = proc.run(["ovs-appctl", "-t", ctl, "version"])
    assert "pyovn-example (pyovn)" in out
    out = proc.run(["ovs-appctl", "-t", ctl, "hello", "world"])
    assert out.strip() == "hello world"
    assert "vlog" in proc.run(["ovs-appctl", "-t", ctl, "list-commands"])
    log = open(os.path.join(rundir, "pyovn-example.log")).read()
    # OVS style: timestamp|sequence|module|LEVEL|message
    first = log.splitlines()[0].split("|")
    assert len(first) >= 5 and first[3] == "INFO" and "starting" in first[4]


def test_pyovn_appctl_by_name_errors_and_exit(example, rundir, monkeypatch, capsys):
    pid, env = example
    monkeypatch.setenv("OVN_RUNDIR", rundir)
    assert appctl.main(["-t", "pyovn-example", "hello", "you"]) == 0
    assert capsys.readouterr().out == "hello you\n"
    assert appctl.main(["-t", "pyovn-example", "fail"]) == 2
    assert "it failed" in capsys.readouterr().err
    assert appctl.main(["-t", "no-such-daemon", "version"]) == 1
    assert "no-such-daemon.pid" in capsys.readouterr().err
    assert appctl.main(["-t", "pyovn-example", "exit"]) == 0
    proc.wait_for(lambda: not proc.pid_alive(pid), 10, what="daemon exit")
    assert not os.path.exists(os.path.join(rundir, "pyovn-example.pid"))
