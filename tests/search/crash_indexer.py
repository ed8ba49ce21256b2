"""Run the indexer in its own process and kill the process at a chosen point (crash tests).

    python -m tests.search.crash_indexer <point>

The app config comes as JSON in KYOSO_TEST_CONFIG. ``point`` is where the process dies with
``os._exit`` (no cleanup, like a SIGKILL): ``before-commit`` (documents added, Whoosh commit not
done) or ``before-state`` (Whoosh committed, the applied outbox id not recorded yet).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from app import create_app
from search import indexer, runner, store


def main(point: str) -> None:
    app = create_app(json.loads(os.environ["KYOSO_TEST_CONFIG"]))
    if point == "before-commit":
        original = indexer._write_documents

        def dying_write(ix, rows, **kwargs):
            writer = ix.writer()
            for row in rows:
                doc = indexer.build_document(row)
                if doc is not None:
                    writer.add_document(**doc)
            os._exit(9)

        indexer._write_documents = dying_write
        del original
    elif point == "before-state":
        real_write_state = store.write_state

        def dying_write_state(path, state):
            if state.applied_at is not None:
                os._exit(9)
            real_write_state(path, state)

        store.write_state = dying_write_state
    with app.app_context():
        runner.catch_up(Path(app.config["SEARCH_INDEX_DIR"]))
    sys.exit(0)  # not reached when the crash point is hit


if __name__ == "__main__":
    main(sys.argv[1])
