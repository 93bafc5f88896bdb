"""Tunnel key allocation (ovn-architecture, "Tunnel Encapsulations").

Keys already in the SB are kept; requested keys (other_config /
options:requested-tnl-key) win when valid and free; new objects take the
next free key after the last one handed out.  With VXLAN in use anywhere,
datapath keys are limited to 12 bits and port keys to 11 (the egress port
field is 12 bits and its upper half is for multicast groups).
"""

MAX_DP_KEY = (1 << 24) - 1
MAX_DP_GLOBAL_NUM = 65535
MAX_DP_KEY_LOCAL = MAX_DP_KEY - MAX_DP_GLOBAL_NUM      # 16711680
MAX_DP_VXLAN_KEY = (1 << 12) - 1                      # 4095
MAX_PORT_KEY = (1 << 15) - 1                          # 32767
MAX_PORT_VXLAN_KEY = (1 << 11) - 1                    # 2047


class KeyExhausted(RuntimeError):
    pass


class KeyAllocator:
    def __init__(self, lo, hi, what):
        self.lo, self.hi, self.what = lo, hi, what
        self.used = set()
        self.hint = lo - 1

    def reserve(self, key):
        """Marks KEY used; False if it is out of range or already used."""
        if key is None or not (self.lo <= key <= self.hi) or key in self.used:
            return False
        self.used.add(key)
        return True

    def allocate(self):
        span = self.hi - self.lo + 1
        if len(self.used) >= span:
            raise KeyExhausted("all %d %s tunnel keys (%d..%d) are in use"
                               % (span, self.what, self.lo, self.hi))
        k = self.hint
        for _ in range(span):
            k = k + 1 if k < self.hi else self.lo
            if k not in self.used:
                self.used.add(k)
                self.hint = k
                return k
        raise KeyExhausted("no free %s tunnel key" % self.what)


def parse_key(text):
    try:
        return int(text)
    except (TypeError, ValueError):
        return None
