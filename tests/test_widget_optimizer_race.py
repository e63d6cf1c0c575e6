"""The optimiser race's logic (notebook 07), without a browser."""

import math

import numpy as np
import pytest

from helpers.numpy_nn.gradcheck import numerical_gradient
from helpers.numpy_nn.optim import adam
from helpers.widgets.optimizer_race import (
    RACERS,
    SURFACES,
    OptimizerRace,
    animate_race,
    race_path,
    show_optimizer_race,
)


@pytest.mark.parametrize("name", sorted(SURFACES))
def test_surface_gradients_match_finite_differences(name):
    s = SURFACES[name]
    for point in [s.start, (0.3, -0.7), (1.1, 0.4)]:
        p = np.array(point, dtype=float)
        num = numerical_gradient(lambda q: s.f(q[0], q[1]), p)
        np.testing.assert_allclose(s.grad(*p), num, rtol=1e-6, atol=1e-6)
    assert s.f(*s.minimum) == pytest.approx(s.f_min)
    np.testing.assert_allclose(s.grad(*s.minimum), 0.0, atol=1e-12)


def test_saddle_point_is_a_saddle():
    s = SURFACES["saddle"]
    np.testing.assert_allclose(s.grad(0.0, 0.0), 0.0)
    assert s.f(0.0, 0.1) < s.f(0.0, 0.0) < s.f(0.1, 0.0)


def test_race_path_is_the_update_rule_applied_to_the_gradient():
    s = SURFACES["rosenbrock"]
    r = race_path(s, "adam", 20, lr=0.05)
    w, config = np.array(s.start), {"lr": 0.05, "betas": (0.9, 0.999)}
    for t in range(20):
        w, config = adam(w, s.grad(*w), config)
        np.testing.assert_allclose(r["path"][t + 1], w)
    assert r["path"].shape == (21, 2) and r["loss"].shape == (21,)
    np.testing.assert_allclose(r["loss"], s.f(r["path"][:, 0], r["path"][:, 1]))
    assert r["diverged_at"] is None


def test_every_racer_reaches_the_quadratic_minimum_with_its_default_lr():
    race = OptimizerRace(surface="elongated quadratic", racers=RACERS, steps=400)
    gaps = race.final_gaps()
    assert set(gaps) == set(RACERS)
    for name, gap in gaps.items():
        assert gap < 0.05, (name, gap)


def test_the_stories_the_notebook_tells():
    # Ill-conditioning: after 100 steps momentum is far ahead of plain gradient descent.
    g = OptimizerRace(surface="elongated quadratic", racers=("sgd", "momentum"),
                      steps=100).final_gaps()
    assert g["momentum"] < g["sgd"] / 10
    # Rosenbrock: momentum follows the curved valley much further than plain GD.
    g = OptimizerRace(surface="rosenbrock", racers=("sgd", "momentum"), steps=300).final_gaps()
    assert g["momentum"] < g["sgd"] / 100
    # Saddle: plain GD still sits on the plateau f = 0 (gap 0.25) after 100 steps, while
    # Adam and RMSprop have escaped to a minimum.
    g = OptimizerRace(surface="saddle", racers=("sgd", "rmsprop", "adam"), steps=100).final_gaps()
    assert g["sgd"] > 0.2 and g["adam"] < 1e-2 and g["rmsprop"] < 1e-2


def test_too_large_lr_diverges_and_is_reported():
    race = OptimizerRace(surface="elongated quadratic", racers=("sgd",), lr_sgd=1.2, steps=200)
    r = race.run()["sgd"]
    assert r["diverged_at"] is not None
    assert np.all(np.isfinite(r["path"]))
    assert math.isinf(race.final_gaps()["sgd"])
    assert "diverged" in race.readout()


def test_settings_change_the_numbers_and_the_cache_is_used():
    race = OptimizerRace(racers=("momentum", "adam"), steps=50)
    a = race.run()
    assert race.run()["adam"] is a["adam"]
    b = race.set(momentum=0.5).run()
    assert not np.allclose(a["momentum"]["path"], b["momentum"]["path"])
    assert b["adam"] is a["adam"]  # momentum does not touch Adam
    c = race.set(beta1=0.5).run()
    assert not np.allclose(a["adam"]["path"], c["adam"]["path"])
    d = race.set(beta2=0.9).run()
    assert not np.allclose(c["adam"]["path"], d["adam"]["path"])


def test_surface_change_resets_the_lrs_to_its_defaults():
    race = OptimizerRace(lr_sgd=0.01)
    assert race.lr_of("sgd") == 0.01
    race.set(surface="rosenbrock")
    assert race.lr_of("sgd") == SURFACES["rosenbrock"].lr_sgd
    assert race.lr_of("adam") == SURFACES["rosenbrock"].lr_adaptive
    race.set(surface="saddle", lr_adaptive=0.2)
    assert race.lr_of("rmsprop") == 0.2


def test_racers_are_kept_in_a_fixed_order():
    race = OptimizerRace(racers=("adam", "sgd"))
    assert race.racers == ("sgd", "adam")
    assert list(race.run()) == ["sgd", "adam"]


def test_readout_figure_png():
    race = OptimizerRace(surface="saddle", racers=("sgd", "adam"), steps=30)
    text = race.readout()
    assert text.startswith("saddle, 30 steps") and "sgd (lr 0.1)" in text and "adam" in text
    fig = race.figure()
    ax1, ax2 = fig.axes[:2]
    assert ax2.get_yscale() == "log"
    assert len(ax1.lines) >= 2 + 2  # start, minimum and two paths
    png = race.png()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_animation_has_the_requested_frames():
    anim = animate_race(surfaces=("saddle",), racers=("sgd", "adam"), steps=10, frames=6)
    html = anim.to_jshtml()
    assert "<script" in html and html.count("frames[") >= 6
    with pytest.raises(ValueError, match="frames must be in"):
        animate_race(steps=10, frames=20)


@pytest.mark.parametrize("kwargs, match", [
    ({"surface": "himmelblau"}, "surface must be one of"),
    ({"racers": ("sgd", "lbfgs")}, "racers must be a non-empty selection"),
    ({"racers": ()}, "racers must be a non-empty selection"),
    ({"lr_sgd": 0.0}, "lr_sgd must be a number > 0"),
    ({"lr_adaptive": float("inf")}, "lr_adaptive must be a number > 0"),
    ({"momentum": 1.0}, r"momentum must be a number in \[0, 1\)"),
    ({"beta1": -0.1}, r"beta1 must be a number in \[0, 1\)"),
    ({"beta2": "0.9"}, r"beta2 must be a number in \[0, 1\)"),
    ({"steps": 0}, "steps must be an integer in"),
    ({"steps": 5000}, "steps must be an integer in"),
])
def test_bad_settings_are_rejected(kwargs, match):
    with pytest.raises(ValueError, match=match):
        OptimizerRace(**kwargs)


def test_show_optimizer_race_builds_the_widget():
    box = show_optimizer_race(steps=20)
    import ipywidgets as W

    assert isinstance(box, W.VBox)
    text, image = box.children[-2], box.children[-1]
    before_text, before_png = text.value, image.value
    assert "20 steps" in before_text and len(before_png) > 1000
    surf = box.children[0].children[0]
    surf.value = "rosenbrock"
    assert text.value.startswith("rosenbrock") and image.value != before_png
    lr_sgd = box.children[2].children[0]
    assert lr_sgd.value == pytest.approx(SURFACES["rosenbrock"].lr_sgd, rel=0.2)
    adam_box = box.children[1].children[list(RACERS).index("adam")]
    adam_box.value = False
    assert "adam" not in text.value
