"""``python -m anyzarr``: the ``anyzarr`` command (see :mod:`anyzarr.cli`)."""

from anyzarr.cli import main

if __name__ == "__main__":
    main()
