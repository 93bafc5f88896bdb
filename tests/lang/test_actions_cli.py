"""`pyovn lang parse-actions` / `encode-actions` and check_actions."""

import subprocess
import sys

from pyovn.lang.actions import ParseContext, check_actions


def pyovn_lang(args, stdin):
    p = subprocess.run([sys.executable, "-m", "pyovn.cli", "lang"] + args,
                       input=stdin, capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    return p.stdout


def test_parse_actions_command():
    out = pyovn_lang(["parse-actions", "--table", "3"],
                     "tcp.dst=80;next;\n# comment\n\nnext(29);\nxyzzy;\n")
    assert out.split("\n") == [
        "tcp.dst = 80; next;",
        "    has prereqs tcp",
        "# comment",
        "",
        "error: \"next\" action cannot advance beyond table 28. (at offset 0)",
        "error: Syntax error at `xyzzy' expecting action. (at offset 0)",
        ""]


def test_encode_actions_command():
    out = pyovn_lang(["encode-actions", "--table", "3", "--pipeline", "egress",
                      "--port", "p1=7", "--router"],
                     'outport = "p1"; output;\nct_snat(10.0.0.1);\n'
                     'reg0 = select(1, 2);\n')
    lines = out.split("\n")
    assert lines[0] == "set_field:0x7->reg15,resubmit(,64)"
    assert lines[1] == ("ct(commit,table=46,zone=NXM_NX_REG12[0..15],"
                        "nat(src=10.0.0.1))")
    assert lines[2] == "group:1"
    assert lines[3].startswith("    uses group: group_id=1,type=select,"
                               "selection_method=dp_hash,bucket=bucket_id:0,")


def test_check_actions_for_northd():
    assert check_actions("next;") is None
    assert check_actions("ct_lb_mark(backends=10.0.0.1:80); next;") is None
    assert check_actions("next(5);", context=ParseContext(table_id=3)) is None
    assert check_actions("reg0 = foo;") == \
        "Syntax error at `foo' expecting field name. (at offset 7)"
    assert check_actions("ip.proto = 6;") == \
        "Field ip.proto is not modifiable. (at offset 0)"
    assert check_actions("next(pipeline=egress, table=29);").startswith(
        "\"next\" action cannot advance beyond table 28.")
