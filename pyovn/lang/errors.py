"""The one exception the logical flow language raises.

Every problem with an expression or an action string (lexing, parsing,
type checks, unknown names, resolution, normalization limits) is reported
as a LangError.  `offset` is the 0-based character offset in the text that
was being parsed, or None when the problem has no single position (for
example an address set that does not exist, found while annotating).
"""


class LangError(Exception):
    def __init__(self, message, offset=None):
        super().__init__(message)
        self.message = message
        self.offset = offset

    def __str__(self):
        if self.offset is None:
            return self.message
        return "%s (at offset %d)" % (self.message, self.offset)

    def at(self, offset):
        """Returns a copy of this error positioned at OFFSET, unless it
        already has a position."""
        if self.offset is not None:
            return self
        return LangError(self.message, offset)
