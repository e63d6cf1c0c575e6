"""The PyTorch training loop (helpers.torch_nn.train): fit, evaluate, predict, choose_device,
on tiny data, and the errors for bad inputs."""

import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from helpers.torch_nn.train import choose_device, evaluate, fit, predict


def tiny(n=64, seed=0):
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(n, 2, generator=g)
    y = (X[:, 0] + X[:, 1] > 0).long()
    return X, y


def loaders(batch_size=16):
    X, y = tiny()
    train = DataLoader(TensorDataset(X[:48], y[:48]), batch_size=batch_size, shuffle=False)
    val = DataLoader(TensorDataset(X[48:], y[48:]), batch_size=batch_size)
    return train, val


def model_and_optimizer(lr=0.5, seed=0):
    torch.manual_seed(seed)
    model = nn.Linear(2, 2)
    return model, torch.optim.SGD(model.parameters(), lr=lr)


def test_fit_learns_and_records_history():
    train, val = loaders()
    model, opt = model_and_optimizer()
    h = fit(model, train, loss_fn=nn.CrossEntropyLoss(), optimizer=opt, epochs=15,
            val_loader=val, device="cpu", progress=False)
    for key in ("train_loss", "train_acc", "val_loss", "val_acc", "lr", "epoch_time"):
        assert len(h[key]) == 15, key
    assert len(h["step_loss"]) == 15 * 3
    assert h["train_loss"][-1] < h["train_loss"][0]
    assert h["val_acc"][-1] >= 0.85 and h["lr"] == [0.5] * 15


def test_evaluate_and_predict_agree_with_a_hand_computation():
    train, val = loaders()
    model, opt = model_and_optimizer()
    fit(model, train, loss_fn=nn.CrossEntropyLoss(), optimizer=opt, epochs=3, device="cpu",
        progress=False)
    X, y = tiny()
    Xv, yv = X[48:], y[48:]
    result = evaluate(model, val, nn.CrossEntropyLoss())
    with torch.no_grad():
        out = model(Xv)
    assert result["loss"] == pytest.approx(float(nn.functional.cross_entropy(out, yv)), rel=1e-6)
    assert result["acc"] == pytest.approx(float((out.argmax(1) == yv).float().mean()))
    torch.testing.assert_close(predict(model, Xv, batch_size=5), out)
    torch.testing.assert_close(predict(model, val), out)
    assert model.training  # predict/evaluate put the mode back


def test_accuracy_is_nan_for_regression():
    X, _ = tiny()
    target = X.sum(dim=1, keepdim=True)
    loader = DataLoader(TensorDataset(X, target), batch_size=16)
    torch.manual_seed(0)
    model = nn.Linear(2, 1)
    h = fit(model, loader, loss_fn=nn.MSELoss(), optimizer=torch.optim.SGD(model.parameters(), 0.1),
            epochs=5, device="cpu", progress=False)
    assert h["train_acc"][0] != h["train_acc"][0]  # nan
    assert h["train_loss"][-1] < h["train_loss"][0]


def test_scheduler_per_step_and_per_epoch():
    train, _ = loaders()
    for per_step, expected in ((False, [0.5, 0.25, 0.125]), (True, [0.5 * 0.5**3, 0.5 * 0.5**6,
                                                                     0.5 * 0.5**9])):
        model, opt = model_and_optimizer()
        sched = torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
        h = fit(model, train, loss_fn=nn.CrossEntropyLoss(), optimizer=opt, epochs=3,
                scheduler=sched, scheduler_per_step=per_step, device="cpu", progress=False)
        assert h["lr"] == pytest.approx(expected)  # per step: recorded after 3 steps an epoch


def test_restore_best_and_callback():
    train, val = loaders()
    model, opt = model_and_optimizer(lr=5.0)
    calls = []
    h = fit(model, train, loss_fn=nn.CrossEntropyLoss(), optimizer=opt, epochs=6,
            val_loader=val, restore_best=True, device="cpu", progress=False,
            callback=lambda epoch, hist: calls.append(epoch))
    assert calls == list(range(6))
    best = max(h["val_acc"])
    assert evaluate(model, val, nn.CrossEntropyLoss())["acc"] == pytest.approx(best)


def test_choose_device():
    d = choose_device()
    assert isinstance(d, torch.device)
    if not torch.cuda.is_available():
        mps = getattr(torch.backends, "mps", None)
        assert d.type == ("mps" if mps is not None and mps.is_available() else "cpu")
    assert choose_device("cpu") == torch.device("cpu")
    with pytest.raises(ValueError, match="prefer"):
        choose_device("tpu")


def test_divergence_is_an_error():
    X, y = tiny()
    loader = DataLoader(TensorDataset(X * 1e30, y.float()[:, None] * 1e30), batch_size=16)
    model = nn.Linear(2, 1)
    opt = torch.optim.SGD(model.parameters(), lr=1e10)
    with pytest.raises(FloatingPointError, match="diverged"):
        fit(model, loader, loss_fn=nn.MSELoss(), optimizer=opt, epochs=5, device="cpu",
            progress=False)


def test_bad_inputs():
    train, _ = loaders()
    model, opt = model_and_optimizer()
    ce = nn.CrossEntropyLoss()
    with pytest.raises(TypeError, match="train_loader"):
        fit(model, None, loss_fn=ce, optimizer=opt, epochs=1, progress=False)
    with pytest.raises(TypeError, match="val_loader"):
        fit(model, train, loss_fn=ce, optimizer=opt, epochs=1, val_loader=3, progress=False)
    with pytest.raises(ValueError, match="epochs"):
        fit(model, train, loss_fn=ce, optimizer=opt, epochs=-1, progress=False)
    with pytest.raises(TypeError, match="loss_fn"):
        fit(model, train, loss_fn="ce", optimizer=opt, epochs=1, progress=False)
    with pytest.raises(ValueError, match="no batches"):
        fit(model, [], loss_fn=ce, optimizer=opt, epochs=1, device="cpu", progress=False)
    with pytest.raises(ValueError, match="no batches"):
        evaluate(model, [], ce)
    with pytest.raises(TypeError, match="loader"):
        evaluate(model, 5, ce)
