#!/usr/bin/env python3
"""Kyoso's two Quick start commands, using only the Python standard library to begin with.

    python3 dev.py serve   # venv + install + migrations + demo content + http://127.0.0.1:5000
    python3 dev.py test    # venv + install with test extras + the whole test suite

Extra arguments after ``test`` go to pytest (e.g. ``python3 dev.py test -k thread``).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("KYOSO_VENV", ROOT / ".venv"))
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / "python"


def run(*args: str | Path, env: dict | None = None) -> None:
    subprocess.run([str(a) for a in args], cwd=ROOT, check=True, env=env)


def ensure_venv(extras: str) -> None:
    """Create the virtual environment and (re)install when pyproject.toml or extras change."""
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py runs under any system Python
        sys.exit("Python 3.11 以上が必要です (Python 3.11+ is required).")
    if not PY.exists():
        print(f"creating virtual environment in {VENV}")
        venv.EnvBuilder(with_pip=True).create(VENV)
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + extras.encode()).hexdigest()
    stamp = VENV / ".kyoso-installed"
    if not stamp.exists() or stamp.read_text() != digest:
        run(PY, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
        target = f".[{extras}]" if extras else "."
        run(PY, "-m", "pip", "install", "--quiet", "-e", target)
        stamp.write_text(digest)
    compile_translations()


def compile_translations() -> None:
    """Each catalogue compiled beside its .mo, then put in place in one step: a test run that is
    already reading the catalogue (CI runs two suites side by side) never sees half a file."""
    for po in sorted((ROOT / "translations").glob("*/LC_MESSAGES/messages.po")):
        mo = po.with_suffix(".mo")
        partial = mo.with_name(f".{mo.name}.{os.getpid()}")
        run(PY, "-m", "babel.messages.frontend", "compile", "-i", str(po), "-o", str(partial),
            "--statistics")  # fmt: skip
        os.replace(partial, mo)


def flask(*args: str, env: dict | None = None) -> None:
    run(BIN / "flask", "--app", "app", *args, env=env)


def serve() -> None:
    ensure_venv("")
    # links in mail point at the local server (production sets SITE_URL to the public address)
    os.environ.setdefault("SITE_URL", f"http://127.0.0.1:{os.environ.get('PORT', '5000')}")
    os.environ.setdefault("TRUSTED_HOSTS", "localhost")  # http://localhost:5000 works too
    flask("db", "upgrade")
    flask("seed-demo")
    print("\n共創 交流掲示板: http://127.0.0.1:5000  (Ctrl+C で停止 / to stop)\n")
    flask("run", "--host", "127.0.0.1", "--port", os.environ.get("PORT", "5000"))


def test(pytest_args: list[str]) -> int:
    ensure_venv("test,server")  # server: the gunicorn gevent worker test (tests/realtime)
    return subprocess.run([str(PY), "-m", "pytest", *pytest_args], cwd=ROOT).returncode


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"serve", "test"}:
        print(__doc__)
        return 2
    if argv[0] == "serve":
        serve()
        return 0
    return test(argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
