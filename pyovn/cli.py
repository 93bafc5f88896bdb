"""The `pyovn` command: one entry point, one subcommand per component.

Each subcommand is declared once in SUBCOMMANDS as "module:function"; the
module is imported only when that subcommand runs, so `pyovn nbctl` does not
pay for loading the northd or the controller.  Every function takes the
remaining argument list and returns an exit status.
"""

import importlib
import sys

import pyovn

# name -> (module:function, one-line help)
SUBCOMMANDS = {
    "db": ("pyovn.db.cli:main", "create and start OVN databases on ovsdb-server"),
    "nbctl": ("pyovn.ctl.nbctl:main", "manage the OVN northbound database (ovn-nbctl)"),
    "sbctl": ("pyovn.ctl.sbctl:main", "manage the OVN southbound database (ovn-sbctl)"),
    "vtep-ctl": ("pyovn.ctl.vtepctl:main", "manage a hardware_vtep database (vtep-ctl)"),
    "ic-nbctl": ("pyovn.ctl.icctl:nb_main", "manage the OVN IC northbound database (ovn-ic-nbctl)"),
    "ic-sbctl": ("pyovn.ctl.icctl:sb_main", "manage the OVN IC southbound database (ovn-ic-sbctl)"),
    "northd": ("pyovn.northd.main:main", "compile the northbound DB into the southbound DB"),
    "controller": ("pyovn.controller.main:main", "the OVN agent on each chassis"),
    "controller-vtep": ("pyovn.controller_vtep.main:main", "OVN agent for VTEP gateways"),
    "vtep": ("pyovn.vtep.main:main", "VTEP emulator on Open vSwitch (ovs-vtep)"),
    "ic": ("pyovn.ic.main:main", "interconnect availability zones (ovn-ic)"),
    "trace": ("pyovn.trace.main:main", "trace a packet through the logical pipeline"),
    "detrace": ("pyovn.trace.detrace:main", "annotate OpenFlow output with logical flows"),
    "show": ("pyovn.trace.picture:main", "draw the logical topology as SVG/HTML"),
    "lang": ("pyovn.lang.cli:main", "run logical flow language passes (test driver)"),
    "sandbox": ("pyovn.sandbox.cli:main", "multi-chassis OVN deployment on one machine"),
    "appctl": ("pyovn.daemon.appctl:main", "send a command to a running daemon (ovn-appctl)"),
    "compat-bin": ("pyovn.compat:main", "write drop-in executables for the C OVN programs"),
    "demo": ("pyovn.demo:main", "3-chassis demonstration (make demo)"),
}


def usage(out=None):
    out = out or sys.stdout
    out.write("usage: pyovn COMMAND [ARG...]\n\n"
              "OVN %s in Python, version %s.\n\nCommands:\n"
              % (pyovn.OVN_COMPAT_VERSION, pyovn.__version__))
    for name, (_, text) in SUBCOMMANDS.items():
        out.write("  %-16s %s\n" % (name, text))
    out.write("\n'pyovn COMMAND --help' gives a command's own options.\n")


def load(name):
    """Returns the entry function of subcommand NAME, or None if that part
    of pyovn is not built yet."""
    target, _ = SUBCOMMANDS[name]
    module_name, func_name = target.split(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as e:
        if e.name and (module_name == e.name or module_name.startswith(e.name + ".")):
            return None
        raise
    return getattr(module, func_name)


def run(name, argv):
    func = load(name)
    if func is None:
        sys.stderr.write("pyovn %s: this part of pyovn is not built yet\n" % name)
        return 2
    try:
        return func(argv) or 0
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 1


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] in ("-h", "--help", "help"):
        usage()
        return 0
    if argv[0] in ("-V", "--version"):
        print("pyovn %s (OVN %s compatible)" % (pyovn.__version__, pyovn.OVN_COMPAT_VERSION))
        return 0
    name = argv[0]
    if name not in SUBCOMMANDS:
        sys.stderr.write("pyovn: unknown command '%s' (try 'pyovn --help')\n" % name)
        return 2
    return run(name, argv[1:])


def northd_main():
    return run("northd", sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
