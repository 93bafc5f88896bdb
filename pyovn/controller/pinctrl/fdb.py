"""put_fdb(P, A): learned MAC -> southbound FDB (dp_key, port_key, mac).

Queued by the handler (eth.src and reg14 at the packet-in), written by
`flush()` from the controller loop in one transaction.  An FDB row for
the same (mac, dp_key) is updated when the port moved and left alone when
it did not; the queue is bounded (MAX_PENDING)."""

from pyovn.controller.pinctrl import ofio
from pyovn.controller.pinctrl import pkt as P

MAX_PENDING = 1000


class Fdb:
    def __init__(self):
        self.pending = {}            # (dp, mac) -> port
        self.n_dropped = 0

    def add(self, dp, mac, port):
        key = (dp, mac)
        if key not in self.pending and len(self.pending) >= MAX_PENDING:
            self.n_dropped += 1
            return False
        self.pending[key] = port
        return True

    def flush(self, sb):
        if not self.pending:
            return 0
        todo, self.pending = self.pending, {}
        have = {(r.dp_key, r.mac): r for r in sb.rows("FDB")}
        writes = [(dp, mac, port) for (dp, mac), port in todo.items()
                  if dp and port and (have.get((dp, mac)) is None
                                      or have[(dp, mac)].port_key != port)]
        if not writes:
            return 0

        def build(txn):
            cur = {(r.dp_key, r.mac): r for r in sb.rows("FDB")}
            n = 0
            for dp, mac, port in writes:
                r = cur.get((dp, mac))
                if r is None:
                    r = txn.insert(sb.tables["FDB"])
                    r.dp_key, r.mac = dp, mac
                    cur[(dp, mac)] = r
                elif r.port_key == port:
                    continue
                r.port_key = port
                n += 1
            return None if n else False
        sb.transact(build)
        return len(writes)


def handle_put_fdb(pc, pin, payload):
    p = P.parse(pin.packet)
    pc.fdb.add(pin.field("metadata", 0), P.mac_str(p.src), ofio.reg(pin, 14))
