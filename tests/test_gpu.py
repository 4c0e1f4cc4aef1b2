"""GPU buffers and the pipeline on cupy arrays; skipped without cupy and a device."""

from __future__ import annotations

import numpy as np
import pytest

from anyzarr.protocol.buffer import gpu

pytestmark = pytest.mark.gpu

if not gpu.cupy_available():
    pytest.skip("needs cupy and a CUDA device", allow_module_level=True)

import cupy as cp  # noqa: E402

from anyzarr.protocol.codecs import ChunkSpec, ShardingCodec, pipeline_from_codecs  # noqa: E402


def test_gpu_buffer_round_trip() -> None:
    buf = gpu.Buffer.from_bytes(b"hello")
    assert isinstance(buf.as_array_like(), cp.ndarray)
    assert buf.to_bytes() == b"hello"
    assert (buf + buf).to_bytes() == b"hellohello"
    nd = gpu.NDBuffer.create(shape=(2, 3), dtype="f4", fill_value=np.nan)
    assert isinstance(nd.as_ndarray_like(), cp.ndarray)
    assert nd.all_equal(np.nan)
    assert nd.as_numpy_array().shape == (2, 3)


def test_pipeline_on_device_arrays() -> None:
    pipeline = pipeline_from_codecs([ShardingCodec(chunk_shape=(2, 2))])
    spec = ChunkSpec(
        shape=(4, 4), dtype=np.dtype("<i4"), fill_value=np.int32(0), prototype=gpu.buffer_prototype
    )
    data = cp.arange(16, dtype="<i4").reshape(4, 4)
    [enc] = pipeline.encode_batch([data], spec)
    assert isinstance(enc, gpu.Buffer)
    [dec] = pipeline.decode_batch([enc], spec, ["k"])
    assert isinstance(dec, cp.ndarray)
    assert bool((dec == data).all())
