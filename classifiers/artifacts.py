"""Saving and loading the trained models: one versioned file plus its metadata.

``data/models/CURRENT`` names the version in use; ``classifier-<version>.joblib``
holds the fitted objects and ``classifier-<version>.json`` says what they were
trained on (data hash, date, metrics, scikit-learn version). A model pickled
by another scikit-learn version is refused rather than trusted.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import joblib
import sklearn

from monitor.errors import ModelError

MODELS_DIR = Path(__file__).resolve().parents[1] / "data" / "models"
KEEP_VERSIONS = 2


def models_dir() -> Path:
    return Path(os.environ.get("MONITOR_MODELS", MODELS_DIR))


@dataclass
class Bundle:
    """Everything classification needs, fitted together so features and models always match."""

    featurizer: object
    education: object
    tone: object
    topics: object                      # predict.TopicModel over ``topic_labels``
    topic_labels: list[str]
    thresholds: dict = field(default_factory=dict)   # education, negative, topic:<slug>
    meta: dict = field(default_factory=dict)

    @property
    def version(self) -> str:
        return self.meta.get("version", "unknown")


def save(bundle: Bundle, directory: Path | None = None) -> Path:
    """Write the bundle as a new version, point CURRENT at it and prune old versions."""
    directory = directory or models_dir()
    directory.mkdir(parents=True, exist_ok=True)
    version = bundle.version
    path = directory / f"classifier-{version}.joblib"
    joblib.dump(bundle, path, compress=3)
    (directory / f"classifier-{version}.json").write_text(
        json.dumps(bundle.meta, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    (directory / "CURRENT").write_text(version + "\n", encoding="utf-8")
    _prune(directory, keep=version)
    return path


def _prune(directory: Path, keep: str) -> None:
    versions = sorted((p.stat().st_mtime, p.name[len("classifier-"):-len(".joblib")])
                      for p in directory.glob("classifier-*.joblib"))
    for _, version in versions[:-KEEP_VERSIONS]:
        if version != keep:
            for suffix in (".joblib", ".json"):
                (directory / f"classifier-{version}{suffix}").unlink(missing_ok=True)


def load(directory: Path | None = None) -> Bundle:
    """The current bundle, or a ModelError that tells the user to run `monitor train`."""
    directory = directory or models_dir()
    hint = "Hãy chạy `monitor train`."
    try:
        version = (directory / "CURRENT").read_text(encoding="utf-8").strip()
        meta = json.loads((directory / f"classifier-{version}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(f"Chưa có mô hình phân loại trong {directory} ({exc.__class__.__name__}). {hint}") from exc
    trained_with = meta.get("sklearn_version")
    if trained_with != sklearn.__version__:
        raise ModelError(f"Mô hình {version} được huấn luyện với scikit-learn {trained_with}, máy này có "
                         f"{sklearn.__version__} (pyproject ghim scikit-learn==1.9.1). {hint}")
    path = directory / f"classifier-{version}.joblib"
    try:
        bundle = joblib.load(path)
    except Exception as exc:  # noqa: BLE001 - unpickling can fail in many ways; all mean the same to the user
        raise ModelError(f"Tệp mô hình {path} bị hỏng hoặc không đọc được ({exc.__class__.__name__}). {hint}") from exc
    if not isinstance(bundle, Bundle):
        raise ModelError(f"Tệp mô hình {path} không phải mô hình của chương trình này. {hint}")
    return bundle
