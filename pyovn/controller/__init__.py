"""pyovn controller: the OVN agent on every chassis (ovn-controller(8)).

Modules, in data-flow order:

  config.py    the chassis' settings from the local Open_vSwitch table
  chassis.py   Chassis / Chassis_Private / Encap rows in the southbound DB
  binding.py   which logical ports live here (claims, releases), local datapaths
  ovsports.py  tunnel ports and localnet patch ports in the local OVS DB
  ctzones.py   conntrack zone allocation, persisted in br-int external_ids
  physical.py  physical flows (tables 0, 37-41, 64, 65)
  lflow.py     logical flows through pyovn.lang, MAC_Binding and FDB tables
  controller.py  the run loop step that ties them together (ofctrl, acks)
  main.py      the command line and the appctl commands
"""
