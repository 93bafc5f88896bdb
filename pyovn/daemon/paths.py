"""Where daemons keep their pidfiles, control sockets, logs and databases,
following the C programs: OVN daemons look at OVN_RUNDIR / OVN_LOGDIR /
OVN_DBDIR and fall back to the OVS_* variables and then the packaged
defaults; Open vSwitch programs (ovs-vtep) use OVS_RUNDIR / OVS_LOGDIR."""

import os

DEFAULTS = {
    "ovn": {"rundir": "/var/run/ovn", "logdir": "/var/log/ovn",
            "dbdir": "/var/lib/ovn"},
    "ovs": {"rundir": "/var/run/openvswitch", "logdir": "/var/log/openvswitch",
            "dbdir": "/etc/openvswitch"},
}


def _lookup(family, what):
    names = ["%s_%s" % (family.upper(), what.upper())]
    if family == "ovn":
        names.append("OVS_%s" % what.upper())
    for name in names:
        value = os.environ.get(name)
        if value:
            return value
    return DEFAULTS[family][what]


def rundir(family="ovn"):
    return _lookup(family, "rundir")


def logdir(family="ovn"):
    return _lookup(family, "logdir")


def dbdir(family="ovn"):
    return _lookup(family, "dbdir")


def default_db(name, family="ovn"):
    """unix:<rundir>/<name>.sock, e.g. default_db("ovnnb_db")."""
    return "unix:%s/%s.sock" % (rundir(family), name)


def ctl_path(program, pid, family="ovn"):
    return os.path.join(rundir(family), "%s.%d.ctl" % (program, pid))
