"""The IDL layer every pyovn daemon and tool uses, on Open vSwitch's own
Python IDL (ovs.db.idl).  Single-threaded: callers drive it from their own
poll loop with run() and wait(), or block with sync() / transact().

    db = Database("unix:/run/ovn/ovnnb_db.sock", "nb")
    db.sync()                                   # first full replica
    for ls in db.rows("Logical_Switch"): ...
    db.transact(lambda txn: ...)                 # retried on TRY_AGAIN
"""

import time

import ovs.db.idl
import ovs.poller
import ovs.vlog

from pyovn.db import schemas

vlog = ovs.vlog.Vlog("idl")

Transaction = ovs.db.idl.Transaction


class TxnError(RuntimeError):
    """A transaction that failed for a reason other than TRY_AGAIN."""


class _TrackingIdl(ovs.db.idl.Idl):
    """Idl that records which tables changed since the last clear."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.changed_tables = set()
        self.listeners = []

    def notify(self, event, row, updates=None):
        self.changed_tables.add(row._table.name)
        for listener in self.listeners:
            listener(event, row, updates)


class Database:
    """A client of one OVSDB database.

    REMOTE is an OVSDB connection string: unix:PATH, tcp:IP:PORT, ssl:IP:PORT,
    or a comma-separated list of them (members of a cluster).  SCHEMA is a
    schema kind (see pyovn.db.schemas) or a path to a .ovsschema file.
    TABLES limits what is replicated: {table: [columns] or None for all}.
    """

    def __init__(self, remote, schema, tables=None, leader_only=False,
                 probe_interval=None):
        location = schema if schema.endswith(".ovsschema") else schemas.path(schema)
        helper = ovs.db.idl.SchemaHelper(location=location)
        if tables is None:
            helper.register_all()
        else:
            for table, columns in tables.items():
                if columns is None:
                    helper.register_table(table)
                else:
                    helper.register_columns(table, list(columns))
        self.remote = remote
        self.idl = _TrackingIdl(remote, helper, leader_only=leader_only,
                                probe_interval=probe_interval)

    # -- the run loop -------------------------------------------------------
    def run(self):
        """Processes what the server sent; returns True if the replica changed."""
        seqno = self.idl.change_seqno
        self.idl.run()
        return self.idl.change_seqno != seqno

    def wait(self, poller):
        self.idl.wait(poller)

    def is_connected(self):
        return self.idl.is_connected()

    def sync(self, timeout=10.0):
        """Blocks until the first complete replica has arrived."""
        deadline = time.monotonic() + timeout
        while True:
            self.run()
            if self.idl.has_ever_connected() and self.idl.change_seqno:
                return self
            if time.monotonic() > deadline:
                raise TimeoutError("no reply from database %s within %.0fs"
                                   % (self.remote, timeout))
            self._block(deadline)

    def _block(self, deadline):
        poller = ovs.poller.Poller()
        self.wait(poller)
        poller.timer_wait(max(1, min(500, int((deadline - time.monotonic()) * 1000))))
        poller.block()

    def wait_until(self, predicate, timeout=10.0):
        """Runs the IDL until PREDICATE(self) is true; returns its value."""
        deadline = time.monotonic() + timeout
        while True:
            self.run()
            value = predicate(self)
            if value:
                return value
            if time.monotonic() > deadline:
                raise TimeoutError("condition not met within %.0fs" % timeout)
            self._block(deadline)

    def close(self):
        self.idl.close()

    # -- reading --------------------------------------------------------------
    @property
    def tables(self):
        return self.idl.tables

    def rows(self, table):
        """The rows of TABLE (a list, safe to iterate while writing)."""
        return list(self.idl.tables[table].rows.values())

    def row(self, table, uuid):
        return self.idl.tables[table].rows.get(uuid)

    def find(self, table, **conditions):
        """Rows of TABLE whose columns equal the given values."""
        return [r for r in self.idl.tables[table].rows.values()
                if all(getattr(r, c) == v for c, v in conditions.items())]

    def find_one(self, table, **conditions):
        found = self.find(table, **conditions)
        return found[0] if found else None

    # -- writing --------------------------------------------------------------
    def transact(self, build, timeout=30.0, retries=100):
        """Runs BUILD(txn) in a fresh transaction and commits it, rebuilding
        and retrying when the server answers TRY_AGAIN.  Returns the txn
        (for get_insert_uuid) after SUCCESS or UNCHANGED."""
        deadline = time.monotonic() + timeout
        for _ in range(retries):
            self.run()
            txn = Transaction(self.idl)
            result = build(txn)
            if result is False:
                txn.abort()
                return None
            status = txn.commit_block()
            if status in (Transaction.SUCCESS, Transaction.UNCHANGED):
                return txn
            if status == Transaction.TRY_AGAIN:
                if time.monotonic() > deadline:
                    break
                self.wait_until(lambda db: True, timeout=1.0)
                continue
            raise TxnError("transaction failed: %s: %s"
                           % (status, txn.get_error()))
        raise TxnError("transaction still failing with TRY_AGAIN after %.0fs"
                       % timeout)
