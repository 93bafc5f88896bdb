"""pyovn compat-bin: shims named like the C programs run pyovn."""

import os
import subprocess

from pyovn import cli, compat


def test_shims_answer_version_and_run_pyovn(tmp_path):
    bindir = tmp_path / "bin"
    assert compat.main([str(bindir)]) == 0
    names = sorted(os.listdir(bindir))
    assert names == sorted(compat.PROGRAMS)
    for prog, sub in compat.PROGRAMS.items():
        out = subprocess.run([str(bindir / prog), "--version"], capture_output=True,
                             text=True, timeout=30)
        assert out.returncode == 0, out.stderr
        assert out.stdout.startswith("%s (pyovn)" % prog)
        if cli.load(sub) is None:
            assert "not built yet" in out.stdout
    # A built part really runs: ovn-appctl with an unknown target fails
    # cleanly, naming the pidfile it looked for.
    env = dict(os.environ, OVN_RUNDIR=str(tmp_path))
    out = subprocess.run([str(bindir / "ovn-appctl"), "-t", "nothing", "version"],
                         capture_output=True, text=True, env=env, timeout=30)
    assert out.returncode == 1
    assert str(tmp_path / "nothing.pid") in out.stderr


def test_unbuilt_part_says_so(capsys, monkeypatch):
    monkeypatch.setitem(cli.SUBCOMMANDS, "trace", ("pyovn.no_such_module:main", ""))
    assert compat.run("ovn-trace", ["ls1", "inport==\"a\""]) == 1
    assert "not built yet" in capsys.readouterr().err
