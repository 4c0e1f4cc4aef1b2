"""Metadata JSON: the nesting limit, checked against a direct count of levels."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from anyzarr.errors import MetadataValidationError
from anyzarr.protocol.metadata._json import MAX_JSON_DEPTH, _depth_at_most, decode_json_object

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=3),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=2), inner, max_size=3)
    ),
    max_leaves=30,
)


def _depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    return 0


@given(json_values)
def test_depth_check_matches_the_nesting(value: Any) -> None:
    wrapped = {"a": value}
    depth = _depth(wrapped)
    assert _depth_at_most(wrapped, depth)
    assert not _depth_at_most(wrapped, depth - 1)


def test_deep_documents_are_refused_by_name() -> None:
    def document(lists: int) -> bytes:
        value: Any = 1
        for _ in range(lists):
            value = [value]
        return json.dumps({"attributes": value}).encode()

    # The document is one level; the lists fill the rest.
    assert decode_json_object(document(MAX_JSON_DEPTH - 1), "g/zarr.json")["attributes"]
    with pytest.raises(MetadataValidationError, match=r"g/zarr\.json"):
        decode_json_object(document(MAX_JSON_DEPTH), "g/zarr.json")
