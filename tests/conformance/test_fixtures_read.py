"""anyzarr reads every array that other implementations wrote in shared/fixtures.

The oracle is zarr-python 3.4 reading the same files (and tensorstore where it
supports the case).  Where zarr-python refuses a fixture, anyzarr must refuse
it too with a typed error, except where a deliberate, documented choice says
otherwise (docs/compatibility.md, "Documented choices").
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from tests.conformance._compare import FIXTURES, assert_same, tensorstore_read, zarr_python_read
from tests.conformance._discover import find_arrays

pytestmark = [
    pytest.mark.interop,
    # zarrs wrote some fixtures in both formats; both readers warn and read v3.
    pytest.mark.filterwarnings("ignore:Both zarr.json:UserWarning"),
]

ROOT = FIXTURES
ARRAYS = [str(p.relative_to(ROOT)) for p in find_arrays(ROOT)] if ROOT.is_dir() else []
ABSENT = [pytest.param("", marks=pytest.mark.skip(reason=f"{ROOT} is absent"))]

# Choice 1 (docs/compatibility.md): v2 `|S1` / `<U4` arrays with
# `"fill_value": 0`.  zarr-python 2.18 read them, zarr-python 3.4 refuses the
# metadata; anyzarr reads them as zarr-python 2.18 did: the fill value is what
# numpy makes of 0 for the type (b"0" / "0"), the rule zarr-python 3.4 itself
# applies to `"fill_value": 0` on vlen-utf8 (zarrs `str_v2_fv_0`).
READS_WHERE_ZARR_PYTHON_REFUSES = {
    f"zarr-python-v2/{group}/{i}" for group in (14, 15) for i in range(7)
}


@pytest.mark.parametrize(
    "rel", [r for r in ARRAYS if r not in READS_WHERE_ZARR_PYTHON_REFUSES] or ABSENT
)
def test_reads_fixture_like_zarr_python(rel: str) -> None:
    import anyzarr
    from anyzarr.errors import AnyzarrError

    path = ROOT / rel
    theirs, refused = zarr_python_read(str(path))
    if refused is None:
        ours = anyzarr.open_array(store=str(path), mode="r")[...]
        assert_same(ours, theirs, rel)
    else:
        with pytest.raises(AnyzarrError):
            anyzarr.open_array(store=str(path), mode="r")[...]


@pytest.mark.parametrize("rel", sorted(READS_WHERE_ZARR_PYTHON_REFUSES) if ARRAYS else ABSENT)
def test_zero_fill_value_of_text_v2(rel: str, tmp_path: Path) -> None:
    """Every chunk is present, so the values are what zarr-python reads once
    the fill value is made acceptable to it; the fill value is numpy's 0."""
    import anyzarr

    path = ROOT / rel
    ours = anyzarr.open_array(store=str(path), mode="r")
    copy = tmp_path / "copy"
    shutil.copytree(path, copy)
    zarray = json.loads((copy / ".zarray").read_text())
    assert zarray["fill_value"] == 0
    zarray["fill_value"] = None
    (copy / ".zarray").write_text(json.dumps(zarray))
    theirs, refused = zarr_python_read(str(copy))
    assert refused is None, refused
    assert_same(ours[...], theirs, rel)
    assert ours.fill_value == np.array(0, dtype=ours.dtype)[()]


@pytest.mark.parametrize("rel", ARRAYS or ABSENT)
def test_reads_numeric_fixture_like_tensorstore(rel: str) -> None:
    pytest.importorskip("tensorstore", reason="tensorstore is the second oracle")
    import anyzarr

    path = ROOT / rel
    theirs = tensorstore_read(path)
    if theirs is None or theirs.dtype.kind not in "biufc":
        pytest.skip("tensorstore does not read this fixture as a numeric array")
    ours = np.asarray(anyzarr.open_array(store=str(path), mode="r")[...])
    assert ours.shape == theirs.shape, rel
    np.testing.assert_array_equal(ours.astype(theirs.dtype), theirs, err_msg=rel)


def test_open_array_takes_the_store_positionally(shared_dir: Path) -> None:
    """zarr-python's signature is ``open_array(store=None, *, ...)``."""
    import anyzarr

    path = shared_dir / "fixtures" / "zarr-java" / "v2_sample" / "double"
    ours = anyzarr.open_array(str(path), mode="r")
    theirs, _ = zarr_python_read(str(path))
    assert_same(ours[...], theirs, str(path))


def test_cities_strings_match_csv(shared_dir: Path) -> None:
    import anyzarr

    fixtures = shared_dir / "fixtures" / "zarrs"
    expected = (fixtures / "cities.csv").read_text(encoding="utf-8").splitlines()
    for rel in (
        "v3/cities.zarr",
        "zarr_python_compat/cities_v3.zarr",
        "zarr_python_compat/cities_v2.zarr",
    ):
        ours = anyzarr.open_array(store=str(fixtures / rel), mode="r")[...]
        assert ours.shape == (len(expected),), rel
        assert ours.tolist() == expected, rel


def test_storage_transformer_exists_is_refused(shared_dir: Path) -> None:
    import anyzarr
    from anyzarr.errors import MetadataValidationError

    path = shared_dir / "fixtures" / "zarr-java" / "storage_transformer" / "exists"
    with pytest.raises(MetadataValidationError, match="storage_transformers") as info:
        anyzarr.open_array(store=str(path), mode="r")
    assert "chunk-manifest-json" in str(info.value)


def test_storage_transformer_empty_list_opens(shared_dir: Path) -> None:
    import anyzarr

    path = shared_dir / "fixtures" / "zarr-java" / "storage_transformer" / "empty"
    arr = anyzarr.open_array(store=str(path), mode="r")
    assert arr[...].tolist() == [0]


@pytest.mark.parametrize("where", ["start", "end"])
def test_sharding_index_location(shared_dir: Path, where: str) -> None:
    import anyzarr

    path = shared_dir / "fixtures" / "zarr-java" / "sharding_index_location" / where
    arr = anyzarr.open_array(store=str(path), mode="r")
    sharding = arr.metadata.sharding_codec
    assert sharding is not None
    assert sharding.index_location == where
    theirs, refused = zarr_python_read(str(path))
    assert refused is None, refused
    assert_same(arr[...], theirs, where)
    # a partial read goes through the shard index, not the whole shard
    sel = tuple(slice(1, max(2, n // 2)) for n in arr.shape)
    assert_same(arr[sel], theirs[sel], f"{where}{sel}")


def test_json2_object_codec_is_refused_by_name(shared_dir: Path) -> None:
    """Choice 4: zarr-python 3.4 has no data type for `|O` + `json2`; neither does anyzarr."""
    import anyzarr
    from anyzarr.errors import MetadataValidationError

    path = shared_dir / "fixtures" / "zarrita-js" / "v2" / "data.zarr" / "1d.contiguous.json2.O"
    with pytest.raises(MetadataValidationError, match="json2"):
        anyzarr.open_array(store=str(path), mode="r")


def test_nested_legacy_reads_fill_values_like_zarr_python_3(shared_dir: Path) -> None:
    """Choice 2: no `dimension_separator` means "."; nested keys are not looked for."""
    import anyzarr

    path = shared_dir / "fixtures" / "zarr-python-v2" / "nested_legacy"
    arr = anyzarr.open_array(store=str(path), mode="r")
    assert arr.metadata.dimension_separator == "."
    values = np.asarray(arr[...])
    assert (values == arr.fill_value).all()


def test_vlen_utf8_fill_value_zero_follows_zarr_python(shared_dir: Path) -> None:
    """Choice 3: the missing last chunk reads as "0", as in zarr-python 3.4 (zarrs says "")."""
    import anyzarr

    path = shared_dir / "fixtures" / "zarrs" / "zarr_python_compat" / "str_v2_fv_0.zarr"
    arr = anyzarr.open_array(store=str(path), mode="r")
    assert arr[...].tolist() == ["a", "bb", "", "", "0"]
