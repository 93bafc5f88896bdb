"""The reference "cloud" topology of the C OVN performance anchors, built
into an OVN_Northbound database through pyovn's IDL (pyovn.db.idl).

For S switches with P VIF ports each (A = acls_per_port, default 2):

  ls{i}, i < S        subnet 10.{i>>8}.{i&255}.0/24
    ls{i}-p{j}        VIF, addresses = port_security =
                      "0a:58:ii:ii:jj:jj 10.x.y.(10+j)" (MAC bytes are i and
                      j as 16-bit numbers)
    ls{i}-to-lr       type=router, peer lrp-ls{i} on router lr{i//10}
                      (mac 0a:59:00:00:ii:ii, network 10.x.y.1/24)
    pg_sg{i}          port group of the VIFs of ls{i}, ACLs at priority 1002,
                      allow-related: from-lport "inport == @pg_sg{i} && ip4",
                      to-lport "outport == @pg_sg{i} && ip4 && ip4.src ==
                      $pg_sg{i}_ip4", to-lport "outport == @pg_sg{i} && ip4 &&
                      tcp.dst == 22", and A per VIF: to-lport 'outport ==
                      "ls{i}-p{j}" && ip4 && ip4.src == $as_remote{i} &&
                      tcp.dst == {80+r}', r < A
    as_remote{i}      address set of four /28s of 192.168.{i&255}.0/24
    lbg-cluster       the load balancer group, on every ls{i}
  lr{k}, k < ceil(S/10): ports to ls{10k..10k+9} and lrp-lr{k}-join
                      (mac 0a:5a:00:00:kk:kk, 100.64.x.y/16 with x.y = k+2,
                      on switch "join" through join-to-lr{k}), default route
                      via 100.64.0.1
  gr                  gateway router, options:chassis=<gw chassis>;
                      gr-join 100.64.0.1/16 (join-to-gr), gr-ext 172.16.0.2/24
                      on switch "ext" (with localnet port ln-ext,
                      network_name=physnet1); default route via 172.16.0.1,
                      a route per ls subnet via its lr{k}'s join address, an
                      SNAT per ls subnet to 172.16.0.2; lbg-cluster
  pg_drop             every VIF; ACLs at 1001 from-lport "inport == @pg_drop
                      && ip" and to-lport "outport == @pg_drop && ip", drop
  lb-tcp              172.30.0.10:80 -> the first (up to) 10 VIFs of ls0, :8080
  lb-udp              172.30.0.53:53 -> the first (up to) 10 VIFs of ls1, :5353
                      (both in lbg-cluster)

The rows go in one transaction for the shared part and one per router
(its ten switches with everything attached to them).
"""

import time

SIZES = {"small": (10, 10), "medium": (100, 50), "large": (200, 100)}

SWITCHES_PER_ROUTER = 10


def ls_net(i):
    return "10.%d.%d" % (i >> 8, i & 255)


def vif_ip(i, j):
    return "%s.%d" % (ls_net(i), 10 + j)


def vif_mac(i, j):
    return "0a:58:%02x:%02x:%02x:%02x" % (i >> 8, i & 255, j >> 8, j & 255)


def join_ip(k):
    n = k + 2
    return "100.64.%d.%d" % (n >> 8, n & 255)


def n_routers(n_switches):
    return (n_switches + SWITCHES_PER_ROUTER - 1) // SWITCHES_PER_ROUTER


def expected_counts(n_switches, n_ports, acls_per_port=2):
    """The NB row counts the topology has, from its definition."""
    return {"vif_ports": n_switches * n_ports,
            "switches": n_switches + 2,
            "routers": n_routers(n_switches) + 1,
            "acls": 2 + n_switches * (3 + n_ports * acls_per_port),
            "port_groups": n_switches + 1,
            "address_sets": n_switches,
            "load_balancers": 2}


def _new(txn, db, table, **columns):
    row = txn.insert(db.tables[table])
    for column, value in columns.items():
        setattr(row, column, value)
    return row


def _shared_part(db, n_switches, n_ports, gw_chassis):
    """Transaction 1: NB_Global, load balancers and their group, join and
    ext switches, the gateway router, pg_drop."""
    def build(txn):
        if not db.rows("NB_Global"):
            _new(txn, db, "NB_Global")
        tcp_backends = ",".join("%s:8080" % vif_ip(0, j) for j in range(min(n_ports, 10)))
        udp_switch = min(1, n_switches - 1)
        udp_backends = ",".join("%s:5353" % vif_ip(udp_switch, j)
                                for j in range(min(n_ports, 10)))
        lb_tcp = _new(txn, db, "Load_Balancer", name="lb-tcp", protocol="tcp",
                      vips={"172.30.0.10:80": tcp_backends})
        lb_udp = _new(txn, db, "Load_Balancer", name="lb-udp", protocol="udp",
                      vips={"172.30.0.53:53": udp_backends})
        lbg = _new(txn, db, "Load_Balancer_Group", name="lbg-cluster",
                   load_balancer=[lb_tcp, lb_udp])
        join_gr = _new(txn, db, "Logical_Switch_Port", name="join-to-gr", type="router",
                       addresses=["router"], options={"router-port": "gr-join"})
        _new(txn, db, "Logical_Switch", name="join", ports=[join_gr])
        ext_gr = _new(txn, db, "Logical_Switch_Port", name="ext-to-gr", type="router",
                      addresses=["router"], options={"router-port": "gr-ext"})
        ln_ext = _new(txn, db, "Logical_Switch_Port", name="ln-ext", type="localnet",
                      addresses=["unknown"], options={"network_name": "physnet1"})
        _new(txn, db, "Logical_Switch", name="ext", ports=[ext_gr, ln_ext])
        gr_join = _new(txn, db, "Logical_Router_Port", name="gr-join",
                       mac="0a:5a:ff:00:00:01", networks=["100.64.0.1/16"])
        gr_ext = _new(txn, db, "Logical_Router_Port", name="gr-ext",
                      mac="0a:5b:00:00:00:01", networks=["172.16.0.2/24"])
        default = _new(txn, db, "Logical_Router_Static_Route", ip_prefix="0.0.0.0/0",
                       nexthop="172.16.0.1")
        _new(txn, db, "Logical_Router", name="gr", options={"chassis": gw_chassis},
             ports=[gr_join, gr_ext], static_routes=[default],
             load_balancer_group=[lbg])
        drop_in = _new(txn, db, "ACL", priority=1001, direction="from-lport",
                       match="inport == @pg_drop && ip", action="drop")
        drop_out = _new(txn, db, "ACL", priority=1001, direction="to-lport",
                        match="outport == @pg_drop && ip", action="drop")
        _new(txn, db, "Port_Group", name="pg_drop", acls=[drop_in, drop_out])
    return build


def _sg_acl_matches(i, n_ports, acls_per_port):
    pg = "pg_sg%d" % i
    acls = [("from-lport", "inport == @%s && ip4" % pg),
            ("to-lport", "outport == @%s && ip4 && ip4.src == $%s_ip4" % (pg, pg)),
            ("to-lport", "outport == @%s && ip4 && tcp.dst == 22" % pg)]
    for j in range(n_ports):
        for r in range(acls_per_port):
            acls.append(("to-lport", 'outport == "ls%d-p%d" && ip4 && ip4.src == '
                         '$as_remote%d && tcp.dst == %d' % (i, j, i, 80 + r)))
    return acls


def _shared_rows(db, timeout=30.0):
    """The rows of the shared transaction the per-router ones attach to
    (waiting for the server's update that carries them, if needed)."""
    def rows(db):
        found = (db.lookup_one("Logical_Switch", name="join"),
                 db.lookup_one("Logical_Router", name="gr"),
                 db.lookup_one("Port_Group", name="pg_drop"),
                 db.lookup_one("Load_Balancer_Group", name="lbg-cluster"))
        return found if all(found) else None
    if timeout == 0:
        found = rows(db)
        if found is None:
            raise RuntimeError("the shared part of the topology is missing from %s"
                               % db.remote)
        return found
    return db.wait_until(rows, timeout=timeout)


def _router_part(db, k, n_switches, n_ports, acls_per_port):
    """Transaction for router lr{k}: its switches with their VIFs, port
    group, ACLs, address set, and their routes and SNATs on gr."""
    switches = range(SWITCHES_PER_ROUTER * k,
                     min(SWITCHES_PER_ROUTER * (k + 1), n_switches))

    def build(txn):
        join, gr, pg_drop, lbg = _shared_rows(db, timeout=0)
        lrps = []
        for i in switches:
            lrps.append(_new(txn, db, "Logical_Router_Port", name="lrp-ls%d" % i,
                             mac="0a:59:00:00:%02x:%02x" % (i >> 8, i & 255),
                             networks=["%s.1/24" % ls_net(i)]))
        lrps.append(_new(txn, db, "Logical_Router_Port", name="lrp-lr%d-join" % k,
                         mac="0a:5a:00:00:%02x:%02x" % (k >> 8, k & 255),
                         networks=["%s/16" % join_ip(k)]))
        default = _new(txn, db, "Logical_Router_Static_Route", ip_prefix="0.0.0.0/0",
                       nexthop="100.64.0.1")
        _new(txn, db, "Logical_Router", name="lr%d" % k, ports=lrps,
             static_routes=[default])
        join.addvalue("ports", _new(txn, db, "Logical_Switch_Port",
                                    name="join-to-lr%d" % k, type="router",
                                    addresses=["router"],
                                    options={"router-port": "lrp-lr%d-join" % k}))
        for i in switches:
            vifs = []
            for j in range(n_ports):
                address = "%s %s" % (vif_mac(i, j), vif_ip(i, j))
                vifs.append(_new(txn, db, "Logical_Switch_Port", name="ls%d-p%d" % (i, j),
                                 addresses=[address], port_security=[address]))
            to_lr = _new(txn, db, "Logical_Switch_Port", name="ls%d-to-lr" % i,
                         type="router", addresses=["router"],
                         options={"router-port": "lrp-ls%d" % i})
            _new(txn, db, "Logical_Switch", name="ls%d" % i, ports=vifs + [to_lr],
                 load_balancer_group=[lbg])
            _new(txn, db, "Address_Set", name="as_remote%d" % i,
                 addresses=["192.168.%d.%d/28" % (i & 255, 16 * x) for x in range(4)])
            acls = [_new(txn, db, "ACL", priority=1002, direction=direction, match=match,
                         action="allow-related")
                    for direction, match in _sg_acl_matches(i, n_ports, acls_per_port)]
            _new(txn, db, "Port_Group", name="pg_sg%d" % i, ports=vifs, acls=acls)
            gr.addvalue("static_routes", _new(
                txn, db, "Logical_Router_Static_Route",
                ip_prefix="%s.0/24" % ls_net(i), nexthop=join_ip(k)))
            gr.addvalue("nat", _new(txn, db, "NAT", type="snat", external_ip="172.16.0.2",
                                    logical_ip="%s.0/24" % ls_net(i)))
            for vif in vifs:
                pg_drop.addvalue("ports", vif)
    return build


def populate(db, n_switches, n_ports, acls_per_port=2, gw_chassis="hv1",
             timeout=600.0):
    """Builds the topology into DB (a pyovn.db.idl.Database on an empty
    OVN_Northbound).  Returns the seconds the transactions took."""
    if n_switches < 1 or n_ports < 1:
        raise ValueError("the topology needs at least one switch and one port "
                         "(got S=%d, P=%d)" % (n_switches, n_ports))
    if n_ports > 240:
        raise ValueError("P=%d: at most 240 VIFs fit in a switch's /24" % n_ports)
    if acls_per_port < 0:
        raise ValueError("--acls-per-port must be >= 0 (got %d)" % acls_per_port)
    db.sync()
    if db.rows("Logical_Switch") or db.rows("Logical_Router"):
        raise ValueError("the northbound database %s is not empty" % db.remote)
    t0 = time.perf_counter()
    db.transact(_shared_part(db, n_switches, n_ports, gw_chassis), timeout=timeout)
    _shared_rows(db)
    for k in range(n_routers(n_switches)):
        db.transact(_router_part(db, k, n_switches, n_ports, acls_per_port),
                    timeout=timeout)
    return time.perf_counter() - t0
