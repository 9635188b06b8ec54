"""Model artifacts: a missing, corrupt or foreign file is a clear ModelError, shown by the CLI as one line."""
import json
import shutil

import pytest
from click.testing import CliRunner

from classifiers import artifacts
from classifiers.classify import reset_bundle
from monitor.cli import cli
from monitor.errors import ModelError


@pytest.fixture
def models(tmp_path, monkeypatch):
    monkeypatch.setenv("MONITOR_MODELS", str(tmp_path))
    reset_bundle()
    yield tmp_path
    reset_bundle()


def _copy_shipped(to):
    shipped = artifacts.MODELS_DIR
    version = (shipped / "CURRENT").read_text().strip()
    for name in ("CURRENT", f"classifier-{version}.joblib", f"classifier-{version}.json"):
        shutil.copy(shipped / name, to / name)
    return version


def test_missing_model_says_run_train(models):
    with pytest.raises(ModelError, match="monitor train"):
        artifacts.load()


def test_corrupt_model_file(models):
    version = _copy_shipped(models)
    (models / f"classifier-{version}.joblib").write_bytes(b"not a pickle at all")
    with pytest.raises(ModelError, match="hỏng.*monitor train"):
        artifacts.load()


def test_other_sklearn_version_is_refused(models):
    version = _copy_shipped(models)
    meta_path = models / f"classifier-{version}.json"
    meta = json.loads(meta_path.read_text())
    meta["sklearn_version"] = "0.24.2"
    meta_path.write_text(json.dumps(meta))
    with pytest.raises(ModelError, match="0.24.2.*monitor train"):
        artifacts.load()


def test_cli_shows_one_line(models):
    result = CliRunner().invoke(cli, ["classify", "Học sinh bị đánh"])
    assert result.exit_code == 1
    assert "monitor train" in result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1
