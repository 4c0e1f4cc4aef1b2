"""anyzarr.testing's strategies, state machines and latency store, run briefly."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import run_state_machine_as_test

import anyzarr as zarr
from anyzarr.buffer import cpu, default_buffer_prototype
from anyzarr.storage import LocalStore, MemoryStore
from anyzarr.testing import strategies as zst
from anyzarr.testing.stateful import ZarrHierarchyStateMachine, ZarrStoreStateMachine
from anyzarr.testing.store import LatencyStore
from anyzarr.testing.utils import assert_bytes_equal

FEW = settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))


@FEW
@given(data=st.data())
def test_arrays_round_trip_basic_and_orthogonal_selections(data: st.DataObject) -> None:
    arr = data.draw(zst.simple_arrays())
    values = arr[...]
    selection = data.draw(zst.basic_indices(shape=arr.shape))
    np.testing.assert_array_equal(arr[selection], values[selection])
    zsel, npsel = data.draw(zst.orthogonal_indices(shape=arr.shape))
    np.testing.assert_array_equal(arr.oindex[zsel], values[npsel])


@FEW
@given(pair=zst.block_test_arrays(), data=st.data())
def test_block_indices_match_element_slices(
    pair: tuple[zarr.Array, np.ndarray], data: st.DataObject
) -> None:
    arr, values = pair
    # anyzarr's blocks are the inner chunks of a sharded array (zarr-python's
    # are its shards; see docs/compatibility.md).
    grid = arr.chunks
    sizes = tuple(
        tuple(min(c, n - i) for i in range(0, n, c)) for n, c in zip(arr.shape, grid, strict=True)
    )
    blocks, elements = data.draw(zst.block_indices(chunk_sizes=sizes))
    np.testing.assert_array_equal(arr.blocks[blocks], values[elements])


@FEW
@given(meta=zst.array_metadata())
def test_array_metadata_documents_round_trip(meta: object) -> None:
    from anyzarr.protocol.metadata import parse_v3

    if getattr(meta, "zarr_format", None) == 3:
        assert parse_v3(meta.to_dict(), "") == meta  # type: ignore[attr-defined]


def test_store_state_machine_on_memory() -> None:
    store = MemoryStore()
    run_state_machine_as_test(lambda: ZarrStoreStateMachine(store), settings=FEW)


def test_hierarchy_state_machine_on_local(tmp_path: object) -> None:
    store = LocalStore(str(tmp_path))
    few = settings(FEW, max_examples=4, stateful_step_count=10)
    run_state_machine_as_test(lambda: ZarrHierarchyStateMachine(store), settings=few)


@pytest.mark.anyio
async def test_latency_store_delays_and_forwards() -> None:
    import anyio

    store = LatencyStore(MemoryStore(), get_latency=0.02, set_latency=(0.0, 0.001))
    buf = cpu.Buffer.from_bytes(b"xyz")
    await store.set("k", buf)
    start = anyio.current_time()
    got = await store.get("k", default_buffer_prototype())
    assert anyio.current_time() - start >= 0.015
    assert_bytes_equal(got, b"xyz")
    assert store.with_read_only(True)._get_latency == 0.02
