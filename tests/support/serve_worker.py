"""Serve the app in its own process (a 'worker' for multi-process tests).

Reads the app config as JSON from the KYOSO_TEST_CONFIG environment variable, listens on a free
port of 127.0.0.1 and prints that port on the first line of stdout.
"""

from __future__ import annotations

import json
import os

from werkzeug.serving import make_server

from app import create_app


def main() -> None:
    app = create_app(json.loads(os.environ["KYOSO_TEST_CONFIG"]))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    print(server.server_port, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
