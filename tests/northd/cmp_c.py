"""Helpers comparing pyovn northd's logical flows with a SB that C
ovn-northd wrote (differential tests, @pytest.mark.peer)."""

from pyovn.northd import engine, sb_core
from pyovn.northd.log import Problems


def sb_flows(sb):
    """{(dp name, stage-name, priority, match, actions)} of a SB replica."""
    out = set()
    for f in sb.rows("Logical_Flow"):
        dps = list(f.logical_datapath) + (
            list(f.logical_dp_group[0].datapaths) if f.logical_dp_group else [])
        for dp in dps:
            out.add((dp.external_ids.get("name"), f.external_ids.get("stage-name"),
                     f.priority, f.match, f.actions))
    return out


def py_flows(nb, view=None):
    r = engine.compute(nb, view or sb_core.SbView(), Problems())
    out = set()
    for f in r.lflows:
        for dp in f.datapaths:
            out.add((dp.name, f.stage.name, f.priority, f.match, f.actions))
    return out, r
