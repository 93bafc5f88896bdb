"""Drafts a schema description (see describe.py) from a schema man page.

    python -m pyovn.db.schemas.from_man ovn-nb > draft.txt

reads `man 5 ovn-nb` (wide, without formatting) and writes one "table" line
per table section and one "column: type" line per documented column, in the
man page's own words, plus the "DB Schema" version from the page footer.
Table flags the man page does not show (root, maxRows, multi-column
indexes, immutable columns) are added by hand to the description.
"""

import os
import re
import subprocess
import sys

_DB_NAME = re.compile(r"^\s+\S+ - (\S+) database schema$")
_TABLE = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*) TABLE$")
_COLUMN = re.compile(r"^ {7}([A-Za-z_][A-Za-z0-9_-]*): (\S.*)$")
_KEY = re.compile(r"^ {7}([A-Za-z_][A-Za-z0-9_-]*) : \S")
_VERSION = re.compile(r"DB Schema (\d+\.\d+\.\d+)")


def man_text(page):
    env = dict(os.environ, MANWIDTH="4000", MAN_KEEP_FORMATTING="")
    out = subprocess.run(["man", "5", page], capture_output=True, text=True,
                         env=env, check=True).stdout
    # Drop overstrike formatting (what col -b does).
    return re.sub(r".\x08", "", out)


def draft(text):
    name = version = None
    tables = []
    current = None
    for line in text.splitlines():
        line = line.replace("\t", " " * 8) if line.startswith("\t") else line
        m = _DB_NAME.match(line)
        if m and not name:
            name = m.group(1)
        m = _VERSION.search(line)
        if m:
            version = m.group(1)
        m = _TABLE.match(line)
        if m:
            current = (m.group(1), [], [])
            tables.append(current)
            continue
        m = _KEY.match(line)
        if m and current is not None:
            # A map column documented only key by key: the man page shows
            # "col : key" lines and no "col:" line.
            current[2].append(m.group(1))
            continue
        m = _COLUMN.match(line)
        if m and current is not None:
            column, ctype = m.groups()
            if column not in [c for c, _ in current[1]]:
                current[1].append((column, re.sub(r"\s+", " ", ctype.strip())))
    lines = ["schema %s %s" % (name, version)]
    for table, columns, keyed in tables:
        for column in keyed:
            if column not in [c for c, _ in columns]:
                columns.append((column, "map of string-string pairs"))
        lines.append("table %s" % table)
        lines += ["  %s: %s" % c for c in columns]
    return "\n".join(lines) + "\n"


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        sys.stderr.write("usage: python -m pyovn.db.schemas.from_man PAGE\n")
        return 2
    sys.stdout.write(draft(man_text(argv[0])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
