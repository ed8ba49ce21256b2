"""A stand-in for a large search index: the segments of an index built by ``search_bench.py``,
copied N times under new segment ids (the same files, a new table of contents).

    .venv/bin/python bench/search_standin.py SOURCE_DIR DEST_DIR --copies 10

SOURCE_DIR is a ``--dir`` of ``search_bench.py`` (its current index is read); DEST_DIR becomes
an index root that ``search_bench.py --queries-only --dir DEST_DIR`` can query. The copies have
the term statistics and posting volume of an index N times the size, but post ids and dates
repeat every copy, and the index has N times the segments a rebuilt one would have (see
bench/README.md, "At 1,000,000 posts"). Use it for quick profiling; quote figures from a real
build.
"""

from __future__ import annotations

import argparse
import copy
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from whoosh.filedb.filestore import FileStorage  # noqa: E402
from whoosh.index import TOC  # noqa: E402

from search import store  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    parser.add_argument("source")
    parser.add_argument("dest")
    parser.add_argument("--copies", type=int, default=10)
    args = parser.parse_args()
    source = store.current_path(Path(args.source))
    dest_root = Path(args.dest)
    shutil.rmtree(dest_root, ignore_errors=True)
    dest = dest_root / f"{store.PREFIX}copies"
    dest.mkdir(parents=True)
    shutil.copyfile(source / store.STATE, dest / store.STATE)
    storage = FileStorage(str(source))
    toc = TOC.read(storage, "MAIN")
    segments = []
    for _copy in range(args.copies):
        for segment in toc.segments:
            new = copy.copy(segment)
            new.segid = segment._random_id()
            new.compound = False
            if segment.is_compound():  # its files, written out one by one
                files = segment.open_compound_file(storage)
                for name in files.list():
                    with files.open_file(name) as stream:
                        data = stream.read()
                    (dest / name.replace(segment.segid, new.segid)).write_bytes(data)
            else:
                for name in segment.list_files(storage):
                    shutil.copyfile(source / name, dest / name.replace(segment.segid, new.segid))
            segments.append(new)
    new_toc = TOC(toc.schema, segments, toc.generation + 1)
    new_toc.write(FileStorage(str(dest)), "MAIN")
    store.activate(dest_root, dest)
    docs = sum(s.doc_count() for s in segments)
    print(f"{docs:,} documents in {len(segments)} segments at {dest}")


if __name__ == "__main__":
    main()
