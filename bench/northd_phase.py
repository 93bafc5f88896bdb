"""The northd measurements of one deployment (see docs/bench.md):

  cold start     northd exec on the populated NB and an EMPTY SB, until
                 NB_Global.sb_cfg catches up with a freshly bumped nb_cfg
                 (what `nbctl --wait=sb` waits for); northd CPU (user+sys),
                 northd and SB ovsdb-server VmHWM, SB ovsdb-server CPU
                 (a fresh SB server per repetition, so its whole CPU time);
  restart        the same on the SB the previous run populated;
  SB contents    row counts per table, Logical_Flow per stage;
  incremental    one-shot nbctl --wait=sb commands, each client (pyovn
                 nbctl and C ovn-nbctl) against this deployment's northd.
"""

import time

from bench import dbstats
from bench.deploy import NotReady
from bench.measure import Stat, proc_status
from bench.topology import ls_net

# The incremental commands, as the C anchors run them (add, then delete).
INC_OPS = {
    "lsp_add": ["lsp-add", "ls0", "inc-lsp", "--", "lsp-set-addresses", "inc-lsp",
                "0a:59:ee:00:00:01 %s.250" % ls_net(0)],
    "lsp_del": ["lsp-del", "inc-lsp"],
    "acl_add": ["--type=port-group", "acl-add", "pg_sg0", "to-lport", "1002",
                "outport == @pg_sg0 && ip4 && tcp.dst == 9999", "allow-related"],
    "acl_del": ["--type=port-group", "acl-del", "pg_sg0", "to-lport", "1002",
                "outport == @pg_sg0 && ip4 && tcp.dst == 9999"],
    "ls_add": ["ls-add", "inc-ls"],
    "ls_del": ["ls-del", "inc-ls"],
}
INC_PAIRS = (("lsp_add", "lsp_del"), ("acl_add", "acl_del"), ("ls_add", "ls_del"))
CLIENT_ONLY_OPS = ("lsp_add", "acl_add", "ls_add")


class NorthdResult:
    """What was measured on one deployment: metrics (key -> Stat),
    sb_counts, lflow_stages, and notes (plain sentences about what could
    not be measured and why)."""

    def __init__(self, impl):
        self.impl = impl
        self.metrics = {}
        self.sb_counts = {}
        self.lflow_stages = {}
        self.notes = []
        self.northd_ok = False

    def put(self, key, values):
        self.metrics[key] = Stat(values if isinstance(values, list) else [values])


def cold_start(dep, res, reps, timeout, log):
    times, cpu, hwm, sb_hwm, sb_cpu = [], [], [], [], []
    for rep in range(reps):
        dep.stop_northd()
        dep.fresh_sb()
        target = dep.bump_nb_cfg()
        t0 = time.perf_counter()
        nd = dep.start_northd()
        dep.wait_cfg("sb_cfg", target, timeout, [nd])
        times.append(time.perf_counter() - t0)
        st = nd.status()
        sb = proc_status(dep.sb.pid)
        cpu.append(st.get("cpu_s"))
        hwm.append(st.get("VmHWM"))
        sb_hwm.append(sb.get("VmHWM"))
        sb_cpu.append(sb.get("cpu_s"))
        log("cold start rep %d: %.3fs, northd CPU %.2fs, VmHWM %s MiB"
            % (rep, times[-1], cpu[-1] or 0, hwm[-1]))
    res.put("cold_s", times)
    res.put("cold_cpu", cpu)
    res.put("cold_hwm", hwm)
    res.put("cold_sb_hwm", sb_hwm)
    res.put("cold_sb_cpu", sb_cpu)


def restart(dep, res, reps, timeout, log):
    times, cpu = [], []
    for rep in range(reps):
        dep.stop_northd()
        target = dep.bump_nb_cfg()
        t0 = time.perf_counter()
        nd = dep.start_northd()
        dep.wait_cfg("sb_cfg", target, timeout, [nd])
        times.append(time.perf_counter() - t0)
        cpu.append(nd.status().get("cpu_s"))
        log("restart rep %d: %.3fs, northd CPU %.2fs" % (rep, times[-1], cpu[-1] or 0))
    res.put("restart_s", times)
    res.put("restart_cpu", cpu)


def sb_contents(dep, res):
    res.sb_counts = {t: n for t, n in dbstats.count_rows(dep.sb.remote, "sb").items()}
    res.lflow_stages = dbstats.lflow_stages(dep.sb.remote)
    res.put("sb_file", dbstats.file_mib(dep.sb.db_path))


def incremental(dep, res, clients, reps, log):
    """One-shot `nbctl --wait=sb` commands with each client in CLIENTS."""
    for client in clients:
        dep.run_nbctl(client, ["sync"])
        for add, delete in INC_PAIRS:
            ta, td = [], []
            for _ in range(reps):
                ta.append(dep.run_nbctl(client, INC_OPS[add]))
                td.append(dep.run_nbctl(client, INC_OPS[delete]))
            res.put("%s_%s" % (client, add), ta)
            res.put("%s_%s" % (client, delete), td)
        res.put("%s_sync" % client, [dep.run_nbctl(client, ["sync"]) for _ in range(reps)])
        log("incremental ops with %s nbctl done" % client)


def client_only(dep, clients, reps):
    """The client's own cost: the same commands with --dry-run (nothing
    committed, nothing waited for).  Returns {(client, op): Stat}."""
    out = {}
    for client in clients:
        for op in CLIENT_ONLY_OPS:
            out[(client, op)] = Stat([dep.run_nbctl(client, ["--dry-run"] + INC_OPS[op],
                                                    wait=None)
                                      for _ in range(reps)])
    return out


def run(dep, impl, args, timeout, clients, log):
    """All northd measurements of deployment DEP; returns a NorthdResult.
    A northd that does not reach sb_cfg is reported in notes, and what
    needs it is skipped."""
    res = NorthdResult(impl)
    try:
        cold_start(dep, res, args.reps, timeout, log)
        restart(dep, res, args.reps, timeout, log)
        res.northd_ok = True
    except NotReady as e:
        res.notes.append("%s northd is not usable yet: %s" % (
            "pyovn" if impl == "py" else "C", e))
        log(res.notes[-1])
        dep.stop_northd()
        return res
    sb_contents(dep, res)
    try:
        incremental(dep, res, clients, args.inc_reps, log)
    except NotReady as e:
        res.notes.append("incremental commands stopped: %s" % e)
        log(res.notes[-1])
    return res


def finish(dep, res):
    """End-of-run peak memory of the deployment's processes."""
    if dep.northd is not None and dep.northd.alive():
        res.put("final_northd_hwm", dep.northd.status().get("VmHWM"))
    res.put("final_sb_hwm", proc_status(dep.sb.pid).get("VmHWM"))
    res.put("final_nb_hwm", proc_status(dep.nb.pid).get("VmHWM"))
    res.put("nb_file", dbstats.file_mib(dep.nb.db_path))
