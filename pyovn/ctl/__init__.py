"""The ctl tools (pyovn nbctl, sbctl, vtep-ctl) on one command layer.

    errors.py    CtlError (user-facing error), NotYet (wait-until)
    values.py    OVS ctl value syntax: parse into / print from Datums
    output.py    table output formats (list, table, bare, csv, json)
    base.py      Command objects, the Registry, Context, the Runner
    dbcmds.py    the generic database verbs for any schema
    validate.py  argument checkers (MAC, IP, CIDR, ranges, priorities)
    nbctl.py, nb_*.py   pyovn nbctl;  sbctl.py  pyovn sbctl

docs/ctl.md explains how to write a new tool on this layer.
"""
