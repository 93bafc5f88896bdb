"""Codec errors, and OpenFlow ERROR type/code names for readable messages."""


class CodecError(ValueError):
    """A message could not be encoded or decoded; the text says what."""


ERROR_TYPES = {
    0: ("OFPET_HELLO_FAILED", {0: "INCOMPATIBLE", 1: "EPERM"}),
    1: ("OFPET_BAD_REQUEST", {
        0: "BAD_VERSION", 1: "BAD_TYPE", 2: "BAD_MULTIPART", 3: "BAD_EXPERIMENTER",
        4: "BAD_EXP_TYPE", 5: "EPERM", 6: "BAD_LEN", 7: "BUFFER_EMPTY",
        8: "BUFFER_UNKNOWN", 9: "BAD_TABLE_ID", 10: "IS_SLAVE", 11: "BAD_PORT",
        12: "BAD_PACKET", 13: "MULTIPART_BUFFER_OVERFLOW",
        14: "MULTIPART_REQUEST_TIMEOUT", 15: "MULTIPART_REPLY_TIMEOUT"}),
    2: ("OFPET_BAD_ACTION", {
        0: "BAD_TYPE", 1: "BAD_LEN", 2: "BAD_EXPERIMENTER", 3: "BAD_EXP_TYPE",
        4: "BAD_OUT_PORT", 5: "BAD_ARGUMENT", 6: "EPERM", 7: "TOO_MANY",
        8: "BAD_QUEUE", 9: "BAD_OUT_GROUP", 10: "MATCH_INCONSISTENT",
        11: "UNSUPPORTED_ORDER", 12: "BAD_TAG", 13: "BAD_SET_TYPE",
        14: "BAD_SET_LEN", 15: "BAD_SET_ARGUMENT", 16: "BAD_SET_MASK"}),
    3: ("OFPET_BAD_INSTRUCTION", {
        0: "UNKNOWN_INST", 1: "UNSUP_INST", 2: "BAD_TABLE_ID", 3: "UNSUP_METADATA",
        4: "UNSUP_METADATA_MASK", 5: "BAD_EXPERIMENTER", 6: "BAD_EXP_TYPE",
        7: "BAD_LEN", 8: "EPERM", 9: "DUP_INST"}),
    4: ("OFPET_BAD_MATCH", {
        0: "BAD_TYPE", 1: "BAD_LEN", 2: "BAD_TAG", 3: "BAD_DL_ADDR_MASK",
        4: "BAD_NW_ADDR_MASK", 5: "BAD_WILDCARDS", 6: "BAD_FIELD", 7: "BAD_VALUE",
        8: "BAD_MASK", 9: "BAD_PREREQ", 10: "DUP_FIELD", 11: "EPERM"}),
    5: ("OFPET_FLOW_MOD_FAILED", {
        0: "UNKNOWN", 1: "TABLE_FULL", 2: "BAD_TABLE_ID", 3: "OVERLAP",
        4: "EPERM", 5: "BAD_TIMEOUT", 6: "BAD_COMMAND", 7: "BAD_FLAGS",
        8: "CANT_SYNC", 9: "BAD_PRIORITY", 10: "IS_SYNC"}),
    6: ("OFPET_GROUP_MOD_FAILED", {
        0: "GROUP_EXISTS", 1: "INVALID_GROUP", 2: "WEIGHT_UNSUPPORTED",
        3: "OUT_OF_GROUPS", 4: "OUT_OF_BUCKETS", 5: "CHAINING_UNSUPPORTED",
        6: "WATCH_UNSUPPORTED", 7: "LOOP", 8: "UNKNOWN_GROUP", 9: "CHAINED_GROUP",
        10: "BAD_TYPE", 11: "BAD_COMMAND", 12: "BAD_BUCKET", 13: "BAD_WATCH",
        14: "EPERM", 15: "UNKNOWN_BUCKET", 16: "BUCKET_EXISTS"}),
    7: ("OFPET_PORT_MOD_FAILED", {}),
    8: ("OFPET_TABLE_MOD_FAILED", {}),
    9: ("OFPET_QUEUE_OP_FAILED", {}),
    10: ("OFPET_SWITCH_CONFIG_FAILED", {}),
    11: ("OFPET_ROLE_REQUEST_FAILED", {}),
    12: ("OFPET_METER_MOD_FAILED", {
        0: "UNKNOWN", 1: "METER_EXISTS", 2: "INVALID_METER", 3: "UNKNOWN_METER",
        4: "BAD_COMMAND", 5: "BAD_FLAGS", 6: "BAD_RATE", 7: "BAD_BURST",
        8: "BAD_BAND", 9: "BAD_BAND_VALUE", 10: "OUT_OF_METERS",
        11: "OUT_OF_BANDS"}),
    13: ("OFPET_TABLE_FEATURES_FAILED", {}),
    14: ("OFPET_BAD_PROPERTY", {}),
    15: ("OFPET_ASYNC_CONFIG_FAILED", {}),
    16: ("OFPET_FLOW_MONITOR_FAILED", {}),
    17: ("OFPET_BUNDLE_FAILED", {
        0: "UNKNOWN", 1: "EPERM", 2: "BAD_ID", 3: "BUNDLE_EXIST",
        4: "BUNDLE_CLOSED", 5: "OUT_OF_BUNDLES", 6: "BAD_TYPE", 7: "BAD_FLAGS",
        8: "MSG_BAD_LEN", 9: "MSG_BAD_XID", 10: "MSG_UNSUP", 11: "MSG_CONFLICT",
        12: "MSG_TOO_MANY", 13: "MSG_FAILED", 14: "TIMEOUT", 15: "BUNDLE_IN_PROGRESS"}),
    0xffff: ("OFPET_EXPERIMENTER", {}),
}

def error_name(etype, code, exp_code=None, experimenter=None):
    """'OFPET_BAD_ACTION.BAD_OUT_PORT'-style text for an ERROR message."""
    if etype == 0xffff:
        return "OFPET_EXPERIMENTER(experimenter=0x%x, code=%s)" % (
            experimenter or 0, exp_code)
    tname, codes = ERROR_TYPES.get(etype, ("OFPET_%d" % etype, {}))
    return "%s.%s" % (tname, codes.get(code, str(code)))
