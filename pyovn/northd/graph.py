"""The northd processing graph, declared once.

Input nodes are NB and SB tables; computed nodes are functions of their
inputs.  The engine (engine.py) runs a computed node again when any of its
inputs changed (full recompute of that node; incremental handlers can be
added per edge later).

    NB tables --> model --> keys --> sb_core ----+
                                 \\-> lflows -----+--> sync --> SB
    SB tables (keys, chassis) ---/               |
    SB_Global, Chassis_Private, Port_Binding ----+--> status --> NB
"""

NB_INPUTS = [
    "NB_Global", "Logical_Switch", "Logical_Switch_Port", "Logical_Router",
    "Logical_Router_Port", "ACL", "Address_Set", "Port_Group", "Load_Balancer",
    "Load_Balancer_Group", "QoS", "DNS", "DHCP_Options", "Meter", "Meter_Band",
    "NAT", "Logical_Router_Static_Route", "Logical_Router_Policy",
    "Gateway_Chassis", "HA_Chassis_Group", "HA_Chassis", "Forwarding_Group",
    "Mirror", "BFD", "Static_MAC_Binding",
]

SB_INPUTS = [
    "SB_Global", "Chassis", "Chassis_Private", "Encap", "Datapath_Binding",
    "Port_Binding", "MAC_Binding", "FDB",
]

# name -> (inputs, description).  Order is a valid evaluation order.
NODES = {
    "model": (["nb"], "datapaths and ports parsed from the NB"),
    "keys": (["model", "sb"], "stable tunnel keys for datapaths and ports"),
    "sb_core": (["keys"], "SB_Global, Datapath_Binding, Port_Binding, "
                "Multicast_Group, Address_Set, Port_Group, LB, DNS, RBAC"),
    "lflows": (["keys"], "Logical_Flow rows of every datapath"),
    "sync": (["sb_core", "lflows", "sb"], "one SB transaction with the difference"),
    "status": (["nb", "sb"], "nb_cfg/sb_cfg/hv_cfg and Logical_Switch_Port.up"),
}
