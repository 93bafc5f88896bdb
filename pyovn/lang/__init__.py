"""The OVN logical flow language (ovn-sb(5), table Logical_Flow)."""
