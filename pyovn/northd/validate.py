"""The one place NB-supplied match and action strings are checked before
northd copies them into Logical_Flow rows.

check_match(text) and check_actions(text) return None when the string is
acceptable, otherwise a reason (a string).  They use pyovn.lang (the logical
flow language) when it is importable; until then they fall back to a
structural check (balanced brackets, known characters, non-empty) that
catches garbage but not every semantic error.
"""

import re

try:  # the language package is written in parallel; use it when present
    from pyovn import lang as _lang
except ImportError:  # pragma: no cover - depends on the tree
    _lang = None

_lang_match = None
_lang_actions = None
if _lang is not None:
    for _name in ("check_match", "check_expr"):
        _lang_match = _lang_match or getattr(_lang, _name, None)
    _lang_actions = getattr(_lang, "check_actions", None)

_TOKEN_OK = re.compile(r'^[\w\s.:/\[\]{}()!=<>&|,;"$@\-+*~^%#\']*$')


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
        if re.search(r"(==|!=|<=|>=|<|>)\s*(&&|\|\||\)|$)", text):
            return "comparison without a right-hand side in match"
    return None


def _call(fn, text):
    try:
        result = fn(text)
    except Exception as e:  # a lang error is a reason, not a crash
        return str(e) or e.__class__.__name__
    if result is None or result is True:
        return None
    if result is False:
        return "rejected"
    return str(result)


def check_match(text):
    """None if TEXT is a valid logical flow match, else the reason."""
    reason = _structural(text, "match")
    if reason or _lang_match is None:
        return reason
    return _call(_lang_match, text)


def check_actions(text):
    """None if TEXT is a valid logical flow action list, else the reason."""
    reason = _structural(text, "actions")
    if reason or _lang_actions is None:
        return reason
    return _call(_lang_actions, text)
