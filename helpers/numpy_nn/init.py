"""Weight initialisers. A weight matrix maps fan_in inputs to fan_out outputs: (fan_in, fan_out).

- "zeros": every unit computes the same thing and gets the same gradient: symmetry never breaks.
- "normal": N(0, scale^2), the classic ``0.01 * randn``; too small in deep nets.
- "xavier" (Glorot normal): std = sqrt(2 / (fan_in + fan_out)), keeps the variance of
  activations and of gradients roughly constant for tanh/sigmoid-like (linear near 0) units.
- "xavier_uniform": U(-a, a) with a = sqrt(6 / (fan_in + fan_out)), the same variance.
- "he" (Kaiming normal): std = sqrt(2 / fan_in), the factor 2 compensating for ReLU zeroing
  half of its inputs.
"""

from __future__ import annotations

import numpy as np

from helpers.numpy_nn._shapes import check_choice, check_positive_int

INIT_METHODS = ("zeros", "normal", "xavier", "xavier_uniform", "he")


def init_weights(method, fan_in, fan_out, rng, scale=0.01, dtype=np.float64):
    """Returns a weight matrix W: (fan_in, fan_out) drawn with ``rng`` (a np.random.Generator).

    ``scale`` is the standard deviation of "normal" and is ignored by the other methods.
    """
    check_choice("init method", method, INIT_METHODS)
    check_positive_int("fan_in", fan_in)
    check_positive_int("fan_out", fan_out)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"rng must be a np.random.Generator (np.random.default_rng(seed)), "
            f"got {type(rng).__name__}"
        )
    shape = (fan_in, fan_out)
    if method == "zeros":
        return np.zeros(shape, dtype=dtype)
    if method == "xavier_uniform":
        a = np.sqrt(6.0 / (fan_in + fan_out))
        return rng.uniform(-a, a, size=shape).astype(dtype, copy=False)
    std = {
        "normal": scale,
        "xavier": np.sqrt(2.0 / (fan_in + fan_out)),
        "he": np.sqrt(2.0 / fan_in),
    }[method]
    return (std * rng.standard_normal(shape)).astype(dtype, copy=False)
