"""pinctrl: the controller's packet-in handler (ovn-controller(8)'s
pinctrl).  `Pinctrl.packet_in` dispatches every NXT_PACKET_IN2 on the
opcode at the head of the controller action's userdata
(pyovn/lang/actions/opcodes.py) to one handler per family; `run()` is
called from the controller loop and writes what the handlers queued to
the southbound database.  See docs/pinctrl.md."""

from pyovn.controller.pinctrl.dispatch import Pinctrl

__all__ = ["Pinctrl"]
