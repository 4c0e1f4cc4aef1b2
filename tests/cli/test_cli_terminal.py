"""The installed ``anyzarr`` command, run in a real pseudo-terminal (pexpect).

A terminal is what makes rich draw tables, trees and progress bars, so these
tests see what a person sees.  The command is the console script that pip put
next to the test interpreter; S3 is moto's server on 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import numcodecs
import numpy as np
import pexpect
import pytest

import anyzarr
from anyzarr.testing.servers import S3TestServer, moto_s3_server, serve_directory

ANYZARR = Path(sys.executable).with_name("anyzarr")
#: Colours and cursor moves: what rich sends a terminal besides the text.
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cli") / "src.zarr"
    group = anyzarr.open_group(root, mode="w", zarr_format=2, attributes={"title": "demo"})
    temp = group.create_array(
        "temperature",
        shape=(60, 40),
        dtype="f4",
        chunks=(20, 10),
        compressors=numcodecs.Zstd(level=1),
    )
    temp[:] = np.arange(2400, dtype="f4").reshape(60, 40)
    group.create_array("meta/ids", shape=(7,), dtype="i8", chunks=(3,))[:] = np.arange(7)
    anyzarr.consolidate_metadata(root)  # so that plain HTTP, which cannot list, can be walked
    return root


@pytest.fixture(scope="module")
def s3() -> Iterator[S3TestServer]:
    with moto_s3_server() as server:
        yield server


def run(*args: str, cwd: Path, env: dict[str, str] | None = None) -> tuple[int, str]:
    """Run ``anyzarr *args`` in a pseudo-terminal; its exit status and everything it showed."""
    child = pexpect.spawn(
        str(ANYZARR),
        list(args),
        cwd=str(cwd),
        env={**os.environ, "TERM": "xterm-256color", "COLUMNS": "120", **(env or {})},
        dimensions=(50, 120),
        encoding="utf-8",
        codec_errors="replace",
        timeout=60,
    )
    child.expect(pexpect.EOF)
    child.close()
    status = child.exitstatus if child.exitstatus is not None else -1
    return status, ANSI.sub("", child.before or "").replace("\r\n", "\n")


def test_console_script_and_module_entry_point() -> None:
    assert ANYZARR.exists(), "pip install the cli extra: the console script is missing"
    out = subprocess.run(
        [sys.executable, "-m", "anyzarr", "--help"], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0
    for command in ("info", "tree", "ls", "cat", "cp", "convert", "check", "consolidate"):
        assert command in out.stdout


def test_info_and_tree(source: Path) -> None:
    status, shown = run("info", str(source), "--path", "temperature", cwd=source.parent)
    assert status == 0, shown
    for text in ("(60, 40)", "float32", "(20, 10)", "zstd", "12 of 12", "ratio"):
        assert text in shown, shown
    status, shown = run("tree", str(source), cwd=source.parent)
    assert status == 0, shown
    assert "temperature (60 x 40) float32" in shown
    assert "ids (7) int64" in shown
    status, shown = run("info", str(source), "--json", cwd=source.parent)
    assert status == 0
    facts = json.loads(shown[shown.index("{") :])
    assert facts["node_type"] == "group"
    assert facts["arrays"] == 2


def test_cat_prints_a_selection(source: Path) -> None:
    status, shown = run(
        "cat", str(source), "-p", "temperature", "--select", "0:2, 5", cwd=source.parent
    )
    assert status == 0, shown
    assert "[ 5., 45.]" in shown


def test_cp_to_zip_shows_progress_and_resumes(source: Path, tmp_path: Path) -> None:
    status, shown = run("cp", str(source), "copy.zip", cwd=tmp_path)
    assert status == 0, shown
    assert "copying" in shown
    assert "━" in shown
    assert "24/24 chunks" in shown
    back = anyzarr.open_array(tmp_path / "copy.zip", path="temperature", mode="r")
    assert np.array_equal(back[:], np.arange(2400, dtype="f4").reshape(60, 40))
    status, shown = run("cp", str(source), "copy.zip", cwd=tmp_path)
    assert status == 0, shown
    assert "24 already there" in shown


def test_cp_to_s3(source: Path, tmp_path: Path, s3: S3TestServer) -> None:
    env = {
        "AWS_ENDPOINT_URL": s3.endpoint,
        "AWS_ACCESS_KEY_ID": s3.access_key_id,
        "AWS_SECRET_ACCESS_KEY": s3.secret_access_key,
        "AWS_REGION": s3.region,
        "AWS_ALLOW_HTTP": "true",
    }
    url = f"s3://{s3.bucket}/copied.zarr"
    status, shown = run("cp", str(source), url, cwd=tmp_path, env=env)
    assert status == 0, shown
    assert "copying" in shown
    assert "24/24 chunks" in shown
    status, shown = run("tree", url, cwd=tmp_path, env=env)
    assert status == 0, shown
    assert "temperature (60 x 40) float32" in shown


def test_cp_from_http_walks_the_consolidated_metadata(source: Path, tmp_path: Path) -> None:
    with serve_directory(source) as server:  # plain HTTP: the store cannot list
        status, shown = run("cp", server.url, "fromhttp.zarr", cwd=tmp_path)
    assert status == 0, shown
    back = anyzarr.open_array(tmp_path / "fromhttp.zarr", path="meta/ids", mode="r")
    assert list(back[:]) == list(range(7))


def test_convert_v2_to_sharded_v3(source: Path, tmp_path: Path) -> None:
    status, shown = run(
        "convert", str(source), "v3.zarr", "--zarr-format", "3", "--chunks", "10,10",
        "--shards", "20,20", "--compressors", "zstd:level=3", "--compressors", "crc32c",
        cwd=tmp_path,
    )  # fmt: skip
    assert status == 0, shown
    assert "converting" in shown
    assert "━" in shown
    out = anyzarr.open_array(tmp_path / "v3.zarr", path="temperature", mode="r")
    assert (out.metadata.zarr_format, out.shards, out.chunks) == (3, (20, 20), (10, 10))
    assert np.array_equal(out[:], np.arange(2400, dtype="f4").reshape(60, 40))


def test_check_names_the_corrupt_chunk_and_exits_1(source: Path, tmp_path: Path) -> None:
    anyzarr.copy_hierarchy(source, tmp_path / "bad.zarr")
    status, shown = run("check", "bad.zarr", cwd=tmp_path)
    assert status == 0, shown
    assert "ok:" in shown
    chunk = tmp_path / "bad.zarr" / "temperature" / "1.2"
    raw = bytearray(chunk.read_bytes())
    raw[0] ^= 0xFF  # zstd frames without a checksum only notice a broken header
    chunk.write_bytes(bytes(raw))
    status, shown = run("check", "bad.zarr", cwd=tmp_path)
    assert status == 1, shown
    assert "temperature/1.2" in shown
    assert "1 problem" in shown
    status, shown = run("check", "bad.zarr", "--json", cwd=tmp_path)
    assert status == 1
    report = json.loads(shown[shown.index("{") :])
    assert [p["key"] for p in report["problems"]] == ["temperature/1.2"]


def test_check_repair_removes_what_crashed_writers_left(source: Path, tmp_path: Path) -> None:
    anyzarr.copy_hierarchy(source, tmp_path / "left.zarr")
    chunk_dir = tmp_path / "left.zarr" / "temperature"
    # A temp file of a writer that died: an impossible pid on this host.
    from anyzarr.io.stores._temp_files import _HOST, TEMP_SUFFIX

    leftover = chunk_dir / f".1.2.{_HOST}-999999999-1-0{TEMP_SUFFIX}"
    leftover.write_bytes(b"half a chunk")
    status, shown = run("check", "left.zarr", cwd=tmp_path)
    assert status == 0, shown
    assert leftover.exists()  # checking alone changes nothing
    status, shown = run("check", "left.zarr", "--repair", "--json", cwd=tmp_path)
    assert status == 0, shown
    report = json.loads(shown[shown.index("{") :])
    assert report["removed_leftovers"] == ["temperature/" + leftover.name]
    assert not leftover.exists()


def test_errors_are_one_line_and_exit_2(tmp_path: Path) -> None:
    status, shown = run("info", "missing.zarr", cwd=tmp_path)
    assert status == 2
    assert "error" in shown
    assert "Traceback" not in shown


@pytest.mark.parametrize(
    ("blocked", "args", "extra"),
    [
        ("trio", ["--backend", "trio", "ls", "."], "trio"),
        # plain HTTP needs h11 (httpx only for https, proxies, callers' clients)
        ("h11", ["info", "http://127.0.0.1:9/x.zarr"], "remote"),
        ("typer", ["--help"], "cli"),
    ],
)
def test_a_missing_extra_is_named_without_a_traceback(
    blocked: str, args: list[str], extra: str, tmp_path: Path
) -> None:
    # ``sys.modules[name] = None`` makes importing ``name`` fail as if it were absent.
    code = f"import sys; sys.modules[{blocked!r}] = None; from anyzarr.cli import main; main()"
    out = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert out.returncode == 2, out.stderr
    assert f"pip install 'anyzarr[{extra}]'" in " ".join(out.stderr.split())
    assert "Traceback" not in out.stderr


def test_cat_without_select_refuses_a_large_array(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from anyzarr.cli import _app, main

    anyzarr.create_array(tmp_path / "a.zarr", shape=(100,), dtype="i8")
    monkeypatch.setattr(_app, "_WHOLE_ARRAY_LIMIT", 100)
    with pytest.raises(SystemExit) as exited:
        main(["cat", str(tmp_path / "a.zarr")])
    assert exited.value.code == 2
    assert "--select" in " ".join(capsys.readouterr().err.split())
    with pytest.raises(SystemExit) as exited:
        main(["cat", str(tmp_path / "a.zarr"), "--select", "0:3", "--json"])
    assert exited.value.code == 0
    assert '"shape": [' in capsys.readouterr().out


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
def test_ctrl_c_leaves_whole_objects_and_the_copy_resumes(backend: str, tmp_path: Path) -> None:
    data = np.arange(1, 201, dtype="i4")
    anyzarr.create_array(tmp_path / "many.zarr", shape=(200,), chunks=(1,), dtype="i4")[:] = data
    with serve_directory(tmp_path / "many.zarr", latency=0.02) as server:
        child = pexpect.spawn(
            str(ANYZARR),
            ["--backend", backend, "cp", server.url, "out.zip", "--concurrency", "2"],
            cwd=str(tmp_path),
            env={**os.environ, "TERM": "xterm-256color"},
            dimensions=(50, 120),
            encoding="utf-8",
            codec_errors="replace",  # ^C may cut a multi-byte bar character
            timeout=60,
        )
        child.expect(r"[1-9]\d*/201 chunks")  # the copy is under way
        child.sendintr()
        child.expect(pexpect.EOF)
        child.close()
        assert child.exitstatus == 130
        assert "run the same command again" in ANSI.sub("", child.before or "")
        with zipfile.ZipFile(tmp_path / "out.zip") as archive:  # its directory was written
            written = archive.namelist()
            assert 0 < len(written) < 200
            assert "zarr.json" not in written  # metadata goes last
            for name in written:
                assert archive.read(name) == (tmp_path / "many.zarr" / name).read_bytes()
        status, shown = run("cp", server.url, "out.zip", cwd=tmp_path)
    assert status == 0, shown
    assert f"{len(written)} already there" in shown
    assert np.array_equal(anyzarr.open_array(tmp_path / "out.zip", mode="r")[:], data)
