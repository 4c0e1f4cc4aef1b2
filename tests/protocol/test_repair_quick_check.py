"""Repair of stored chunk sizes: the quick check agrees with the full walk."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from anyzarr.protocol.metadata import _repair

sizes = st.lists(st.one_of(st.integers(-1, 4), st.booleans(), st.just(1.5)), min_size=1, max_size=3)
codec_lists = st.lists(
    st.one_of(
        st.just({"name": "bytes"}),
        st.just("bytes"),
        sizes.map(
            lambda inner: {"name": "sharding_indexed", "configuration": {"chunk_shape": inner}}
        ),
    ),
    max_size=2,
)


def _full_walk(doc: dict[str, Any], zarr_format: int) -> tuple[dict[str, Any], str | None]:
    quick = _repair._nothing_to_repair
    _repair._nothing_to_repair = lambda doc, zarr_format: False  # type: ignore[assignment]
    try:
        return _repair.repair_array_document(doc, zarr_format)
    finally:
        _repair._nothing_to_repair = quick  # type: ignore[assignment]


@given(shape=st.lists(st.integers(0, 5), min_size=1, max_size=3), chunks=sizes, codecs=codec_lists)
def test_quick_check_agrees_with_the_walk_v3(
    shape: list[int], chunks: list[Any], codecs: list[Any]
) -> None:
    doc = {
        "shape": shape,
        "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": chunks}},
        "codecs": codecs,
    }
    assert _repair.repair_array_document(doc, 3) == _full_walk(doc, 3)


@given(shape=st.lists(st.integers(0, 5), min_size=1, max_size=3), chunks=sizes)
def test_quick_check_agrees_with_the_walk_v2(shape: list[int], chunks: list[Any]) -> None:
    doc = {"shape": shape, "chunks": chunks}
    assert _repair.repair_array_document(doc, 2) == _full_walk(doc, 2)


@pytest.mark.parametrize("zarr_format", [2, 3])
def test_valid_documents_come_back_unchanged(zarr_format: int) -> None:
    doc: dict[str, Any] = (
        {"shape": [4], "chunks": [2]}
        if zarr_format == 2
        else {
            "shape": [4],
            "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [2]}},
            "codecs": [{"name": "bytes"}],
        }
    )
    repaired, warning = _repair.repair_array_document(doc, zarr_format)
    assert repaired is doc
    assert warning is None
