"""The generic database commands of the OVS ctl tools, for any schema:

    [--if-exists] [--columns=C,...] list TABLE [RECORD]...
    [--columns=C,...] find TABLE [COLUMN[:KEY]OP VALUE]...
    [--if-exists] [--id=@NAME] get TABLE RECORD [COLUMN[:KEY]]...
    [--if-exists] set TABLE RECORD COLUMN[:KEY]=VALUE...
    [--if-exists] add TABLE RECORD COLUMN [KEY=]VALUE...
    [--if-exists] remove TABLE RECORD COLUMN VALUE|KEY|KEY=VALUE...
    [--if-exists] clear TABLE RECORD COLUMN...
    [--id=@NAME|UUID] create TABLE COLUMN[:KEY]=VALUE...
    [--if-exists] [--all] destroy TABLE [RECORD]...
    wait-until TABLE RECORD [COLUMN[:KEY]OP VALUE]...
    comment [ARG]...

Tools include REGISTRY in their own registry.
"""

import sys
import uuid as uuidlib

import ovs.db.data as data
import ovs.db.types as types

from pyovn.ctl import output, values
from pyovn.ctl.base import Registry
from pyovn.ctl.errors import CtlError, NotYet

REGISTRY = Registry()
command = REGISTRY.command


def _column(ctx, table, name):
    return ctx.runner.find_column(table, name)


def _coltype(ctx, table, column):
    if column == "_uuid":
        return types.Type(types.BaseType(types.UuidType))
    return ctx.table(table).columns[column].type


def _key_atom(ctx, type_, key_tok, column):
    if not type_.is_map():
        raise CtlError("cannot specify key to get for non-map column %s"
                       % column)
    text, quoted = key_tok
    return values.parse_atom_text(type_.key, text, quoted, ctx.symbols)


def _columns_opt(ctx, table):
    spec = ctx.opt("--columns")
    if spec:
        return [_column(ctx, table, c.strip()) for c in spec.split(",")
                if c.strip()]
    return ["_uuid"] + sorted(ctx.table(table).columns)


def _print_rows(ctx, table, rows):
    cols = _columns_opt(ctx, table)
    cells = [[values.datum_of(r, c) for c in cols] for r in rows]
    ctx.write(output.render(cols, cells, ctx.style))


@command("list", "TABLE [RECORD]...", args=(1, None),
         options=("--if-exists", "--columns="), mode="ro")
def cmd_list(ctx):
    """Lists the records of TABLE (all of them, or the ones named)."""
    table = ctx.find_table(ctx.args[0])
    if len(ctx.args) > 1:
        rows = []
        for rec in ctx.args[1:]:
            r = ctx.get_row(table, rec, must_exist=not ctx.has("--if-exists"))
            if r is not None:
                rows.append(r)
    else:
        rows = ctx.rows(table)
    _print_rows(ctx, table, rows)


def _compare_sets(a, b):
    """Orders two Datums as the ctl tools do: by size, then element-wise."""
    if len(a.values) != len(b.values):
        return -1 if len(a.values) < len(b.values) else 1
    ka, kb = sorted(a.values), sorted(b.values)
    for x, y in zip(ka, kb):
        if x != y:
            return -1 if x < y else 1
    if a.type.is_map():
        for x, y in zip(ka, kb):
            va, vb = a.values[x], b.values[y]
            if va != vb:
                return -1 if va < vb else 1
    return 0


def _condition(ctx, table, text):
    """Parses COLUMN[:KEY]OP VALUE into a predicate on rows."""
    colname, key_tok, op, value_text = values.parse_column_key_value(
        text, allow_ops=True)
    if op is None:
        raise CtlError('%s: missing operator and value (e.g. "=")' % text)
    column = _column(ctx, table, colname)
    type_ = _coltype(ctx, table, column)
    key = None
    if key_tok is not None:
        key = _key_atom(ctx, type_, key_tok, column)
        vtype = types.Type(type_.value, None, 0 if op.startswith("{") else 1,
                           sys.maxsize if op.startswith("{") else 1)
    else:
        vtype = types.Type(type_.key, type_.value, 0, sys.maxsize)
    want = values.parse_datum(vtype, value_text, ctx.symbols)

    def actual(row):
        d = values.datum_of(row, column)
        if key is None:
            return d
        if key in d.values:
            return data.Datum(vtype, {d.values[key]: None})
        return None

    def pred(row):
        have = actual(row)
        if have is None:
            if not op.startswith("{"):
                return False
            have = data.Datum(vtype, {})
        c = _compare_sets(have, want)
        hs, ws = set(have.values.items()), set(want.values.items())
        return {
            "=": c == 0, "!=": c != 0, "<": c < 0, ">": c > 0,
            "<=": c <= 0, ">=": c >= 0,
            "{=}": hs == ws, "{!=}": hs != ws,
            "{<}": hs < ws, "{>}": hs > ws, "{<=}": hs <= ws,
            "{>=}": hs >= ws, "{in}": hs <= ws,
            "{not-in}": not (hs & ws),
        }[op]
    return pred


@command("find", "TABLE [COLUMN[:KEY]=VALUE]...", args=(1, None),
         options=("--columns=",), mode="ro")
def cmd_find(ctx):
    """Lists the records of TABLE that satisfy every condition."""
    table = ctx.find_table(ctx.args[0])
    preds = [_condition(ctx, table, a) for a in ctx.args[1:]]
    rows = [r for r in ctx.rows(table) if all(p(r) for p in preds)]
    _print_rows(ctx, table, rows)


def _target(ctx):
    """(table, row) named by TABLE RECORD, the first two arguments of get,
    set, add, remove and clear; row is None for a missing RECORD with
    --if-exists."""
    table = ctx.find_table(ctx.args[0])
    return table, ctx.get_row(table, ctx.args[1], must_exist=not ctx.has("--if-exists"))


@command("get", "TABLE RECORD [COLUMN[:KEY]]...", args=(2, None),
         options=("--if-exists", "--id="), mode="ro")
def cmd_get(ctx):
    """Prints the value of each COLUMN (or map KEY) of RECORD."""
    if ctx.has("--id") and ctx.has("--if-exists"):
        raise CtlError("--if-exists and --id may not be specified together")
    table, row = _target(ctx)
    if row is None:
        return
    if ctx.has("--id"):
        ctx.symbols.define_existing(ctx.opt("--id"), row.uuid)
    for spec in ctx.args[2:]:
        colname, key_tok, op, _ = values.parse_column_key_value(spec)
        if op is not None:
            raise CtlError("%s: trailing garbage in argument" % spec)
        column = _column(ctx, table, colname)
        if column != "_uuid":
            ctx.verify(row, column)
        d = values.datum_of(row, column)
        if key_tok is None:
            ctx.writeln(values.format_datum(d))
            continue
        type_ = _coltype(ctx, table, column)
        key = _key_atom(ctx, type_, key_tok, column)
        if key in d.values:
            ctx.writeln(values.format_atom(d.values[key]))
        elif ctx.has("--if-exists"):
            ctx.writeln("")
        else:
            raise CtlError('no key "%s" in %s record "%s" column %s'
                           % (key_tok[0], table, ctx.args[1], column))


def _writable(ctx, table, column):
    if column == "_uuid":
        raise CtlError("cannot modify read-only column _uuid in table %s"
                       % table)


def _set_one(ctx, table, row, spec):
    try:
        _set_one_inner(ctx, table, row, spec)
    except CtlError as e:
        if str(e).startswith(spec):
            raise
        raise CtlError("%s: %s" % (spec, e))


def _set_one_inner(ctx, table, row, spec):
    colname, key_tok, op, value_text = values.parse_column_key_value(spec)
    if op is None:
        raise CtlError('%s: argument does not end in "=" followed by a value'
                       % spec)
    column = _column(ctx, table, colname)
    _writable(ctx, table, column)
    type_ = _coltype(ctx, table, column)
    if key_tok is None:
        d = values.parse_datum(type_, value_text, ctx.symbols)
        setattr(row, column, values.to_python(d))
        return
    key = _key_atom(ctx, type_, key_tok, column)
    value = values.parse_atom(type_.value, value_text, ctx.symbols)
    ctx.verify(row, column)
    cur = dict(values.datum_of(row, column).values)
    cur[key] = value
    d = values.check_size(type_, data.Datum(type_, cur), spec)
    setattr(row, column, values.to_python(d))


@command("set", "TABLE RECORD COLUMN[:KEY]=VALUE...", args=(3, None),
         options=("--if-exists",))
def cmd_set(ctx):
    """Sets COLUMN (or map KEY of COLUMN) of RECORD to VALUE."""
    table, row = _target(ctx)
    if row is None:
        return
    for spec in ctx.args[2:]:
        _set_one(ctx, table, row, spec)


@command("add", "TABLE RECORD COLUMN [KEY=]VALUE...", args=(4, None),
         options=("--if-exists",))
def cmd_add(ctx):
    """Adds values (or key=value pairs) to a set (or map) column."""
    table, row = _target(ctx)
    if row is None:
        return
    column = _column(ctx, table, ctx.args[2])
    _writable(ctx, table, column)
    type_ = _coltype(ctx, table, column)
    ctx.verify(row, column)
    cur = dict(values.datum_of(row, column).values)
    for text in ctx.args[3:]:
        add = values.parse_elements(type_, text, ctx.symbols)
        for k, v in add.values.items():
            if k not in cur:
                cur[k] = v
    d = values.check_size(type_, data.Datum(type_, cur), " ".join(ctx.args[3:]))
    setattr(row, column, values.to_python(d))


@command("remove", "TABLE RECORD COLUMN VALUE|KEY|KEY=VALUE...",
         args=(4, None), options=("--if-exists",))
def cmd_remove(ctx):
    """Removes values, keys or key=value pairs from a column."""
    table, row = _target(ctx)
    if row is None:
        return
    column = _column(ctx, table, ctx.args[2])
    _writable(ctx, table, column)
    type_ = _coltype(ctx, table, column)
    ctx.verify(row, column)
    cur = dict(values.datum_of(row, column).values)
    for text in ctx.args[3:]:
        try:
            rm = values.parse_elements(type_, text, ctx.symbols)
            for k, v in rm.values.items():
                if k in cur and (v is None or cur[k] == v):
                    del cur[k]
        except CtlError:
            if not type_.is_map():
                raise
            keys = values.parse_elements(types.Type(type_.key), text,
                                         ctx.symbols)
            for k in keys.values:
                cur.pop(k, None)
    d = values.check_size(type_, data.Datum(type_, cur), " ".join(ctx.args[3:]))
    setattr(row, column, values.to_python(d))


@command("clear", "TABLE RECORD COLUMN...", args=(3, None),
         options=("--if-exists",))
def cmd_clear(ctx):
    """Sets each COLUMN of RECORD to the empty set or map."""
    table, row = _target(ctx)
    if row is None:
        return
    for name in ctx.args[2:]:
        column = _column(ctx, table, name)
        _writable(ctx, table, column)
        type_ = _coltype(ctx, table, column)
        if type_.n_min > 0:
            raise CtlError("\"clear\" operation cannot be applied to column "
                           "%s of table %s, which is not allowed to be empty"
                           % (column, table))
        setattr(row, column, {} if type_.is_map() else [])


@command("create", "TABLE COLUMN[:KEY]=VALUE...", args=(1, None),
         options=("--id=",))
def cmd_create(ctx):
    """Creates a record; prints its UUID."""
    table = ctx.find_table(ctx.args[0])
    ident = ctx.opt("--id")
    persist = False
    if ident is None:
        new_uuid = None
    elif ident.startswith("@"):
        new_uuid = ctx.symbols.define_new(ident)
    elif values.is_uuid(ident):
        new_uuid = uuidlib.UUID(ident)
        persist = True
        if new_uuid in ctx.table(table).rows:
            raise CtlError("%s: a row with this UUID already exists" % ident)
    else:
        raise CtlError('row id "%s" does not begin with "@" and is not a '
                       'valid UUID' % ident)
    row = ctx.insert(table, uuid=new_uuid, persist_uuid=persist)
    for spec in ctx.args[1:]:
        _set_one(ctx, table, row, spec)
    provisional = row.uuid

    def show(txn):
        real = txn.get_insert_uuid(provisional) if txn is not None else None
        return "%s\n" % (real or provisional)
    ctx.defer(show)


@command("destroy", "TABLE [RECORD]...", args=(1, None),
         options=("--if-exists", "--all"))
def cmd_destroy(ctx):
    """Deletes each RECORD (with --all: every record) of TABLE."""
    table = ctx.find_table(ctx.args[0])
    if ctx.has("--all"):
        if len(ctx.args) > 1:
            raise CtlError("--all and records argument should not be "
                           "specified together")
        for r in ctx.rows(table):
            r.delete()
        return
    if len(ctx.args) < 2:
        raise CtlError("either --all or records argument should be specified")
    for rec in ctx.args[1:]:
        r = ctx.get_row(table, rec, must_exist=not ctx.has("--if-exists"))
        if r is not None:
            r.delete()


@command("wait-until", "TABLE RECORD [COLUMN[:KEY]=VALUE]...", args=(2, None),
         mode="ro")
def cmd_wait_until(ctx):
    """Waits until RECORD exists and satisfies every condition."""
    table = ctx.find_table(ctx.args[0])
    preds = [_condition(ctx, table, a) for a in ctx.args[2:]]
    row = ctx.get_row(table, ctx.args[1], must_exist=False)
    if row is None or not all(p(row) for p in preds):
        raise NotYet()


for _cmd in REGISTRY.commands.values():
    _cmd.invalidates_cache = _cmd.mode == "rw"


@command("comment", "[ARG]...", args=(0, None), mode="ro")
def cmd_comment(ctx):
    """Has no effect except in the database log."""
    if ctx.txn is not None:
        ctx.txn.add_comment(" ".join(ctx.args))
