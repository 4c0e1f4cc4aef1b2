"""Groups, hierarchies, zipped stores and consolidated metadata in shared/fixtures.

zarr-python 3.4 reading the same files is the oracle: the same members (names
and kinds) and equal attributes.
"""

from __future__ import annotations

import warnings
import zipfile
from pathlib import Path
from typing import Any

import pytest
from tests.conformance._compare import FIXTURES, assert_same, plain, zarr_python_read
from tests.conformance._discover import find_groups

pytestmark = pytest.mark.interop

GROUPS = [str(p.relative_to(FIXTURES)) for p in find_groups(FIXTURES)] if FIXTURES.is_dir() else []
ABSENT = [pytest.param("", marks=pytest.mark.skip(reason=f"{FIXTURES} is absent"))]
ZIPS = sorted(str(p.relative_to(FIXTURES)) for p in FIXTURES.rglob("*.zip")) if GROUPS else []


def _array(node: Any) -> Any:
    assert hasattr(node, "shape"), f"{node} is not an array"
    return node


def _tree(group: Any) -> dict[str, tuple[str, Any]]:
    """Every member below ``group``: relative path -> (kind, attributes)."""
    out: dict[str, tuple[str, Any]] = {}
    for name, node in group.members(max_depth=None):
        kind = "array" if hasattr(node, "shape") else "group"
        out[name] = (kind, plain(dict(node.attrs)))
    return out


def _zarr_python_tree(store: Any, path: str = "") -> tuple[Any, dict[str, tuple[str, Any]]] | None:
    import zarr

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            group = zarr.open_group(store, path=path, mode="r")
            return plain(dict(group.attrs)), _tree(group)
        except Exception:  # zarr-python cannot list it (a member it refuses)
            return None


@pytest.mark.parametrize("rel", GROUPS or ABSENT)
def test_group_like_zarr_python(rel: str) -> None:
    import anyzarr

    path = str(FIXTURES / rel)
    theirs = _zarr_python_tree(path)
    if theirs is None:
        pytest.skip("zarr-python 3.4 cannot list this hierarchy (a member it refuses)")
    group = anyzarr.open_group(path, mode="r")
    assert plain(dict(group.attrs)) == theirs[0]
    assert _tree(group) == theirs[1]


@pytest.mark.parametrize("version", ["v0.4", "v0.5"])
def test_ome_zarr_multiscales(shared_dir: Path, version: str) -> None:
    import anyzarr

    root = shared_dir / "fixtures" / "zarr-java" / "ome" / version
    group = anyzarr.open_group(str(root), mode="r")
    attrs = dict(group.attrs)
    multiscales = attrs["ome"]["multiscales"] if "ome" in attrs else attrs["multiscales"]
    for dataset in multiscales[0]["datasets"]:
        ours = _array(group[dataset["path"]])
        theirs, refused = zarr_python_read(str(root / dataset["path"]))
        assert refused is None, refused
        assert_same(ours[...], theirs, f"{version}/{dataset['path']}")


def test_v3_consolidated_hierarchy(shared_dir: Path) -> None:
    import anyzarr

    root = shared_dir / "fixtures" / "zarrita-js" / "v3" / "data.zarr" / "consolidated"
    group = anyzarr.open_group(str(root), mode="r")
    assert group.metadata.consolidated_metadata is not None
    assert dict(group.attrs) == {"answer": 42}
    theirs = _zarr_python_tree(str(root))
    assert theirs is not None
    assert _tree(group) == theirs[1]
    opened = anyzarr.open_consolidated(str(root), mode="r")
    assert _tree(opened) == theirs[1]


def test_v2_consolidated_names_the_member_it_refuses(shared_dir: Path) -> None:
    """zarr-python 3.4 and anyzarr both refuse the `.zmetadata` that holds `json2.O`."""
    import anyzarr
    from anyzarr.errors import MetadataValidationError

    root = shared_dir / "fixtures" / "zarrita-js" / "v2" / "data.zarr"
    with pytest.raises(MetadataValidationError, match=r"1d\.contiguous\.json2\.O"):
        anyzarr.open_consolidated(str(root), mode="r")
    group = anyzarr.open_group(str(root), mode="r", use_consolidated=False)
    member = group["my group with spaces"]
    assert plain(dict(member.attrs)) == _their_attrs(root / "my group with spaces")


def test_attributes_have_asdict_like_zarr_python(shared_dir: Path) -> None:
    """zarr-python's ``Group.attrs`` / ``Array.attrs`` offer ``asdict()``."""
    import anyzarr

    root = shared_dir / "fixtures" / "zarrita-js" / "v3" / "data.zarr" / "consolidated"
    attrs: Any = anyzarr.open_group(str(root), mode="r").attrs
    assert attrs.asdict() == {"answer": 42}


def _their_attrs(path: Path) -> Any:
    import zarr

    return plain(dict(zarr.open_group(str(path), mode="r").attrs))


def _zip_arrays(zip_path: Path) -> list[str]:
    with zipfile.ZipFile(zip_path) as zf:
        names = zf.namelist()
    found = []
    for name in names:
        leaf = name.rsplit("/", 1)[-1]
        if leaf in (".zarray", "zarr.json"):
            found.append(name.rsplit("/", 1)[0] if "/" in name else "")
    return sorted(set(found))


@pytest.mark.parametrize("rel", ZIPS or ABSENT)
def test_zipped_store_like_zarr_python(rel: str) -> None:
    import zarr

    from anyzarr.storage import ZipStore

    zip_path = FIXTURES / rel
    ours_store = ZipStore(zip_path, mode="r")
    theirs_store = zarr.storage.ZipStore(zip_path, mode="r")
    checked = 0
    for inner in _zip_arrays(zip_path):
        theirs, refused = zarr_python_read(theirs_store, inner)
        if refused is not None:
            continue  # a group document, or an array zarr-python refuses
        import anyzarr

        ours = anyzarr.open_array(store=ours_store, path=inner, mode="r")
        assert_same(ours[...], theirs, f"{rel}:{inner}")
        checked += 1
    assert checked > 10, rel
