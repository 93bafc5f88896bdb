"""What the language needs to know about the world, supplied by the caller.

A Context answers five questions; northd, the controller and the tracer
either fill the dictionaries or subclass and override the methods:

  lookup_address_set(name) -> list of address strings, or None if unknown
  lookup_port_group(name)  -> list of logical port names, or None
  lookup_template(name)    -> the template variable's value text, or None
  lookup_port(name)        -> tunnel key of a logical port or multicast
                              group of the flow's datapath, or None
  is_chassis_resident(name) -> True/False, or None when the chassis is not
                              known (annotate then keeps the condition)
"""


class Context:
    def __init__(self, address_sets=None, port_groups=None, templates=None,
                 ports=None, resident=None):
        self.address_sets = dict(address_sets or {})
        self.port_groups = dict(port_groups or {})
        self.templates = dict(templates or {})
        self.ports = dict(ports or {})
        # None: chassis unknown.  Otherwise the set of resident port names.
        self.resident = None if resident is None else set(resident)

    def lookup_address_set(self, name):
        return self.address_sets.get(name)

    def lookup_port_group(self, name):
        return self.port_groups.get(name)

    def lookup_template(self, name):
        return self.templates.get(name)

    def lookup_port(self, name):
        return self.ports.get(name)

    def is_chassis_resident(self, name):
        if self.resident is None:
            return None
        return name in self.resident


EMPTY = Context()


def sample_context():
    """The fixed context the CLI and the golden fixtures use by default."""
    return Context(
        address_sets={
            "set1": ["10.0.0.1", "10.0.0.2", "10.0.0.3"],
            "set2": ["172.16.0.0/16", "192.168.1.0/24"],
            "set_mac": ["00:00:00:00:00:01", "00:00:00:00:00:02"],
            "set6": ["fd00::1", "fd00::/64"],
            "empty": [],
            "bad": ["10.0.0.1", "not-an-address"],
        },
        port_groups={"pg1": ["lp1", "lp2"], "pg2": ["lp3", "nonexistent"],
                     "pg_empty": []},
        templates={"vip": "10.0.0.100", "ports": "{80, 443}",
                   "mac": "00:00:00:00:00:ff", "name": "\"lp1\"",
                   "badtpl": "10.0.0."},
        ports={"lp1": 1, "lp2": 2, "lp3": 3, "lp4": 4, "_MC_flood": 32768},
        resident={"lp1", "lp2"})
