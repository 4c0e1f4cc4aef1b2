"""The commands of ``anyzarr`` (typer), each a thin layer over a public function.

Paths name stores the way every anyzarr function takes them: a local
directory, a ``.zip`` file, ``file://``, ``http(s)://`` or ``s3://`` (and
``gs://``, ``az://``) URLs; ``--path`` picks a node inside the store and
``-o key=value`` passes options to remote stores (obstore or HTTP).  Every
command has ``--json`` for scripts.  Exit codes: 0 success, 1 ``check``
found problems, 2 an error (its message on stderr), 130 interrupted.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Annotated, Any, Literal

import anyio
import numpy as np
import typer
from rich.markup import escape

from anyzarr.api import asynchronous as azarr
from anyzarr.api._array import AsyncArray
from anyzarr.api._group import AsyncGroup
from anyzarr.api._progress import TransferProgress
from anyzarr.cli._describe import array_facts, group_facts, jsonable, member_rows, tree_facts
from anyzarr.cli._render import (
    ProgressBar,
    err_console,
    out_console,
    print_json,
    render_facts,
    render_members,
    render_tree,
)
from anyzarr.cli._selection import parse_selection
from anyzarr.io._store_path import StorePath, make_store_path
from anyzarr.io.stores._local import LocalStore
from anyzarr.protocol._dependencies import MissingDependencyError, import_optional
from anyzarr.protocol._errors import AnyzarrError

__all__ = ["app"]

app = typer.Typer(
    name="anyzarr",
    help="Look inside, copy, convert and check Zarr hierarchies (formats 2 and 3).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)

_state: dict[str, Any] = {"backend": "asyncio"}

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for scripts instead of tables.")]
PathOpt = Annotated[str, typer.Option("--path", "-p", help="A node inside the store.")]
Options = Annotated[
    list[str] | None,
    typer.Option(
        "--storage-option",
        "-o",
        help="KEY=VALUE for remote stores (obstore or HTTP); VALUE is JSON where it parses.",
    ),
]
#: ``cat`` without ``--select`` reads the whole array; past this it asks for a selection.
_WHOLE_ARRAY_LIMIT = 256 * 2**20

QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")]


class _Failed(Exception):
    """A command failed in a way that has a message for the user."""


@app.callback()
def _main(
    backend: Annotated[
        str, typer.Option(help="Event loop to run on: asyncio or trio.")
    ] = "asyncio",
    verbose: Annotated[
        int,
        typer.Option(
            "--verbose",
            "-v",
            count=True,
            help="Log to stderr: -v copies and retries, -vv requests.",
        ),
    ] = 0,
) -> None:
    if backend not in ("asyncio", "trio"):
        raise typer.BadParameter("expected asyncio or trio", param_hint="--backend")
    if backend == "trio":
        try:
            import_optional("trio", "--backend trio")
        except MissingDependencyError as exc:
            err_console.print(f"[bold red]error[/]: {escape(str(exc))}", highlight=False)
            raise typer.Exit(2) from None
    _state["backend"] = backend
    _configure_logging(verbose)


def _configure_logging(verbose: int) -> None:
    """Send the ``anyzarr.*`` loggers to stderr through rich, at the level ``-v`` asks for."""
    import logging

    from rich.logging import RichHandler

    logger = logging.getLogger("anyzarr")
    logger.setLevel(logging.DEBUG if verbose > 1 else logging.INFO if verbose else logging.WARNING)
    handler = RichHandler(console=err_console, show_path=False, markup=False)
    logger.handlers[:] = [handler]
    logger.propagate = False


def _run[T](fn: Callable[[], Awaitable[T]]) -> T:
    """Run ``fn`` on the chosen event loop; errors become a message and exit code 2."""
    try:
        return anyio.run(fn, backend=_state["backend"])
    except KeyboardInterrupt:
        err_console.print(
            "[yellow]interrupted[/]: every object written is complete; "
            "run the same command again to resume"
        )
        raise typer.Exit(130) from None
    except (_Failed, AnyzarrError, OSError, ValueError, TypeError, KeyError) as exc:
        err_console.print(f"[bold red]error[/]: {escape(str(exc))}", highlight=False)
        raise typer.Exit(2) from None


def _storage_options(items: list[str] | None) -> dict[str, Any] | None:
    if not items:
        return None
    options: dict[str, Any] = {}
    for item in items:
        key, eq, value = item.partition("=")
        if not eq or not key:
            raise typer.BadParameter(f"expected KEY=VALUE, got {item!r}", param_hint="-o")
        try:
            options[key] = json.loads(value)
        except json.JSONDecodeError:
            options[key] = value
    return options


def _is_remote(location: str) -> bool:
    scheme, sep, _ = location.partition("://")
    return bool(sep) and scheme.lower() not in ("file", "memory")


@asynccontextmanager
async def _opened(
    location: str, path: str, mode: Literal["r", "a"], options: dict[str, Any] | None
) -> AsyncIterator[StorePath]:
    """The store path, closed on the way out whatever happens."""
    sp = await make_store_path(
        location,
        path=path,
        mode=mode,
        storage_options=options if _is_remote(location) else None,
    )
    try:
        yield sp
    finally:
        # Shielded: a zip archive writes its directory on close, even after Ctrl-C.
        with anyio.CancelScope(shield=True):
            await sp.store.close()


async def _node(sp: StorePath) -> AsyncArray[Any] | AsyncGroup:
    return await azarr.open(sp, mode="r")


def _where(location: str, path: str) -> str:
    return f"{location}" + (f" ({path})" if path else "")


@app.command()
def info(
    location: Annotated[str, typer.Argument(metavar="PATH", help="Store path or URL.")],
    path: PathOpt = "",
    json_output: JsonOpt = False,
    storage_option: Options = None,
) -> None:
    """Format, shape, dtype, chunks, shards, codecs and stored sizes of an array or group."""
    options = _storage_options(storage_option)

    async def run() -> dict[str, Any]:
        async with _opened(location, path, "r", options) as sp:
            node = await _node(sp)
            if isinstance(node, AsyncArray):
                return await array_facts(node)
            return await group_facts(node)

    facts = _run(run)
    if json_output:
        print_json(facts)
    else:
        render_facts(facts, _where(location, path))


@app.command()
def tree(
    location: Annotated[str, typer.Argument(metavar="PATH", help="Store path or URL.")],
    path: PathOpt = "",
    depth: Annotated[int | None, typer.Option(help="Levels to show (default all).")] = None,
    json_output: JsonOpt = False,
    storage_option: Options = None,
) -> None:
    """The hierarchy below a group, with each array's shape and dtype."""
    options = _storage_options(storage_option)

    async def run() -> dict[str, Any]:
        async with _opened(location, path, "r", options) as sp:
            return await tree_facts(await _node(sp), path or "/", depth)

    facts = _run(run)
    if json_output:
        print_json(facts)
    else:
        render_tree(facts)


@app.command()
def ls(
    location: Annotated[str, typer.Argument(metavar="PATH", help="Store path or URL.")],
    path: PathOpt = "",
    keys: Annotated[
        bool, typer.Option("--keys", help="List the stored keys instead of members.")
    ] = False,
    json_output: JsonOpt = False,
    storage_option: Options = None,
) -> None:
    """The members of a group (or, with --keys, every stored key below the path)."""
    options = _storage_options(storage_option)

    async def run() -> list[Any]:
        async with _opened(location, path, "r", options) as sp:
            if keys:
                prefix = f"{sp.path}/" if sp.path else ""
                return sorted([k async for k in sp.store.list_prefix(prefix)])
            node = await _node(sp)
            if not isinstance(node, AsyncGroup):
                raise _Failed(f"{_where(location, path)} is an array; use info or cat")
            return await member_rows(node)

    rows = _run(run)
    if json_output:
        print_json(rows)
    elif keys:
        for key in rows:
            print(key)
    else:
        render_members(rows)


@app.command()
def cat(
    location: Annotated[str, typer.Argument(metavar="PATH", help="Store path or URL.")],
    select: Annotated[
        str, typer.Option("--select", "-s", help='A selection such as "0:10, 5" or "..., 3".')
    ] = "",
    path: PathOpt = "",
    json_output: JsonOpt = False,
    storage_option: Options = None,
) -> None:
    """Print a selection of an array (numpy's summary for large ones; --json prints all)."""
    options = _storage_options(storage_option)
    try:
        selection = parse_selection(select)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--select") from None

    async def run() -> Any:
        async with _opened(location, path, "r", options) as sp:
            node = await _node(sp)
            if not isinstance(node, AsyncArray):
                raise _Failed(f"{_where(location, path)} is a group; use ls or tree")
            if not select.strip() and node.nbytes > _WHOLE_ARRAY_LIMIT:
                raise _Failed(
                    f"{_where(location, path)} holds {node.nbytes:,} bytes uncompressed; "
                    "pick a part with --select"
                )
            return await node.getitem(selection)

    data = np.asarray(_run(run))
    if json_output:
        print_json(
            {"select": select, "shape": list(data.shape), "dtype": str(data.dtype)}
            | {"data": jsonable(data)}
        )
    else:
        print(np.array2string(data, separator=", ") if data.ndim else repr(data[()]))


def _summary(verb: str, result: TransferProgress, seconds: float) -> None:
    skipped = f", {result.chunks_skipped} already there" if result.chunks_skipped else ""
    missing = f", {result.chunks_missing} absent in the source" if result.chunks_missing else ""
    err_console.print(
        f"{verb} {result.chunks_done} objects{skipped}{missing}, "
        f"{result.bytes_done:,} bytes in {seconds:.1f} s",
        highlight=False,
    )


def _report(result: TransferProgress, seconds: float) -> dict[str, Any]:
    return dataclasses.asdict(result) | {"seconds": round(seconds, 3)}


@app.command()
def cp(
    source: Annotated[str, typer.Argument(metavar="SRC", help="Store path or URL to copy.")],
    dest: Annotated[str, typer.Argument(metavar="DST", help="Store path or URL to write.")],
    path: PathOpt = "",
    dest_path: Annotated[str, typer.Option(help="Where to write inside DST.")] = "",
    skip_existing: Annotated[
        str,
        typer.Option(
            help="Skip objects DST already holds: equal (same bytes), same-size, or never."
        ),
    ] = "equal",
    concurrency: Annotated[
        int | None, typer.Option(min=1, help="Objects in flight at once.")
    ] = None,
    json_output: JsonOpt = False,
    quiet: QuietOpt = False,
    storage_option: Options = None,
) -> None:
    """Copy a hierarchy between stores, byte for byte, concurrently and resumably.

    Objects DST already holds unchanged are skipped, so after an interruption
    the same command finishes the copy.  Metadata is written last.
    """
    options = _storage_options(storage_option)
    if skip_existing not in ("equal", "same-size", "never"):
        raise typer.BadParameter("expected equal, same-size or never", param_hint="--skip-existing")
    bar = ProgressBar("copying", enabled=err_console.is_terminal and not (json_output or quiet))

    async def run() -> TransferProgress:
        async with (
            _opened(source, path, "r", options) as src,
            _opened(dest, dest_path, "a", options) as dst,
        ):
            with bar.shown():
                return await azarr.copy_hierarchy(
                    src,
                    dst,
                    skip_existing=skip_existing,  # type: ignore[arg-type]
                    concurrency=concurrency,
                    progress=bar.update,
                )

    started = time.perf_counter()
    result = _run(run)
    seconds = time.perf_counter() - started
    if json_output:
        print_json(_report(result, seconds))
    else:
        _summary("copied", result, seconds)


def _shape(text: str | None, option: str) -> tuple[int, ...] | None:
    if text is None:
        return None
    try:
        return tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise typer.BadParameter(
            f"expected integers like 100,100, got {text!r}", param_hint=option
        ) from None


@app.command()
def convert(
    source: Annotated[str, typer.Argument(metavar="SRC", help="Store path or URL to read.")],
    dest: Annotated[str, typer.Argument(metavar="DST", help="Store path or URL to write.")],
    path: PathOpt = "",
    dest_path: Annotated[str, typer.Option(help="Where to write inside DST.")] = "",
    zarr_format: Annotated[int | None, typer.Option(help="2 or 3 (default: SRC's).")] = None,
    chunks: Annotated[str | None, typer.Option(help="Chunk shape, e.g. 100,100.")] = None,
    shards: Annotated[
        str | None, typer.Option(help='Shard shape, e.g. 1000,1000, or "none".')
    ] = None,
    compressors: Annotated[
        list[str] | None,
        typer.Option(
            help='A codec spec ("zstd:level=5", "blosc:cname=lz4", JSON) or "none"; repeatable.'
        ),
    ] = None,
    dtype: Annotated[str | None, typer.Option(help="Data type to cast to, e.g. float32.")] = None,
    overwrite: Annotated[bool, typer.Option(help="Replace nodes DST already has.")] = False,
    json_output: JsonOpt = False,
    quiet: QuietOpt = False,
    storage_option: Options = None,
) -> None:
    """Rewrite a hierarchy with another format, chunks, shards, compressors or dtype.

    Data streams one destination shard (or chunk) at a time, so memory stays
    bounded whatever the size of the arrays.
    """
    options = _storage_options(storage_option)
    if zarr_format not in (None, 2, 3):
        raise typer.BadParameter("expected 2 or 3", param_hint="--zarr-format")
    shard_shape: Any = "keep"
    if shards is not None:
        shard_shape = None if shards.strip().lower() == "none" else _shape(shards, "--shards")
    codecs: Any = "keep"
    if compressors:
        codecs = [] if [c.strip().lower() for c in compressors] == ["none"] else compressors
    bar = ProgressBar("converting", enabled=err_console.is_terminal and not (json_output or quiet))

    async def run() -> TransferProgress:
        async with (
            _opened(source, path, "r", options) as src,
            _opened(dest, dest_path, "a", options) as dst,
        ):
            with bar.shown():
                return await azarr.convert_hierarchy(
                    src,
                    dst,
                    zarr_format=zarr_format,  # type: ignore[arg-type]
                    chunks=_shape(chunks, "--chunks"),
                    shards=shard_shape,
                    compressors=codecs,
                    dtype=dtype,
                    overwrite=overwrite,
                    progress=bar.update,
                )

    started = time.perf_counter()
    result = _run(run)
    seconds = time.perf_counter() - started
    if json_output:
        print_json(_report(result, seconds))
    else:
        _summary("wrote", result, seconds)


@app.command()
def check(
    location: Annotated[str, typer.Argument(metavar="PATH", help="Store path or URL.")],
    path: PathOpt = "",
    missing_chunks: Annotated[
        str, typer.Option(help="ignore (they read as the fill value) or error.")
    ] = "ignore",
    repair: Annotated[
        bool,
        typer.Option(
            "--repair",
            help="Also remove the temp files that crashed writers left (local stores).",
        ),
    ] = False,
    json_output: JsonOpt = False,
    quiet: QuietOpt = False,
    storage_option: Options = None,
) -> None:
    """Read and decode every chunk, verifying checksums; exit 1 naming each bad key."""
    options = _storage_options(storage_option)
    if missing_chunks not in ("ignore", "error"):
        raise typer.BadParameter("expected ignore or error", param_hint="--missing-chunks")
    bar = ProgressBar("checking", enabled=err_console.is_terminal and not (json_output or quiet))
    removed: list[str] = []

    async def run() -> azarr.CheckReport:
        async with _opened(location, path, "a" if repair else "r", options) as sp:
            with bar.shown():
                report = await azarr.check_hierarchy(
                    sp,
                    missing_chunks=missing_chunks,  # type: ignore[arg-type]
                    progress=bar.update,
                )
            if repair and isinstance(sp.store, LocalStore):
                removed.extend(await sp.store.remove_leftovers(sp.path))
            return report

    report = _run(run)
    if json_output:
        extra = {"removed_leftovers": removed} if repair else {}
        print_json(dataclasses.asdict(report) | {"ok": report.ok} | extra)
    else:
        if repair:
            out_console.print(
                f"removed {len(removed)} leftover temp file(s)"
                + "".join(f"\n  {escape(name)}" for name in removed),
                highlight=False,
            )
        for problem in report.problems:
            out_console.print(
                f"[bold red]{problem.kind}[/] {escape(problem.key)}: {escape(problem.message)}",
                highlight=False,
            )
        missing = "unknown" if report.chunks_missing is None else report.chunks_missing
        verdict = "[green]ok[/]" if report.ok else f"[red]{len(report.problems)} problem(s)[/]"
        out_console.print(
            f"{verdict}: {report.arrays} arrays, {report.groups} groups, "
            f"{report.chunks_checked} chunks read, {missing} not stored",
            highlight=False,
        )
    if not report.ok:
        raise typer.Exit(1)


@app.command()
def consolidate(
    location: Annotated[str, typer.Argument(metavar="PATH", help="Store path or URL.")],
    path: PathOpt = "",
    json_output: JsonOpt = False,
    storage_option: Options = None,
) -> None:
    """Record every member's metadata in the group, so it opens in one read."""
    options = _storage_options(storage_option)

    async def run() -> int:
        async with _opened(location, path, "a", options) as sp:
            group = await azarr.consolidate_metadata(sp)
            return await group.nmembers(max_depth=None)

    members = _run(run)
    if json_output:
        print_json({"path": path, "consolidated": True, "members": members})
    else:
        out_console.print(f"consolidated the metadata of {members} members", highlight=False)
