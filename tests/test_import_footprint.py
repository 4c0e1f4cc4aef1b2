"""``import anyzarr`` stays lean and quiet, and a missing extra is named.

Each check runs a fresh interpreter: what the test process itself has
imported says nothing about what ``import anyzarr`` pulls in.
"""

from __future__ import annotations

import pickle
import subprocess
import sys

import pytest

import anyzarr
import anyzarr.storage

#: Top-level modules that belong to extras and must not load with ``import anyzarr``.
OPTIONAL = ["httpx", "httpcore", "h11", "obstore", "trio", "fsspec", "cupy", "typer", "rich"]
OPTIONAL += ["click", "xarray", "dask", "crc32c"]


def _python(code: str, *flags: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *flags, "-c", code], capture_output=True, text=True, timeout=60
    )


def test_import_loads_no_optional_module() -> None:
    code = (
        "import sys\nimport anyzarr\n"
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({OPTIONAL!r})))"
    )
    out = _python(code)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_http_store_over_plain_http_loads_no_httpx() -> None:
    # httpx (60 ms to import) serves only proxies, callers' clients and TLS
    # settings; a plain-HTTP store talks through the lean h11 client.
    code = (
        "import sys\nfrom anyzarr.storage import HTTPStore\n"
        "s = HTTPStore('http://127.0.0.1:9/data.zarr')\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'httpx', 'rich', 'click'}))"
    )
    out = _python(code)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_import_prints_nothing_even_with_every_warning_shown() -> None:
    out = _python("import anyzarr", "-W", "always")
    assert out.returncode == 0
    assert (out.stdout, out.stderr) == ("", "")


def test_lazy_drivers_resolve_and_pickle() -> None:
    for name in ("HTTPStore", "ObjectStore", "FsspecStore", "GpuMemoryStore"):
        cls = getattr(anyzarr.storage, name)
        assert cls.__name__ == name
        assert name in dir(anyzarr.storage)
    store = anyzarr.storage.HTTPStore("http://127.0.0.1:9/data.zarr")
    copy = pickle.loads(pickle.dumps(store))
    assert type(copy) is type(store)
    assert str(copy) == str(store)
    with pytest.raises(AttributeError):
        _ = anyzarr.storage.NoSuchStore  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("blocked", "code", "extra"),
    [
        ("h11", "anyzarr.storage.HTTPStore", "remote"),
        # https settings come from httpx, imported only then
        ("httpx", "import anyzarr.io.stores._http as h; h._tls_context()", "remote"),
        ("obstore", "anyzarr.storage.ObjectStore", "remote"),
        ("fsspec", "anyzarr.open_group('memory://x/y', mode='r')", "fsspec"),
        ("obstore", "anyzarr.open_group('s3://bucket/x', mode='r')", "remote"),
        ("trio", "anyzarr.config.set({'sync.backend': 'trio'}); anyzarr.zeros(3)", "trio"),
    ],
)
def test_missing_extra_is_named(blocked: str, code: str, extra: str) -> None:
    # ``sys.modules[name] = None`` makes importing ``name`` fail as if it were absent.
    script = (
        f"import sys\nsys.modules[{blocked!r}] = None\nimport anyzarr, anyzarr.storage\n"
        f"try:\n    {code}\nexcept anyzarr.errors.MissingDependencyError as exc:\n"
        "    print(exc)\nelse:\n    print('no error')\n"
    )
    out = _python(script)
    assert out.returncode == 0, out.stderr
    assert f"pip install 'anyzarr[{extra}]'" in out.stdout, out.stdout
    assert repr(blocked) in out.stdout
