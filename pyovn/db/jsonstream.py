"""A faster JSON stream parser for python-ovs.

python-ovs parses JSON-RPC streams with its own C extension when it was
built against Open vSwitch's library, and otherwise with a pure-Python
parser that examines one character per function call.  The ovs package
from PyPI has no extension on Debian (no libopenvswitch headers), so every
pyovn daemon and tool spent most of its start-up time there: a 3 MB
database snapshot took seconds.

StreamParser keeps python-ovs's Parser interface (feed, is_done, finish)
but only finds where one JSON value ends, skipping whole strings and runs
of ordinary characters with regular expressions, and leaves the parsing to
the standard library's C decoder.  install() puts it in place of the
pure-Python parser; with python-ovs's own C parser present it does nothing.
"""

import json
import re

import ovs.json

# Outside strings: a run of characters that are neither quotes nor brackets.
_PLAIN = re.compile(r'[^"{}\[\]]+')
# Inside a string, after the opening quote: characters up to the closing
# quote, with backslash escapes; stops early at a lone backslash at the end.
_STRING_BODY = re.compile(r'(?:[^"\\]|\\.)*', re.S)
_SPACE = re.compile(r"\s*")

_decoder = json.JSONDecoder()


class StreamParser:
    MAX_HEIGHT = 1000

    def __init__(self, check_trailer=False):
        self.check_trailer = check_trailer
        self.parts = []
        self.depth = 0
        self.started = False
        self.in_string = False
        self.escape = False         # a backslash ended the previous chunk
        self.scalar = False         # top-level scalar (from_string only)
        self.done = False
        self.error = None

    def feed(self, s):
        """Consumes S up to the end of the first complete JSON value (all of
        it with check_trailer); returns how many characters it used."""
        if self.done:
            if self.check_trailer:
                if s.strip() and self.error is None:
                    self.error = "trailing garbage at end of input"
                return len(s)
            return 0
        n = len(s)
        i = 0
        if not self.started:
            i = _SPACE.match(s).end()
            if i == n:
                return n
            self.started = True
            if s[i] not in "{[":
                if not self.check_trailer:
                    self.error = "syntax error at beginning of input"
                    self.done = True
                    return n
                self.scalar = True
        if self.scalar:
            self.parts.append(s[i:])
            return n
        start = i
        while i < n:
            if self.in_string:
                if self.escape:
                    i += 1
                    self.escape = False
                    continue
                i = _STRING_BODY.match(s, i).end()
                if i >= n:
                    break
                c = s[i]
                if c == '"':
                    self.in_string = False
                    i += 1
                else:                   # a backslash with nothing after it
                    self.escape = True
                    i += 1
                continue
            m = _PLAIN.match(s, i)
            if m:
                i = m.end()
                if i >= n:
                    break
            c = s[i]
            i += 1
            if c == '"':
                self.in_string = True
            elif c in "{[":
                self.depth += 1
                if self.depth > self.MAX_HEIGHT:
                    self.error = "input exceeds maximum nesting depth %d" % self.MAX_HEIGHT
                    self.done = True
                    return n
            else:
                self.depth -= 1
                if self.depth == 0:
                    self.parts.append(s[start:i])
                    self.done = True
                    if self.check_trailer:
                        return i + self.feed(s[i:])
                    return i
        self.parts.append(s[start:n])
        return n

    def is_done(self):
        return self.done

    def finish(self):
        """The parsed value, or an error message (a str), as python-ovs's
        Parser returns them."""
        if self.error is not None:
            return self.error
        text = "".join(self.parts)
        if not self.started:
            return "empty input stream"
        if not self.done and not self.scalar:
            return ("unexpected end of input in quoted string" if self.in_string
                    else "unexpected end of input")
        try:
            value, end = _decoder.raw_decode(text)
        except (ValueError, RecursionError) as e:
            return "syntax error: %s" % e
        if text[end:].strip():
            return "trailing garbage at end of input"
        return value


def install():
    """Uses StreamParser wherever python-ovs would parse JSON in Python."""
    if ovs.json.PARSER != ovs.json.PARSER_C:
        ovs.json.Parser = StreamParser
