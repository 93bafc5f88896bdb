"""One chassis of C peers for the language's differential tests: NB, SB
and local ovsdb-servers, ovs-vswitchd on the dummy datapath, C ovn-northd
and C ovn-controller (test-only peers), all in one run directory."""

import json
import os
import shutil
import subprocess

import pytest

from pyovn.db import server
from pyovn.util import proc

TOOLS = ("ovn-northd", "ovn-controller", "ovs-vswitchd", "ovs-vsctl",
         "ovs-ofctl", "ovn-nbctl", "ovn-sbctl")


class CChassis:
    def __init__(self, rundir, system_id="hv1", vifs=(), bridges=("br-int",),
                 external_ids=()):
        """VIFS: logical port names, bound to vif0, vif1, ... on br-int.
        BRIDGES: created with fail-mode=secure (br-int first).
        EXTERNAL_IDS: more Open_vSwitch external_ids, as "key=value"."""
        for tool in TOOLS:
            if shutil.which(tool) is None:
                pytest.skip("%s not installed" % tool)
        self.rd = rundir
        self.env = dict(os.environ, OVN_RUNDIR=rundir, OVS_RUNDIR=rundir)
        self.system_id = system_id
        self.vifs = list(vifs)
        self.bridges = list(bridges)
        self.external_ids = list(external_ids)
        self.servers = []
        self.pidfiles = []

    def start(self):
        self.nb = self._db("nb")
        self.sb = self._db("sb")
        self.vs = self._db("vswitch")
        self._daemon(["ovn-northd", "--ovnnb-db=" + self.nb.remote,
                      "--ovnsb-db=" + self.sb.remote], "ovn-northd")
        self._daemon(["ovs-vswitchd", self.vs.remote, "--enable-dummy=override",
                      "--disable-system"], "ovs-vswitchd")
        for br in self.bridges:
            self.vsctl("add-br", br, "--", "set", "bridge", br, "fail-mode=secure",
                       "other-config:disable-in-band=true")
        self.vsctl("set", "open", ".", "external_ids:system-id=" + self.system_id,
                   "external_ids:ovn-remote=" + self.sb.remote,
                   "external_ids:ovn-encap-type=geneve",
                   "external_ids:ovn-encap-ip=127.0.0.1",
                   *["external_ids:" + kv for kv in self.external_ids])
        for i, port in enumerate(self.vifs):
            self.vsctl("add-port", "br-int", "vif%d" % i, "--", "set", "interface",
                       "vif%d" % i, "external_ids:iface-id=" + port)
        self._daemon(["ovn-controller", self.vs.remote], "ovn-controller")
        return self

    def _db(self, kind):
        srv = server.start_server(self.rd, kind)
        self.servers.append(srv)
        return srv

    def _daemon(self, cmd, name):
        pidfile = os.path.join(self.rd, name + ".pid")
        extra = [] if name == "ovn-controller" else [
            "--unixctl=" + os.path.join(self.rd, name + ".ctl")]
        subprocess.run(cmd + ["--detach", "--no-chdir", "--pidfile=" + pidfile,
                              "--log-file=" + os.path.join(self.rd, name + ".log"),
                              "-vconsole:off"] + extra,
                       check=True, timeout=30, env=self.env)
        self.pidfiles.append(pidfile)

    def run(self, *cmd):
        p = subprocess.run(list(cmd), capture_output=True, text=True, timeout=60,
                           env=self.env)
        assert p.returncode == 0, (cmd, p.stderr)
        return p.stdout

    def vsctl(self, *args):
        return self.run("ovs-vsctl", "--db=" + self.vs.remote, "--timeout=10", *args)

    def nbctl(self, *args):
        return self.run("ovn-nbctl", "--db=" + self.nb.remote, "--timeout=60", *args)

    def ofctl(self, *args):
        return self.run("ovs-ofctl", "-O", "OpenFlow15", *args)

    def dump(self, bridge="br-int"):
        return self.ofctl("dump-flows", bridge)

    def sb_rows(self, table, columns):
        """[{column: JSON value}] of TABLE, read with the C ovn-sbctl."""
        out = self.run("ovn-sbctl", "--db=" + self.sb.remote, "--format=json",
                       "--columns=" + ",".join(columns), "list", table)
        data = json.loads(out)
        return [dict(zip(data["headings"], row)) for row in data["data"]]

    def stop(self):
        for p in reversed(self.pidfiles):
            pid = proc.read_pidfile(p)
            if pid:
                proc.stop_pid(pid)
        for s in self.servers:
            s.stop()
