import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))

try:
    import torch  # noqa: F401  -- the oracle
    torch.set_num_threads(1)
    HAVE_TORCH = True
except ImportError:  # pragma: no cover
    HAVE_TORCH = False

needs_torch = pytest.mark.skipif(not HAVE_TORCH, reason="torch==2.13.0 (the oracle) is not installed")
