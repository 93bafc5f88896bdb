"""pyovn: OVN, the Open Virtual Network, written in Python."""

__version__ = "0.1.0"
# The OVN release whose databases, logical flow language and stage layout
# pyovn speaks.
OVN_COMPAT_VERSION = "23.03"
