"""Notebook 04's widget logic (helpers.widgets.mlp_trainer), tested without a browser."""

import numpy as np
import pytest

from helpers.widgets.mlp_trainer import ACTIVATIONS, DATASETS, MLPTrainer, show_mlp_trainer

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def small(**kw):
    """A quick trainer: few epochs, few points."""
    base = {"epochs": 40, "n": 60}
    base.update(kw)
    return MLPTrainer(**base)


def test_readout_reports_epoch_loss_and_accuracy():
    t = small()
    assert "not trained yet" in t.readout()
    t.train()
    text = t.readout()
    assert "epoch 40" in text and "loss" in text and "train accuracy" in text
    assert t.epoch == 40 and len(t.losses) == 40
    assert t.figure_png().startswith(PNG_MAGIC)


def test_deterministic_with_a_seed():
    a, b = small(seed=3).train(), small(seed=3).train()
    assert a.readout() == b.readout()
    assert a.losses == b.losses
    assert a.figure_png() == b.figure_png()
    c = small(seed=4).train()
    assert c.losses != a.losses


@pytest.mark.parametrize("setting, value", [
    ("dataset", "spiral"), ("dataset", "xor"), ("hidden", 3), ("lr", 0.1),
    ("activation", "relu"), ("activation", "sigmoid"), ("l2", 0.1), ("layers", 2),
])
def test_changing_a_control_changes_readout_and_png(setting, value):
    base = small().train()
    changed = small().set(**{setting: value}).train()
    assert changed.settings[setting] == value
    assert changed.readout() != base.readout()
    assert changed.figure_png() != base.figure_png()


def test_set_resets_and_train_continues():
    t = small().train()
    t.train(10)
    assert t.epoch == 50
    t.set(hidden=4)
    assert t.epoch == 0 and "not trained yet" in t.readout()


def test_loss_decreases_and_moons_is_learned():
    t = MLPTrainer(dataset="moons", hidden=16, lr=1.0, epochs=500).train()
    assert t.losses[-1] < t.losses[0]
    assert t.accuracy() >= 0.9


def test_every_dataset_and_activation_trains():
    for name in DATASETS:
        for act in ACTIVATIONS:
            t = small(dataset=name, activation=act, epochs=5).train()
            assert np.isfinite(t.losses).all()
            assert t.model.architecture[-1]["output_dim"] == DATASETS[name][2]


def test_divergence_is_reported_not_raised():
    t = small(lr=100.0, hidden=64, layers=4, activation="relu", epochs=200).train()
    assert t.diverged
    assert "diverged" in t.readout()
    assert t.figure_png().startswith(PNG_MAGIC)


def test_diverged_run_is_plotted_as_log10_so_early_epochs_are_readable():
    t = small(lr=100.0, hidden=64, layers=4, activation="relu", epochs=200).train()
    values, ylabel, logy = t.loss_curve()
    assert not logy and "log10" in ylabel
    assert np.allclose(values, np.log10(t.losses))
    assert max(values) < 400  # finite losses only: at most about 308 decades


def test_normal_run_is_plotted_on_a_log_axis():
    t = small().train()
    values, ylabel, logy = t.loss_curve()
    assert logy and values == t.losses and "log10" not in ylabel
    assert small().loss_curve() == ([], "loss (cross-entropy + L2)", False)


def test_readout_loss_is_from_before_the_last_update():
    t = small(epochs=5).train()
    loss_now, _ = t.model.loss(t.X, t.y)
    assert f"loss {t.losses[-1]:.4f}" in t.readout()
    assert loss_now != t.losses[-1]  # the current weights have a newer loss


def test_callback_is_called_during_training():
    seen = []
    small(epochs=30).train(callback=lambda tr: seen.append(tr.epoch), every=10)
    assert seen == [10, 20, 30]


@pytest.mark.parametrize("kw, word", [
    ({"dataset": "blobz"}, "dataset"), ({"activation": "softmax"}, "activation"),
    ({"hidden": 0}, "hidden"), ({"hidden": 2.5}, "hidden"), ({"lr": 0}, "lr"),
    ({"lr": -1.0}, "lr"), ({"l2": -0.1}, "l2"), ({"layers": 9}, "layers"),
])
def test_bad_settings_name_the_argument(kw, word):
    with pytest.raises(ValueError, match=word):
        MLPTrainer(**kw)
    with pytest.raises(ValueError, match=word):
        small().set(**kw)


def test_unknown_setting_is_named():
    with pytest.raises(ValueError, match="colour"):
        small().set(colour="red")


def test_ipywidgets_layer_updates_readout_and_image():
    pytest.importorskip("ipywidgets")
    box = show_mlp_trainer(small())
    text, image = box.children[2], box.children[3]
    assert "nn-readout" in text._dom_classes and "nn-figure" in image._dom_classes
    before_text, before_png = text.value, bytes(image.value)
    assert "epoch 40" in before_text and before_png.startswith(PNG_MAGIC)
    box.controls["hidden"].value = 2
    assert box.trainer.settings["hidden"] == 2
    assert text.value != before_text and bytes(image.value) != before_png
    box.buttons["more"].click()
    assert "epoch 80" in text.value
