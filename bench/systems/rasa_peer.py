"""Peer: Rasa Open Source 3.6 with DIET, in its own Python 3.10 venv, over HTTP.

Rasa 3.6 needs Python < 3.11, so the benchmark builds ``bench/.rasa-venv`` with pyenv's 3.10
(``pip install rasa==3.6.21 jieba``: ~2.5 min, 2.7 GB) the first time, then per data set writes
a Rasa project (NLU YAML + a DIET pipeline; Jieba for Chinese), runs ``rasa train nlu``, starts
``rasa run --enable-api`` and sends every test text to ``POST /model/parse``. The fallback is
applied by the benchmark on DIET's top confidence, as Rasa's FallbackClassifier would.
"""

from __future__ import annotations

import glob
import logging
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import httpx

from bench.datasets import IntentSplit
from bench.systems import Scored

logger = logging.getLogger(__name__)

RASA_VERSION = "3.6.21"
VENV = Path(__file__).resolve().parent.parent / ".rasa-venv"
EPOCHS = 100  # DIET's default


class RasaUnavailable(RuntimeError):
    """The Rasa venv could not be built or Rasa did not start."""


def ensure_venv(venv: Path = VENV) -> Path:
    """Return the venv's ``rasa`` executable, building the venv when it is missing."""
    rasa = venv / "bin" / "rasa"
    if rasa.is_file() and _works(rasa):
        return rasa
    python = _python310()
    logger.info("Building the Rasa venv in %s with %s (~3 min, 2.7 GB)", venv, python)
    shutil.rmtree(venv, ignore_errors=True)
    try:
        subprocess.run([python, "-m", "venv", str(venv)], check=True, capture_output=True)
        pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q"]
        subprocess.run([*pip, "--upgrade", "pip"], check=True, capture_output=True)
        subprocess.run(
            [*pip, f"rasa=={RASA_VERSION}", "jieba"], check=True, capture_output=True, timeout=1800
        )
    except (subprocess.SubprocessError, OSError) as exc:
        raise RasaUnavailable(f"could not build the Rasa venv: {exc}") from exc
    if not _works(rasa):
        raise RasaUnavailable(f"{rasa} does not run after installation")
    return rasa


def _python310() -> str:
    candidates = sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/3.10.*/bin/python3")))
    found = candidates[-1] if candidates else shutil.which("python3.10")
    if not found:
        raise RasaUnavailable("no Python 3.10 (pyenv install 3.10) to build the Rasa venv with")
    return found


def _works(rasa: Path) -> bool:
    try:
        done = subprocess.run(
            [str(rasa), "--version"], capture_output=True, timeout=120, env=_env()
        )
    except (subprocess.SubprocessError, OSError):
        return False
    return done.returncode == 0


def _env() -> dict[str, str]:
    return {
        **os.environ,
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "PYTHONWARNINGS": "ignore",
    }


class RasaPeer:
    name = "rasa-diet"

    def __init__(self, epochs: int = EPOCHS) -> None:
        self.rasa = ensure_venv()
        self.settings = {
            "version": RASA_VERSION,
            "classifier": "DIETClassifier",
            "epochs": epochs,
            "featurizers": "CountVectors word + char_wb 1-4",
        }
        self._epochs = epochs
        self._work: Path | None = None
        self._server: subprocess.Popen[bytes] | None = None
        self._url = ""

    def fit(self, split: IntentSplit) -> float:
        self.close()
        self._work = Path(tempfile.mkdtemp(prefix="sb-rasa-"))
        (self._work / "nlu.yml").write_text(nlu_yaml(split.train), encoding="utf-8")
        (self._work / "config.yml").write_text(
            config_yaml(split.language, self._epochs), encoding="utf-8"
        )
        started = time.perf_counter()
        with (self._work / "train.log").open("wb") as log:
            done = subprocess.run(
                [
                    str(self.rasa),
                    "train",
                    "nlu",
                    "--config",
                    "config.yml",
                    "--nlu",
                    "nlu.yml",
                    "--out",
                    "models",
                    "--fixed-model-name",
                    "bench",
                ],
                cwd=self._work,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=_env(),
            )
        seconds = time.perf_counter() - started
        if done.returncode != 0:
            raise RasaUnavailable(f"rasa train nlu failed; see {self._work / 'train.log'}")
        self._start_server()
        return seconds

    def _start_server(self) -> None:
        assert self._work is not None
        port = _free_port()
        log = (self._work / "server.log").open("wb")
        self._server = subprocess.Popen(
            [
                str(self.rasa),
                "run",
                "--enable-api",
                "-m",
                "models/bench.tar.gz",
                "--port",
                str(port),
                "-i",
                "127.0.0.1",
            ],
            cwd=self._work,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=_env(),
        )
        self._url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            if self._server.poll() is not None:
                raise RasaUnavailable(f"rasa run exited; see {self._work / 'server.log'}")
            try:
                if httpx.get(f"{self._url}/status", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(1)
        raise RasaUnavailable("rasa run did not become ready within 300 s")

    def predict(self, texts: Sequence[str]) -> Scored:
        predicted, confidence = [], []
        started = time.perf_counter()
        with httpx.Client(base_url=self._url, timeout=60) as client:
            for text in texts:
                intent = client.post("/model/parse", json={"text": text}).json()["intent"]
                predicted.append(str(intent.get("name") or ""))
                confidence.append(float(intent.get("confidence") or 0.0))
        seconds = time.perf_counter() - started
        return Scored(predicted, confidence, confidence, None, seconds)

    def close(self) -> None:
        if self._server is not None:
            self._server.terminate()
            try:
                self._server.wait(30)
            except subprocess.TimeoutExpired:
                self._server.kill()
            self._server = None
        if self._work is not None:
            shutil.rmtree(self._work, ignore_errors=True)
            self._work = None


def nlu_yaml(pairs: Sequence[tuple[str, str]]) -> str:
    by_label: dict[str, list[str]] = {}
    for text, label in pairs:
        by_label.setdefault(label, []).append(text)
    lines = ['version: "3.1"', "nlu:"]
    for label in sorted(by_label):
        lines += [f"- intent: {label}", "  examples: |"]
        # Brackets would be read as entity markup; one line per example.
        lines += [f"    - {_plain(text)}" for text in dict.fromkeys(by_label[label])]
    return "\n".join(lines) + "\n"


def _plain(text: str) -> str:
    return " ".join(text.replace("[", "(").replace("]", ")").split())


def config_yaml(language: str, epochs: int) -> str:
    tokenizer = "JiebaTokenizer" if language == "zh" else "WhitespaceTokenizer"
    return f"""recipe: default.v1
language: {language}
assistant_id: switchboard-bench
pipeline:
  - name: {tokenizer}
  - name: RegexFeaturizer
  - name: LexicalSyntacticFeaturizer
  - name: CountVectorsFeaturizer
  - name: CountVectorsFeaturizer
    analyzer: char_wb
    min_ngram: 1
    max_ngram: 4
  - name: DIETClassifier
    epochs: {epochs}
    constrain_similarities: true
    entity_recognition: false
policies: []
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
