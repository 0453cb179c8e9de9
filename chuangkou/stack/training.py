"""What a model is trained from, and training it only when that changed."""

from __future__ import annotations

import hashlib
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from chuangkou.settings import PROJECT_ROOT, Settings
from chuangkou.stack.environment import engine_command, process_env

MODEL_NAME = "chuangkou"
# What a model is trained from: a change to any of these retrains, nothing else does.
TRAINING_INPUTS = (
    "config.yml",
    "bot/domain",
    "bot/components",
    "bot/policies.py",
    "nlu_data/train",
    "build/nlu",
)


# What ``rasa train`` and ``rasa data validate`` read as data: the hand-written training
# examples and rules, and the lookup tables generated from the catalog.
TRAINING_DATA = ("nlu_data/train", "build/nlu/data")


def _files(root: Path, inputs: tuple[str, ...]) -> Iterator[Path]:
    for name in inputs:
        path = root / name
        if path.is_file():
            yield path
        elif path.is_dir():
            yield from sorted(
                p
                for p in path.rglob("*")
                if p.is_file() and p.suffix not in (".tmp", ".pyc") and "__pycache__" not in p.parts
            )


def training_fingerprint(root: Path = PROJECT_ROOT) -> str:
    """A hash of every training input (paths and contents).

    Args:
        root: The project root.

    Returns:
        A hex digest that changes exactly when a training input changes.
    """
    digest = hashlib.sha256()
    for path in _files(root, TRAINING_INPUTS):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


@dataclass(frozen=True)
class ModelPaths:
    """Where the trained model and its fingerprint live."""

    out_dir: Path

    @property
    def model(self) -> Path:
        """The model archive."""
        return self.out_dir / f"{MODEL_NAME}.tar.gz"

    @property
    def fingerprint(self) -> Path:
        """The fingerprint of the inputs the model was trained from."""
        return self.out_dir / f"{MODEL_NAME}.fingerprint"


def run_training(
    settings: Settings, out_dir: Path, *, fixed_name: str | None = None, quiet: bool = False
) -> None:
    """Run a full ``rasa train`` of the project's training inputs into ``out_dir``.

    Raises:
        subprocess.CalledProcessError: When training fails.
    """
    args = [
        "train",
        "--config",
        "config.yml",
        "--domain",
        "bot/domain",
        "--data",
        *TRAINING_DATA,
        "--out",
        str(out_dir),
        "--force",
    ]
    if fixed_name:
        args += ["--fixed-model-name", fixed_name]
    subprocess.run(
        engine_command(*args),
        cwd=PROJECT_ROOT,
        env=process_env(settings),
        check=True,
        capture_output=quiet,
    )


def train_if_stale(settings: Settings, *, force: bool = False) -> bool:
    """Train the model when its inputs changed since the last training.

    Args:
        settings: Where the build folder is (models go to ``build/models``).
        force: Train even when up to date.

    Returns:
        True when a training ran.

    Raises:
        subprocess.CalledProcessError: When ``rasa train`` fails.
    """
    out_dir = settings.model_path.parent
    paths = ModelPaths(out_dir)
    current = training_fingerprint()
    if (
        not force
        and paths.model.exists()
        and paths.fingerprint.exists()
        and paths.fingerprint.read_text().strip() == current
    ):
        return False
    out_dir.mkdir(parents=True, exist_ok=True)
    run_training(settings, out_dir, fixed_name=MODEL_NAME)
    paths.fingerprint.write_text(current + "\n")
    return True
