"""helpers.torch_nn.char_lm: the fixed split, the chunk loader, the model, the stateful
held-out loss, the sampler adapter, bad inputs."""

import numpy as np
import pytest
import torch

from helpers.numpy_nn.rnn import build_vocab, encode
from helpers.torch_nn.char_lm import (
    CharLSTM,
    TorchCharModel,
    _reference_bits_perplexity,
    char_loader,
    held_out_loss,
    sequence_cross_entropy,
    split_text,
)
from helpers.widgets.text_sampler import TextSampler

TEXT = "to be or not to be, that is the question.\n" * 20


def test_split_keeps_the_last_fraction():
    train, held = split_text("abcdefghij", held_out=0.2)
    assert (train, held) == ("abcdefgh", "ij")
    with pytest.raises(ValueError, match="held_out must be a fraction"):
        split_text(TEXT, 1.5)
    with pytest.raises(ValueError, match="at least 2 characters"):
        split_text("a")


def test_loader_targets_are_inputs_shifted_by_one():
    ids = np.arange(50)
    loader = char_loader(ids, seq_len=7, batch_size=3, shuffle=False)
    x, y = next(iter(loader))
    assert x.shape == (3, 7) and x.dtype == torch.int64
    assert torch.equal(y, x + 1)
    assert len(loader.dataset) == 7  # (50 - 1) // 7
    assert len(char_loader(ids, 7, 3, max_chunks=2).dataset) == 2
    with pytest.raises(ValueError, match="ids must be a 1-D integer array"):
        char_loader(np.zeros((2, 3), dtype=np.int64))
    with pytest.raises(ValueError, match="seq_len must be a positive integer"):
        char_loader(ids, seq_len=0)
    with pytest.raises(ValueError, match="too short"):
        char_loader(ids[:5], seq_len=10)


@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn"])
def test_model_shapes_and_state(cell):
    torch.manual_seed(0)
    model = CharLSTM(10, embed_dim=4, hidden_size=6, cell=cell)
    x = torch.randint(0, 10, (2, 5))
    scores = model(x)
    assert scores.shape == (2, 5, 10)
    # feeding the sequence in two pieces with the state carried over gives the same scores
    a, state = model(x[:, :3], return_state=True)
    b = model(x[:, 3:], state)
    assert torch.allclose(torch.cat([a, b], dim=1), scores, atol=1e-6)
    with pytest.raises(ValueError, match="cell must be one of"):
        CharLSTM(10, cell="transformer")


def test_held_out_loss_and_training_lowers_it():
    chars = build_vocab(TEXT)
    ids = encode(TEXT, chars)
    torch.manual_seed(0)
    model = CharLSTM(len(chars), embed_dim=8, hidden_size=32)
    before = held_out_loss(model, ids, seq_len=16, streams=4)
    assert abs(before - np.log(len(chars))) < 0.5  # about a uniform guess at the start
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    for _ in range(12):
        for x, y in char_loader(ids, 32, 8):
            opt.zero_grad()
            sequence_cross_entropy(model(x), y).backward()
            opt.step()
    after = held_out_loss(model, ids, seq_len=16, streams=4)
    assert after < before - 1.0
    with pytest.raises(ValueError, match="at least 2 x streams"):
        held_out_loss(model, ids[:5], streams=4)


def test_torch_sampler_adapter():
    chars = build_vocab(TEXT)
    torch.manual_seed(0)
    model = CharLSTM(len(chars), embed_dim=4, hidden_size=8)
    adapter = TorchCharModel(model, chars)
    scores, state = adapter.step(0, adapter.init_state())
    assert scores.shape == (len(chars),) and scores.dtype == np.float64
    # step by step = the whole sequence at once
    ids = encode("to be", chars)
    state = None
    for k in ids:
        scores, state = adapter.step(int(k), state)
    full = model(torch.tensor(ids)[None])[0, -1].double().detach().numpy()
    np.testing.assert_allclose(scores, full, rtol=1e-5, atol=1e-6)
    out = TextSampler(adapter, temperature=0.7, seed_text="to ", length=20).compute()
    assert len(out["text"]) == 20
    with pytest.raises(ValueError, match="the model predicts"):
        TorchCharModel(model, chars[:-1])


def test_units_reference():
    bits, ppl = _reference_bits_perplexity(np.log(4.0))
    assert bits == pytest.approx(2.0) and ppl == pytest.approx(4.0)
