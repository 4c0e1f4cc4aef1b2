"""The ``anyzarr`` command: look inside, copy, convert and check Zarr hierarchies.

Installed as the ``anyzarr`` console script (and ``python -m anyzarr``) with
the ``cli`` extra (typer and rich).  Each command is a thin layer over a
public function (:func:`~anyzarr.copy_hierarchy`,
:func:`~anyzarr.convert_hierarchy`, :func:`~anyzarr.check_hierarchy`,
:func:`~anyzarr.consolidate_metadata`, opening and reading), so what the
command does, a script or notebook can do the same way.  See ``docs/cli.md``.
"""

from __future__ import annotations

import sys

__all__ = ["main"]


def main(argv: list[str] | None = None) -> None:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``); exits the process."""
    from anyzarr.protocol._dependencies import missing_dependency

    try:
        from anyzarr.cli._app import app
    except ImportError as exc:
        mapped = missing_dependency(exc, "the anyzarr command")
        if mapped is None:
            raise
        print(f"anyzarr: {mapped}", file=sys.stderr)
        raise SystemExit(2) from None
    app(args=argv, prog_name="anyzarr")
