"""Comparing database contents written by the C ctl tools and by pyovn's:
every row of every table, with UUIDs replaced by the contents of the rows
they refer to (followed recursively), so two databases built by the same
commands compare equal although every UUID differs."""

import subprocess
import uuid as uuidlib

from pyovn.db.idl import Database


def canonical_dump(remote, kind):
    db = Database(remote, kind)
    try:
        db.sync()
        by_uuid = {}
        for t in db.tables:
            for r in db.rows(t):
                by_uuid[r.uuid] = (t, r)
        memo = {}

        def canon_row(row, depth=0):
            if row.uuid in memo:
                return memo[row.uuid]
            if depth > 20:
                return "<deep>"
            cols = row._table.columns
            items = []
            for c in sorted(cols):
                items.append((c, canon_value(getattr(row, c), depth)))
            text = "%s{%s}" % (row._table.name, ", ".join(
                "%s=%s" % kv for kv in items))
            memo[row.uuid] = text
            return text

        def canon_value(v, depth):
            if isinstance(v, dict):
                return "{%s}" % ", ".join(sorted(
                    "%s=%s" % (canon_value(k, depth), canon_value(x, depth))
                    for k, x in v.items()))
            if isinstance(v, (list, tuple, set)):
                return "[%s]" % ", ".join(sorted(canon_value(x, depth)
                                                 for x in v))
            if hasattr(v, "_table"):
                return canon_row(v, depth + 1)
            if isinstance(v, uuidlib.UUID):
                if v in by_uuid:
                    return canon_row(by_uuid[v][1], depth + 1)
                return "<dangling>"
            return repr(v)

        return {t: sorted(canon_row(r) for r in db.rows(t)) for t in db.tables}
    finally:
        db.close()


def diff_dumps(a, b):
    """Human-readable differences between two canonical dumps."""
    out = []
    for t in sorted(set(a) | set(b)):
        ra, rb = a.get(t, []), b.get(t, [])
        if ra != rb:
            only_a = [r for r in ra if r not in rb]
            only_b = [r for r in rb if r not in ra]
            out.append("table %s:\n  C only:     %s\n  pyovn only: %s"
                       % (t, only_a, only_b))
    return "\n".join(out)


def run_c(prog, remote, args):
    p = subprocess.run([prog, "--db=" + remote] + list(args),
                       capture_output=True, text=True, timeout=30)
    return p.returncode, p.stdout, p.stderr
