"""The readable packet description: layers separated by '/', each
NAME(FIELD=VALUE, ...), e.g.

    eth(src=50:54:00:00:00:01,dst=50:54:00:00:00:03)/ip4(src=10.0.0.1,dst=10.0.0.3,ttl=64)/icmp4(type=8,id=1,seq=1)/payload(text="hello")

Values run to the next ',' or ')'; put a value in double quotes to use
those characters (backslash escapes '"' and '\\').  A layer with no
fields may drop its parentheses: .../icmp4.
"""

from pyovn.packet.fields import PacketError


def parse(text):
    """[(layer name, {field: value text})] from a description."""
    layers = []
    i, n = 0, len(text)

    def skip_ws(i):
        while i < n and text[i].isspace():
            i += 1
        return i

    i = skip_ws(i)
    if i == n:
        raise PacketError("empty packet description")
    while True:
        start = i
        while i < n and (text[i].isalnum() or text[i] == "_"):
            i += 1
        name = text[start:i]
        if not name:
            raise PacketError("expected a layer name at column %d of '%s'" % (i + 1, text))
        fields = {}
        i = skip_ws(i)
        if i < n and text[i] == "(":
            i = skip_ws(i + 1)
            while i < n and text[i] != ")":
                kstart = i
                while i < n and (text[i].isalnum() or text[i] == "_"):
                    i += 1
                key = text[kstart:i]
                i = skip_ws(i)
                if not key or i >= n or text[i] != "=":
                    raise PacketError("%s: expected FIELD=VALUE at column %d of '%s'"
                                      % (name, kstart + 1, text))
                i = skip_ws(i + 1)
                if i < n and text[i] == '"':
                    i += 1
                    value = []
                    while i < n and text[i] != '"':
                        if text[i] == "\\" and i + 1 < n:
                            i += 1
                        value.append(text[i])
                        i += 1
                    if i >= n:
                        raise PacketError("%s: unterminated quoted value for '%s'" % (name, key))
                    i += 1
                    value = "".join(value)
                else:
                    vstart = i
                    while i < n and text[i] not in ",)":
                        i += 1
                    value = text[vstart:i].strip()
                if key in fields:
                    raise PacketError("%s: field '%s' given twice" % (name, key))
                fields[key] = value
                i = skip_ws(i)
                if i < n and text[i] == ",":
                    i = skip_ws(i + 1)
            if i >= n:
                raise PacketError("%s: missing ')'" % name)
            i = skip_ws(i + 1)
        layers.append((name, fields))
        if i == n:
            return layers
        if text[i] != "/":
            raise PacketError("expected '/' between layers at column %d of '%s'" % (i + 1, text))
        i = skip_ws(i + 1)


def quote(value):
    if value == "" or any(c in value for c in ',)"/\\ '):
        return '"%s"' % value.replace("\\", "\\\\").replace('"', '\\"')
    return value


def format_layer(name, items):
    """NAME(k=v,...) from [(field, formatted value)]."""
    return "%s(%s)" % (name, ",".join("%s=%s" % (k, quote(v)) for k, v in items))
