"""A real ovs-vswitchd with the dummy datapath on a private run directory,
for tests of anything that talks OpenFlow to br-int (channel, ofctrl,
controller, pinctrl).

    sw = Switch(rundir).start()
    sw.add_bridge("br-int")
    sw.add_port("br-int", "p1", ofport=1)
    sw.ofctl("dump-flows", "br-int")
    sw.stop()

Everything runs with OVS_RUNDIR=RUNDIR, so br-int's management socket is
RUNDIR/br-int.mgmt, as ovn-controller expects.
"""

import os
import re

from pyovn.db import server
from pyovn.util import proc


class Switch:
    def __init__(self, rundir):
        self.rundir = os.path.abspath(rundir)
        self.db = None
        self.pidfile = os.path.join(self.rundir, "ovs-vswitchd.pid")
        self.ctl = os.path.join(self.rundir, "ovs-vswitchd.ctl")
        self.logfile = os.path.join(self.rundir, "ovs-vswitchd.log")
        self.env = dict(os.environ, OVS_RUNDIR=self.rundir, OVS_DBDIR=self.rundir,
                        OVS_LOGDIR=self.rundir)

    @property
    def db_remote(self):
        return self.db.remote

    def mgmt(self, bridge="br-int"):
        """Path of BRIDGE's OpenFlow management socket."""
        return os.path.join(self.rundir, bridge + ".mgmt")

    def start(self):
        if self.db is None:
            self.db = server.start_server(self.rundir, "vswitch")
            self.vsctl("--no-wait", "init")
        self.start_vswitchd()
        return self

    def start_vswitchd(self):
        proc.run([proc.which("ovs-vswitchd"), self.db_remote,
                  "--enable-dummy=system", "--disable-system", "-vconsole:off",
                  "--detach", "--no-chdir", "--pidfile=" + self.pidfile,
                  "--log-file=" + self.logfile, "--unixctl=" + self.ctl],
                 env=self.env)

    def stop_vswitchd(self):
        pid = proc.read_pidfile(self.pidfile)
        if proc.pid_alive(pid):
            try:
                proc.run([proc.which("ovs-appctl"), "-t", self.ctl, "exit"],
                         env=self.env, timeout=10)
                proc.wait_for(lambda: not proc.pid_alive(pid), 5.0,
                              what="ovs-vswitchd to exit")
            except (proc.ProcError, TimeoutError):
                proc.stop_pid(pid)

    def stop(self):
        self.stop_vswitchd()
        if self.db is not None:
            self.db.stop()

    def vsctl(self, *args):
        return proc.run([proc.which("ovs-vsctl"), "--db=" + self.db_remote,
                         "--timeout=20"] + list(args), env=self.env)

    def appctl(self, *args):
        return proc.run([proc.which("ovs-appctl"), "-t", self.ctl] + list(args),
                        env=self.env)

    def ofctl(self, cmd, bridge, *args, check=True):
        return proc.run([proc.which("ovs-ofctl"), "-O", "OpenFlow15", cmd,
                         "unix:" + self.mgmt(bridge)] + list(args),
                        env=self.env, check=check)

    def add_bridge(self, bridge="br-int"):
        self.vsctl("add-br", bridge, "--", "set", "bridge", bridge,
                   "datapath_type=dummy", "fail-mode=secure",
                   "other-config:disable-in-band=true")
        proc.wait_for(lambda: os.path.exists(self.mgmt(bridge)), 10.0,
                      what="%s management socket" % bridge)

    def del_bridge(self, bridge):
        self.vsctl("--if-exists", "del-br", bridge)

    def add_port(self, bridge, name, ofport):
        self.vsctl("add-port", bridge, name, "--", "set", "interface", name,
                   "type=dummy", "ofport_request=%d" % ofport)

    def dump_flows(self, bridge="br-int", table=None):
        """Installed flows as ovs-ofctl prints them, without statistics,
        sorted: a list of strings."""
        args = ["--no-stats"]
        if table is not None:
            args.append("table=%d" % table)
        out = self.ofctl("dump-flows", bridge, *args)
        return sorted(normalize_flow(line) for line in out.splitlines()
                      if line.strip() and "reply" not in line)

    def dump_groups(self, bridge="br-int"):
        out = self.ofctl("dump-groups", bridge)
        return sorted(line.strip() for line in out.splitlines()[1:] if line.strip())

    def dump_meters(self, bridge="br-int"):
        out = self.ofctl("dump-meters", bridge)
        return [line.strip() for line in out.splitlines()[1:] if line.strip()]

    def receive(self, port, packet):
        """Injects PACKET (a flow in ovs-ofctl syntax or hex bytes) as if it
        arrived on dummy port PORT."""
        return self.appctl("netdev-dummy/receive", port, packet)


_STATS = re.compile(r"\s*(duration|n_packets|n_bytes|idle_age|hard_age|reset_counts)=[^,\s]*,?")


def normalize_flow(line):
    """One dump-flows line without statistics and spacing differences."""
    line = _STATS.sub("", line.strip())
    line = re.sub(r",\s+", ",", line)
    line = re.sub(r"(^|,)table=0,", r"\1", line)     # ovs-ofctl omits table 0
    return line.strip().strip(",")
