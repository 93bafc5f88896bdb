"""The processes of a sandbox: how each one is started, with its own
run/log/db directories, and how it is found again (by pidfile) to be
stopped, even by a new process after a crash."""

import os
import signal
import sys
import time

from pyovn.util import proc


class SandboxError(RuntimeError):
    """The sandbox cannot do what was asked; the message says why."""


def daemon_env(rundir):
    """Environment for programs of one chassis (or of the OVN central):
    every OVS/OVN directory variable points at RUNDIR."""
    env = dict(os.environ)
    for var in ("OVS_RUNDIR", "OVS_LOGDIR", "OVS_DBDIR", "OVS_SYSCONFDIR",
                "OVN_RUNDIR", "OVN_LOGDIR", "OVN_DBDIR", "OVN_SYSCONFDIR"):
        env[var] = rundir
    return env


def ctl_path(rundir, prog, pid):
    """The unixctl socket a daemon creates by default: RUNDIR/PROG.PID.ctl."""
    return os.path.join(rundir, "%s.%d.ctl" % (prog, pid))


def common_args(rundir, prog):
    """The options every C-style daemon takes: detach, pidfile, log file."""
    return ["--detach", "--no-chdir", "--pidfile=" + os.path.join(rundir, prog + ".pid"),
            "--log-file=" + os.path.join(rundir, prog + ".log"), "-vconsole:off"]


def pyovn_command(name):
    """The command that runs pyovn's NAME daemon, or SandboxError when that
    part of pyovn is not built yet."""
    from pyovn import cli
    if cli.load(name) is None:
        raise SandboxError("pyovn %s is not built yet; use --%s=c to run the C "
                           "ovn-%s as a test peer" % (name, name, name))
    return [sys.executable, "-m", "pyovn.cli", name]


def c_command(prog):
    return [proc.which(prog)]


def start(record, cmd, rundir, timeout=30):
    """Runs CMD (a --detach daemon) with RUNDIR's environment and waits
    for its pidfile.  RECORD is the process entry (name, prog, pidfile,
    rundir) already saved in the state file, so a failed start can still
    be cleaned up.  Returns the pid."""
    proc.run(cmd, env=daemon_env(rundir), timeout=timeout)
    pid = proc.wait_for(lambda: proc.read_pidfile(record["pidfile"]), 10,
                        what="%s pidfile" % record["name"])
    record["pid"] = pid
    return pid


def is_ours(pid, root):
    """True if PID is alive and its command line names the sandbox ROOT
    (every daemon gets --pidfile inside it), so a recycled pid of an
    unrelated process is never signalled."""
    if not proc.pid_alive(pid):
        return False
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            cmdline = f.read().decode(errors="replace")
    except OSError:
        return False
    return root.rstrip("/") + "/" in cmdline


def stop_all(entries, root, timeout=10.0):
    """Stops the processes of ENTRIES (state file records): SIGTERM to all
    that are ours, wait, SIGKILL the rest.  Returns [(name, pid)] stopped."""
    targets = []
    for e in entries:
        pid = proc.read_pidfile(e["pidfile"]) or e.get("pid")
        if pid and is_ours(pid, root):
            targets.append((e["name"], pid))
    for _, pid in targets:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(proc.pid_alive(p) for _, p in targets):
        time.sleep(0.02)
    for _, pid in targets:
        if proc.pid_alive(pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    for _, pid in targets:
        try:
            proc.wait_for(lambda: not proc.pid_alive(pid), 5.0, what="pid %d to exit" % pid)
        except TimeoutError:
            pass
    for e in entries:
        try:
            if not is_ours(proc.read_pidfile(e["pidfile"]) or 0, root):
                os.unlink(e["pidfile"])
        except OSError:
            pass
    return targets
