"""The one exception the ctl tools raise for anything the user got wrong
(or the database refused).  Its message is printed after "pyovn TOOL: "
on stderr and the tool exits with status 1, having written nothing."""


class CtlError(Exception):
    pass


class NotYet(Exception):
    """Raised by wait-until (and similar) when the condition does not hold
    yet: the runner aborts the transaction, waits for the database to
    change and runs all commands again."""
