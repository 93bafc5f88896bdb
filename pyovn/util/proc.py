"""Running and stopping the external programs pyovn is built on
(ovsdb-server, ovs-vswitchd, ovsdb-tool, ovs-vsctl, ovs-appctl...)."""

import errno
import os
import shutil
import signal
import subprocess
import time


class ProcError(RuntimeError):
    """An external program failed; the message says which and why."""


def which(prog):
    path = shutil.which(prog)
    if path is None:
        raise ProcError("%s: not found on PATH (install Open vSwitch: "
                        "'make deps' or scripts/install-deps)" % prog)
    return path


def run(cmd, *, check=True, env=None, timeout=60, input=None, cwd=None):
    """Runs CMD (a list), returns its stdout as text.  Raises ProcError with
    the program's stderr when it fails and CHECK is true."""
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, env=env,
                           timeout=timeout, input=input, cwd=cwd)
    except FileNotFoundError:
        raise ProcError("%s: not found on PATH" % cmd[0])
    except subprocess.TimeoutExpired:
        raise ProcError("%s: timed out after %ss" % (" ".join(cmd), timeout))
    if check and p.returncode != 0:
        raise ProcError("%s failed (exit %d): %s"
                        % (" ".join(cmd), p.returncode,
                           (p.stderr or p.stdout).strip()))
    return p.stdout


def wait_for(predicate, timeout=10.0, interval=0.02, what="condition"):
    """Polls PREDICATE until it returns a true value, which is returned.
    Raises TimeoutError naming WHAT after TIMEOUT seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError("timed out after %.1fs waiting for %s"
                               % (timeout, what))
        time.sleep(interval)


def read_pidfile(path):
    try:
        with open(path) as f:
            return int(f.read().strip() or 0) or None
    except (OSError, ValueError):
        return None


def pid_alive(pid):
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except OSError as e:
        return e.errno == errno.EPERM
    # A zombie child of ours is not alive.
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def stop_pid(pid, timeout=5.0):
    """Stops process PID: SIGTERM, then SIGKILL after TIMEOUT seconds."""
    if not pid_alive(pid):
        return
    for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 5.0)):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return
        try:
            wait_for(lambda: not pid_alive(pid), wait, what="pid %d" % pid)
            return
        except TimeoutError:
            continue


def ovs_pkgdatadir():
    """Where Open vSwitch keeps its schemas (vswitch.ovsschema): from
    OVS_PKGDATADIR, else beside the installed ovsdb-server."""
    env = os.environ.get("OVS_PKGDATADIR")
    if env:
        return env
    prefix = os.path.dirname(os.path.dirname(os.path.realpath(which("ovsdb-server"))))
    return os.path.join(prefix, "share", "openvswitch")
