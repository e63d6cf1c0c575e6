"""The PyTorch training loop of the course (notebooks 11-18): fit, evaluate, predict.

    from helpers.torch_nn.train import choose_device, fit, evaluate
    device = choose_device()                       # cuda, then mps, then cpu
    history = fit(model, train_loader, loss_fn=nn.CrossEntropyLoss(),
                  optimizer=torch.optim.Adam(model.parameters(), lr=1e-3),
                  epochs=5, val_loader=val_loader, device=device)
    history["val_acc"][-1], evaluate(model, test_loader, nn.CrossEntropyLoss())

A loader yields ``(inputs, targets)`` batches (tensors). ``loss_fn(outputs, targets)`` is any
callable; accuracy is counted when the outputs are class scores ``(N, C)`` (or ``(N, T, C)``
with targets ``(N, T)``) and the targets are integers, and skipped otherwise (``nan``).
"""

from __future__ import annotations

import copy
import time

import torch

__all__ = ["choose_device", "evaluate", "fit", "predict"]


def choose_device(prefer: str | None = None) -> torch.device:
    """``prefer`` if given ("cpu", "cuda", "mps"), else cuda, then mps, then cpu."""
    if prefer is not None:
        if prefer not in ("cpu", "cuda", "mps"):
            raise ValueError(f"prefer must be 'cpu', 'cuda', 'mps' or None, got {prefer!r}")
        return torch.device(prefer)
    if torch.cuda.is_available():
        return torch.device("cuda")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def _to(batch, device):
    if isinstance(batch, torch.Tensor):
        return batch.to(device, non_blocking=True)
    if isinstance(batch, tuple | list):
        return type(batch)(_to(b, device) for b in batch)
    return batch


def _correct(outputs, targets) -> tuple[int, int]:
    """(number correct, number counted), or (0, 0) when accuracy does not apply."""
    if not isinstance(outputs, torch.Tensor) or not isinstance(targets, torch.Tensor):
        return 0, 0
    if targets.dtype not in (torch.int64, torch.int32, torch.int16, torch.uint8):
        return 0, 0
    if outputs.ndim != targets.ndim + 1 or outputs.shape[:-1] != targets.shape:
        return 0, 0
    return int((outputs.argmax(-1) == targets).sum()), targets.numel()


def _check_loader(name, loader):
    if loader is None or not hasattr(loader, "__iter__"):
        raise TypeError(f"{name} must be an iterable of (inputs, targets) batches "
                        f"(e.g. a DataLoader), got {type(loader).__name__}")


def evaluate(model, loader, loss_fn, device=None) -> dict:
    """Mean loss and accuracy of ``model`` over ``loader`` in eval mode, without gradients.

    Returns ``{"loss": float, "acc": float}`` (``acc`` is nan when it does not apply).
    """
    _check_loader("loader", loader)
    device = device or next(model.parameters()).device
    was_training = model.training
    model.eval()
    total, count, correct, counted = 0.0, 0, 0, 0
    with torch.no_grad():
        for inputs, targets in loader:
            inputs, targets = _to(inputs, device), _to(targets, device)
            outputs = model(inputs)
            n = len(targets)
            total += float(loss_fn(outputs, targets)) * n
            count += n
            c, k = _correct(outputs, targets)
            correct, counted = correct + c, counted + k
    model.train(was_training)
    if count == 0:
        raise ValueError("loader yielded no batches: nothing to evaluate")
    return {"loss": total / count, "acc": correct / counted if counted else float("nan")}


def predict(model, inputs, device=None, batch_size: int = 1024) -> torch.Tensor:
    """Model outputs for a tensor of inputs (or a loader's inputs), in eval mode, on the CPU."""
    device = device or next(model.parameters()).device
    was_training = model.training
    model.eval()
    outs = []
    with torch.no_grad():
        if isinstance(inputs, torch.Tensor):
            batches = (inputs[i:i + batch_size] for i in range(0, len(inputs), batch_size))
        else:
            _check_loader("inputs", inputs)
            batches = (b[0] if isinstance(b, tuple | list) else b for b in inputs)
        for xb in batches:
            outs.append(model(_to(xb, device)).cpu())
    model.train(was_training)
    return torch.cat(outs)


def fit(model, train_loader, *, loss_fn, optimizer, epochs: int, val_loader=None, device=None,
        scheduler=None, scheduler_per_step: bool = False, clip_grad_norm: float | None = None,
        restore_best: bool = False, progress: bool = True, callback=None) -> dict:
    """Train ``model`` for ``epochs`` epochs; returns the history dict.

    ``scheduler``: a ``torch.optim.lr_scheduler`` stepped after every epoch (or every batch
    with ``scheduler_per_step=True``). ``clip_grad_norm``: clip the global gradient norm.
    ``restore_best``: load the state that was best on validation accuracy (or loss) at the
    end. ``callback(epoch, history)`` after every epoch.

    History: ``train_loss``, ``train_acc`` (running over the epoch, in train mode),
    ``val_loss``, ``val_acc``, ``lr``, ``epoch_time`` (seconds) per epoch, and ``step_loss``.
    """
    _check_loader("train_loader", train_loader)
    if val_loader is not None:
        _check_loader("val_loader", val_loader)
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 0:
        raise ValueError(f"epochs must be an integer >= 0, got {epochs!r}")
    if not callable(loss_fn):
        raise TypeError(f"loss_fn must be callable (e.g. nn.CrossEntropyLoss()), got {loss_fn!r}")
    from tqdm.auto import tqdm

    device = torch.device(device) if device is not None else choose_device()
    model.to(device)
    history = {k: [] for k in ("train_loss", "train_acc", "val_loss", "val_acc", "lr",
                               "epoch_time", "step_loss")}
    best, best_state = None, None
    try:
        n_batches = len(train_loader)
    except TypeError:
        n_batches = None
    bar = tqdm(total=epochs * n_batches if n_batches else None, desc="training", unit="batch",
               disable=not progress, leave=False)
    try:
        for epoch in range(epochs):
            model.train()
            start = time.perf_counter()
            total, count, correct, counted = 0.0, 0, 0, 0
            for inputs, targets in train_loader:
                inputs, targets = _to(inputs, device), _to(targets, device)
                outputs = model(inputs)
                loss = loss_fn(outputs, targets)
                if not torch.isfinite(loss):
                    raise FloatingPointError(f"the loss became {loss.item()} in epoch {epoch + 1}:"
                                             " training diverged (try a smaller lr)")
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                if clip_grad_norm is not None:
                    torch.nn.utils.clip_grad_norm_(model.parameters(), clip_grad_norm)
                optimizer.step()
                if scheduler is not None and scheduler_per_step:
                    scheduler.step()
                n = len(targets)
                value = float(loss.detach())
                total, count = total + value * n, count + n
                c, k = _correct(outputs.detach(), targets)
                correct, counted = correct + c, counted + k
                history["step_loss"].append(value)
                bar.update(1)
                bar.set_postfix(epoch=epoch + 1, loss=f"{value:.4f}", refresh=False)
            if count == 0:
                raise ValueError("train_loader yielded no batches: nothing to train on")
            history["lr"].append(optimizer.param_groups[0]["lr"])
            if scheduler is not None and not scheduler_per_step:
                scheduler.step()
            history["train_loss"].append(total / count)
            history["train_acc"].append(correct / counted if counted else float("nan"))
            if val_loader is not None:
                result = evaluate(model, val_loader, loss_fn, device)
                history["val_loss"].append(result["loss"])
                history["val_acc"].append(result["acc"])
                score = result["acc"] if result["acc"] == result["acc"] else -result["loss"]
                if restore_best and (best is None or score > best):
                    best, best_state = score, copy.deepcopy(model.state_dict())
            history["epoch_time"].append(time.perf_counter() - start)
            if callback is not None:
                callback(epoch, history)
    finally:
        bar.close()
    if restore_best and best_state is not None:
        model.load_state_dict(best_state)
    return history
