"""Hypothesis state machines for stores and hierarchies (``zarr.testing.stateful``).

:class:`ZarrStoreStateMachine` applies random ``set``/``get``/``delete``/
``clear``/partial reads to a store and to a dict modelling it, and checks
after every step that they agree.  :class:`ZarrHierarchyStateMachine` builds
random groups and arrays, writes and resizes arrays and deletes nodes, in
the store under test and in a :class:`~anyzarr.storage.MemoryStore` model,
and checks listings and contents.  Run either with
``hypothesis.stateful.run_state_machine_as_test(lambda: Machine(store))``.
Needs hypothesis (``anyzarr[testing]``).
"""

from __future__ import annotations

import builtins
from typing import Any

import hypothesis.extra.numpy as npst
import hypothesis.strategies as st
import numpy as np
from hypothesis import assume, note
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)
from hypothesis.strategies import DataObject

import anyzarr as zarr
from anyzarr.api._sync_runtime import sync, sync_iter
from anyzarr.io._store import Store
from anyzarr.io.stores import LocalStore, MemoryStore
from anyzarr.protocol._byte_request import OffsetByteRequest, RangeByteRequest, SuffixByteRequest
from anyzarr.protocol.buffer import Buffer, cpu, default_buffer_prototype
from anyzarr.testing.strategies import basic_indices, key_ranges, keys, node_names, numpy_arrays

__all__ = ["SyncStoreWrapper", "ZarrHierarchyStateMachine", "ZarrStoreStateMachine"]

MAX_BINARY_SIZE = 100


class SyncStoreWrapper:
    """A store's async methods called from sync code (for the state machines)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    @property
    def read_only(self) -> bool:
        return self.store.read_only

    @property
    def supports_deletes(self) -> bool:
        return self.store.supports_deletes

    def set(self, key: str, value: Buffer) -> None:
        sync(self.store.set, key, value)

    def get(self, key: str, prototype: Any = None) -> Buffer | None:
        return sync(self.store.get, key, prototype or default_buffer_prototype())

    def get_partial_values(self, key_ranges: Any, prototype: Any = None) -> list[Buffer | None]:
        proto = prototype or default_buffer_prototype()
        return sync(self.store.get_partial_values, proto, list(key_ranges))

    def delete(self, key: str) -> None:
        sync(self.store.delete, key)

    def clear(self) -> None:
        sync(self.store.clear)

    def exists(self, key: str) -> bool:
        return sync(self.store.exists, key)

    def is_empty(self, prefix: str) -> bool:
        return sync(self.store.is_empty, prefix)

    def getsize_prefix(self, prefix: str) -> int:
        return sync(self.store.getsize_prefix, prefix)

    def list(self) -> list[str]:
        return sync_iter(self.store.list)

    def list_prefix(self, prefix: str) -> builtins.list[str]:
        return sync_iter(self.store.list_prefix, prefix)

    def list_dir(self, prefix: str) -> builtins.list[str]:
        return sync_iter(self.store.list_dir, prefix)


def _expected_range(value: bytes, byte_range: Any) -> bytes:
    # An oracle of its own, not the stores' clipping helper.
    if byte_range is None:
        return value
    if isinstance(byte_range, RangeByteRequest):
        return value[byte_range.start : byte_range.end]
    if isinstance(byte_range, OffsetByteRequest):
        return value[byte_range.offset :]
    assert isinstance(byte_range, SuffixByteRequest)
    return value[max(0, len(value) - byte_range.suffix) :]


class ZarrStoreStateMachine(RuleBasedStateMachine):
    """A store against a dict: every step must leave both holding the same keys and bytes."""

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.model: dict[str, bytes] = {}
        self.store = SyncStoreWrapper(store)

    @initialize()
    def init_store(self) -> None:
        self.store.clear()

    @rule(key=keys(max_num_nodes=3), data=st.binary(max_size=MAX_BINARY_SIZE))
    def set(self, key: str, data: bytes) -> None:
        note(f"set {key!r} = {data!r}")
        self.store.set(key, cpu.Buffer.from_bytes(data))
        self.model[key] = data

    @precondition(lambda self: bool(self.model))
    @rule(data=st.data())
    def get(self, data: DataObject) -> None:
        key = data.draw(st.sampled_from(sorted(self.model)))
        value = self.store.get(key)
        assert value is not None
        assert value.to_bytes() == self.model[key]

    @rule(key=keys(max_num_nodes=3))
    def get_missing(self, key: str) -> None:
        assume(key not in self.model)
        assert self.store.get(key) is None

    @precondition(lambda self: bool(self.model))
    @rule(data=st.data())
    def get_partial_values(self, data: DataObject) -> None:
        requests = data.draw(
            key_ranges(keys=st.sampled_from(sorted(self.model)), max_size=MAX_BINARY_SIZE)
        )
        observed = self.store.get_partial_values(iter(requests))
        for (key, byte_range), value in zip(requests, observed, strict=True):
            assert value is not None
            assert value.to_bytes() == _expected_range(self.model[key], byte_range)

    @precondition(lambda self: self.store.supports_deletes and bool(self.model))
    @rule(data=st.data())
    def delete(self, data: DataObject) -> None:
        key = data.draw(st.sampled_from(sorted(self.model)))
        self.store.delete(key)
        del self.model[key]

    @rule()
    def clear(self) -> None:
        self.store.clear()
        self.model.clear()
        assert self.store.is_empty("")

    @precondition(lambda self: not isinstance(self.store.store, LocalStore))
    @rule()
    def is_empty(self) -> None:
        assert self.store.is_empty("") == (not self.model)

    @rule(key=keys(max_num_nodes=3))
    def exists(self, key: str) -> None:
        assert self.store.exists(key) == (key in self.model)

    @precondition(lambda self: bool(self.model))
    @rule(data=st.data())
    def getsize_prefix(self, data: DataObject) -> None:
        node = data.draw(st.sampled_from(sorted(self.model))).split("/")[0]
        expected = sum(len(v) for k, v in self.model.items() if k.startswith(node + "/"))
        assert self.store.getsize_prefix(node) == expected

    @invariant()
    def keys_agree(self) -> None:
        assert sorted(self.store.list()) == sorted(self.model)

    @invariant()
    def values_agree(self) -> None:
        for key, value in self.model.items():
            stored = self.store.get(key)
            assert stored is not None
            assert stored.to_bytes() == value


class ZarrHierarchyStateMachine(RuleBasedStateMachine):
    """Groups and arrays built in ``store`` and in a memory-store model, compared as they change."""

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store
        self.model = MemoryStore()
        self.all_groups: set[str] = set()
        self.all_arrays: set[str] = set()

    @initialize()
    def init_store(self) -> None:
        sync(self.store.clear)
        for target in (self.store, self.model):
            zarr.group(store=target)

    def _roots(self) -> tuple[zarr.Group, zarr.Group]:
        return zarr.open_group(self.store, mode="r+"), zarr.open_group(self.model, mode="r+")

    def _free(self, path: str) -> bool:
        taken = self.all_groups | self.all_arrays
        return path not in taken and not any(path.startswith(p + "/") for p in self.all_arrays)

    def _parent(self, data: DataObject) -> str:
        return data.draw(st.sampled_from(sorted(self.all_groups | {""})))

    @rule(name=node_names, data=st.data())
    def add_group(self, name: str, data: DataObject) -> None:
        path = "/".join(p for p in (self._parent(data), name) if p)
        assume(self._free(path))
        note(f"add group {path!r}")
        for root in self._roots():
            root.create_group(path)
        self.all_groups.add(path)

    @rule(name=node_names, data=st.data())
    def add_array(self, name: str, data: DataObject) -> None:
        path = "/".join(p for p in (self._parent(data), name) if p)
        assume(self._free(path))
        values = data.draw(
            numpy_arrays(shapes=npst.array_shapes(max_dims=2, max_side=6), dtype=np.dtype("i2"))
        )
        chunks = tuple(max(1, n // 2) for n in values.shape)
        note(f"add array {path!r} {values.shape} chunks {chunks}")
        for root in self._roots():
            arr = root.create_array(path, shape=values.shape, chunks=chunks, dtype=values.dtype)
            arr[...] = values
        self.all_arrays.add(path)

    @precondition(lambda self: bool(self.all_arrays))
    @rule(data=st.data())
    def overwrite_array(self, data: DataObject) -> None:
        path = data.draw(st.sampled_from(sorted(self.all_arrays)))
        model = zarr.open_array(self.model, path=path)
        selection = data.draw(basic_indices(shape=model.shape))
        shape = np.empty(model.shape)[selection].shape
        values = data.draw(numpy_arrays(shapes=st.just(shape), dtype=np.dtype("i2")))
        note(f"overwrite {path!r}[{selection!r}]")
        for target in (self.store, self.model):
            zarr.open_array(target, path=path)[selection] = values

    @precondition(lambda self: bool(self.all_arrays))
    @rule(data=st.data())
    def resize_array(self, data: DataObject) -> None:
        path = data.draw(st.sampled_from(sorted(self.all_arrays)))
        ndim = zarr.open_array(self.model, path=path).ndim
        shape = data.draw(npst.array_shapes(min_dims=ndim, max_dims=ndim, min_side=0, max_side=8))
        note(f"resize {path!r} to {shape}")
        for target in (self.store, self.model):
            zarr.open_array(target, path=path).resize(shape)

    @precondition(
        lambda self: self.store.supports_deletes and bool(self.all_arrays | self.all_groups)
    )
    @rule(data=st.data())
    def delete_node(self, data: DataObject) -> None:
        path = data.draw(st.sampled_from(sorted(self.all_arrays | self.all_groups)))
        note(f"delete {path!r}")
        for root in self._roots():
            del root[path]
        self.all_arrays = {p for p in self.all_arrays if p != path and not p.startswith(path + "/")}
        self.all_groups = {p for p in self.all_groups if p != path and not p.startswith(path + "/")}

    @precondition(lambda self: bool(self.all_arrays))
    @rule(data=st.data())
    def check_array(self, data: DataObject) -> None:
        path = data.draw(st.sampled_from(sorted(self.all_arrays)))
        np.testing.assert_array_equal(
            zarr.open_array(self.store, path=path)[...], zarr.open_array(self.model, path=path)[...]
        )

    @invariant()
    def members_agree(self) -> None:
        if not hasattr(self, "all_groups"):
            return
        ours, model = self._roots()
        assert sorted(p for p, _ in ours.members(max_depth=None)) == sorted(
            p for p, _ in model.members(max_depth=None)
        )
