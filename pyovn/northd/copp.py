"""Control Plane Protection (ovn-nb(5) Copp): the meter a switch or router
assigns to the packets one kind of controller action sends to
ovn-controller; it goes into Logical_Flow.controller_meter."""


def meter(dp, ctx, event):
    """The meter DP's Copp row names for EVENT ("dhcpv4-opts", "dns",
    "reject", "svc-monitor", "igmp", "event-elb", ...), if that meter
    exists, else None."""
    rows = getattr(dp.row, "copp", None)
    if not rows:
        return None
    name = rows[0].meters.get(event)
    return name if name in ctx.meters else None
