"""What the benchmark reads about processes, and how it sums up repeated
measurements."""

import os
import statistics


def proc_status(pid):
    """{"cpu_s": user+sys seconds, "VmHWM": peak RSS MiB, "VmRSS": MiB} of
    process PID from /proc, or {} when it is gone."""
    out = {}
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                key = line.split(":", 1)[0]
                if key in ("VmHWM", "VmRSS"):
                    out[key] = int(line.split()[1]) / 1024.0
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        # After the command name: state is field 0, utime 11, stime 12.
        out["cpu_s"] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        pass
    return out


class Stat:
    """Median, minimum and maximum of repeated measurements."""

    def __init__(self, values):
        self.values = [v for v in values if v is not None]

    def __bool__(self):
        return bool(self.values)

    @property
    def median(self):
        return statistics.median(self.values) if self.values else None

    def format(self, digits):
        if not self.values:
            return "-"
        med = "%.*f" % (digits, self.median)
        if len(self.values) == 1:
            return med
        return "%s (%.*f-%.*f)" % (med, digits, min(self.values), digits, max(self.values))


def single(value):
    return Stat([value])
