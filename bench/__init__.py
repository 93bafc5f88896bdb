"""The pyovn benchmark harness (docs/bench.md).

    run.py          the pyovn-vs-C run: northd, nbctl clients, one hypervisor
    lang.py         pyovn.lang passes per second over C ovn-northd's flows
    topology.py     the reference topology, built through pyovn's IDL
    deploy.py       databases and daemons of one deployment (py or c)
    northd_phase.py, hv_phase.py   the measurements
    dbstats.py      row counts and Logical_Flow per stage (ovsdb-client)
    measure.py      /proc readings and medians
    report.py       the markdown tables and the C reference figures
"""
