"""A small OpenFlow 1.5 + Nicira extensions codec: fields (OXM/NXM match),
actions (Act), messages.  See docs/openflow.md."""

from pyovn.openflow.codec.errors import CodecError  # noqa: F401
from pyovn.openflow.codec.fields import EncodeContext  # noqa: F401
from pyovn.openflow.codec.actions import Act, LearnSpec  # noqa: F401
from pyovn.openflow.codec.messages import *  # noqa: F401,F403
from pyovn.openflow.codec.messages import decode, frame_length  # noqa: F401
from pyovn.openflow.codec import model_wire  # noqa: F401,E402
