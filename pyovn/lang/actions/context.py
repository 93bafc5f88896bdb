"""What parsing and encoding actions need to know about their surroundings.

ParseContext: the logical flow being parsed (pipeline, table), the symbol
table and the limits of the pipeline.  EncodeContext: everything the
translation to OpenFlow needs from the controller: OpenFlow tables,
logical port names -> tunnel keys, group and meter allocation, the
datapath key and lflow UUID (cookies, sample ids), the controller meter.
Both have defaults good for tests and for `pyovn lang`.
"""

import dataclasses

from pyovn.lang.symtab import default_symtab
from pyovn.openflow import layout
from pyovn.openflow.model import GroupMod

PIPELINES = ("ingress", "egress")


class ParseContext:
    """pipeline: "ingress" or "egress" (of the flow being parsed);
    table_id: its logical table (next; goes to table_id + 1);
    n_tables: number of logical tables per pipeline;
    templates: Chassis_Template_Var values (name -> text) that replace
    ^name before parsing, or None to leave ^name alone (an error)."""

    def __init__(self, symtab=None, pipeline="ingress", table_id=0,
                 n_tables=layout.LOG_PIPELINE_LEN, templates=None):
        if pipeline not in PIPELINES:
            raise ValueError("pipeline must be ingress or egress")
        self.templates = templates
        self.symtab = symtab or default_symtab()
        self.pipeline = pipeline
        self.table_id = table_id
        self.n_tables = n_tables


class GroupTable:
    """Allocates OpenFlow group ids for group descriptions.  The same
    description gets the same id (so identical ct_lb/select actions share
    one group), ids start at 1.  `groups` maps id -> GroupMod."""

    def __init__(self, first_id=1):
        self.next_id = first_id
        self.by_body = {}
        self.groups = {}

    def alloc(self, group):
        body = group.body()
        gid = self.by_body.get(body)
        if gid is None:
            gid = self.next_id
            self.next_id += 1
            self.by_body[body] = gid
        self.groups[gid] = dataclasses.replace(group, group_id=gid)
        return gid


class MeterTable:
    """Allocates OpenFlow meter ids: set_meter creates a meter per
    (rate, burst) description; log(meter="name") and controller meters
    look up a configured meter by name (`named`, name -> id)."""

    def __init__(self, first_id=1, named=None):
        self.next_id = first_id
        self.by_body = {}
        self.meters = {}
        self.named = dict(named or {})

    def alloc(self, meter):
        body = meter.body()
        mid = self.by_body.get(body)
        if mid is None:
            mid = self.next_id
            self.next_id += 1
            self.by_body[body] = mid
        self.meters[mid] = dataclasses.replace(meter, meter_id=mid)
        return mid

    def lookup(self, name):
        return self.named.get(name)


class EncodeContext:
    """pipeline/table_id: the logical flow being encoded.
    ports: logical port name -> tunnel key (or a lookup_port function).
    ofports: logical port name -> local OpenFlow port (fwd_group liveness).
    is_switch: the datapath is a logical switch (chooses conntrack zones).
    dp_key: datapath tunnel key (sample obs_domain_id).
    lflow_cookie: first 32 bits of the logical flow UUID.
    collector_ids: configured Flow_Sample_Collector_Set ids (None: any).
    ctrl_meter_id: meter for controller actions (None: none).
    ct_zero_snat: OVS supports all-zero SNAT (ovs-vswitchd reports the
        ct_zero_snat feature): ct_commit then adds nat(src), as OVN does.
    dp_hash_l4_sym: OVS supports the symmetric L4 dp_hash: dp_hash select
        groups then use it (selection_method_param=1<<32), as OVN does."""

    def __init__(self, pipeline="ingress", table_id=0,
                 n_tables=layout.LOG_PIPELINE_LEN, ports=None, lookup_port=None,
                 ofports=None, is_switch=True, dp_key=0, lflow_cookie=0,
                 groups=None, meters=None, collector_ids=None,
                 ctrl_meter_id=None, output_table=None, ct_zero_snat=False,
                 dp_hash_l4_sym=False):
        if pipeline not in PIPELINES:
            raise ValueError("pipeline must be ingress or egress")
        self.pipeline = pipeline
        self.table_id = table_id
        self.n_tables = n_tables
        self.ports = dict(ports or {})
        self._lookup_port = lookup_port
        self.ofports = dict(ofports or {})
        self.is_switch = is_switch
        self.dp_key = dp_key
        self.lflow_cookie = lflow_cookie
        self.groups = groups if groups is not None else GroupTable()
        self.meters = meters if meters is not None else MeterTable()
        self.collector_ids = collector_ids
        self.ctrl_meter_id = ctrl_meter_id
        self.ct_zero_snat = ct_zero_snat
        self.dp_hash_l4_sym = dp_hash_l4_sym
        if output_table is None:
            # OVN 23.03: ingress `output` enters the output stage through
            # the large-packet detection table; egress `output` goes to
            # the loopback-bypass table before logical-to-physical.
            output_table = (layout.OUTPUT_LARGE_PKT_DETECT if pipeline == "ingress"
                            else layout.SAVE_INPORT)
        self.output_table = output_table

    def lookup_port(self, name):
        """Tunnel key of logical port NAME, or None."""
        if self._lookup_port is not None:
            return self._lookup_port(name)
        return self.ports.get(name)

    def logical_table(self, pipeline, table_id):
        """OpenFlow table of logical table TABLE_ID of PIPELINE."""
        if pipeline == "ingress":
            return layout.ingress_table(table_id)
        return layout.egress_table(table_id)

    def select_group(self, buckets, hash_fields=(), l4_sym=False):
        """A select GroupMod the way OVN builds them: hash over FIELDS, or
        dp_hash (for `select`, L4_SYM: the symmetric L4 hash when OVS
        supports it)."""
        if hash_fields:
            return GroupMod(0, "select", tuple(buckets), "hash", tuple(hash_fields))
        return GroupMod(0, "select", tuple(buckets), "dp_hash", (),
                        (1 << 32) if (l4_sym and self.dp_hash_l4_sym) else None)

    @property
    def next_table(self):
        return self.logical_table(self.pipeline, self.table_id + 1)
