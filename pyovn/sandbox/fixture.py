"""The pytest fixture that gives a test its own sandbox.

    def test_x(sandbox_factory):
        sb = sandbox_factory(chassis=3, northd="c", controller="c")
        ...

Each sandbox lives in a fresh short directory under the temp dir (unix
socket paths must stay short) and is always torn down at the end of the
test, pass or fail; the test fails if a process of it survives `down`.
The directory is removed after a passing test and kept (its logs, pcaps)
after a failing one.
"""

import shutil
import tempfile

import pytest

from pyovn.sandbox.sandbox import Sandbox


@pytest.fixture
def sandbox_factory(request):
    made = []
    failures_before = request.session.testsfailed

    def make(**kwargs):
        root = tempfile.mkdtemp(prefix="pyovn-sbx-")
        sb = Sandbox(root)
        made.append(sb)
        return sb.up(**kwargs)

    yield make
    leftovers = []
    for sb in made:
        sb.down()
        leftovers += sb.running()
    failed = request.session.testsfailed > failures_before
    for sb in made:
        if not leftovers and not failed:
            shutil.rmtree(sb.root, ignore_errors=True)
    assert not leftovers, "sandbox processes survived down: %s" % leftovers
