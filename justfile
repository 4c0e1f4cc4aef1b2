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

bench *args: setup
    {{py}} bench/run.py {{args}}

demo: setup
    {{py}} scripts/demo.py

# zarr-python's own test suite against anyzarr (not CI; minutes).  Extra
# arguments go to the runner: test paths, -k, --reuse-control, --markdown FILE.
peer *args: setup
    {{py}} scripts/peer_suite.py {{args}}
