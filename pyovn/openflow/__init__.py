"""The OpenFlow side of pyovn: table layout, registers and flags (declared
once, in layout.py), the flow/match/action model and the channel to br-int."""
