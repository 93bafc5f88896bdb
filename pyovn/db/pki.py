"""Certificates for SSL database connections, made with Open vSwitch's
ovs-pki.

A Pki lives in RUNDIR/pki: ovs-pki's CA tree (switchca/, controllerca/)
plus, for every name asked for, NAME-privkey.pem and NAME-cert.pem signed by
the switch CA.  Servers and clients both trust that CA (cacert.pem), so one
Pki serves a whole deployment:

    pki = Pki(rundir).ensure("server", "client")
    pki.key("server"), pki.cert("server"), pki.cacert
"""

import os
import shutil

from pyovn.util import proc


class Pki:
    def __init__(self, rundir):
        self.dir = os.path.join(os.path.abspath(rundir), "pki")
        self.log = os.path.join(self.dir, "ovs-pki.log")

    @property
    def cacert(self):
        return os.path.join(self.dir, "cacert.pem")

    def key(self, name):
        return os.path.join(self.dir, name + "-privkey.pem")

    def cert(self, name):
        return os.path.join(self.dir, name + "-cert.pem")

    def _pki(self, *args):
        return proc.run([proc.which("ovs-pki"), "--dir=" + self.dir,
                         "--log=" + self.log] + list(args), cwd=self.dir,
                        timeout=120)

    def init(self):
        """Creates the CA unless it exists."""
        ca = os.path.join(self.dir, "switchca", "cacert.pem")
        if not os.path.exists(ca):
            os.makedirs(self.dir, exist_ok=True)
            self._pki("--force", "init")
        if not os.path.exists(self.cacert):
            shutil.copyfile(ca, self.cacert)
        return self

    def ensure(self, *names):
        """Creates the CA and a signed key and certificate for each NAME
        that does not have them yet."""
        self.init()
        for name in names:
            if not (os.path.exists(self.key(name)) and os.path.exists(self.cert(name))):
                self._pki("--force", "req+sign", name, "switch")
        return self

    def server_args(self, name="server"):
        """ovsdb-server options that use NAME's key and certificate."""
        return ["--private-key=" + self.key(name),
                "--certificate=" + self.cert(name),
                "--ca-cert=" + self.cacert]

    def client_files(self, name="client"):
        """(private key, certificate, CA certificate) for a client."""
        return self.key(name), self.cert(name), self.cacert
