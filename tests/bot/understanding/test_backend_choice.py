"""Choosing the encoder backend: the rules on given timings, the record, and one real choice."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import pytest

from bot.understanding import backend_choice
from bot.understanding.backend_choice import (
    TOLERANCE,
    Measurement,
    NoBackendWithinTolerance,
    choose,
    resolve,
    thread_counts,
)
from bot.understanding.cpu import cpu_identity
from tests.conftest import CACHE_DIR

MODEL = "builtin:multilingual-e5-small"


def m(backend: str, threads: int, ms: float, cosine: float = 1.0, error: str = "") -> Measurement:
    return Measurement(backend, threads, ms_p50=ms, ms_mean=ms, min_cosine=cosine, error=error)


# Timings as measured on two of this project's machines (ms per message, one at a time).
VNNI = [m("onnx-int8", 1, 3.1, 0.9949), m("onnx-fp32", 1, 9.0), m("torch", 1, 17.6)]
AVX2 = [m("onnx-int8", 1, 22.0, 0.9949), m("onnx-fp32", 1, 30.0), m("torch", 1, 65.0)]


def test_the_fastest_backend_within_tolerance_wins() -> None:
    assert choose(VNNI, max_threads=1).backend == "onnx-int8"
    slow_int8 = [m("onnx-int8", 1, 40.0, 0.995), m("onnx-fp32", 1, 30.0), m("torch", 1, 65.0)]
    assert choose(slow_int8, max_threads=1).backend == "onnx-fp32"


def test_int8_that_drifts_beyond_tolerance_is_never_picked_however_fast() -> None:
    drifted = [m("onnx-int8", 1, 1.0, TOLERANCE - 0.001), *AVX2[1:]]
    picked = choose(drifted, max_threads=1)
    assert picked.backend == "onnx-fp32"
    assert choose(drifted, max_threads=1, tolerance=0.98).backend == "onnx-int8"


def test_more_threads_than_the_budget_are_not_picked() -> None:
    timings = [m("onnx-fp32", 1, 30.0), m("torch", 1, 65.0), m("torch", 2, 20.0)]
    assert choose(timings, max_threads=1).backend == "onnx-fp32"
    assert (choose(timings, max_threads=2).backend, choose(timings, max_threads=2).threads) == (
        "torch",
        2,
    )


def test_near_ties_go_to_fewer_threads_then_to_the_smaller_model() -> None:
    tie = [m("torch", 2, 10.0), m("torch", 1, 10.3), m("onnx-fp32", 1, 10.4)]
    picked = choose(tie, max_threads=2)
    assert (picked.backend, picked.threads) == ("onnx-fp32", 1)
    clear_win = [m("torch", 2, 5.0), m("torch", 1, 10.0), m("onnx-fp32", 1, 10.4)]
    assert choose(clear_win, max_threads=2).threads == 2


def test_failed_backends_are_skipped_and_nothing_usable_is_an_error() -> None:
    failed = [m("onnx-int8", 1, 0.0, error="no onnxruntime"), m("torch", 1, 65.0)]
    assert choose(failed, max_threads=1).backend == "torch"
    with pytest.raises(NoBackendWithinTolerance, match="no onnxruntime"):
        choose([failed[0]], max_threads=1)


def test_thread_counts_are_one_two_and_the_budget_on_the_cores_there_are() -> None:
    assert thread_counts(1, cpus=2) == (1, 2)
    assert thread_counts(4, cpus=8) == (1, 2, 4)
    assert thread_counts(4, cpus=1) == (1,)


X86 = """processor\t: 0
vendor_id\t: AuthenticAMD
model name\t: AMD EPYC 7B13
flags\t\t: fpu sse4_2 avx avx2 fma avx512f avx512_vnni

processor\t: 1
model name\t: AMD EPYC 7B13
flags\t\t: fpu sse4_2 avx avx2 fma avx512f avx512_vnni
"""
ARM = """processor\t: 0
BogoMIPS\t: 50.00
Features\t: fp asimd evtstrm aes asimddp sve i8mm
CPU part\t: 0xd40
"""


def test_the_cpu_is_named_and_keyed_by_its_flags_and_cores() -> None:
    x86 = cpu_identity(X86, cpus=2)
    assert x86["name"] == "AMD EPYC 7B13"
    assert x86["notable_flags"] == ["avx", "avx2", "avx512_vnni", "avx512f", "fma", "sse4_2"]
    without_vnni = cpu_identity(X86.replace(" avx512_vnni", ""), cpus=2)
    assert without_vnni["key"] != x86["key"]
    assert cpu_identity(X86, cpus=4)["key"] != x86["key"]
    arm = cpu_identity(ARM, cpus=4)
    assert arm["name"] == "0xd40"
    assert {"asimddp", "sve", "i8mm"} <= set(arm["notable_flags"])


class Measurer:
    """Stands in for the timing run: returns given timings and counts how often it is asked."""

    def __init__(self, timings: list[Measurement], seconds: float = 0.0) -> None:
        self.timings = timings
        self.seconds = seconds
        self.calls = 0

    def __call__(self, model: str, models_dir: Path, counts: Sequence[int]) -> list[Measurement]:
        self.calls += 1
        time.sleep(self.seconds)
        return self.timings


def test_the_choice_is_recorded_and_reused_until_the_cpu_changes(tmp_path: Path) -> None:
    record = tmp_path / "choice.json"
    measure = Measurer(AVX2)
    first = resolve(MODEL, tmp_path, record=record, measure=measure)
    assert (first.backend, first.threads, measure.calls) == ("onnx-int8", 1, 1)
    data = json.loads(record.read_text())
    assert data["cpu"]["key"] == cpu_identity()["key"]
    assert [r["backend"] for r in data["measurements"]] == ["onnx-int8", "onnx-fp32", "torch"]

    again = resolve(MODEL, tmp_path, record=record, measure=measure)
    assert (again.backend, measure.calls) == ("onnx-int8", 1)  # read back, not measured

    data["cpu"]["key"] = "another-cpu"  # the record was written on another machine
    record.write_text(json.dumps(data))
    measure.timings = VNNI
    moved = resolve(MODEL, tmp_path, record=record, measure=measure)
    assert measure.calls == 2
    assert moved.measurement == VNNI[0]


def test_a_new_onnx_format_measures_again(tmp_path: Path) -> None:
    record = tmp_path / "choice.json"
    measure = Measurer(AVX2)
    resolve(MODEL, tmp_path, record=record, measure=measure)
    data = json.loads(record.read_text())
    data["setup"]["onnx_int8_format"] -= 1
    record.write_text(json.dumps(data))
    resolve(MODEL, tmp_path, record=record, measure=measure)
    assert measure.calls == 2


def test_an_onnx_choice_gets_the_thread_budget_torch_its_measured_count(tmp_path: Path) -> None:
    # One message runs on one ONNX thread; the budget runs texts side by side in batches.
    onnx = resolve(MODEL, tmp_path, record=tmp_path / "a.json", measure=Measurer(AVX2))
    assert onnx.threads == 1
    onnx = resolve(
        MODEL, tmp_path, record=tmp_path / "b.json", measure=Measurer(AVX2), max_threads=2
    )
    assert (onnx.backend, onnx.threads) == ("onnx-int8", 2)
    torch_only = [m("onnx-int8", 1, 0.0, error="x"), m("torch", 1, 60.0), m("torch", 2, 61.0)]
    torch = resolve(
        MODEL, tmp_path, record=tmp_path / "c.json", measure=Measurer(torch_only), max_threads=2
    )
    assert (torch.backend, torch.threads) == ("torch", 1)


def test_processes_starting_together_measure_once(tmp_path: Path) -> None:
    record = tmp_path / "choice.json"
    measure = Measurer(VNNI, seconds=0.3)
    choices: list[str] = []
    starts = [
        threading.Thread(
            target=lambda: choices.append(
                resolve(MODEL, tmp_path, record=record, measure=measure).backend
            )
        )
        for _ in range(3)
    ]
    for start in starts:
        start.start()
    for start in starts:
        start.join()
    assert measure.calls == 1
    assert choices == ["onnx-int8"] * 3


def test_a_failed_measurement_falls_back_and_records_nothing(tmp_path: Path) -> None:
    record = tmp_path / "choice.json"
    nothing = [m("onnx-int8", 1, 0.0, error="x"), m("torch", 1, 0.0, error="y")]
    choice = resolve(MODEL, tmp_path, record=record, measure=Measurer(nothing))
    assert (choice.backend, choice.record) == (backend_choice.FALLBACK, None)
    assert not record.exists()


def test_a_real_choice_on_this_machine_is_within_tolerance_and_kept(tmp_path: Path) -> None:
    """Whatever wins here: a choice is recorded, it is within tolerance, and it is reused."""
    record = tmp_path / "choice.json"
    choice = resolve(MODEL, CACHE_DIR / "models", record=record)
    assert choice.measurement is not None and choice.record is not None
    assert choice.backend in backend_choice.BACKENDS
    assert (choice.measurement.min_cosine or 0.0) >= TOLERANCE
    data = json.loads(record.read_text())
    measured = {(r["backend"], r["threads"]): r for r in data["measurements"]}
    assert {("onnx-int8", 1), ("onnx-fp32", 1), ("torch", 1)} <= set(measured)
    assert measured[("torch", 1)]["min_cosine"] == pytest.approx(1.0, abs=1e-5)  # the reference
    assert all(r["ms_p50"] > 0 for r in data["measurements"] if not r["error"])

    def must_not_measure(*_: object) -> list[Measurement]:
        raise AssertionError("measured again although the record is current")

    again = resolve(MODEL, CACHE_DIR / "models", record=record, measure=must_not_measure)
    assert (again.backend, again.threads) == (choice.backend, choice.threads)


def test_an_auto_encoder_runs_the_backend_its_record_picks() -> None:
    from bot.understanding.encoder import Encoder

    encoder = Encoder(MODEL, CACHE_DIR, backend="auto")
    data = json.loads(backend_choice.record_path(MODEL, CACHE_DIR / "models").read_text())
    picked = choose([Measurement.from_dict(r) for r in data["measurements"]], max_threads=1)
    assert encoder.backend == picked.backend
    assert encoder.encode(["退货政策是什么?"]).shape == (1, encoder.dim)


def test_a_start_that_reads_the_record_imports_no_torch(tmp_path: Path) -> None:
    # Later starts read the record in a millisecond; measuring (torch) is for the first only.
    import subprocess
    import sys

    from tests.conftest import ROOT

    record = tmp_path / "choice.json"
    resolve(MODEL, CACHE_DIR / "models", record=record, measure=Measurer(VNNI))
    models = str(CACHE_DIR / "models")
    code = (
        "import sys; from pathlib import Path; "
        "from bot.understanding.backend_choice import resolve; "
        "from bot.understanding.encoder import Encoder; "
        f"c = resolve({MODEL!r}, Path({models!r}), record=Path({str(record)!r})); "
        f"Encoder({MODEL!r}, Path({str(CACHE_DIR)!r}), backend=c.backend).encode(['hi']); "
        "print(c.backend, 'torch' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert done.stdout.strip().splitlines()[-1] == "onnx-int8 False"
