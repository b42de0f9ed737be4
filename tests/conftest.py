from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"


@pytest.fixture
def corpus() -> Path:
    """The shared corpus next to the checkout; tests skip where it is absent."""
    if not CORPUS.is_dir():
        pytest.skip(
            f"the shared corpus is not next to this checkout ({CORPUS}); "
            "CI has it, a plain clone does not"
        )
    return CORPUS
