"""pyovn northd: compiles the OVN northbound database into the southbound
database (ovn-northd(8)).  See docs/northd.md."""
