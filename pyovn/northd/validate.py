"""The one place NB-supplied match and action strings are checked before
northd copies them into Logical_Flow rows.

check_match(text, names) and check_actions(text) return None when the
string is acceptable, otherwise the reason (a string).  Both use pyovn.lang,
the logical flow language: a match must parse and annotate (known fields,
right types, prerequisites) with the address sets and port groups NAMES
knows; actions must parse.  If pyovn.lang cannot be imported, a structural
check (balanced brackets, known characters, no dangling operators) stands
in, which catches garbage but not every semantic error.
"""

import re

try:  # the language package
    from pyovn.lang import parse as _parse_mod
    from pyovn.lang import annotate as _annotate_mod
    from pyovn.lang import context as _context_mod
    from pyovn.lang.actions import check_actions as _lang_check_actions
except ImportError:  # pragma: no cover - depends on the tree
    _parse_mod = None
    _lang_check_actions = None

_TOKEN_OK = re.compile(r'^[\w\s.:/\[\]{}()!=<>&|,;"$@\-+*~^%#\']*$')


def _kind(address):
    if ":" not in address:
        return "ip4" if "." in address else "other"
    parts = address.split(":")
    if len(parts) == 6 and all(len(x) <= 2 for x in parts):
        return "mac"
    return "ip6"


def representatives(addresses):
    """One address of each kind (IPv4, IPv6, MAC, other) in ADDRESSES: the
    type checks of annotate give the same answer on them as on the whole
    set, at a fraction of the cost on big sets."""
    seen = {}
    for a in addresses:
        seen.setdefault(_kind(a), a)
    return list(seen.values())


class Names:
    """Address sets (name -> addresses) and port groups (name -> port
    names) that NB matches may refer to as $name and @name."""

    def __init__(self, address_sets=None, port_groups=None):
        self.address_sets = {k: representatives(v)
                             for k, v in (address_sets or {}).items()}
        self.port_groups = {k: list(v)[:1] for k, v in (port_groups or {}).items()}
        self._cache = {}
        self._ctx = None

    def context(self):
        if self._ctx is None and _parse_mod is not None:
            self._ctx = _context_mod.Context(address_sets=self.address_sets,
                                             port_groups=self.port_groups)
        return self._ctx


def _structural(text, what):
    if text is None or not text.strip():
        return "empty %s" % what
    if not _TOKEN_OK.match(text):
        return "invalid character in %s" % what
    stack = []
    pairs = {")": "(", "]": "[", "}": "{"}
    in_str = False
    for ch in text:
        if ch == '"':
            in_str = not in_str
        elif in_str:
            continue
        elif ch in "([{":
            stack.append(ch)
        elif ch in ")]}":
            if not stack or stack.pop() != pairs[ch]:
                return "unbalanced '%s' in %s" % (ch, what)
    if in_str:
        return "unterminated string in %s" % what
    if stack:
        return "unbalanced '%s' in %s" % (stack[-1], what)
    if what == "match":
        if re.search(r"(&&|\|\|)\s*$", text) or re.search(r"^\s*(&&|\|\|)", text):
            return "dangling operator in match"
    return None


def check_match(text, names=None):
    """None if TEXT is a valid logical flow match, else the reason."""
    if _parse_mod is None:
        return _structural(text, "match")
    if text is None or not text.strip():
        return "empty match"
    names = names or Names()
    hit = names._cache.get(text, False)
    if hit is not False:
        return hit
    # The verdict depends on the text and on what its $sets / @groups are;
    # keep it across recomputations under that key.
    refs = tuple((r, tuple(names.address_sets.get(r[1:], ())) if r[0] == "$"
                  else r[1:] in names.port_groups)
                 for r in sorted(set(_REF.findall(text))))
    key = (text, refs)
    reason = _verdicts.get(key, False)
    if reason is False:
        try:
            expr = _parse_mod.parse(text)
            _annotate_mod.annotate(expr, None, names.context())
            reason = None
        except Exception as e:   # LangError, or a bug in lang: a reason, not a crash
            reason = str(e) or e.__class__.__name__
        if len(_verdicts) > 200000:
            _verdicts.clear()
        _verdicts[key] = reason
    names._cache[text] = reason
    return reason


_REF = re.compile(r"[$@][A-Za-z_][\w.]*")
_verdicts = {}


def check_actions(text):
    """None if TEXT is a valid logical flow action list, else the reason."""
    if _lang_check_actions is None:
        return _structural(text, "actions")
    try:
        return _lang_check_actions(text)
    except Exception as e:
        return str(e) or e.__class__.__name__
