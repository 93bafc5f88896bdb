"""make demo, end to end (slow: a whole 3-chassis sandbox)."""

import pytest

from pyovn import demo


@pytest.mark.slow
@pytest.mark.peer
def test_demo_delivers_every_packet(capsys):
    assert demo.main(["--northd", "c", "--controller", "c"]) == 0
    out = capsys.readouterr().out
    assert "3 of 3 packets went where OVN says they go" in out
    assert "== sandbox down" in out
