"""Character-level language models in PyTorch (notebook 16): data, model, held-out loss,
and an adapter for the text sampler.

    from helpers.torch_nn.char_lm import CharLSTM, char_loader, split_text, held_out_loss
    train_text, held_text = split_text(text, held_out=0.1)        # the last 10% held out
    chars = build_vocab(text); ids = encode(train_text, chars)
    loader = char_loader(ids, seq_len=128, batch_size=64)         # (x, y): y is x shifted by one
    model = CharLSTM(len(chars), embed_dim=64, hidden_size=512)
    fit(model, loader, loss_fn=sequence_cross_entropy, optimizer=..., epochs=...)
    held_out_loss(model, encode(held_text, chars))                # nats per character

``held_out_loss`` reads the held-out text as ``streams`` long contiguous pieces, chunk by
chunk, carrying the recurrent state from one chunk to the next (as the text is really read),
and averages the loss over every character after the first of each stream.
"""

from __future__ import annotations

import numpy as np
import torch
import torch._dynamo  # noqa: F401 - see below
from torch import nn

from helpers.numpy_nn.rnn import decode, encode

# ``import torch._dynamo`` rebinds ``torch.manual_seed`` (and a few other torch functions) the
# first time it happens, which is usually when the first optimiser is created. Importing it
# here, with the module, makes that happen before the nbgrader tamper check takes its
# fingerprint of ``torch`` (notebook 16's test cells import this module), instead of in the
# middle of the notebook, where it would look like a student replaced torch.manual_seed.

__all__ = ["CELLS", "CharLSTM", "TorchCharModel", "char_loader", "decode", "encode",
           "held_out_loss", "sequence_cross_entropy", "split_text"]

CELLS = {"rnn": nn.RNN, "gru": nn.GRU, "lstm": nn.LSTM}


def split_text(text: str, held_out: float = 0.1) -> tuple[str, str]:
    """(the first 1 - held_out of the text, the last held_out of it): a fixed split."""
    if not isinstance(text, str) or len(text) < 2:
        raise ValueError("text must be a string of at least 2 characters")
    if not 0 < held_out < 1:
        raise ValueError(f"held_out must be a fraction in (0, 1), got {held_out!r}")
    cut = int(round(len(text) * (1 - held_out)))
    return text[:cut], text[cut:]


def char_loader(ids, seq_len: int = 128, batch_size: int = 64, shuffle: bool = True,
                seed: int = 0, max_chunks: int | None = None):
    """A DataLoader of (x, y) pairs: x = ids[s:s+L], y = ids[s+1:s+L+1], for the
    non-overlapping chunks s = 0, L, 2L, ... (int64 tensors (N, L)); ``max_chunks`` keeps the
    first that many (a small budget)."""
    from torch.utils.data import DataLoader, TensorDataset

    ids = np.asarray(ids)
    if ids.ndim != 1 or not np.issubdtype(ids.dtype, np.integer):
        raise ValueError(f"ids must be a 1-D integer array, got shape {ids.shape} dtype {ids.dtype}")
    if isinstance(seq_len, bool) or not isinstance(seq_len, int) or seq_len <= 0:
        raise ValueError(f"seq_len must be a positive integer, got {seq_len!r}")
    n = (len(ids) - 1) // seq_len
    if max_chunks is not None:
        n = min(n, int(max_chunks))
    if n <= 0:
        raise ValueError(f"ids ({len(ids)} characters) is too short for seq_len={seq_len}")
    x = torch.as_tensor(ids[:n * seq_len].reshape(n, seq_len), dtype=torch.int64)
    y = torch.as_tensor(ids[1:n * seq_len + 1].reshape(n, seq_len), dtype=torch.int64)
    gen = torch.Generator().manual_seed(seed)
    return DataLoader(TensorDataset(x, y), batch_size=batch_size, shuffle=shuffle, generator=gen)


def sequence_cross_entropy(outputs, targets):
    """Mean cross-entropy over every (sample, step): outputs (N, T, V), targets (N, T)."""
    return nn.functional.cross_entropy(outputs.reshape(-1, outputs.shape[-1]),
                                       targets.reshape(-1))


class CharLSTM(nn.Module):
    """Embedding (V -> E) -> ``num_layers`` recurrent layers (H units; ``cell`` "lstm",
    "gru" or "rnn") -> linear (H -> V). ``forward(x)`` with x: (N, T) ids returns scores
    (N, T, V); ``forward(x, state, return_state=True)`` also returns the final state."""

    def __init__(self, vocab_size: int, embed_dim: int = 64, hidden_size: int = 256,
                 num_layers: int = 1, dropout: float = 0.0, cell: str = "lstm"):
        super().__init__()
        if cell not in CELLS:
            raise ValueError(f"cell must be one of {sorted(CELLS)}, got {cell!r}")
        self.embed = nn.Embedding(vocab_size, embed_dim)
        self.rnn = CELLS[cell](embed_dim, hidden_size, num_layers=num_layers, batch_first=True,
                               dropout=dropout if num_layers > 1 else 0.0)
        self.drop = nn.Dropout(dropout)
        self.out = nn.Linear(hidden_size, vocab_size)

    def forward(self, x, state=None, return_state: bool = False):
        h, state = self.rnn(self.embed(x), state)
        scores = self.out(self.drop(h))
        return (scores, state) if return_state else scores


def held_out_loss(model, ids, seq_len: int = 256, streams: int = 32, device=None) -> float:
    """Mean loss in nats per character on ``ids`` (1-D), read as ``streams`` contiguous
    pieces, chunk by chunk with the state carried over. Needs ``model(x, state,
    return_state=True)`` (``CharLSTM``)."""
    ids = np.asarray(ids)
    if ids.ndim != 1 or len(ids) < 2 * streams:
        raise ValueError(f"ids must be a 1-D array of at least 2 x streams = {2 * streams} ids")
    device = device or next(model.parameters()).device
    per = len(ids) // streams
    data = torch.as_tensor(ids[:per * streams].reshape(streams, per), dtype=torch.int64)
    was_training = model.training
    model.eval()
    total, count, state = 0.0, 0, None
    with torch.no_grad():
        for s in range(0, per - 1, seq_len):
            x = data[:, s:min(s + seq_len, per - 1)].to(device)
            y = data[:, s + 1:min(s + seq_len, per - 1) + 1].to(device)
            scores, state = model(x, state, return_state=True)
            total += float(nn.functional.cross_entropy(
                scores.reshape(-1, scores.shape[-1]), y.reshape(-1), reduction="sum"))
            count += y.numel()
    model.train(was_training)
    return total / count


class TorchCharModel:
    """A PyTorch ``CharLSTM`` as a character model for ``helpers.widgets.text_sampler``."""

    def __init__(self, model, chars: str):
        if not isinstance(chars, str) or not chars:
            raise ValueError("chars must be a non-empty string (the vocabulary)")
        if model.out.out_features != len(chars):
            raise ValueError(f"the model predicts {model.out.out_features} characters, "
                             f"chars has {len(chars)}")
        self.model, self.chars = model, chars
        self.device = next(model.parameters()).device

    def init_state(self):
        return None

    def step(self, char_id: int, state):
        self.model.eval()
        with torch.no_grad():
            x = torch.tensor([[int(char_id)]], device=self.device)
            scores, state = self.model(x, state, return_state=True)
        return scores[0, -1].double().cpu().numpy(), state


def _reference_bits_perplexity(nats, mistake=None):
    """The expected answer of notebook 16's units exercise (and its natural mistakes)."""
    bits = nats * np.log(2) if mistake == "times_ln2" else nats / np.log(2)
    with np.errstate(divide="ignore"):
        if mistake == "log2_of_nats":
            return float(np.log2(nats)), float(np.exp(nats))
        if mistake == "inverse":
            return bits, float(np.inf if nats == 0 else 1.0 / nats)
    if mistake == "exp_minus":
        return bits, float(np.exp(-nats))
    if mistake == "perplexity_base2":
        return bits, float(2.0 ** nats)
    if mistake == "perplexity_of_bits":
        return bits, float(np.exp(bits))
    return bits, float(np.exp(nats))
