r"""The northd processing graph, declared once.

Input nodes are NB and SB tables; computed nodes are functions of their
inputs.  Today the engine recomputes every computed node when an input of
the graph changed (northd.py decides from the IDL change tracking whether a
change needs the flows recomputed, only SB_Global.nb_cfg, or only the NB
status); incremental handlers can be added per edge later.

    NB tables --> model --> ipam --> keys --> sb_core ------+
                                          \-> lflows -------+--> sync --> SB
    SB: keys, Chassis/Encap, Service_Monitor, IGMP_Group --/   |
    SB: SB_Global, Chassis_Private, Port_Binding ---------------+--> status --> NB
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
    "model": (["nb"], "datapaths and ports parsed from the NB (model.py, lr_model.py)"),
    "ipam": (["model"], "dynamic MAC/IP addresses (ipam.py)"),
    "keys": (["ipam", "sb"], "stable tunnel keys for datapaths and ports"),
    "sb_core": (["keys"], "SB_Global, Datapath_Binding, Port_Binding, Multicast_Group, "
                "Address_Set, Port_Group, LB, DNS, RBAC, IP_Multicast, Meter, "
                "Service_Monitor, HA groups"),
    "lflows": (["keys", "sb"], "Logical_Flow rows of every datapath"),
    "sync": (["sb_core", "lflows", "sb"], "one SB transaction with the difference"),
    "status": (["nb", "sb"], "nb_cfg/sb_cfg/hv_cfg, Logical_Switch_Port up, "
               "dynamic_addresses and tags"),
}
