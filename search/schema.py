"""The index schema: one document per visible post.

Keyword fields hold ids and slugs (board id, author id, JIS prefecture codes, player-field and
life-domain slugs), so renaming a board or moving a prefecture to another block needs no reindex:
names and blocks are looked up at query time. Multi-valued facets have a column twin (``*_c``,
space-separated) for fast counting. Prefecture, field (beyond a field board's own), domain and the
event dates come from a structured thread's typed fields (empty for discussions); version 3 added
them (a version change makes the indexer rebuild once).
"""

from __future__ import annotations

from whoosh import columns
from whoosh.fields import COLUMN, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from search.analysis import BigramAnalyzer, SudachiAnalyzer

SCHEMA_VERSION = 3

#: text fields: (morpheme field, bigram field) for the title and for the body
TITLE_FIELDS = ("title", "title_ng")
BODY_FIELDS = ("body", "body_ng")
TITLE_BOOST = 2.0

#: facets with one value per document (a sortable column each)
SINGLE_FACETS = ("type", "board", "author")
#: facets with several values per document (indexed keywords + a space-separated column)
MULTI_FACETS = ("prefecture", "field", "domain")


def build_schema() -> Schema:
    sudachi, bigram = SudachiAnalyzer(), BigramAnalyzer()
    return Schema(
        post_id=ID(stored=True, unique=True),
        thread_id=ID(stored=True),
        number=NUMERIC(int, stored=True),
        fingerprint=STORED(),
        # no positions: phrases are pair terms (see search.analysis)
        title=TEXT(analyzer=sudachi, field_boost=TITLE_BOOST, phrase=False),
        title_ng=TEXT(analyzer=bigram, field_boost=TITLE_BOOST, phrase=False),
        body=TEXT(analyzer=sudachi, phrase=False),
        body_ng=TEXT(analyzer=bigram, phrase=False),
        type=ID(sortable=True),
        board=ID(sortable=True),
        author=ID(sortable=True),
        prefecture=KEYWORD(),
        prefecture_c=COLUMN(columns.VarBytesColumn()),
        field=KEYWORD(),
        field_c=COLUMN(columns.VarBytesColumn()),
        domain=KEYWORD(),
        domain_c=COLUMN(columns.VarBytesColumn()),
        # seconds since the epoch * 10**9 + post id: date order with a unique tie-break
        order_key=NUMERIC(int, bits=64, signed=False, sortable=True),
        event_start=NUMERIC(int, bits=64, signed=False, sortable=True),
        event_end=NUMERIC(int, bits=64, signed=False, sortable=True),
    )


ORDER_SCALE = 10**9


def order_key(created_seconds: int, post_id: int) -> int:
    return created_seconds * ORDER_SCALE + post_id
