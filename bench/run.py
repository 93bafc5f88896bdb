#!/usr/bin/env python3
"""pyovn benchmark: the reference topology of the C OVN anchors, measured
with pyovn's programs and with the C OVN 23.03 peers in the same run.

    python bench/run.py --size small|medium|large|SxP [--reps N]
                        [--northd py,c] [--skip-hv] [--acls-per-port A]

Prints markdown tables (the layout of bench/reference/c-ovn-23.03-results.md)
with a pyovn column, a C column, the ratio pyovn/C and the C reference
figure for the same size.  Progress goes to stderr.  See docs/bench.md.
"""

import argparse
import json
import os
import shutil
import signal
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench import dbstats, hv_phase, northd_phase, report, topology  # noqa: E402
from bench.deploy import IMPL_NAMES, Deployment, NotReady, pyovn_part_built  # noqa: E402
from pyovn.db import idl  # noqa: E402

DEFAULT_TIMEOUTS = {"small": 60, "medium": 600, "large": 1800}


def parse_size(text):
    if text in topology.SIZES:
        return (text,) + topology.SIZES[text]
    try:
        s, p = (int(x) for x in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            "%r: size must be small, medium, large or SxP (e.g. 2x2)" % text)
    if s < 1 or p < 1:
        raise argparse.ArgumentTypeError("%r: S and P must be at least 1" % text)
    return (text, s, p)


def parse_impls(text):
    impls = [x.strip() for x in text.split(",") if x.strip()]
    bad = [x for x in impls if x not in IMPL_NAMES]
    if bad or not impls:
        raise argparse.ArgumentTypeError("%r: expected a list of py and c (e.g. py,c)" % text)
    return impls


def arg_parser():
    ap = argparse.ArgumentParser(
        prog="bench/run.py", description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", type=parse_size, default=parse_size("small"),
                    help="small (S=10,P=10), medium (100,50), large (200,100) or SxP")
    ap.add_argument("--reps", type=int, default=3,
                    help="northd cold starts and restarts, controller restarts (default 3)")
    ap.add_argument("--inc-reps", type=int, default=None,
                    help="repetitions of each nbctl command (default: --reps)")
    ap.add_argument("--northd", type=parse_impls, default=["py", "c"],
                    help="northd implementations to measure, in order (default py,c)")
    ap.add_argument("--clients", type=parse_impls, default=["py", "c"],
                    help="nbctl clients for the --wait=sb commands (default py,c)")
    ap.add_argument("--skip-hv", action="store_true", help="no simulated hypervisor")
    ap.add_argument("--acls-per-port", type=int, default=2)
    ap.add_argument("--gw-chassis", default=hv_phase.CHASSIS)
    ap.add_argument("--timeout", type=float, default=None,
                    help="seconds a daemon may take to catch up (default by size: "
                    "small 60, medium 600, large 1800)")
    ap.add_argument("--reference", default=report.REFERENCE,
                    help="C results file for the reference column")
    ap.add_argument("--json", metavar="FILE",
                    help="also write the results as JSON to FILE")
    ap.add_argument("--keep", action="store_true",
                    help="keep the run directory (databases, logs)")
    return ap


def _stop_on_signal(signum, frame):
    # SIGTERM (and SIGINT, which a shell ignores in background jobs) ends
    # the run through the finally: clauses that stop what it started.
    raise KeyboardInterrupt("signal %d" % signum)


def main(argv=None):
    args = arg_parser().parse_args(argv)
    signal.signal(signal.SIGTERM, _stop_on_signal)
    signal.signal(signal.SIGINT, _stop_on_signal)
    size, n_sw, n_ports = args.size
    if args.reps < 1:
        sys.stderr.write("bench/run.py: --reps must be at least 1\n")
        return 2
    if args.acls_per_port < 0:
        sys.stderr.write("bench/run.py: --acls-per-port must be >= 0\n")
        return 2
    if args.inc_reps is None:
        args.inc_reps = args.reps
    timeout = args.timeout or DEFAULT_TIMEOUTS.get(size, 600)
    root = tempfile.mkdtemp(prefix="pyovn-bench-")

    def log(msg, impl=None):
        sys.stderr.write("%s [%s%s] %s\n" % (time.strftime("%H:%M:%S"), size,
                                             "/" + IMPL_NAMES[impl] if impl else "", msg))
        sys.stderr.flush()

    run = {"size": size, "S": n_sw, "P": n_ports, "acls_per_port": args.acls_per_port,
           "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "notes": [],
           "results": {}, "reference": report.load_reference(size, args.reference),
           "expected": topology.expected_counts(n_sw, n_ports, args.acls_per_port),
           "topology": {}, "populate_s": 0.0,
           "populate_txns": 1 + topology.n_routers(n_sw), "client_only": {}}
    impls = list(args.northd)
    if "py" in impls and not pyovn_part_built("northd"):
        run["notes"].append("pyovn northd is not built (pyovn.northd does not import): "
                            "the pyovn northd column is not measured")
        impls.remove("py")
    clients = [c for c in args.clients if c == "c" or pyovn_part_built("nbctl")]
    log("run directory %s" % root)
    template = os.path.join(root, "nb-populated.db")
    deployments = []
    try:
        for impl in impls:
            dep = Deployment(os.path.join(root, impl), impl)
            dep.client_timeout = max(1, int(round(timeout)))
            deployments.append(dep)
            if not os.path.exists(template):
                dep.start_nb()
                db = idl.Database(dep.nb.remote, "nb")
                try:
                    run["populate_s"] = topology.populate(db, n_sw, n_ports, args.acls_per_port,
                                                          args.gw_chassis, timeout=timeout)
                finally:
                    db.close()
                shutil.copyfile(dep.nb.db_path, template)
                run["topology"] = dbstats.topology_counts(dep.nb.remote)
                log("NB populated in %.2fs: %s" % (run["populate_s"], run["topology"]))
                try:
                    run["client_only"] = northd_phase.client_only(dep, clients, args.inc_reps)
                except NotReady as e:
                    run["notes"].append("nbctl --dry-run figures not measured: %s" % e)
            else:
                dep.start_nb(from_file=template)
            dep.fresh_sb()
            res = northd_phase.run(dep, impl, args, timeout, clients,
                                   lambda m, i=impl: log(m, i))
            run["results"][impl] = res
            if not args.skip_hv:
                hv_phase.run(dep, impl, res, n_ports, args.inc_reps, timeout,
                             lambda m, i=impl: log(m, i))
            northd_phase.finish(dep, res)
            run["notes"] += res.notes
            dep.stop()
    finally:
        for dep in deployments:
            dep.stop()
        if args.keep:
            log("kept %s" % root)
        else:
            shutil.rmtree(root, ignore_errors=True)
    print(report.render(run))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(to_json(run), f, indent=1, sort_keys=True)
    return 0


def to_json(run):
    """RUN with its measurements as plain values ({"median", "min",
    "max", "values"} for each metric)."""
    def stat(s):
        return {"median": s.median, "min": min(s.values) if s.values else None,
                "max": max(s.values) if s.values else None, "values": s.values}
    out = {k: v for k, v in run.items() if k not in ("results", "client_only", "reference")}
    out["results"] = {impl: {"metrics": {k: stat(v) for k, v in r.metrics.items()},
                             "sb_counts": r.sb_counts, "lflow_stages": r.lflow_stages,
                             "northd_ok": r.northd_ok, "notes": r.notes}
                      for impl, r in run["results"].items()}
    out["client_only"] = {"%s/%s" % key: stat(v) for key, v in run["client_only"].items()}
    return out


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt as e:
        sys.stderr.write("bench/run.py: interrupted (%s); stopped what it started\n"
                         % (e or "SIGINT"))
        sys.exit(130)
