"""The suite's own layout rules.  pytest puts each test directory on
sys.path and imports its modules by bare name, so two modules with one name
in different directories, or `from conftest import ...`, silently pick up
another directory's file when the whole suite runs."""

import collections
import os
import re

TESTS = os.path.dirname(os.path.abspath(__file__))


def _modules():
    for dirpath, dirnames, filenames in os.walk(TESTS):
        dirnames[:] = [d for d in dirnames if not d.startswith((".", "__"))]
        for name in filenames:
            if name.endswith(".py") and name not in ("__init__.py", "conftest.py"):
                yield dirpath, name


def test_module_names_are_unique_across_directories():
    where = collections.defaultdict(list)
    for dirpath, name in _modules():
        if not os.path.exists(os.path.join(dirpath, "__init__.py")):
            where[name].append(os.path.relpath(dirpath, TESTS))
    clashes = {n: d for n, d in where.items() if len(d) > 1}
    assert not clashes, "rename one of each: %s" % clashes


def test_no_imports_from_conftest():
    bad = []
    for dirpath, name in _modules():
        with open(os.path.join(dirpath, name)) as f:
            if re.search(r"^\s*from conftest import", f.read(), re.M):
                bad.append(os.path.relpath(os.path.join(dirpath, name), TESTS))
    assert not bad, "import helpers from a uniquely named module: %s" % bad
