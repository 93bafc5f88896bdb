"""make demo, end to end: a whole 3-chassis sandbox."""

import pytest

from pyovn import demo


def test_demo_all_pyovn_delivers_every_packet(capsys):
    """The main job with pyovn's own northd and controller."""
    assert demo.main(["--northd", "py", "--controller", "py"]) == 0
    out = capsys.readouterr().out
    assert "northd    : pyovn northd" in out
    assert "controller: pyovn controller" in out
    assert "3 of 3 packets went where OVN says they go" in out
    assert "== sandbox down" in out


@pytest.mark.slow
@pytest.mark.peer
def test_demo_with_c_peers_delivers_every_packet(capsys):
    assert demo.main(["--northd", "c", "--controller", "c"]) == 0
    out = capsys.readouterr().out
    assert "3 of 3 packets went where OVN says they go" in out
