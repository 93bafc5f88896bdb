"""`pyovn controller-vtep [--vtep-db=DB] [--ovnsb-db=DB] [--pidfile ...]`,
ovn-controller-vtep's command line."""

import ovs.poller
import ovs.stream

from pyovn.controller_vtep.sync import Controller
from pyovn.daemon import Daemon, paths
from pyovn.db.idl import Database


def main(argv):
    d = Daemon("ovn-controller-vtep", "OVN agent for VTEP gateways (pyovn)",
               family="ovn")
    parser = d.arg_parser()
    default_db = "unix:%s/db.sock" % paths.rundir("ovs")
    parser.add_argument("--vtep-db", default=default_db, metavar="DB",
                        help="hardware_vtep database (default %s)"
                        % default_db)
    parser.add_argument("--ovnsb-db", default=default_db, metavar="DB",
                        help="OVN_Southbound database (default %s)"
                        % default_db)
    parser.add_argument("-p", "--private-key", metavar="FILE")
    parser.add_argument("-c", "--certificate", metavar="FILE")
    parser.add_argument("-C", "--ca-cert", metavar="FILE")
    parser.add_argument("--bootstrap-ca-cert", metavar="FILE")
    args = parser.parse_args(argv)
    d.start(args)
    if args.private_key or args.certificate or args.ca_cert:
        if args.private_key:
            ovs.stream.Stream.ssl_set_private_key_file(args.private_key)
        if args.certificate:
            ovs.stream.Stream.ssl_set_certificate_file(args.certificate)
        if args.ca_cert:
            ovs.stream.Stream.ssl_set_ca_cert_file(args.ca_cert)

    vtep = Database(args.vtep_db, "vtep")
    sb = Database(args.ovnsb_db, "sb", tables={
        "Chassis": None, "Encap": None, "Port_Binding": None,
        "Datapath_Binding": ["tunnel_key"]})
    ctl = Controller(vtep, sb)
    d.ready()
    synced = False
    while not d.exiting:
        changed = vtep.run()
        changed |= sb.run()
        if not synced:
            synced = bool(vtep.idl.has_ever_connected() and
                          sb.idl.has_ever_connected() and
                          vtep.idl.change_seqno and sb.idl.change_seqno)
            changed = changed or synced
        if synced and changed:
            try:
                ctl.run()
            except Exception as e:
                d.vlog.err("update failed: %s" % e)
        poller = ovs.poller.Poller()
        vtep.wait(poller)
        sb.wait(poller)
        d.wait(poller)
        poller.block()
        d._drain_wake()
        d.run()
    if synced and not d.restart:
        # Step 8: leave nothing behind in either database.
        try:
            ctl.clean_all()
        except Exception as e:
            d.vlog.err("clean-up at exit failed: %s" % e)
    d.close()
    return 0
