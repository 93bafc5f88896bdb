"""Helpers for northd's tests, in a module of its own (not conftest) so
that test files import them by a name no other test directory uses."""

import os
import subprocess
import sys

from pyovn.db.idl import Database
from pyovn.util import proc


class Nb:
    """Writes NB rows with python-ovs transactions (what a CMS does)."""

    def __init__(self, remote):
        self.db = Database(remote, "nb").sync()
        if not self.db.rows("NB_Global"):
            self.db.transact(lambda txn: txn.insert(self.db.tables["NB_Global"]))

    def _insert(self, table, parent=None, column=None, **cols):
        holder = {}

        def build(txn):
            row = txn.insert(self.db.tables[table])
            for k, v in cols.items():
                setattr(row, k, v)
            if parent is not None:
                prow = self._find(parent[0], parent[1])
                prow.addvalue(column, row.uuid)
            holder["row"] = row
        txn = self.db.transact(build)
        uuid = txn.get_insert_uuid(holder["row"].uuid)
        self.db.wait_until(lambda db: db.row(table, uuid) is not None)
        return uuid

    def _find(self, table, name):
        rows = [r for r in self.db.rows(table) if r.name == name]
        assert rows, "%s %s not found" % (table, name)
        return rows[0]

    def ls(self, name, **cols):
        return self._insert("Logical_Switch", name=name, **cols)

    def lsp(self, ls, name, addresses=(), **cols):
        return self._insert("Logical_Switch_Port", ("Logical_Switch", ls), "ports",
                            name=name, addresses=list(addresses), **cols)

    def lr(self, name, **cols):
        return self._insert("Logical_Router", name=name, **cols)

    def lrp(self, lr, name, mac, networks, **cols):
        return self._insert("Logical_Router_Port", ("Logical_Router", lr), "ports",
                            name=name, mac=mac, networks=list(networks), **cols)

    def acl(self, ls, direction, priority, match, action, **cols):
        return self._insert("ACL", ("Logical_Switch", ls), "acls", direction=direction,
                            priority=priority, match=match, action=action, **cols)

    def pg(self, name, ports, **cols):
        def build(txn):
            row = txn.insert(self.db.tables["Port_Group"])
            row.name = name
            row.ports = [self._find("Logical_Switch_Port", p) for p in ports]
            for k, v in cols.items():
                setattr(row, k, v)
        self.db.transact(build)
        self.db.wait_until(lambda db: any(r.name == name for r in db.rows("Port_Group")))

    def pg_acl(self, pg, direction, priority, match, action, **cols):
        return self._insert("ACL", ("Port_Group", pg), "acls", direction=direction,
                            priority=priority, match=match, action=action, **cols)

    def set(self, table, name, **cols):
        def build(txn):
            row = self._find(table, name)
            for k, v in cols.items():
                setattr(row, k, v)
        self.db.transact(build)

    def delete(self, table, name):
        def build(txn):
            self._find(table, name).delete()
        self.db.transact(build)

    def bump(self):
        """Increments nb_cfg (what `ovn-nbctl --wait=sb sync` does)."""
        holder = {}

        def build(txn):
            g = self.db.rows("NB_Global")[0]
            holder["v"] = g.nb_cfg + 1
            g.verify("nb_cfg")
            g.nb_cfg = holder["v"]
        self.db.transact(build)
        return holder["v"]

    def global_(self):
        self.db.run()
        return self.db.rows("NB_Global")[0]



def wait_sb_synced(nb, timeout=20):
    """Bumps nb_cfg and waits until northd reports it in sb_cfg."""
    want = nb.bump()
    nb.db.wait_until(lambda db: db.rows("NB_Global")[0].sb_cfg >= want, timeout)
    return want


class NorthdProc:
    def __init__(self, rundir, nb_remote, sb_remote, name="northd", extra=()):
        self.rundir = rundir
        self.ctl = os.path.join(rundir, name + ".ctl")
        self.log = os.path.join(rundir, name + ".log")
        self.pidfile = os.path.join(rundir, name + ".pid")
        cmd = [sys.executable, "-m", "pyovn.cli", "northd",
               "--ovnnb-db=" + nb_remote, "--ovnsb-db=" + sb_remote,
               "--unixctl=" + self.ctl, "--log-file=" + self.log,
               "--pidfile=" + self.pidfile, "-vconsole:off"] + list(extra)
        self.p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL)
        proc.wait_for(lambda: os.path.exists(self.ctl), 10, what="northd control socket")

    def appctl(self, *args):
        return subprocess.run(["ovs-appctl", "-t", self.ctl] + list(args),
                              capture_output=True, text=True, timeout=10).stdout.strip()

    def log_text(self):
        with open(self.log) as f:
            return f.read()

    def kill9(self):
        self.p.kill()
        self.p.wait(5)

    def stop(self):
        if self.p.poll() is None:
            try:
                self.appctl("exit")
                self.p.wait(5)
            except Exception:
                self.p.kill()
                self.p.wait(5)
