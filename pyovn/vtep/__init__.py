"""pyovn vtep: a VTEP emulator on Open vSwitch (the role of OVS's
ovs-vtep), with per-tunnel keys and relay tunnels.

    model.py     the plan for one Physical_Switch from the hardware_vtep DB
    vswitch.py   bridges, patch and tunnel ports through the OVS IDL
    flows.py     the OpenFlow tables (declared once) and their installation
    emulator.py  one reconciliation round, the VTEP DB write-back
    main.py      the command line and the poll loop

See docs/vtep.md.
"""
