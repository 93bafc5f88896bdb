"""pyovn controller-vtep: the OVN agent for VTEP gateways (the role of
ovn-controller-vtep): it registers every Physical_Switch of a
hardware_vtep database as an OVN chassis, binds the "vtep" logical ports
to it and tells the VTEP where OVN's MACs are.

    sync.py   the eight steps of "Life Cycle of a VTEP gateway"
    main.py   the command line and the poll loop

See docs/vtep.md.
"""
