"""NB meters copied to the SB (ovn-sb(5) Meter, Meter_Band), so that
ovn-controller can install the meters ACL logging (log(meter=...)),
controller events and CoPP refer to by name."""

from pyovn.northd.sync import Ref


def build(model, desired):
    for name, meter in sorted(model.meters.items()):
        bands = []
        for b in meter.bands:
            key = (b.action, b.rate, b.burst_size)
            bands.append(desired.add("Meter_Band", key, action=b.action, rate=b.rate,
                                     burst_size=b.burst_size))
        desired.add("Meter", name, name=name, unit=meter.unit, bands=bands)
