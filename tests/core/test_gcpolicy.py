"""The garbage-collection policy of a process holding many sockets (core/gcpolicy.py): survivors
are frozen out of the automatic collections, young garbage is not frozen with them, and the
periodic full collection frees cycles that died after they were frozen."""

from __future__ import annotations

import gc
import time
import weakref

import pytest

from core import gcpolicy


class Node:
    """An object in a reference cycle: only the cyclic collector frees it."""

    def __init__(self) -> None:
        self.me = self


@pytest.fixture(autouse=True)
def _unfrozen():
    gcpolicy.stop()
    yield
    gcpolicy.stop()


def test_default_is_on_in_gevent_mode_only() -> None:
    assert gcpolicy.default_freeze_seconds("gevent") == gcpolicy.GEVENT_FREEZE_SECONDS > 0
    assert gcpolicy.default_freeze_seconds("threading") == 0


def test_off_in_tests_and_threading_mode(app) -> None:
    assert "kyoso.gcpolicy" not in app.extensions
    assert gc.get_freeze_count() == 0


@pytest.mark.parametrize("app_config", [{"GC_FREEZE_SECONDS": 0.05}], indirect=True)
def test_setting_starts_the_loop_that_freezes_survivors(app) -> None:
    policy = app.extensions["kyoso.gcpolicy"]
    deadline = time.monotonic() + 5
    while policy.freezes < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert policy.freezes >= 2
    assert gc.get_freeze_count() > 0  # the app's own objects are out of the automatic walks


def test_young_garbage_is_collected_before_the_freeze() -> None:
    policy = gcpolicy.GCPolicy(freeze_seconds=60, full_seconds=3600)
    garbage = weakref.ref(Node())  # unreachable at once, but a cycle: only gc frees it
    policy.step()
    assert garbage() is None


def test_full_collection_frees_cycles_that_died_frozen() -> None:
    policy = gcpolicy.GCPolicy(freeze_seconds=60, full_seconds=3600)
    node = Node()
    alive = weakref.ref(node)
    policy.step()  # node survives: frozen
    del node
    gc.collect()  # an automatic or manual collection does not see frozen objects
    assert alive() is not None
    policy.last_full -= 3600  # the hour has passed: the next step is a full collection
    policy.step()
    assert alive() is None
    assert policy.full_collections == 1
    assert gc.get_freeze_count() > 0  # and what lives on is frozen again
