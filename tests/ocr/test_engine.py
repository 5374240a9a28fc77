"""Engine construction: the registry, clear errors for broken installations, no network, the Protocol."""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from corpus import PageTruth
from corpus.textdiff import cer
from dangan.errors import ConfigError
from dangan.settings import OcrEngineKind, OcrSettings
from ocr import ENGINES, OcrEngine, OrientationDetector, make_engine


def test_unknown_engine_lists_the_known_ones() -> None:
    settings = OcrSettings.model_construct(engine="abbyy")  # past validation, as a stale registry would be
    with pytest.raises(ConfigError) as raised:
        make_engine(settings)
    assert "rapidocr" in str(raised.value) and "tesseract" in str(raised.value)
    assert set(ENGINES) == {kind.value for kind in OcrEngineKind}


def test_missing_rapidocr_model_is_a_config_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import ocr.rapid

    monkeypatch.setattr(ocr.rapid, "model_dir", lambda: tmp_path)
    with pytest.raises(ConfigError) as raised:
        make_engine(OcrSettings(engine=OcrEngineKind.RAPIDOCR))
    assert "PP-OCRv6_det_small.onnx" in str(raised.value)


@pytest.mark.tesseract
def test_missing_tesseract_language_is_a_config_error() -> None:
    with pytest.raises(ConfigError) as raised:
        make_engine(OcrSettings(engine=OcrEngineKind.TESSERACT, languages="chi_sim+klingon"))
    assert "klingon" in str(raised.value)


@pytest.mark.tesseract
def test_tesseract_engine_meets_the_protocol(tesseract_engine: OcrEngine) -> None:
    assert isinstance(tesseract_engine, OcrEngine)
    assert isinstance(tesseract_engine, OrientationDetector)
    assert tesseract_engine.name == "tesseract"


@pytest.mark.slow
def test_rapidocr_builds_and_reads_with_the_network_off(
    monkeypatch: pytest.MonkeyPatch, corpus_page: Callable[..., tuple[np.ndarray, PageTruth]]
) -> None:
    """Every model comes from the wheel: any attempt to connect anywhere fails the test."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    engine = make_engine(OcrSettings(engine=OcrEngineKind.RAPIDOCR))
    assert isinstance(engine, OcrEngine) and isinstance(engine, OrientationDetector)
    image, truth = corpus_page("contract", "zh", seed=3, template="contract.sales_a", quality="clean")
    top = image[: image.shape[0] // 4]  # letterhead, title and parties: enough to prove the models run
    lines = engine.recognize(top)
    assert len(lines) >= 4
    assert cer("\n".join(line.text for line in lines), "\n".join(truth.text.splitlines()[: len(lines)])) < 0.1
    assert engine.recognize(np.full((300, 400), 245, np.uint8)) == []


def test_broken_rapidocr_model_is_a_config_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import ocr.rapid

    for name in ocr.rapid.MODEL_FILES.values():
        (tmp_path / name).write_bytes(b"not an onnx model")
    monkeypatch.setattr(ocr.rapid, "model_dir", lambda: tmp_path)
    with pytest.raises(ConfigError) as raised:
        make_engine(OcrSettings(engine=OcrEngineKind.RAPIDOCR))
    assert "cannot be loaded" in str(raised.value)
