"""Annotation: the pass between parsing and simplification.

    annotate(expr, symtab=None, context=None) -> Expr

  - a comparison on a subfield becomes a comparison on the bits of the field
    that holds it (reg0 -> xxreg0[96..127], vlan.vid -> vlan.tci[0..11]);
  - a predicate is replaced by its expansion (negated where it was tested
    negatively);
  - every symbol's prerequisites are ANDed in (tcp.src == 80 becomes
    tcp.src == 80 && ip.proto == 6 && (eth.type == 0x800 || eth.type ==
    0x86dd));
  - $address_set, @port_group and ^template references are resolved through
    the context (unknown names are errors naming them);
  - is_chassis_resident() is evaluated when the context knows the chassis.

The result only compares real fields (kind "field" or "string").
"""

from pyovn.lang.context import EMPTY
from pyovn.lang.errors import LangError
from pyovn.lang.expr import (Bool, Cmp, Condition, And, Or, SetRef, make_and,
                             make_or, negate)
from pyovn.lang.lexer import Lexer
from pyovn.lang.parse import (ConstItem, FieldRef, make_comparison,
                              parse_cached, parse_constant_set)
from pyovn.lang.symtab import default_symtab


_EXPANSIONS = {}


def _attach(core, prereqs):
    if not prereqs:
        return core
    return make_and([core] + [prereqs[k] for k in sorted(prereqs)])


def annotate(expr, symtab=None, context=None):
    symtab = symtab or default_symtab()
    return _Annotator(symtab, context or EMPTY).run(expr)


class _Annotator:
    """Annotation keeps prerequisites apart from the expression they belong
    to while it walks up the tree, so that `ip4.src == {a, b}` becomes
    `(ip4.src == a || ip4.src == b) && ip4` rather than repeating the
    prerequisite in every alternative.  Each step returns (expr, prereqs)
    with prereqs a dict {prerequisite text: annotated expression}:
    an AND unites its children's prerequisites, an OR keeps them apart only
    when its children's differ, and a negated predicate folds its own in."""

    def __init__(self, symtab, context):
        self.symtab = symtab
        self.context = context
        self.stack = []
        # Expansions and prerequisites only mention fields, never the
        # context, so their annotation is shared across calls.
        self.cache = _EXPANSIONS.setdefault(id(symtab), {})

    def run(self, expr):
        core, prereqs = self.walk(expr)
        return _attach(core, prereqs)

    def walk(self, expr):
        if isinstance(expr, Bool):
            return expr, {}
        if isinstance(expr, And):
            cores = []
            prereqs = {}
            for c in expr.children:
                core, p = self.walk(c)
                cores.append(core)
                prereqs.update(p)
            return make_and(cores), prereqs
        if isinstance(expr, Or):
            parts = [self.walk(c) for c in expr.children]
            keys = {tuple(sorted(p)) for _, p in parts}
            if len(keys) == 1:
                return (make_or(core for core, _ in parts),
                        dict(parts[0][1]) if parts else {})
            return make_or(_attach(core, p) for core, p in parts), {}
        if isinstance(expr, Condition):
            resident = self.context.is_chassis_resident(expr.port)
            if resident is None:
                return expr, {}
            return Bool(resident != expr.negated_), {}
        if isinstance(expr, SetRef):
            return self.walk(self.resolve(expr))
        if isinstance(expr, Cmp):
            return self.cmp(expr)
        raise TypeError(expr)

    def _expansion(self, text, sym):
        """Annotated (prerequisites attached) expression for TEXT."""
        if sym.name in self.stack:
            raise LangError("Recursive expansion of symbol `%s'." % sym.name)
        if text in self.cache:
            return self.cache[text]
        self.stack.append(sym.name)
        try:
            try:
                parsed = parse_cached(text, self.symtab)
            except LangError as e:
                raise LangError("Error parsing expression `%s' encountered as "
                                "prerequisite or predicate of initial "
                                "expression: %s" % (text, e.message))
            result = self.walk(parsed)
        finally:
            self.stack.pop()
        self.cache[text] = result
        return result

    def cmp(self, cmp):
        sym = cmp.sym
        if sym.kind == "predicate":
            if cmp.relop not in ("==", "!="):
                raise LangError("Only == and != operators may be used with "
                                "predicate %s." % sym.name)
            core, prereqs = self._expansion(sym.expansion, sym)
            positive = (cmp.relop == "==") == (cmp.value == 1)
            if positive:
                result, prereqs = core, dict(prereqs)
            else:
                result, prereqs = negate(_attach(core, prereqs)), {}
        elif sym.kind == "subfield":
            parent = self.symtab.lookup(sym.parent)
            shifted = Cmp(parent, cmp.relop, cmp.value << sym.ofs,
                          cmp.mask << sym.ofs)
            result, prereqs = self.cmp(shifted)
            prereqs = dict(prereqs)
        elif sym.kind in ("field", "string"):
            result, prereqs = cmp, {}
        else:
            raise LangError("Field %s can only be written by actions, not "
                            "matched." % sym.name)
        if sym.prereqs:
            core, p = self._expansion(sym.prereqs, sym)
            prereqs[sym.prereqs] = _attach(core, p)
        return result, prereqs

    def resolve(self, ref):
        """Returns the comparison expression for an address set, port group
        or template reference."""
        ctx = self.context
        field = FieldRef(ref.sym, ref.ofs, ref.width, False, ref.pos,
                         ref.sym.name)
        if ref.kind == "$":
            values = ctx.lookup_address_set(ref.name)
            if values is None:
                raise LangError("Unknown address set `%s'." % ref.name, ref.pos)
            items = []
            for text in values:
                items.extend(self._constants(text, "address set $%s" % ref.name,
                                             ref, allow_set=False))
        elif ref.kind == "@":
            names = ctx.lookup_port_group(ref.name)
            if names is None:
                raise LangError("Unknown port group `%s'." % ref.name, ref.pos)
            items = [ConstItem("str", n, pos=ref.pos) for n in names]
        else:
            text = ctx.lookup_template(ref.name)
            if text is None:
                raise LangError("Unknown template variable `%s'." % ref.name,
                                ref.pos)
            items = self._constants(text, "template ^%s" % ref.name, ref,
                                    allow_set=True)
        try:
            return make_comparison(field, ref.relop, items, False, True)
        except LangError as e:
            raise LangError("%s (in %s%s)" % (e.message, ref.kind, ref.name),
                            ref.pos)

    def _constants(self, text, what, ref, allow_set):
        try:
            lexer = Lexer(text)
            items, braced = parse_constant_set(lexer)
            if not lexer.at_end():
                raise lexer.syntax_error("expecting end of constant")
        except LangError as e:
            raise LangError("Invalid entry `%s' in %s: %s"
                            % (text, what, e.message), ref.pos)
        if braced and not allow_set:
            raise LangError("Invalid entry `%s' in %s." % (text, what), ref.pos)
        for item in items:
            if item.kind in ("$", "@", "^"):
                raise LangError("Invalid entry `%s' in %s: references are not "
                                "allowed here." % (text, what), ref.pos)
            item.pos = ref.pos
        return items
