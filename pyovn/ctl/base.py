"""The command layer every pyovn ctl tool is built on.

A tool (Program) is a schema, a Registry of Command objects and a few hooks.
One invocation is

    TOOL [GLOBAL-OPTIONS] [--] [CMD-OPTIONS] CMD ARG... [-- [CMD-OPTIONS] CMD ARG...]...

and runs in these steps (Runner.main):

 1. parse the global options (also from the tool's *_OPTIONS environment
    variable); options before the first command that are not global are
    options of the first command, as in the C tools;
 2. split the commands at "--", look each one up, check its options and its
    number of arguments and run its validate step -- for EVERY command,
    before connecting, so that a bad argument anywhere writes nothing;
 3. connect (--db, else the tool's environment variable, else
    unix:$OVN_RUNDIR/<socket>), wait for the replica;
 4. run every command's run step against ONE transaction
    (pyovn.db.idl.Database.transact, rebuilt and retried on TRY_AGAIN;
    commands call ctx.verify() on what they read before they write);
    any CtlError aborts the transaction, so nothing is written;
 5. commit (or abort with --dry-run), resolve deferred output (UUIDs of
    inserted rows), run the tool's after-commit hook (--wait=sb|hv), print
    each command's output in order.

A command is declared once, with a decorator on its run function:

    @registry.command("ls-add", "[SWITCH]", args=(0, 1),
                      options=("--may-exist", "--add-duplicate"),
                      validate=check_ls_add)
    def ls_add(ctx): ...

See docs/ctl.md.
"""

import os
import sys
import time
import uuid as uuidlib

import ovs.db.data
import ovs.db.error
import ovs.db.idl
import ovs.db.types

from pyovn.ctl import output, values
from pyovn.ctl.errors import CtlError, NotYet
from pyovn.db.idl import Database, TxnError

FOREVER = 10 ** 7  # seconds: "wait forever" (--timeout=0)


# -- commands -----------------------------------------------------------------

class Command:
    """One verb: NAME, its argument syntax (for --help), how many arguments it
    takes (MIN_ARGS..MAX_ARGS; MAX_ARGS None = unlimited), the options it
    accepts ("--flag" or "--name=" for options with a value), a VALIDATE
    step (inv -> None, raises CtlError; no database access), the RUN step
    (ctx -> None) and MODE ("rw" or "ro")."""

    def __init__(self, name, syntax, run, min_args, max_args, options=(),
                 validate=None, mode="rw", help=""):
        self.name = name
        self.syntax = syntax
        self.run = run
        self.min_args = min_args
        self.max_args = max_args
        self.options = {}
        for opt in options:
            if opt.endswith("="):
                self.options[opt[:-1]] = True
            else:
                self.options[opt] = False
        self.validate = validate
        self.mode = mode
        self.help = help
        # Commands that may change anything (the generic database commands)
        # empty the per-invocation lookup caches (Context.cache) after
        # they run; the tools' own commands keep the caches up to date.
        self.invalidates_cache = False


class Registry:
    """The commands of one tool, in declaration order."""

    def __init__(self, *parents):
        self.commands = {}
        for p in parents:
            self.commands.update(p.commands)

    def add(self, cmd):
        self.commands[cmd.name] = cmd
        return cmd

    def command(self, name, syntax="", args=(0, 0), options=(), validate=None,
                mode="rw", help=""):
        def deco(func):
            self.add(Command(name, syntax, func, args[0], args[1], options,
                             validate, mode, help or (func.__doc__ or "").strip()))
            return func
        return deco

    def include(self, other):
        self.commands.update(other.commands)

    def get(self, name):
        return self.commands.get(name)


class Invocation:
    """One command on the command line, after parsing."""

    def __init__(self, command, args, opts):
        self.command = command
        self.name = command.name
        self.args = args
        self.opts = opts  # "--name" -> value (str) or True

    def has(self, opt):
        return opt in self.opts

    def opt(self, opt, default=None):
        return self.opts.get(opt, default)


# -- record identification --------------------------------------------------

class RowId:
    """A way to name a record of TABLE: the value of NAME_COLUMN (or of KEY
    in that map column).  When UUID_COLUMN is given, the record is the row
    that column of the named row points to."""

    def __init__(self, table, name_column, key=None, uuid_column=None):
        self.table = table
        self.name_column = name_column
        self.key = key
        self.uuid_column = uuid_column


# -- symbols (@name) ----------------------------------------------------------

class Symbols:
    """@names of one invocation: create --id=@name defines one for the new
    row, get --id=@name for an existing row; other commands may refer to
    them wherever a UUID is expected (even before the create)."""

    def __init__(self):
        self.uuids = {}
        self.created = set()
        self.referenced = set()

    def reset(self):
        self.created = set()
        self.referenced = set()

    def check_name(self, name):
        if not name.startswith("@") or len(name) < 2:
            raise CtlError('row id "%s" does not begin with "@"' % name)

    def reference(self, name):
        self.check_name(name)
        self.referenced.add(name)
        return self.uuids.setdefault(name, uuidlib.uuid4())

    def define_new(self, name):
        self.check_name(name)
        if name in self.created:
            raise CtlError('row id "%s" may only be specified on one --id '
                           'option' % name)
        self.created.add(name)
        return self.uuids.setdefault(name, uuidlib.uuid4())

    def define_existing(self, name, uuid):
        self.check_name(name)
        if name in self.created:
            raise CtlError('row id "%s" may only be specified on one --id '
                           'option' % name)
        if name in self.referenced and self.uuids.get(name) != uuid:
            raise CtlError('row id "%s" is used before "get --id=%s" '
                           'defines it' % (name, name))
        self.created.add(name)
        self.uuids[name] = uuid
        return uuid

    def check_all_defined(self):
        for name in sorted(self.referenced - self.created):
            raise CtlError('row id "%s" is referenced but never created '
                           '(e.g. with "-- --id=%s create ...")' % (name, name))


# -- the context a command runs in --------------------------------------------

class Context:
    """What a command's run step sees: the invocation (args, opts), the
    database replica (db, idl) and the open transaction (txn), the @name
    symbols, and its output."""

    def __init__(self, runner, inv, txn):
        self.runner = runner
        self.program = runner.program
        self.db = runner.db
        self.idl = runner.db.idl if runner.db else None
        self.txn = txn
        self.inv = inv
        self.args = inv.args
        self.opts = inv.opts
        self.symbols = runner.symbols
        self.style = runner.style
        self.cache = runner.cache
        self.out = []

    # options / output
    def has(self, opt):
        return opt in self.opts

    def opt(self, opt, default=None):
        return self.opts.get(opt, default)

    def write(self, text):
        self.out.append(text)

    def writeln(self, text=""):
        self.out.append(text + "\n")

    def defer(self, func):
        """Output computed after the commit: FUNC(txn) -> str."""
        self.out.append(func)

    # tables and rows
    def table(self, name):
        return self.idl.tables[name]

    def rows(self, table):
        return list(self.idl.tables[table].rows.values())

    def insert(self, table, uuid=None, persist_uuid=False):
        """Inserts a row into TABLE.  Every column whose default value is
        valid is set to it, so that later commands of the same invocation
        can read any column of the new row (python-ovs cannot read unset
        columns of a row inserted by the open transaction)."""
        if self.txn is None:
            raise CtlError("internal error: write outside a transaction")
        return insert_row(self.txn, self.idl.tables[table], uuid, persist_uuid)

    def verify(self, row, *columns):
        if self.txn is not None and row._data is not None:
            for c in columns:
                row.verify(c)

    def add_to(self, row, column, item):
        """Adds ITEM (a Row) to the set column COLUMN of ROW.  On a row the
        server already has this is a "mutate" (no read, no verify, cheap
        however large the set); on a row of this transaction it is a write
        of the whole set, from a list kept in the cache so that adding N
        items costs N list appends, not N conversions of the set."""
        if row._data is not None and column not in row._changes:
            row.addvalue(column, item)
            return
        datum = self._shadow(row, column)
        atom = ovs.db.data.Atom(ovs.db.types.UuidType, item.uuid)
        if atom not in datum.values:
            datum.values[atom] = None
            self._write_set(row, column, datum)

    def remove_from(self, row, column, item):
        if row._data is not None and column not in row._changes:
            row.delvalue(column, item)
            return
        datum = self._shadow(row, column)
        atom = ovs.db.data.Atom(ovs.db.types.UuidType, item.uuid)
        if datum.values.pop(atom, 0) is None:
            self._write_set(row, column, datum)

    def _shadow(self, row, column):
        """The value of a set-of-references column of a row this
        transaction writes, as a Datum kept in the cache.  It is trusted
        only while the row still holds the value _write_set() stored (any
        other write, e.g. a plain assignment by a command, replaces it)."""
        key = ("set", row.uuid, column)
        entry = self.cache.get(key)
        if entry is not None and row._changes.get(column) is entry[1]:
            return entry[0]
        datum = values.datum_of(row, column)
        self.cache[key] = [datum, None]
        return datum

    def _write_set(self, row, column, datum):
        table = row._table
        if getattr(table.rows, "indexes", None):
            setattr(row, column, values.to_python(datum))   # keeps indexes
        else:
            # Row.__setattr__ reads the old value back (to maintain IDL
            # indexes), which costs a conversion of the whole set per call;
            # with no index registered, write the Datum directly.
            self.txn._write(row, table.columns[column], datum)
        self.cache[("set", row.uuid, column)][1] = row._changes.get(column)

    def find_table(self, name):
        return self.runner.find_table(name)

    def get_row(self, table, record, must_exist=True):
        return self.runner.get_row(table, record, must_exist)


# -- the program and its runner -----------------------------------------------

class Program:
    """A ctl tool: NAME as printed in messages ("pyovn nbctl"), the schema
    KIND, the environment variable naming its database (DB_ENV) and the
    socket file under the run directory used when neither --db nor DB_ENV
    is given, its Registry, its RowIds ({table: [RowId...]}), and hooks:

      prepare(ctx)          at the start of every transaction attempt
      after_commit(runner, txn)   after a successful commit (e.g. --wait)
      wait_modes            the values --wait accepts
    """

    def __init__(self, name, kind, registry, row_ids, db_env, db_socket,
                 options_env=None, rundir_env="OVN_RUNDIR",
                 default_rundir="/var/run/ovn", singletons=(),
                 prepare=None, after_commit=None, wait_modes=("none",),
                 description="", daemon_env=None, daemon_name=None):
        self.name = name
        self.kind = kind
        self.registry = registry
        self.row_ids = row_ids
        self.db_env = db_env
        self.db_socket = db_socket
        self.options_env = options_env
        self.rundir_env = rundir_env
        self.default_rundir = default_rundir
        self.singletons = set(singletons)
        self.prepare = prepare
        self.after_commit = after_commit
        self.wait_modes = wait_modes
        self.description = description
        self.daemon_env = daemon_env          # e.g. OVN_NB_DAEMON
        self.daemon_name = daemon_name        # e.g. ovn-nbctl (pidfile, socket)

    def default_db(self):
        env = os.environ.get(self.db_env)
        if env:
            return env
        rundir = os.environ.get(self.rundir_env) or self.default_rundir
        return "unix:%s/%s" % (rundir, self.db_socket)

    def main(self, argv, stdout=None, stderr=None):
        stdout = stdout or sys.stdout
        stderr = stderr or sys.stderr
        argv = list(argv)
        if self.daemon_env:
            from pyovn.ctl import daemon_mode
            try:
                dargs, opts, rest = daemon_mode.split(argv)
                if "--detach" in opts:
                    return daemon_mode.serve(self, dargs, rest)
            except CtlError as e:
                stderr.write("%s: %s\n" % (self.name, e))
                return 1
            path = opts.get("--unixctl") or os.environ.get(self.daemon_env)
            if path and not any(a in ("-h", "--help", "-V", "--version")
                                for a in rest):
                return daemon_mode.client(self, path, rest, stdout, stderr)
            argv = rest
        return Runner(self, stdout, stderr).main(argv)


# global options: name -> takes a value
GLOBAL_OPTIONS = {
    "--db": True, "-t": True, "--timeout": True, "--wait": True,
    "--no-wait": False, "--dry-run": False, "--oneline": False,
    "--leader-only": False, "--no-leader-only": False,
    "--shuffle-remotes": False, "--no-shuffle-remotes": False,
    "--no-syslog": False, "-f": True, "--format": True, "-d": True,
    "--data": True, "--no-headings": False, "--pretty": False,
    "--bare": False, "--print-wait-time": False, "-h": False,
    "--help": False, "-V": False, "--version": False, "--commands": False,
    "--options": False, "-p": True, "--private-key": True, "-c": True,
    "--certificate": True, "-C": True, "--ca-cert": True,
    "--bootstrap-ca-cert": True, "--log-file": None, "-v": None,
    "--verbose": None,
}


class Runner:
    def __init__(self, program, stdout, stderr, db=None):
        self.program = program
        self.stdout = stdout
        self.stderr = stderr
        self.db = db                # given: a daemon's long-lived replica
        self.own_db = db is None
        self.symbols = Symbols()
        self.style = output.TableStyle()
        self.cache = {}
        self.db_remote = None
        self.timeout = 0
        self.wait = "none"
        self.dry_run = False
        self.oneline = False
        self.leader_only = True
        self.ssl = {}
        self.deadline = None
        self.invocations = []
        self.force_wait = False
        self.forced_cfg = None

    # -- entry ---------------------------------------------------------------
    def main(self, argv):
        try:
            return self._main(list(argv))
        except CtlError as e:
            self.stderr.write("%s: %s\n" % (self.program.name, e))
            return 1
        finally:
            if self.db is not None and self.own_db:
                self.db.close()

    def _main(self, argv):
        env_opts = []
        if self.program.options_env and os.environ.get(self.program.options_env):
            env_opts = os.environ[self.program.options_env].split()
        first_local, rest = self.parse_global(env_opts + argv)
        if self.show_help:
            self.print_help()
            return 0
        if self.show_version:
            import pyovn
            self.stdout.write("%s (pyovn %s, OVN %s compatible)\n"
                              % (self.program.name, pyovn.__version__,
                                 pyovn.OVN_COMPAT_VERSION))
            return 0
        invocations = self.parse_commands(first_local, rest)
        self.invocations = invocations
        if not invocations:
            raise CtlError("missing command name (use --help for help)")
        for inv in invocations:
            if inv.command.validate:
                inv.command.validate(inv)
        self.connect()
        outputs = self.execute(invocations)
        for text in outputs:
            self.stdout.write(output.oneline(text) if self.oneline else text)
        self.stdout.flush()
        return 0

    # -- option parsing ------------------------------------------------------
    def parse_global(self, argv):
        self.show_help = self.show_version = False
        local = []
        i = 0
        while i < len(argv):
            a = argv[i]
            if a == "--":
                i += 1
                break
            if not a.startswith("-") or a == "-":
                break
            name, eq, value = a.partition("=")
            if name.startswith("-v") and not name.startswith("--") or \
                    name == "--verbose" or name == "--log-file":
                i += 1
                continue  # logging options: accepted, nothing to log
            if not name.startswith("--") and len(name) > 2 and \
                    GLOBAL_OPTIONS.get(name[:2]):
                name, eq, value = name[:2], "=", a[2:]     # -t5, -fjson
            if name not in GLOBAL_OPTIONS:
                # an option of the first command
                local.append(a)
                i += 1
                continue
            takes = GLOBAL_OPTIONS[name]
            if takes and not eq:
                if len(a) > 2 and not a.startswith("--"):
                    value = a[2:]
                elif i + 1 < len(argv):
                    i += 1
                    value = argv[i]
                else:
                    raise CtlError("option '%s' requires an argument" % name)
            elif not takes and eq:
                raise CtlError("option '%s' doesn't allow an argument" % name)
            self.apply_global(name, value)
            i += 1
        return local, argv[i:]

    def apply_global(self, name, value):
        if name == "--db":
            self.db_remote = value
        elif name in ("-t", "--timeout"):
            try:
                self.timeout = int(value)
                if self.timeout < 0:
                    raise ValueError
            except ValueError:
                raise CtlError("value %s on -t or --timeout is invalid" % value)
        elif name == "--wait":
            if value not in self.program.wait_modes:
                raise CtlError('argument to --wait must be %s'
                               % " or ".join('"%s"' % m
                                             for m in self.program.wait_modes))
            self.wait = value
        elif name == "--no-wait":
            self.wait = "none"
        elif name == "--dry-run":
            self.dry_run = True
        elif name == "--oneline":
            self.oneline = True
        elif name == "--leader-only":
            self.leader_only = True
        elif name == "--no-leader-only":
            self.leader_only = False
        elif name in ("-f", "--format"):
            if value not in ("list", "table", "csv", "json", "html"):
                raise CtlError("%s: unknown table format (use list, table, "
                               "csv or json)" % value)
            self.style.format = "table" if value == "html" else value
        elif name in ("-d", "--data"):
            if value not in ("string", "bare", "json"):
                raise CtlError("%s: unknown cell format (use string, bare "
                               "or json)" % value)
            self.style.data = value
        elif name == "--no-headings":
            self.style.headings = False
        elif name == "--bare":
            self.style.format = "list"
            self.style.data = "bare"
            self.style.headings = False
        elif name in ("-h", "--help", "--commands", "--options"):
            self.show_help = True
        elif name in ("-V", "--version"):
            self.show_version = True
        elif name in ("-p", "--private-key"):
            self.ssl["private_key"] = value
        elif name in ("-c", "--certificate"):
            self.ssl["certificate"] = value
        elif name in ("-C", "--ca-cert"):
            self.ssl["ca_cert"] = value
        elif name == "--bootstrap-ca-cert":
            self.ssl["bootstrap_ca_cert"] = value
        # --shuffle-remotes, --no-syslog, --pretty, --print-wait-time:
        # accepted for compatibility.

    def parse_commands(self, first_local, argv):
        groups = []
        cur = list(first_local)
        for a in argv:
            if a == "--":
                groups.append(cur)
                cur = []
            else:
                cur.append(a)
        groups.append(cur)
        invocations = []
        for g in groups:
            if not g:
                continue
            opts = {}
            i = 0
            while i < len(g) and g[i].startswith("--"):
                name, eq, value = g[i].partition("=")
                if name in opts:
                    raise CtlError("'%s' option specified multiple times" % name)
                opts[name] = value if eq else True
                i += 1
            if i == len(g):
                raise CtlError("missing command name (use --help for help)")
            name = g[i]
            cmd = self.program.registry.get(name)
            if cmd is None:
                raise CtlError("unknown command '%s'; use --help for help"
                               % name)
            for o, v in opts.items():
                if o not in cmd.options:
                    raise CtlError("'%s' command has no '%s' option"
                                   % (name, o))
                if cmd.options[o] and v is True:
                    raise CtlError("'%s' command requires an argument to "
                                   "'%s'" % (name, o))
                if not cmd.options[o] and v is not True:
                    raise CtlError("'%s' option on '%s' does not accept an "
                                   "argument" % (o, name))
            args = g[i + 1:]
            if len(args) < cmd.min_args:
                raise CtlError("'%s' command requires at least %d arguments"
                               % (name, cmd.min_args))
            if cmd.max_args is not None and len(args) > cmd.max_args:
                raise CtlError("'%s' command takes at most %d arguments"
                               % (name, cmd.max_args))
            invocations.append(Invocation(cmd, args, opts))
        return invocations

    def print_help(self):
        p = self.program
        out = ["%s: %s\nusage: %s [OPTIONS] COMMAND [ARG...] [-- COMMAND "
               "[ARG...]]...\n\nCommands:\n" % (p.name, p.description, p.name)]
        for cmd in p.registry.commands.values():
            opts = " ".join("[%s%s]" % (o, "=VALUE" if v else "")
                            for o, v in cmd.options.items())
            line = "  %s%s %s" % (opts + " " if opts else "", cmd.name, cmd.syntax)
            out.append(line.rstrip() + "\n")
        out.append("\nOptions:\n"
                   "  --db=DATABASE          database to contact (default: $%s "
                   "or %s)\n"
                   "  -t, --timeout=SECS     give up after SECS seconds (0: never)\n"
                   "  --wait=%s\n"
                   "  --dry-run              do not commit any changes\n"
                   "  --oneline              one line of output per command\n"
                   "  --no-leader-only       accept any cluster member\n"
                   "  -f, --format=FORMAT    list, table, csv, json\n"
                   "  -d, --data=FORMAT      string, bare, json\n"
                   "  --no-headings, --bare  table output tweaks\n"
                   "  -h, --help, -V, --version\n"
                   % (p.db_env, p.default_db(), "|".join(p.wait_modes)))
        self.stdout.write("".join(out))

    # -- database ------------------------------------------------------------
    def remaining(self):
        if self.deadline is None:
            return FOREVER
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise CtlError("timeout expired after %d seconds" % self.timeout)
        return left

    def connect(self):
        if self.timeout:
            self.deadline = time.monotonic() + self.timeout
        if not self.own_db:
            self.db.run()           # the daemon's replica: catch up
            return
        remote = self.db_remote or self.program.default_db()
        if self.ssl:
            import ovs.stream
            if "private_key" in self.ssl:
                ovs.stream.Stream.ssl_set_private_key_file(self.ssl["private_key"])
            if "certificate" in self.ssl:
                ovs.stream.Stream.ssl_set_certificate_file(self.ssl["certificate"])
            if "ca_cert" in self.ssl:
                ovs.stream.Stream.ssl_set_ca_cert_file(self.ssl["ca_cert"])
        self.probe(remote)
        try:
            self.db = Database(remote, self.program.kind,
                               leader_only=self.leader_only)
            self.db.sync(timeout=self.remaining())
        except TimeoutError:
            raise CtlError("%s: database connection failed or timed out"
                           % remote)
        except (ValueError, OSError) as e:
            raise CtlError("%s: %s" % (remote, e))

    def probe(self, remote):
        """Fails at once, as the C tools do, when no member of REMOTE can
        be reached (instead of retrying forever)."""
        import ovs.stream
        errors = []
        for r in remote.split(","):
            r = r.strip()
            if not r or r.startswith("ssl:"):
                return          # SSL: leave it to the IDL (needs the keys)
            try:
                err, stream = ovs.stream.Stream.open_block(
                    ovs.stream.Stream.open(r), timeout=int(min(
                        self.remaining(), 30) * 1000))
            except Exception as e:       # malformed remote
                raise CtlError("%s: %s" % (r, e))
            if not err and stream is not None:
                stream.close()
                return
            errors.append(os.strerror(err) if isinstance(err, int) and err > 0
                          else "connection failed")
        raise CtlError("%s: database connection failed (%s)"
                       % (remote, "; ".join(errors)))

    def execute(self, invocations):
        while True:
            contexts = []

            def build(txn):
                contexts.clear()
                self.cache.clear()
                self.symbols.reset()
                self.forced_cfg = None
                try:
                    if self.program.prepare:
                        self.program.prepare(Context(self, Invocation(
                            _NOOP, [], {}), txn))
                    for inv in invocations:
                        ctx = Context(self, inv, txn)
                        contexts.append(ctx)
                        inv.command.run(ctx)
                        if inv.command.invalidates_cache:
                            self.cache.clear()
                    self.symbols.check_all_defined()
                except BaseException:
                    txn.abort()
                    raise
                if self.dry_run:
                    return False
                return True

            try:
                txn = self.db.transact(build, timeout=self.remaining())
            except NotYet:
                self.wait_for_change()
                continue
            except TxnError as e:
                raise CtlError(str(e))
            break
        if txn is not None and self.program.after_commit:
            try:
                self.program.after_commit(self, txn)
            except TimeoutError:
                raise CtlError("timeout expired while waiting (--wait=%s)"
                               % self.wait)
        outputs = []
        for ctx in contexts:
            text = "".join(part(txn) if callable(part) else part
                           for part in ctx.out)
            if text or self.oneline:
                outputs.append(text)
        return outputs

    def wait_for_change(self):
        seqno = self.db.idl.change_seqno
        try:
            self.db.wait_until(lambda db: db.idl.change_seqno != seqno,
                               timeout=self.remaining())
        except TimeoutError:
            raise CtlError("timeout expired after %d seconds" % self.timeout)

    # -- tables and records ---------------------------------------------------
    def find_table(self, name):
        tables = self.db.idl.tables
        want = name.lower().replace("-", "_")
        exact = [t for t in tables if t.lower() == want]
        if exact:
            return exact[0]
        matches = [t for t in tables if t.lower().startswith(want)]
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise CtlError('"%s" matches multiple table names: %s'
                           % (name, ", ".join(sorted(matches))))
        raise CtlError('unknown table "%s"' % name)

    def find_column(self, table, name):
        columns = list(self.db.idl.tables[table].columns) + ["_uuid"]
        want = name.lower().replace("-", "_")
        exact = [c for c in columns if c.lower() == want]
        if exact:
            return exact[0]
        matches = [c for c in columns if c.lower().startswith(want)]
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise CtlError('%s contains more than one column whose name '
                           'matches "%s"' % (table, name))
        raise CtlError('%s does not contain a column whose name matches "%s"'
                       % (table, name))

    def get_row(self, table, record, must_exist=True):
        """The row of TABLE named by RECORD: a UUID, an @name, a name
        (per the tool's RowIds), "." for a one-row table, or a unique
        abbreviation of a UUID (4 hex digits or more)."""
        rows = self.db.idl.tables[table].rows
        row = None
        if record.startswith("@") and record in self.symbols.uuids \
                and record in self.symbols.created:
            row = rows.get(self.symbols.uuids[record])
        elif values.is_uuid(record):
            row = rows.get(uuidlib.UUID(record))
        if row is None and record == "." and table in self.program.singletons:
            all_rows = list(rows.values())
            if len(all_rows) == 1:
                row = all_rows[0]
        if row is None:
            for rid in self.program.row_ids.get(table, []):
                found = []
                for r in self.db.idl.tables[rid.table].rows.values():
                    v = getattr(r, rid.name_column)
                    if rid.key is not None:
                        v = v.get(rid.key) if isinstance(v, dict) else None
                    elif isinstance(v, list):
                        v = v[0] if len(v) == 1 else None
                    if v == record:
                        found.append(r)
                if len(found) > 1:
                    raise CtlError('multiple rows in %s match "%s"'
                                   % (rid.table, record))
                if found:
                    row = found[0]
                    if rid.uuid_column:
                        ref = getattr(row, rid.uuid_column)
                        if isinstance(ref, list):
                            ref = ref[0] if ref else None
                        row = ref
                    if row is not None:
                        break
        if row is None and len(record) >= 4 and all(
                c in "0123456789abcdefABCDEF-" for c in record):
            prefix = record.lower()
            found = [r for u, r in rows.items() if str(u).startswith(prefix)]
            if len(found) > 1:
                raise CtlError('multiple rows in %s match "%s"'
                               % (table, record))
            if found:
                row = found[0]
        if row is None and must_exist:
            raise CtlError('no row "%s" in table %s' % (record, table))
        return row


def insert_row(txn, table, uuid=None, persist_uuid=False):
    """txn.insert() with every column that has a valid default set to it."""
    row = txn.insert(table, new_uuid=uuid, persist_uuid=persist_uuid)
    for name, col in table.columns.items():
        t = col.type
        if t.n_min == 0:
            setattr(row, name, {} if t.is_map() else [])
            continue
        if t.key.type == ovs.db.types.UuidType:
            continue
        value = {ovs.db.types.IntegerType: 0, ovs.db.types.RealType: 0.0,
                 ovs.db.types.BooleanType: False,
                 ovs.db.types.StringType: ""}[t.key.type]
        try:
            ovs.db.data.Atom(t.key.type, value).check_constraints(t.key)
        except ovs.db.error.Error:
            continue
        setattr(row, name, value)
    return row


def _noop(ctx):
    pass


_NOOP = Command("(prepare)", "", _noop, 0, 0)
