"""The OVSDB schemas pyovn serves, wire-compatible with OVN 23.03.

    nb     OVN_Northbound 7.0.0        ovn-nb.ovsschema
    sb     OVN_Southbound 20.27.0      ovn-sb.ovsschema
    ic-nb  OVN_IC_Northbound           ovn-ic-nb.ovsschema
    ic-sb  OVN_IC_Southbound           ovn-ic-sb.ovsschema
    vtep   hardware_vtep 1.7.0 + Physical_Locator.tunnel_level  vtep.ovsschema

The local Open_vSwitch database of a chassis uses Open vSwitch's own schema
("vswitch"), found where OVS is installed.
"""

import os

from pyovn.util import proc

_HERE = os.path.dirname(os.path.abspath(__file__))

FILES = {
    "nb": "ovn-nb.ovsschema",
    "sb": "ovn-sb.ovsschema",
    "ic-nb": "ovn-ic-nb.ovsschema",
    "ic-sb": "ovn-ic-sb.ovsschema",
    "vtep": "vtep.ovsschema",
}

DB_NAMES = {
    "nb": "OVN_Northbound",
    "sb": "OVN_Southbound",
    "ic-nb": "OVN_IC_Northbound",
    "ic-sb": "OVN_IC_Southbound",
    "vtep": "hardware_vtep",
    "vswitch": "Open_vSwitch",
}


def path(kind):
    """Returns the path of schema KIND (a key of FILES, or "vswitch")."""
    if kind == "vswitch":
        return os.path.join(proc.ovs_pkgdatadir(), "vswitch.ovsschema")
    try:
        return os.path.join(_HERE, FILES[kind])
    except KeyError:
        raise ValueError("unknown database kind '%s' (expected one of: %s)"
                         % (kind, ", ".join(sorted(FILES) + ["vswitch"])))
