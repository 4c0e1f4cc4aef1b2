# Everyday loop.  `just` lists the recipes.
py := ".venv/bin/python"

default:
    @just --list

setup:
    bash -c 'source scripts/env.sh && ensure_venv test'

test *args: setup
    {{py}} -m pytest -q {{args}}

lint: setup
    {{py}} -m ruff check src tests bench scripts
    {{py}} -m ruff format --check src tests bench scripts

fmt: setup
    {{py}} -m ruff check --fix src tests bench scripts
    {{py}} -m ruff format src tests bench scripts

typecheck: setup
    {{py}} -m mypy

generate: setup
    {{py}} scripts/generate_sync.py

check-generated: setup
    {{py}} scripts/generate_sync.py --check

# Build the documentation site into site/ (warnings are errors, as in the tests).
docs: setup
    NO_MKDOCS_2_WARNING=1 {{py}} -m mkdocs build --strict

# Serve the site on http://127.0.0.1:8000, rebuilding on every edit.
docs-serve: setup
    NO_MKDOCS_2_WARNING=1 {{py}} -m mkdocs serve --dev-addr 127.0.0.1:8000

# Parsers of untrusted bytes (metadata, chunks, shard indexes) with many examples.
fuzz *args: setup
    HYPOTHESIS_PROFILE=fuzz {{py}} -m pytest -q -p no:randomly tests/protocol/test_fuzz_metadata.py tests/protocol/test_fuzz_chunks.py {{args}}

# The full benchmark suite (docs/performance.md says how to read it).
bench *args: setup
    {{py}} bench/run.py {{args}}

# docs/performance.md's results table again from bench/results/latest.json.
bench-docs: setup
    {{py}} bench/run.py --from-json bench/results/latest.json --write-docs

demo:
    bash scripts/demo.sh

# xarray engine="anyzarr" against engine="zarr", and a dask read on a LocalCluster
bench-xarray *args: setup
    {{py}} bench/xarray_dask.py {{args}}

# zarr-python's own test suite against anyzarr (not CI; minutes).  Extra
# arguments go to the runner: test paths, -k, --reuse-control, --markdown FILE.
peer *args: setup
    {{py}} scripts/peer_suite.py {{args}}
