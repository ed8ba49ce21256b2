"""The search fixtures (``find`` applies the search outbox synchronously) for status checks."""

from tests.search.conftest import find, index_root, sync_index  # noqa: F401
