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

docs:
    @ls docs

# Parsers of untrusted bytes (metadata, chunks, shard indexes) with many examples.
fuzz *args: setup
    HYPOTHESIS_PROFILE=fuzz {{py}} -m pytest -q -p no:randomly tests/protocol/test_fuzz_metadata.py tests/protocol/test_fuzz_chunks.py {{args}}

bench *args: setup
    {{py}} bench/run.py {{args}}

demo: setup
    {{py}} scripts/demo.py
