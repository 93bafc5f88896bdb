"""The desired Logical_Flow content, as builders produce it.

Builders call table.add(dp, stage, priority, match, actions, hint=row).
A flow is identified by (stage, priority, match, actions, controller_meter,
stage-hint); the same flow added for several datapaths becomes one
Logical_Flow row on a Logical_DP_Group (as 23.03 does) and a flow for one
datapath references that Datapath_Binding directly.
"""

import inspect
import os


class Flow:
    __slots__ = ("stage", "priority", "match", "actions", "meter", "hint",
                 "source", "datapaths")

    def __init__(self, stage, priority, match, actions, meter, hint, source):
        self.stage = stage
        self.priority = priority
        self.match = match
        self.actions = actions
        self.meter = meter
        self.hint = hint
        self.source = source
        self.datapaths = []

    @property
    def content_key(self):
        return (self.stage.pipeline, self.stage.table, self.priority,
                self.match, self.actions, self.meter, self.hint)

    def external_ids(self):
        ids = {"stage-name": self.stage.name}
        if self.hint:
            ids["stage-hint"] = self.hint
        if self.source:
            ids["source"] = self.source
        return ids

    def __repr__(self):
        return "<Flow %s %d (%s) (%s)>" % (self.stage.name, self.priority,
                                          self.match, self.actions)


def hint_of(row):
    """The stage-hint 23.03 writes: the first 8 hex digits of a NB row UUID."""
    if row is None:
        return None
    return str(row.uuid)[:8]


class LflowTable:
    def __init__(self, with_source=True):
        self.flows = {}
        self.with_source = with_source

    def add(self, dp, stage, priority, match, actions, hint=None, meter=None):
        assert stage.dp_type == dp.kind, (stage, dp)
        source = None
        if self.with_source:
            frame = inspect.currentframe().f_back
            source = "%s:%d" % (os.path.basename(frame.f_code.co_filename),
                                frame.f_lineno)
        hint_text = hint if isinstance(hint, str) or hint is None else hint_of(hint)
        # dp_type: a switch and a router flow with the same table number,
        # match and actions are different flows (different stage names).
        key = (stage.dp_type, stage.pipeline, stage.table, priority, match, actions,
               meter, hint_text)
        flow = self.flows.get(key)
        if flow is None:
            flow = Flow(stage, priority, match, actions, meter, hint_text, source)
            self.flows[key] = flow
        if not flow.datapaths or flow.datapaths[-1] is not dp:
            if dp not in flow.datapaths:
                flow.datapaths.append(dp)
        return flow

    def __iter__(self):
        return iter(self.flows.values())

    def __len__(self):
        return len(self.flows)

    def for_datapath(self, dp):
        return [f for f in self.flows.values() if dp in f.datapaths]
