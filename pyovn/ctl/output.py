"""Tabular output of the list/find commands, in the formats of the OVS ctl
tools' "Table Formatting Options":

    --format=list (default)  one "column : value" line per cell (names
                             padded to 20 characters), blank line between
                             records
    --format=table           aligned columns under a heading and dashes
    --format=csv             RFC 4180
    --format=json            {"headings": [...], "data": [[...], ...]}
    --data=string|bare|json  how each cell is written
    --no-headings, --bare (= --format=list --data=bare --no-headings)
"""

import csv
import io
import json

from pyovn.ctl.values import format_datum


class TableStyle:
    def __init__(self, format="list", data="string", headings=True):
        self.format = format
        self.data = data
        self.headings = headings


def _cell(value, style):
    if isinstance(value, str):
        return value
    if style.data == "json" or style.format == "json":
        return json.dumps(value.to_json(), separators=(",", ":"))
    return format_datum(value, bare=(style.data == "bare"))


def render(headings, rows, style):
    """Returns the text for a table of ROWS (lists of Datum or str) under
    HEADINGS, ending in a newline unless empty."""
    if style.format == "json":
        cells = [[(c if isinstance(c, str) else c.to_json()) for c in r]
                 for r in rows]
        return json.dumps({"data": cells, "headings": headings},
                          separators=(",", ":")) + "\n"
    text_rows = [[_cell(c, style) for c in r] for r in rows]
    if style.format == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        if style.headings:
            w.writerow(headings)
        w.writerows(text_rows)
        return buf.getvalue()
    if style.format == "table":
        widths = [len(h) if style.headings else 0 for h in headings]
        for r in text_rows:
            for i, c in enumerate(r):
                widths[i] = max(widths[i], len(c))
        lines = []
        if style.headings:
            lines.append(" ".join(h.ljust(w) for h, w in zip(headings, widths)).rstrip())
            lines.append(" ".join("-" * w for w in widths))
        for r in text_rows:
            lines.append(" ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
        return "".join(l + "\n" for l in lines)
    # list
    out = []
    for n, r in enumerate(text_rows):
        if n:
            out.append("\n")
        for h, c in zip(headings, r):
            if style.headings:
                out.append("%-20s: %s\n" % (h, c))
            else:
                out.append(c + "\n")
    return "".join(out)


def oneline(text):
    """--oneline: one line per command, newlines written as \\n."""
    if text.endswith("\n"):
        text = text[:-1]
    return text.replace("\\", "\\\\").replace("\n", "\\n") + "\n"
