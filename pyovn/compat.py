"""`pyovn compat-bin DIR`: drop-in executables for the C programs.

Each file in DIR carries a C program's name and runs the pyovn part that
replaces it, so scripts and service units written for C OVN run pyovn once
DIR comes first on PATH.  Every shim answers --version, and says plainly
when its pyovn part is not built yet.
"""

import argparse
import os
import stat
import sys

import pyovn
from pyovn import cli

# C program -> pyovn subcommand
PROGRAMS = {
    "ovn-northd": "northd",
    "ovn-controller": "controller",
    "ovn-controller-vtep": "controller-vtep",
    "ovn-ic": "ic",
    "ovs-vtep": "vtep",
    "ovn-nbctl": "nbctl",
    "ovn-sbctl": "sbctl",
    "ovn-ic-nbctl": "ic-nbctl",
    "ovn-ic-sbctl": "ic-sbctl",
    "vtep-ctl": "vtep-ctl",
    "ovn-trace": "trace",
    "ovn-appctl": "appctl",
}

SHIM = """#!/bin/sh
# Written by `pyovn compat-bin`: runs pyovn's %(sub)s in place of %(prog)s.
exec "%(python)s" -m pyovn.compat run %(prog)s "$@"
"""


def write_shims(directory, python=None):
    python = python or sys.executable
    os.makedirs(directory, exist_ok=True)
    written = []
    for prog, sub in PROGRAMS.items():
        path = os.path.join(directory, prog)
        with open(path, "w") as f:
            f.write(SHIM % {"prog": prog, "sub": sub, "python": python})
        os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        written.append(path)
    return written


def run(prog, argv):
    """Runs C program name PROG's pyovn replacement with ARGV."""
    sub = PROGRAMS.get(prog)
    if sub is None:
        sys.stderr.write("pyovn compat: unknown program '%s'\n" % prog)
        return 2
    built = cli.load(sub) is not None
    if argv[:1] in (["--version"], ["-V"]):
        print("%s (pyovn) %s, OVN %s compatible%s"
              % (prog, pyovn.__version__, pyovn.OVN_COMPAT_VERSION,
                 "" if built else "; pyovn %s is not built yet" % sub))
        return 0
    if not built:
        sys.stderr.write("%s: pyovn's replacement ('pyovn %s') is not built yet\n"
                         % (prog, sub))
        return 1
    sys.argv[0] = prog
    return cli.run(sub, argv)


def main(argv):
    if argv[:1] == ["run"] and len(argv) >= 2:
        return run(argv[1], argv[2:])
    parser = argparse.ArgumentParser(
        prog="pyovn compat-bin",
        description="Write drop-in executables for the C OVN programs into DIR.")
    parser.add_argument("dir", help="directory to write the executables into")
    args = parser.parse_args(argv)
    for path in write_shims(args.dir):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
