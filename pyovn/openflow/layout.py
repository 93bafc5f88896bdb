"""OpenFlow table numbers, register assignments and logical flag bits,
declared once for the controller, the language compiler and the tracer.

The layout is OVN 23.03's, so flow dumps, `ovn-trace --ovs` habits and
detrace read the same on pyovn and C chassis.
"""

# --- OpenFlow tables -------------------------------------------------------
PHY_TO_LOG = 0                 # physical-to-logical translation
LOG_INGRESS_PIPELINE = 8       # logical ingress table N -> OpenFlow 8 + N
OUTPUT_LARGE_PKT_DETECT = 37
OUTPUT_LARGE_PKT_PROCESS = 38
REMOTE_OUTPUT = 39             # output to remote chassis (tunnels)
LOCAL_OUTPUT = 40              # output to this chassis
CHECK_LOOPBACK = 41            # drop inport == outport unless allowed
LOG_EGRESS_PIPELINE = 42       # logical egress table N -> OpenFlow 42 + N
SAVE_INPORT = 64               # OpenFlow loopback bypass
LOG_TO_PHY = 65                # logical-to-physical translation
MAC_BINDING = 66               # get_arp / get_nd
MAC_LOOKUP = 67                # lookup_arp / lookup_nd
CHK_LB_HAIRPIN = 68
CHK_LB_HAIRPIN_REPLY = 69
CT_SNAT_HAIRPIN = 70
GET_FDB = 71
LOOKUP_FDB = 72
CHK_IN_PORT_SEC = 73
CHK_IN_PORT_SEC_ND = 74
CHK_OUT_PORT_SEC = 75
ECMP_NH_MAC = 76
ECMP_NH = 77
CHK_LB_AFFINITY = 78

# Number of logical tables each pipeline may use.
LOG_PIPELINE_LEN = OUTPUT_LARGE_PKT_DETECT - LOG_INGRESS_PIPELINE   # 29


def ingress_table(logical_table):
    return LOG_INGRESS_PIPELINE + logical_table


def egress_table(logical_table):
    return LOG_EGRESS_PIPELINE + logical_table


# --- Registers (OVS field names) ------------------------------------------
LOG_DATAPATH = "metadata"      # logical datapath tunnel key
LOG_FLAGS = "reg10"            # logical flags, bits below
LOG_DNAT_ZONE = "reg11"        # router DNAT conntrack zone
LOG_SNAT_ZONE = "reg12"        # router SNAT conntrack zone
LOG_CT_ZONE = "reg13"          # logical port conntrack zone
LOG_INPORT = "reg14"           # logical input port key
LOG_OUTPORT = "reg15"          # logical output port key
LOG_REGS = ["reg%d" % i for i in range(10)]      # reg0..reg9 of the language
LOG_XXREGS = ["xxreg0", "xxreg1"]

# Tunnel metadata: Geneve option class and type that carry the ports.
GENEVE_OPT_CLASS = 0x0102
GENEVE_OPT_TYPE = 0x80
GENEVE_OPT_LEN = 4             # bytes: 1 bit rsvd, 15-bit inport, 16-bit outport

# --- Logical flag bits (in LOG_FLAGS) -------------------------------------
MLF_ALLOW_LOOPBACK_BIT = 0
MLF_RCV_FROM_RAMP_BIT = 1
MLF_FORCE_SNAT_FOR_DNAT_BIT = 2
MLF_FORCE_SNAT_FOR_LB_BIT = 3
MLF_LOCAL_ONLY_BIT = 4
MLF_NESTED_CONTAINER_BIT = 5
MLF_LOOKUP_MAC_BIT = 6
MLF_LOOKUP_LB_HAIRPIN_BIT = 7
MLF_LOOKUP_FDB_BIT = 8
MLF_SKIP_SNAT_FOR_LB_BIT = 9
MLF_LOCALPORT_BIT = 10
MLF_USE_SNAT_ZONE = 11
MLF_CHECK_PORT_SEC_BIT = 12
MLF_LOOKUP_COMMIT_ECMP_NH_BIT = 13
MLF_USE_LB_AFF_SESSION_BIT = 14   # chk_lb_aff / commit_lb_aff (OVN 23.03)

MLF_ALLOW_LOOPBACK = 1 << MLF_ALLOW_LOOPBACK_BIT
MLF_RCV_FROM_RAMP = 1 << MLF_RCV_FROM_RAMP_BIT
MLF_FORCE_SNAT_FOR_DNAT = 1 << MLF_FORCE_SNAT_FOR_DNAT_BIT
MLF_FORCE_SNAT_FOR_LB = 1 << MLF_FORCE_SNAT_FOR_LB_BIT
MLF_LOCAL_ONLY = 1 << MLF_LOCAL_ONLY_BIT
MLF_NESTED_CONTAINER = 1 << MLF_NESTED_CONTAINER_BIT
MLF_LOOKUP_MAC = 1 << MLF_LOOKUP_MAC_BIT
MLF_LOOKUP_LB_HAIRPIN = 1 << MLF_LOOKUP_LB_HAIRPIN_BIT
MLF_LOOKUP_FDB = 1 << MLF_LOOKUP_FDB_BIT
MLF_SKIP_SNAT_FOR_LB = 1 << MLF_SKIP_SNAT_FOR_LB_BIT
MLF_LOCALPORT = 1 << MLF_LOCALPORT_BIT
MLF_CHECK_PORT_SEC = 1 << MLF_CHECK_PORT_SEC_BIT
MLF_LOOKUP_COMMIT_ECMP_NH = 1 << MLF_LOOKUP_COMMIT_ECMP_NH_BIT
MLF_USE_LB_AFF_SESSION = 1 << MLF_USE_LB_AFF_SESSION_BIT

# --- Multicast groups (Multicast_Group.tunnel_key, 32768 and up) ---------
MC_FLOOD = ("_MC_flood", 32768)
MC_UNKNOWN = ("_MC_unknown", 32769)
MC_MROUTER_FLOOD = ("_MC_mrouter_flood", 32770)
MC_STATIC = ("_MC_static", 32771)            # as C ovn-northd 23.03 writes
MC_FLOOD_L2 = ("_MC_flood_l2", 32772)        # (checked against its SB)
MC_MROUTER_STATIC = ("_MC_mrouter_static", 32773)
MC_IP_MCAST_MIN = 32774        # first key for IGMP/MLD groups
