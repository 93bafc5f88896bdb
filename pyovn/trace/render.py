"""The three text forms of a trace, after ovn-trace(8): detailed, summary
and minimal.  Each takes a pyovn.trace.tracer.TraceResult and returns text
(without the leading `# flow` line, which main prints once)."""

import re


def _is_block(n):
    return n.kind in ("pipeline", "branch")


def _uuid8(u):
    return u.replace("-", "")[:8]


# -- detailed -----------------------------------------------------------------

def detailed(result, ovs_flows=None):
    out = []
    for child in result.root.children:
        _d_block(child, "", out, ovs_flows)
    return "\n".join(out).rstrip("\n") + "\n"


def _d_block(node, indent, out, ovs_flows, content=None):
    """A pipeline or branch: header and dashes at INDENT, its flows at
    CONTENT (INDENT by default)."""
    content = indent if content is None else content
    if out and out[-1] != "":
        out.append("")
    out.append(indent + node.text)
    out.append(indent + "-" * len(node.text))
    if node.info.get("mcgroup"):
        # Each member's pipeline: header one level in, flows two levels in.
        for c in node.children:
            if _is_block(c):
                _d_block(c, indent + "    ", out, ovs_flows, indent + "        ")
            else:
                out.append(indent + "    " + c.text)
        return
    for c in node.children:
        if c.kind == "flow":
            _d_flow(c, content, out, ovs_flows)
        elif _is_block(c):
            _d_block(c, content, out, ovs_flows)
        else:
            out.append(content + "    " + c.text)


def _d_flow(f, indent, out, ovs_flows):
    info = f.info
    inner = indent + "    "
    if not info.get("trivial"):
        src = " (%s)" % info["source"] if info.get("source") else ""
        out.append("%s%2d. %s%s: %s, priority %d, uuid %s" % (
            indent, info["table"], info["stage"] or info["pipeline"], src, f.text,
            info["priority"], _uuid8(info["uuid"])))
        if ovs_flows is not None:
            meta = "metadata=%#x" % info.get("dp_key", 0)
            for line in ovs_flows.get(_uuid8(info["uuid"]), []):
                # Only this datapath's flows (or those without a datapath).
                if "metadata=" not in line or re.search(meta + r"(?![0-9a-f])", line):
                    out.append(inner + "* " + line)
    children = f.children
    for i, c in enumerate(children):
        last = i == len(children) - 1
        if c.kind == "flow":
            _d_flow(c, indent, out, ovs_flows)
        elif _is_block(c):
            # A pipeline or branch reached by the flow's last action is
            # shown at the outer level (ovn-trace's tail-recursion rule).
            tail = last or all(x.kind in ("comment",) for x in children[i + 1:])
            if tail:
                _d_block(c, indent, out, ovs_flows)
            else:
                _d_block(c, inner, out, ovs_flows, inner + "    ")
        elif info.get("trivial") and c.kind == "action":
            continue
        else:
            out.append(inner + c.text)


# -- summary ------------------------------------------------------------------

def summary(result):
    out = []
    for child in result.root.children:
        _s_node(child, "", out)
    return "\n".join(out) + "\n"


def _s_node(node, indent, out):
    if _is_block(node):
        out.append("%s%s {" % (indent, node.text))
        for c in node.children:
            _s_node(c, indent + "    ", out)
        out.append(indent + "};")
    elif node.kind == "flow":
        for c in node.children:
            if node.info.get("trivial") and c.kind == "action":
                continue            # `1' / `next;' flows are left out
            _s_node(c, indent, out)
    elif node.kind == "action":
        out.append(indent + node.text)
    elif node.kind in ("comment", "drop"):
        text = node.text
        if node.kind == "drop" and not text.startswith("/*"):
            text = "/* %s */" % text
        # Statements (output, drops) end in `;', remarks do not.
        out.append(indent + text + (";" if node.kind == "drop" or
                                    node.info.get("stmt") else ""))


# -- minimal ------------------------------------------------------------------

def minimal(result):
    out = []
    for child in result.root.children:
        _m_node(child, "", out)
    return "\n".join(out) + ("\n" if out else "")


def _m_node(node, indent, out):
    if node.kind == "pipeline":
        for c in node.children:
            _m_node(c, indent, out)
    elif node.kind == "branch" and node.info.get("ct"):
        inner = [indent + "    " + line for line in node.info.get("data", ())]
        for c in node.children:
            _m_node(c, indent + "    ", inner)
        if inner:
            out.append("%s%s {" % (indent, node.text))
            out.extend(inner)
            out.append(indent + "};")
        else:
            out.append("%s%s;" % (indent, node.text))
    elif node.kind == "branch" and node.text == "clone":
        inner = []
        for c in node.children:
            _m_node(c, indent + "    ", inner)
        if inner:
            out.append("%sclone {" % indent)
            out.extend(inner)
            out.append(indent + "};")
        else:
            out.append("%sclone;" % indent)
    elif node.kind == "branch" and node.info.get("nested"):
        # the packet generated by arp { }, icmp4 { }, ...
        inner = []
        for c in node.children:
            _m_node(c, indent + "    ", inner)
        if inner:
            out.append("%s%s {" % (indent, node.text))
            out.extend(inner)
            out.append(indent + "};")
        else:
            out.append("%s%s;" % (indent, node.text))
    elif node.kind == "branch":
        # multicast members: in line.
        for c in node.children:
            _m_node(c, indent, out)
    elif node.kind == "flow":
        for c in node.children:
            _m_node(c, indent, out)
        if node.info.get("final_output"):
            out.append('%soutput("%s");' % (indent, node.info["final_output_name"]))
    elif node.kind == "action":
        for line in node.info.get("data", ()):
            out.append(indent + line)
