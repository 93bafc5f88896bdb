"""Pictures (valid SVG / HTML, the trace's path marked, rendered by headless
Chromium when it is installed) and detrace over a C ovn-northd SB."""

import html.parser
import io
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from pyovn.trace import detrace, picture
from pyovn.trace import main as trace_main
from test_trace_c_northd import ROUTED, trace

pytestmark = pytest.mark.peer
NS = "{http://www.w3.org/2000/svg}"


def _groups(root):
    """{label text: class} of the boxes of an SVG picture."""
    out = {}
    for g in root.iter(NS + "g"):
        label = g.find(NS + "text")
        if label is not None:
            out[label.text] = g.get("class")
    return out


def test_show_svg_and_html(c_sb, tmp_path):
    _, sb, _ = c_sb
    s, h = tmp_path / "t.svg", tmp_path / "t.html"
    assert picture.main(["--db", sb.remote, "--svg", str(s), "--html", str(h)]) == 0
    root = ET.parse(s).getroot()
    assert root.tag == NS + "svg"
    boxes = _groups(root)
    for name in ("ls1", "ls2", "lr1", "lp11", "lp21", "chassis hv1", "chassis hv2"):
        assert name in boxes, name
    assert not any("on" in c.split() for c in boxes.values())
    # lp13 is bound to hv2: the picture says so.
    subs = [t.text for t in root.iter(NS + "text") if t.get("class") == "sub"]
    assert "vif@hv2" in subs
    # Two patch links (ls1-lr1, ls2-lr1) and a tunnel between the chassis.
    assert len([l for l in root.iter(NS + "line") if l.find(NS + "title") is not None]) == 2
    assert any(l.get("class") == "tunnel" for l in root.iter(NS + "line"))

    class P(html.parser.HTMLParser):
        tags = []

        def handle_starttag(self, tag, attrs):
            self.tags.append(tag)
    p = P()
    p.feed(h.read_text())
    assert p.tags[:3] == ["html", "head", "meta"] and "svg" in p.tags


def test_show_with_nb_notes(c_sb, tmp_path):
    nb, sb, _ = c_sb
    s = tmp_path / "nb.svg"
    assert picture.main(["--db", sb.remote, "--nb", nb.remote, "--svg", str(s)]) == 0
    subs = [t.text for t in ET.parse(s).getroot().iter(NS + "text")
            if t.get("class") == "sub"]
    assert "switch; 1 ACL, 1 LB" in subs        # ls1
    assert subs.count("switch") == 1            # ls2 has neither
    assert picture.main(["--db", sb.remote, "--nb", "unix:/nonexistent/nb.sock",
                         "--svg", str(s)]) == 1


def test_trace_svg_marks_path(c_sb, tmp_path):
    _, sb, view = c_sb
    s = tmp_path / "trace.svg"
    assert trace_main.main(["--db", sb.remote, "--minimal", "--svg", str(s),
                            ROUTED]) == 0
    boxes = _groups(ET.parse(s).getroot())
    on = {k for k, c in boxes.items() if "on" in c.split()}
    assert {"ls1", "lr1", "ls2", "lp11", "lp21", "chassis hv1", "chassis hv2"} <= on
    assert "lp12" not in on and "lp13" not in on
    hops = [t.text for t in ET.parse(s).getroot().iter(NS + "text")
            if t.get("class") == "hop"]
    assert hops == [str(i) for i in range(1, 7)]


def test_show_needs_a_file(c_sb, capsys):
    _, sb, _ = c_sb
    with pytest.raises(SystemExit):
        picture.main(["--db", sb.remote])
    assert "--svg" in capsys.readouterr().err


@pytest.mark.skipif(shutil.which("chromium") is None,
                    reason="Debian's chromium is not installed (apt-get install chromium)")
def test_chromium_renders_picture(c_sb, tmp_path):
    _, _, view = c_sb
    h, png = tmp_path / "t.html", tmp_path / "t.png"
    picture.write_html(str(h), picture.Topology.from_sb(view), trace(view, ROUTED))
    subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu",
                    "--screenshot=%s" % png, "--window-size=1000,800",
                    "file://%s" % h], capture_output=True, timeout=120)
    assert png.exists() and png.stat().st_size > 1000
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_detrace_dump_flows_and_trace_lines(c_sb):
    nb, sb, view = c_sb
    acl = [f for f, dps in view.all_flows.values()
           if f.stage == "ls_in_acl" and "tcp.dst == 23" in f.match][0]
    pb = view.port("lp21")
    text = (" cookie=0x%s, duration=1s, table=17, priority=2000,tcp,tp_dst=23 "
            "actions=drop\n" % acl.uuid[:8] +
            " 0. in_port=3, priority 100, cookie 0x%s\n" % pb.uuid[:8] +
            "no cookie here\n")
    out = io.StringIO()
    nbi = detrace._NbPrefix(detrace.NbIndex(nb.remote))
    detrace.annotate(view, io.StringIO(text), out, nbi)
    lines = out.getvalue().splitlines()
    assert lines[0] == text.splitlines()[0]
    assert '* Logical datapath: "ls1" (switch) [ingress]' in lines[1]
    assert "table=%d (ls_in_acl), priority=%d" % (acl.table, acl.priority) in lines[2]
    assert "NB ACL" in lines[3] and "from-lport, priority=1000" in lines[3]
    assert 'Port_Binding "lp21"' in out.getvalue() and 'chassis "hv2"' in out.getvalue()
    assert lines[-1] == "no cookie here"


def test_detrace_cli(c_sb):
    _, sb, view = c_sb
    f = [f for f, _ in view.all_flows.values() if f.stage == "ls_in_l2_lkup"][0]
    r = subprocess.run([sys.executable, "-m", "pyovn.cli", "detrace", "--db", sb.remote],
                       input="cookie=0x%s, table=33\n" % f.uuid[:8],
                       capture_output=True, text=True)
    assert r.returncode == 0
    assert "ls_in_l2_lkup" in r.stdout
