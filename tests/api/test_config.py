"""anyzarr.config: zarr-python's keys and defaults, set/reset, env variables, threads."""

from __future__ import annotations

import sys
import threading

import pytest

import anyzarr
from anyzarr.io._config import DEFAULTS, Config


def _flatten(tree: dict[str, object], prefix: str = "") -> dict[str, object]:
    out: dict[str, object] = {}
    for key, value in tree.items():
        if isinstance(value, dict) and key not in ("codecs",):
            out.update(_flatten(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def test_top_level_config_is_the_shared_object() -> None:
    from anyzarr.config import config, get

    module = sys.modules["anyzarr.config"]
    assert anyzarr.config is config
    assert module.config is config
    assert get("array.order") == config.get("array.order")
    with module.set({"json_indent": 7}):
        assert anyzarr.config.get("json_indent") == 7


@pytest.mark.interop
def test_defaults_match_zarr_python_for_shared_keys() -> None:
    zarr = pytest.importorskip("zarr")
    theirs = _flatten(zarr.config.config)
    ours = _flatten(Config(environ={}).to_dict())
    # Values that name zarr-python classes differ on purpose; the rest must agree.
    same = [k for k in theirs if not isinstance(theirs[k], str) or "zarr." not in str(theirs[k])]
    skipped = {"codecs", "codec_pipeline.path"}
    for key in same:
        if key in skipped:
            continue
        assert key in ours, f"config key {key!r} is missing"
        assert ours[key] == theirs[key], key


def test_anyzarr_own_keys() -> None:
    cfg = Config(environ={})
    assert cfg.get("sync.backend") == "asyncio"
    assert cfg.get("codecs.allow_pickle") is False
    assert cfg.get("default_zarr_format") == 3
    assert cfg.get("async.concurrency") == 10


def test_get_missing_and_default() -> None:
    cfg = Config(environ={})
    with pytest.raises(KeyError, match="nope"):
        cfg.get("nope")
    assert cfg.get("nope", 5) == 5
    assert cfg.get("array.order.deeper", 7) == 7
    assert "array.order" in cfg
    assert "array.nope" not in cfg


def test_set_as_context_manager_restores() -> None:
    cfg = Config(environ={})
    with cfg.set({"array.order": "F", "brand.new": 1}) as inside:
        assert inside is cfg
        assert cfg.get("array.order") == "F"
        assert cfg.get("brand.new") == 1
    assert cfg.get("array.order") == "C"
    assert cfg.get("brand.new", None) is None


def test_set_without_context_manager_persists_and_reset_restores() -> None:
    cfg = Config(environ={})
    cfg.set(array__write_empty_chunks=True)
    assert cfg.get("array.write_empty_chunks") is True
    cfg.reset(environ={})
    assert cfg.get("array.write_empty_chunks") is False


def test_set_nested_dict_replaces_subtree_and_hyphen_alias() -> None:
    cfg = Config(environ={})
    with cfg.set({"async": {"concurrency": 3}}):
        assert cfg.get("async") == {"concurrency": 3}
    assert cfg.get("async.timeout", "absent") is None
    with cfg.set({"array.write-empty-chunks": True}):
        assert cfg.get("array.write_empty_chunks") is True
        assert cfg.get("array.write-empty-chunks") is True


def test_update_merges() -> None:
    cfg = Config(environ={})
    cfg.update({"array": {"order": "F"}})
    assert cfg.get("array.order") == "F"
    assert cfg.get("array.write_empty_chunks") is False


def test_enable_gpu_switches_buffers() -> None:
    cfg = Config(environ={})
    with cfg.enable_gpu():
        assert "gpu" in cfg.get("buffer")
        assert "gpu" in cfg.get("ndbuffer")
    assert "cpu" in cfg.get("buffer")


def test_environment_variables() -> None:
    env = {
        "ZARR_ARRAY__ORDER": "F",
        "ZARR_ASYNC__CONCURRENCY": "20",
        "ZARR_JSON_INDENT": "4",
        "ZARR_DEFAULT_ZARR_FORMAT": "2",
        "ANYZARR_SYNC__BACKEND": "trio",
        "ZARR_SOME__TEXT": "not a literal",
        "ANYZARR_ASYNC__CONCURRENCY": "30",
        "OTHER_THING": "1",
    }
    cfg = Config(environ=env)
    assert cfg.get("array.order") == "F"
    assert cfg.get("json_indent") == 4
    assert cfg.get("default_zarr_format") == 2
    assert cfg.get("sync.backend") == "trio"
    assert cfg.get("some.text") == "not a literal"
    # ANYZARR_ wins over ZARR_.
    assert cfg.get("async.concurrency") == 30
    assert cfg.get("other_thing", None) is None


def test_process_environment_is_read_on_reset(monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = Config()
    monkeypatch.setenv("ZARR_ARRAY__ORDER", "F")
    assert cfg.get("array.order") == "C"
    cfg.refresh()
    assert cfg.get("array.order") == "F"


def test_defaults_are_not_mutated() -> None:
    cfg = Config(environ={})
    cfg.set({"array.order": "F"})
    assert DEFAULTS["array"]["order"] == "C"
    assert cfg.defaults[0]["array"]["order"] == "C"


def test_concurrent_readers_see_consistent_values() -> None:
    cfg = Config(environ={})
    seen: set[object] = set()
    stop = threading.Event()

    def reader() -> None:
        while not stop.is_set():
            seen.add(cfg.get("array.order"))

    threads = [threading.Thread(target=reader) for _ in range(4)]
    for t in threads:
        t.start()
    for _ in range(300):
        with cfg.set({"array.order": "F"}):
            pass
    stop.set()
    for t in threads:
        t.join()
    assert seen <= {"C", "F"}
    assert cfg.get("array.order") == "C"


def test_bad_key() -> None:
    cfg = Config(environ={})
    with pytest.raises(KeyError, match=r"a\.\.b"):
        cfg.get("a..b")


def test_repeated_reads_follow_every_change() -> None:
    """`get` remembers answers per snapshot; set, update, restore and reset all show at once."""
    cfg = Config(DEFAULTS, environ={})
    assert cfg.get("array.order") == "C"
    assert cfg.get("array.order") == "C"
    with cfg.set({"array.order": "F"}):
        assert cfg.get("array.order") == "F"
    assert cfg.get("array.order") == "C"
    cfg.update({"array": {"order": "F"}})
    assert cfg.get("array.order") == "F"
    cfg.reset(environ={})
    assert cfg.get("array.order") == "C"
    assert cfg.get("no.such.key", None) is None
    cfg.set({"no.such.key": 3})
    assert cfg.get("no.such.key", None) == 3
