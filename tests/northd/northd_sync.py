"""Waiting for northd in tests.  A module of its own (not conftest) so that
test files import it by a name no other test directory uses."""


def wait_sb_synced(nb, timeout=20):
    """Bumps nb_cfg and waits until northd reports it in sb_cfg."""
    want = nb.bump()
    nb.db.wait_until(lambda db: db.rows("NB_Global")[0].sb_cfg >= want, timeout)
    return want
