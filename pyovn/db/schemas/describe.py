"""Compact schema descriptions and the generator that turns them into
.ovsschema JSON.

The OVN schemas are documented in their man pages (ovn-nb(5), ovn-sb(5),
ovn-ic-nb(5), ovn-ic-sb(5)), which give each column's type in English:
"optional weak reference to Copp", "set of 1 or more strings",
"integer, in range 0 to 32,767", "map of string-string pairs".  A
description file (NAME.schema.txt beside this module) lists the schema in
that same language, one line per item:

    schema OVN_Northbound 7.0.0
    table NB_Global root maxRows=1
      name: string
      connections: set of Connections
    table Logical_Switch_Port
      name: string (must be unique within table)
      tag: optional integer, in range 1 to 4,095
    table Gateway_Chassis
      index(chassis_name, priority)   # a (multi-column) index
      chassis_name: string immutable

Column flags after the type: "immutable" (mutable: false) and
"ephemeral".  Table flags: "root" and "maxRows=N".  "(must be unique within
table)" declares a one-column index, as the man pages show it.

    python -m pyovn.db.schemas.describe [KIND...]

rewrites the .ovsschema files from their descriptions.
"""

import json
import os
import re
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))

ATOMIC = ("string", "integer", "real", "boolean", "uuid")
UNLIMITED = "unlimited"


class DescriptionError(ValueError):
    """A description line that cannot be understood; names file and line."""


# -- English type -> OVSDB type ---------------------------------------------

_CONSTRAINT_START = re.compile(
    r", (?=(one of |either |must be |in range |at least |at most |between |"
    r"exactly |key |value ))")


def _commafree(text):
    return text.replace(",", "")


def _number(text, atomic):
    text = _commafree(text)
    return int(text) if atomic == "integer" else float(text)


def _singular(word):
    """Reverses the plural that the OVSDB documentation generator makes."""
    if word.lower() == "chassis" or word.rpartition(" ")[2].lower() == "chassis":
        return word
    if word.lower().endswith("ses"):
        return word[:-2]
    if word.endswith("s"):
        return word[:-1]
    raise DescriptionError("'%s' is not a plural" % word)


def _base(text, plural=False):
    """Parses a base type name: an atomic type, 'weak reference to T' or a
    table name T (a strong reference)."""
    text = text.strip()
    if plural:
        text = _singular(text)
    if text in ATOMIC:
        return {"type": text}
    weak = text.startswith("weak reference to ")
    if weak:
        text = text[len("weak reference to "):]
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", text):
        raise DescriptionError("unknown type '%s'" % text)
    base = {"type": "uuid", "refTable": text}
    if weak:
        base["refType"] = "weak"
    return base


def _enum_values(text):
    if text.startswith("must be "):
        return [text[len("must be "):]]
    if text.startswith("either "):
        a, sep, b = text[len("either "):].partition(" or ")
        if not sep:
            raise DescriptionError("cannot read enum '%s'" % text)
        return [a, b]
    body = text[len("one of "):]
    head, sep, last = body.rpartition(", or ")
    if not sep:
        raise DescriptionError("cannot read enum '%s'" % text)
    return head.split(", ") + [last]


def _apply_constraint(base, text):
    atomic = base["type"]
    if text.startswith(("one of ", "either ", "must be ")):
        values = _enum_values(text)
        if atomic == "integer":
            values = [int(_commafree(v)) for v in values]
        elif atomic == "real":
            values = [float(v) for v in values]
        elif atomic == "boolean":
            values = [v == "true" for v in values]
        base["enum"] = ["set", values] if len(values) != 1 else values[0]
        return
    m = re.fullmatch(r"(exactly|at least|at most|between) ([\d,]+)(?: and ([\d,]+))? "
                     r"characters long", text)
    if m:
        kind, a, b = m.groups()
        if kind == "exactly":
            base["minLength"] = base["maxLength"] = int(_commafree(a))
        elif kind == "at least":
            base["minLength"] = int(_commafree(a))
        elif kind == "at most":
            base["maxLength"] = int(_commafree(a))
        else:
            base["minLength"] = int(_commafree(a))
            base["maxLength"] = int(_commafree(b))
        return
    m = re.fullmatch(r"in range (\S+) to (\S+)", text)
    if m:
        base["minInteger" if atomic == "integer" else "minReal"] = _number(m.group(1), atomic)
        base["maxInteger" if atomic == "integer" else "maxReal"] = _number(m.group(2), atomic)
        return
    m = re.fullmatch(r"at (least|most) (\S+)", text)
    if m:
        key = ("min" if m.group(1) == "least" else "max") + (
            "Integer" if atomic == "integer" else "Real")
        base[key] = _number(m.group(2), atomic)
        return
    raise DescriptionError("unknown constraint '%s'" % text)


def parse_type(text):
    """Parses a man-page type string into an OVSDB column type (JSON form).
    Returns (type, unique) where UNIQUE tells whether the column is
    indexed on its own."""
    unique = False
    suffix = " (must be unique within table)"
    if text.endswith(suffix):
        unique = True
        text = text[:-len(suffix)]
    parts = _CONSTRAINT_START.split(text, maxsplit=1)
    main = parts[0]
    constraints = parts[2] if len(parts) > 2 else ""

    n_min, n_max = 1, 1
    value = None
    if main.startswith("optional ") and main.endswith(" pair"):
        n_min, n_max = 0, 1
        k, _, v = main[len("optional "):-len(" pair")].partition("-")
        key, value = _base(k), _base(v)
    elif main.startswith("optional "):
        n_min, n_max = 0, 1
        key = _base(main[len("optional "):])
    elif main.startswith("map of "):
        body = main[len("map of "):-len(" pairs")]
        n_min, n_max, body = _quantity(body)
        k, _, v = body.partition("-")
        key, value = _base(k), _base(v)
    elif main.startswith("set of "):
        n_min, n_max, body = _quantity(main[len("set of "):])
        key = _base(body, plural=True)
    else:
        key = _base(main)

    if constraints:
        key_c, value_c = constraints, ""
        if value is not None:
            key_c, value_c = "", ""
            m = re.match(r"(?:key (.*?))?(?:(?:^|, )value (.*))?$", constraints)
            key_c, value_c = m.group(1) or "", m.group(2) or ""
            if not (key_c or value_c):
                raise DescriptionError("cannot read map constraints '%s'" % constraints)
        if key_c:
            _apply_constraint(key, key_c)
        if value_c:
            _apply_constraint(value, value_c)
    return _to_json(key, value, n_min, n_max), unique


def _quantity(body):
    m = re.match(r"([\d,]+) or more (.*)", body)
    if m:
        return int(_commafree(m.group(1))), UNLIMITED, m.group(2)
    m = re.match(r"([\d,]+) to ([\d,]+) (.*)", body)
    if m:
        return int(_commafree(m.group(1))), int(_commafree(m.group(2))), m.group(3)
    m = re.match(r"up to ([\d,]+) (.*)", body)
    if m:
        return 0, int(_commafree(m.group(1))), m.group(2)
    return 0, UNLIMITED, body


def _base_json(base):
    return base["type"] if list(base) == ["type"] else base


def _to_json(key, value, n_min, n_max):
    if value is None and n_min == 1 and n_max == 1 and list(key) == ["type"]:
        return key["type"]
    t = {"key": _base_json(key)}
    if value is not None:
        t["value"] = _base_json(value)
    if n_min != 1:
        t["min"] = n_min
    if n_max != 1:
        t["max"] = n_max
    return t


# -- description file -> schema ---------------------------------------------

def parse_description(text, filename="<description>"):
    schema = None
    table = None
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].rstrip() if "#" in raw else raw.rstrip()
        if not line.strip():
            continue
        where = "%s:%d: " % (filename, lineno)
        try:
            words = line.split()
            if words[0] == "schema" and not line.startswith(" "):
                name, version = words[1], words[2]
                schema = {"name": name, "version": version, "tables": {}}
            elif words[0] == "table" and not line.startswith(" "):
                if schema is None:
                    raise DescriptionError("'table' before 'schema'")
                table = {"columns": {}}
                for flag in words[2:]:
                    if flag == "root":
                        table["isRoot"] = True
                    elif flag.startswith("maxRows="):
                        table["maxRows"] = int(flag.split("=", 1)[1])
                    else:
                        raise DescriptionError("unknown table flag '%s'" % flag)
                if "isRoot" not in table:
                    table["isRoot"] = False
                schema["tables"][words[1]] = table
            elif line.startswith(" ") and table is not None:
                m = re.fullmatch(r"index\((.*)\)", line.strip())
                if m:
                    table.setdefault("indexes", []).append(
                        [c.strip() for c in m.group(1).split(",")])
                    continue
                name, sep, rest = line.strip().partition(": ")
                if not sep:
                    raise DescriptionError("expected 'column: type'")
                flags = {}
                while True:
                    m = re.search(r" (immutable|ephemeral)$", rest)
                    if not m:
                        break
                    flags[m.group(1)] = True
                    rest = rest[:m.start()]
                ctype, unique = parse_type(rest)
                column = {"type": ctype}
                if flags.get("immutable"):
                    column["mutable"] = False
                if flags.get("ephemeral"):
                    column["ephemeral"] = True
                table["columns"][name] = column
                if unique:
                    table.setdefault("indexes", []).append([name])
            else:
                raise DescriptionError("cannot read this line")
        except DescriptionError as e:
            raise DescriptionError(where + str(e) + ": " + raw.strip()) from None
    if schema is None:
        raise DescriptionError("%s: no 'schema' line" % filename)
    return schema


def description_path(kind):
    from pyovn.db import schemas
    return os.path.join(_HERE, schemas.FILES[kind].replace(".ovsschema", ".schema.txt"))


def build(kind):
    """Returns the schema (JSON object) of KIND built from its description."""
    path = description_path(kind)
    with open(path) as f:
        return parse_description(f.read(), os.path.basename(path))


def dumps(schema):
    return json.dumps(schema, indent=2, sort_keys=False) + "\n"


def main(argv=None):
    from pyovn.db import schemas
    argv = sys.argv[1:] if argv is None else argv
    kinds = argv or [k for k in schemas.FILES
                     if os.path.exists(description_path(k))]
    for kind in kinds:
        out = schemas.path(kind)
        with open(out, "w") as f:
            f.write(dumps(build(kind)))
        print("wrote %s" % out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
