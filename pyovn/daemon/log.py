"""Log lines exactly as the C daemons write them:

    2026-11-23T17:14:28.968Z|00001|northd|INFO|message

python-ovs's vlog pads its fields differently from the C library (it centres
them), so pyovn daemons install this formatter over it.  Everything else
(levels, destinations, vlog/set, vlog/reopen) stays python-ovs's.
"""

import datetime

import ovs.vlog

_TIME_FORMATS = {
    "console": "%Y-%m-%dT%H:%M:%SZ",
    "file": "%Y-%m-%dT%H:%M:%S.{ms}Z",
}


def format_line(destination, module, level, message, seq, now=None):
    now = now or datetime.datetime.now(datetime.timezone.utc)
    if destination == "syslog":
        return "ovs|%05d|%s|%s|%s" % (seq, module, level.upper(), message)
    stamp = now.strftime(_TIME_FORMATS.get(destination, _TIME_FORMATS["file"]))
    stamp = stamp.replace("{ms}", "%03d" % (now.microsecond // 1000))
    return "%s|%05d|%s|%s|%s" % (stamp, seq, module, level.upper(), message)


def _build_message(self, message, destination, level, msg_num):
    return format_line(destination, self.name, level, message, msg_num + 1)


def install():
    ovs.vlog.Vlog._build_message = _build_message
