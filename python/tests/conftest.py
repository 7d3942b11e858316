"""Shared fixtures: the repository's paths, the `stance` binary the Python results are compared
with, and the corpus (../shared), which tests that need it skip without."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "data" / "examples.jsonl"
ARTICLES = sorted((ROOT / "data" / "articles").glob("*.txt"))
CORPUS = ROOT.parent / "shared" / "corpus" / "ukraine-media.jsonl"
IN_CI = bool(os.environ.get("CI"))


def _binary() -> Path | None:
    given = os.environ.get("STANCE_BIN")
    if given:
        return Path(given)
    for profile in ("release", "debug"):
        path = ROOT / "target" / profile / "stance"
        if path.is_file():
            return path
    return None


@pytest.fixture(scope="session")
def cli():
    """Runs the `stance` binary (STANCE_BIN, else target/release or target/debug) and returns
    its stdout; in CI a missing binary is a failure, elsewhere the test is skipped."""
    binary = _binary()
    if binary is None or not binary.is_file():
        if IN_CI:
            pytest.fail("no stance binary: build it (cargo build --release) or set STANCE_BIN")
        pytest.skip("no stance binary (cargo build --release, or set STANCE_BIN)")

    def run(*args, stdin: bytes | None = None) -> bytes:
        done = subprocess.run(
            [str(binary), *map(str, args)], input=stdin, capture_output=True, check=False
        )
        if done.returncode != 0:
            raise AssertionError(f"stance {' '.join(map(str, args))} failed: {done.stderr.decode()}")
        return done.stdout

    return run


@pytest.fixture(scope="session")
def examples():
    """The repository's 48 labelled examples, as dicts."""
    return [json.loads(line) for line in EXAMPLES.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="session")
def corpus():
    """The corpus articles, as dicts; skipped when ../shared is absent."""
    if not CORPUS.is_file():
        pytest.skip(f"needs the corpus at {CORPUS} (../shared beside the clone)")
    with CORPUS.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def jsonl(data: bytes) -> list[dict]:
    return [json.loads(line) for line in data.decode("utf-8").splitlines() if line.strip()]


def assert_records_equal(ours, theirs, path="record", tol=1e-12):
    """Equal keys everywhere and equal values; floats within `tol`."""
    if isinstance(theirs, dict):
        assert isinstance(ours, dict), f"{path}: {type(ours).__name__}, expected dict"
        assert set(ours) == set(theirs), f"{path}: keys {sorted(ours)} != {sorted(theirs)}"
        for k in theirs:
            assert_records_equal(ours[k], theirs[k], f"{path}.{k}", tol)
    elif isinstance(theirs, list):
        assert isinstance(ours, list) and len(ours) == len(theirs), f"{path}: lengths differ"
        for i, (a, b) in enumerate(zip(ours, theirs)):
            assert_records_equal(a, b, f"{path}[{i}]", tol)
    elif isinstance(theirs, float) and not isinstance(ours, bool):
        assert abs(ours - theirs) <= tol, f"{path}: {ours!r} != {theirs!r}"
    else:
        assert ours == theirs and type(ours) is type(theirs), f"{path}: {ours!r} != {theirs!r}"
