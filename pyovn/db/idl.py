"""The IDL layer every pyovn daemon and tool uses, on Open vSwitch's own
Python IDL (ovs.db.idl).  Single-threaded: callers drive it from their own
poll loop with run() and wait(), or block with sync() / transact().  No
background threads.

    db = Database("unix:/run/ovn/ovnnb_db.sock", "nb")
    db.sync()                                   # first full replica
    for ls in db.rows("Logical_Switch"): ...
    db.transact(lambda txn: ...)                 # retried on TRY_AGAIN

Connections: REMOTE is unix:PATH, tcp:IP:PORT, ssl:IP:PORT or a
comma-separated list of them (the members of a Raft cluster; the IDL moves
to another member when one fails).  For ssl: remotes give the private key,
certificate and CA certificate (set_ssl(), or ssl_key= / ssl_cert= /
ssl_ca_cert= to Database); python-ovs keeps them per process.

Change tracking: every Database records which rows were inserted, updated
and deleted; take_changes() returns them (a Changes) and starts afresh.

    db.run()
    ch = db.take_changes()
    for row in ch.inserted("Logical_Switch"): ...
    ch.updated_columns("Logical_Switch", row)   # {"ports", ...}

Indexes: db.index("Port_Binding", "logical_port") builds a dict index kept
up to date from the same notifications; db.lookup() / db.lookup_one() use
it (or scan, when no index covers the columns).

Locks: db.set_lock("ovn_northd"); db.has_lock; db.is_lock_contended.

Reading rows: python-ovs gives optional columns (min 0, max 1) as lists of
zero or one element.  value(row, column) gives that value or None, and
Database.get(table, uuid) / row_by_uuid() read well in daemons.
"""

import time
import uuid as uuid_mod

import ovs.db.idl
import ovs.poller
import ovs.stream
import ovs.vlog

from pyovn.db import jsonstream, schemas

# JSON-RPC streams parsed by the standard library's C decoder (see
# jsonstream.py) wherever python-ovs has no C parser of its own.
jsonstream.install()

vlog = ovs.vlog.Vlog("idl")

Transaction = ovs.db.idl.Transaction
ROW_CREATE = ovs.db.idl.ROW_CREATE
ROW_UPDATE = ovs.db.idl.ROW_UPDATE
ROW_DELETE = ovs.db.idl.ROW_DELETE


class TxnError(RuntimeError):
    """A transaction that failed for a reason other than TRY_AGAIN."""

    def __init__(self, message, status=None):
        super().__init__(message)
        self.status = status


# -- SSL ----------------------------------------------------------------------

def set_ssl(private_key, certificate, ca_cert):
    """Sets the files python-ovs uses for every ssl: connection of this
    process."""
    ovs.stream.Stream.ssl_set_private_key_file(private_key)
    ovs.stream.Stream.ssl_set_certificate_file(certificate)
    ovs.stream.Stream.ssl_set_ca_cert_file(ca_cert)


def split_remotes(remote):
    """The members of a comma-separated connection string."""
    return [r for r in (p.strip() for p in remote.split(",")) if r]


# -- reading rows ---------------------------------------------------------------

def value(row, column, default=None):
    """The value of an optional column (python-ovs: a list of 0 or 1
    element) or DEFAULT when it is empty.  Other columns are returned as
    they are."""
    v = getattr(row, column)
    if isinstance(v, list):
        column_type = row._table.columns[column].type
        if column_type.n_min == 0 and column_type.n_max == 1:
            return v[0] if v else default
    return v


def _hashable(v):
    if isinstance(v, ovs.db.idl.Row):
        return v.uuid
    if isinstance(v, (list, tuple)):
        return tuple(_hashable(x) for x in v)
    if isinstance(v, dict):
        return tuple(sorted((_hashable(k), _hashable(x)) for k, x in v.items()))
    return v


# -- change tracking ---------------------------------------------------------

class Changes:
    """The rows inserted, updated and deleted in some span of time, per
    table.  A row inserted and later updated counts as inserted; a row
    inserted and deleted is not reported; a row deleted and inserted again
    (the IDL reloading after a reconnect) counts as updated."""

    def __init__(self):
        self._events = {}       # table -> {uuid: [event, row, columns]}

    def _record(self, event, row, columns=()):
        table = self._events.setdefault(row._table.name, {})
        prev = table.get(row.uuid)
        if prev is None:
            table[row.uuid] = [event, row, set(columns)]
            return
        old = prev[0]
        if event == ROW_DELETE:
            if old == ROW_CREATE:
                del table[row.uuid]
            else:
                prev[0], prev[1] = ROW_DELETE, row
        elif event == ROW_CREATE:      # delete, then create again
            prev[0], prev[1] = ROW_UPDATE, row
            prev[2] = None            # every column may have changed
        else:
            prev[1] = row
            if old == ROW_UPDATE and prev[2] is not None:
                prev[2].update(columns)

    def _rows(self, table, event):
        return [r for e, r, _ in self._events.get(table, {}).values() if e == event]

    def inserted(self, table):
        return self._rows(table, ROW_CREATE)

    def updated(self, table):
        return self._rows(table, ROW_UPDATE)

    def deleted(self, table):
        """The deleted rows, as they were last seen."""
        return self._rows(table, ROW_DELETE)

    def updated_columns(self, table, row):
        """The columns that changed in updated ROW (all of its table's
        columns when that is not known)."""
        entry = self._events.get(table, {}).get(row.uuid)
        if entry is None or entry[0] != ROW_UPDATE:
            return set()
        if entry[2] is None:
            return set(row._table.columns)
        return set(entry[2])

    @property
    def tables(self):
        """The names of the tables that have changes."""
        return {t for t, rows in self._events.items() if rows}

    def __bool__(self):
        return bool(self.tables)

    def __repr__(self):
        return "<Changes %s>" % ", ".join(
            "%s: +%d ~%d -%d" % (t, len(self.inserted(t)), len(self.updated(t)),
                                len(self.deleted(t))) for t in sorted(self.tables))


# -- indexes -------------------------------------------------------------------

class Index:
    """A dict index on one or more columns of a table: lookup(values) ->
    rows whose columns equal VALUES.  Kept up to date from the IDL's
    notifications."""

    def __init__(self, table, columns):
        self.table = table
        self.columns = tuple(columns)
        self._map = {}

    def key(self, row, old=None):
        """ROW's key; with OLD (python-ovs's row of old values of the changed
        columns) the key it had before the update."""
        values = []
        for c in self.columns:
            if old is not None and c in (old._data or {}):
                values.append(_hashable(getattr(old, c)))
            else:
                values.append(_hashable(getattr(row, c)))
        return tuple(values)

    def _add(self, row):
        self._map.setdefault(self.key(row), {})[row.uuid] = row

    def _remove(self, key, row):
        rows = self._map.get(key)
        if rows is not None:
            rows.pop(row.uuid, None)
            if not rows:
                del self._map[key]

    def rebuild(self, rows):
        self._map = {}
        for row in rows:
            self._add(row)

    def update(self, event, row, old=None):
        if event == ROW_CREATE:
            self._add(row)
        elif event == ROW_DELETE:
            self._remove(self.key(row), row)
        else:
            self._remove(self.key(row, old), row)
            self._add(row)

    def lookup(self, *values):
        if len(values) != len(self.columns):
            raise ValueError("index on %s(%s) needs %d values, got %d"
                             % (self.table, ", ".join(self.columns),
                                len(self.columns), len(values)))
        return list(self._map.get(tuple(_hashable(v) for v in values), {}).values())


class _TrackingIdl(ovs.db.idl.Idl):
    """Idl that records which tables and rows changed, and keeps indexes."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.changed_tables = set()
        self.listeners = []
        self.changes = Changes()
        self.indexes = {}        # table -> [Index]

    def notify(self, event, row, updates=None):
        table = row._table.name
        self.changed_tables.add(table)
        columns = ()
        if event == ROW_UPDATE and updates is not None:
            columns = list((updates._data or {}).keys())
        self.changes._record(event, row, columns)
        for index in self.indexes.get(table, ()):
            index.update(event, row, updates)
        for listener in self.listeners:
            listener(event, row, updates)

    def _Idl__clear(self):
        # python-ovs drops the whole replica without notifications when it
        # has to reload it (a reconnect it cannot resume): report the rows
        # as deleted, so that trackers see reloaded rows as updates and
        # vanished ones as deletions.
        for table in self.tables.values():
            for row in list(table.rows.values()):
                self.changed_tables.add(table.name)
                self.changes._record(ROW_DELETE, row)
        super()._Idl__clear()
        for indexes in self.indexes.values():
            for index in indexes:
                index.rebuild(())


class Database:
    """A client of one OVSDB database.

    REMOTE is an OVSDB connection string: unix:PATH, tcp:IP:PORT, ssl:IP:PORT,
    or a comma-separated list of them (members of a cluster).  SCHEMA is a
    schema kind (see pyovn.db.schemas) or a path to a .ovsschema file.
    TABLES limits what is replicated: {table: [columns] or None for all}.
    LEADER_ONLY: with a cluster, talk only to the leader.  SSL_KEY,
    SSL_CERT, SSL_CA_CERT: files for ssl: remotes (see set_ssl()).
    """

    def __init__(self, remote, schema, tables=None, leader_only=False,
                 probe_interval=None, ssl_key=None, ssl_cert=None,
                 ssl_ca_cert=None):
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
        remotes = split_remotes(remote)
        if not remotes:
            raise ValueError("empty database connection string")
        for r in remotes:
            if r.split(":", 1)[0] not in ("unix", "tcp", "ssl"):
                raise ValueError("%s: not a database remote (expected unix:PATH, "
                                 "tcp:IP:PORT or ssl:IP:PORT)" % r)
        if ssl_key or ssl_cert or ssl_ca_cert:
            if not (ssl_key and ssl_cert and ssl_ca_cert):
                raise ValueError("SSL needs a private key, a certificate and a "
                                 "CA certificate")
            set_ssl(ssl_key, ssl_cert, ssl_ca_cert)
        elif any(r.startswith("ssl:") for r in remotes) and \
                ovs.stream.Stream._SSL_private_key_file is None:
            raise ValueError("%s: SSL remote but no private key, certificate and "
                             "CA certificate configured" % remote)
        self.remote = remote
        self.idl = _TrackingIdl(",".join(remotes), helper, leader_only=leader_only,
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
        return self.idl._session.is_connected()

    @property
    def change_seqno(self):
        return self.idl.change_seqno

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

    def session_name(self):
        """The remote the IDL is talking to now."""
        return self.idl.session_name()

    # -- change tracking ----------------------------------------------------------
    @property
    def changes(self):
        """What changed since the last take_changes() (or since the start)."""
        return self.idl.changes

    def take_changes(self):
        """Returns the Changes since the last call and starts a new record."""
        changes = self.idl.changes
        self.idl.changes = Changes()
        self.idl.changed_tables = set()
        return changes

    # -- reading --------------------------------------------------------------
    @property
    def tables(self):
        return self.idl.tables

    def rows(self, table):
        """The rows of TABLE (a list, safe to iterate while writing)."""
        return list(self.idl.tables[table].rows.values())

    def row(self, table, uuid):
        if isinstance(uuid, str):
            try:
                uuid = uuid_mod.UUID(uuid)
            except ValueError:
                return None
        return self.idl.tables[table].rows.get(uuid)

    get = row

    def find(self, table, **conditions):
        """Rows of TABLE whose columns equal the given values."""
        return [r for r in self.idl.tables[table].rows.values()
                if all(getattr(r, c) == v for c, v in conditions.items())]

    def find_one(self, table, **conditions):
        found = self.find(table, **conditions)
        return found[0] if found else None

    # -- indexes --------------------------------------------------------------------
    def index(self, table, *columns):
        """Returns the index on TABLE's COLUMNS, creating it (from the current
        replica) the first time."""
        if table not in self.idl.tables:
            raise KeyError("no table %s in %s" % (table, self.remote))
        for c in columns:
            if c not in self.idl.tables[table].columns:
                raise KeyError("no column %s in table %s" % (c, table))
        for index in self.idl.indexes.get(table, ()):
            if index.columns == tuple(columns):
                return index
        index = Index(table, columns)
        index.rebuild(self.idl.tables[table].rows.values())
        self.idl.indexes.setdefault(table, []).append(index)
        return index

    def lookup(self, table, **conditions):
        """Rows of TABLE whose columns equal the given values, through an
        index on exactly those columns when there is one."""
        names = tuple(conditions)
        for index in self.idl.indexes.get(table, ()):
            if set(index.columns) == set(names):
                return index.lookup(*[conditions[c] for c in index.columns])
        want = {c: _hashable(v) for c, v in conditions.items()}
        return [r for r in self.idl.tables[table].rows.values()
                if all(_hashable(getattr(r, c)) == v for c, v in want.items())]

    def lookup_one(self, table, **conditions):
        found = self.lookup(table, **conditions)
        return found[0] if found else None

    # -- locks ------------------------------------------------------------------------
    def set_lock(self, name):
        """Asks the server for lock NAME (None releases it).  Transactions
        then fail with NOT_LOCKED while another client holds it."""
        self.idl.set_lock(name)

    @property
    def lock_name(self):
        return self.idl.lock_name

    @property
    def has_lock(self):
        return self.idl.has_lock

    @property
    def is_lock_contended(self):
        return self.idl.is_lock_contended

    # -- writing --------------------------------------------------------------
    def transact(self, build, timeout=30.0, retries=100):
        """Runs BUILD(txn) in a fresh transaction and commits it, rebuilding
        and retrying when the server answers TRY_AGAIN (BUILD sees the
        replica as updated in between; it may call row.verify(column) to make
        the commit conditional on what it read).  Returns the txn (for
        get_insert_uuid) after SUCCESS or UNCHANGED, None if BUILD returned
        False (nothing to do).  Raises TxnError otherwise."""
        deadline = time.monotonic() + timeout
        for _ in range(retries):
            self.run()
            seqno = self.idl.change_seqno
            txn = Transaction(self.idl)
            try:
                result = build(txn)
            except BaseException:
                txn.abort()
                raise
            if result is False:
                txn.abort()
                return None
            status = txn.commit_block()
            if status in (Transaction.SUCCESS, Transaction.UNCHANGED):
                return txn
            if status == Transaction.TRY_AGAIN:
                if time.monotonic() > deadline:
                    break
                vlog.dbg("transaction on %s: TRY_AGAIN, retrying" % self.remote)
                # Wait for the change that made the server refuse (or for
                # the reconnection), then rebuild against the new replica.
                try:
                    self.wait_until(
                        lambda db: db.idl.change_seqno != seqno and db.is_connected(),
                        timeout=max(0.1, min(1.0, deadline - time.monotonic())))
                except TimeoutError:
                    pass
                continue
            if status == Transaction.NOT_LOCKED:
                raise TxnError("transaction refused: this client does not hold "
                               "lock '%s'" % self.idl.lock_name, status)
            raise TxnError("transaction failed: %s: %s"
                           % (status, txn.get_error()), status)
        raise TxnError("transaction still failing with TRY_AGAIN after %.0fs"
                       % timeout, Transaction.TRY_AGAIN)
