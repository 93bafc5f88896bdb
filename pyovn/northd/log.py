"""Logging for northd: OVS vlog, plus a helper that reports a bad NB row
once (row UUID, column, reason) instead of on every recompute."""

import ovs.vlog

vlog = ovs.vlog.Vlog("northd")


class Problems:
    """Collects problems found in NB content during one computation and logs
    each distinct one once for the life of the process (a problem that goes
    away and comes back is logged again)."""

    def __init__(self, logger=None):
        self.log = logger or vlog
        self.current = {}
        self.logged = set()

    def report(self, table, uuid, column, reason, level="warn"):
        key = (table, str(uuid), column, reason)
        if key not in self.current:
            self.current[key] = level

    def flush(self):
        """Logs problems not logged yet; forgets those that disappeared."""
        for key, level in self.current.items():
            if key not in self.logged:
                table, uuid, column, reason = key
                getattr(self.log, level)("%s row %s: column %s: %s"
                                         % (table, uuid, column, reason))
        self.logged = set(self.current)
        found = dict(self.current)
        self.current = {}
        return found
