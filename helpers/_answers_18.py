"""PyTorch references for notebook 18's graded cells (not part of the lesson).

This module imports torch at import time on purpose: the grader imports the modules a test
cell imports before it fingerprints the checks, so torch's own import-time patches (e.g. of
``inspect.getfile``) happen before that fingerprint and are not mistaken for tampering.
"""

import numpy as np
import torch
import torch.nn.functional as F


def torch_sdpa_reference(Q, K, V, mask=None) -> np.ndarray:
    """``torch.nn.functional.scaled_dot_product_attention`` on NumPy arrays (float64)."""
    tq, tk, tv = (torch.as_tensor(np.asarray(a, dtype=np.float64)) for a in (Q, K, V))
    m = None if mask is None else torch.as_tensor(np.asarray(mask, dtype=bool))
    return F.scaled_dot_product_attention(tq, tk, tv, attn_mask=m).numpy()
