"""Remote connectivity and SSL commands shared by the OVN ctl tools
(ovn-nbctl(8) / ovn-sbctl(8) "Remote Connectivity Commands" and "SSL
Configuration Commands"): they manage the Connection and SSL rows that
the database's one-row global table (NB_Global, SB_Global) points to.

    get-connection / del-connection / [--inactivity-probe=MSECS] set-connection TARGET...
    get-ssl / del-ssl / [--bootstrap] set-ssl PRIVATE-KEY CERTIFICATE CA-CERT [PROTOCOLS [CIPHERS]]
"""

import re

from pyovn.ctl.base import Registry
from pyovn.ctl.errors import CtlError

_TARGET_RE = re.compile(r'^(p?(tcp|ssl):.*|p?unix:.+)$')


def _check_targets(inv):
    for t in inv.args:
        if not _TARGET_RE.match(t):
            raise CtlError("%s: not a valid connection target (use tcp:, "
                           "ssl:, unix:, ptcp:, pssl: or punix:)" % t)
    if inv.has("--inactivity-probe"):
        p = inv.opt("--inactivity-probe")
        if not p.isdigit():
            raise CtlError("%s: --inactivity-probe must be a number of "
                           "milliseconds" % p)


def make_registry(global_table):
    reg = Registry()

    def the_global(ctx):
        rows = ctx.rows(global_table)
        if not rows:
            return ctx.insert(global_table)
        return rows[0]

    @reg.command("get-connection", "", args=(0, 0), mode="ro")
    def get_connection(ctx):
        """Prints the configured connection targets."""
        rows = ctx.rows(global_table)
        if not rows:
            return
        for c in sorted((c.target for c in rows[0].connections if c is not None)):
            ctx.writeln(c)

    @reg.command("del-connection", "", args=(0, 0))
    def del_connection(ctx):
        """Deletes the configured connections."""
        g = the_global(ctx)
        ctx.verify(g, "connections")
        for c in g.connections:
            if c is not None:
                c.delete()
        g.connections = []

    @reg.command("set-connection", "TARGET...", args=(1, None),
                 options=("--inactivity-probe=",), validate=_check_targets)
    def set_connection(ctx):
        """Replaces the connections with TARGET..."""
        del_connection(ctx)
        g = the_global(ctx)
        conns = []
        for t in ctx.args:
            c = ctx.insert("Connection")
            c.target = t
            if ctx.has("--inactivity-probe"):
                c.inactivity_probe = [int(ctx.opt("--inactivity-probe"))]
            conns.append(c)
        g.connections = conns

    @reg.command("get-ssl", "", args=(0, 0), mode="ro")
    def get_ssl(ctx):
        """Prints the SSL configuration."""
        rows = ctx.rows(global_table)
        ssl = rows[0].ssl[0] if rows and rows[0].ssl else None
        if ssl is None:
            return
        ctx.writeln("Private key: %s" % ssl.private_key)
        ctx.writeln("Certificate: %s" % ssl.certificate)
        ctx.writeln("CA Certificate: %s" % ssl.ca_cert)
        ctx.writeln("Bootstrap: %s" % ("true" if ssl.bootstrap_ca_cert else "false"))

    @reg.command("del-ssl", "", args=(0, 0))
    def del_ssl(ctx):
        """Deletes the SSL configuration."""
        g = the_global(ctx)
        ctx.verify(g, "ssl")
        for s in g.ssl:
            if s is not None:
                s.delete()
        g.ssl = []

    @reg.command("set-ssl", "PRIVATE-KEY CERTIFICATE CA-CERT [PROTOCOLS [CIPHERS]]",
                 args=(3, 5), options=("--bootstrap",))
    def set_ssl(ctx):
        """Sets the SSL configuration."""
        del_ssl(ctx)
        g = the_global(ctx)
        s = ctx.insert("SSL")
        s.private_key, s.certificate, s.ca_cert = ctx.args[:3]
        s.bootstrap_ca_cert = ctx.has("--bootstrap")
        if len(ctx.args) > 3:
            s.ssl_protocols = ctx.args[3]
        if len(ctx.args) > 4:
            s.ssl_ciphers = ctx.args[4]
        g.ssl = [s]

    return reg
