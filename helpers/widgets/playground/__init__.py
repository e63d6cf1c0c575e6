"""The Playground (notebook 19): a TensorFlow-Playground-style widget on the course's NumPy MLP.

One subject per module, so that everything but the last one is tested without a browser:

- ``data``: the five classification sets and the two regression sets (plane,
  multi-Gaussian) on the plane [-6, 6]², the train/test split, the input features (x1, x2,
  x1², x2², x1·x2, sin x1, sin x2);
- ``model``: the network (an ``MLP`` with one output unit: sigmoid for classification,
  linear for regression), the L1/L2 penalty and the training step (``Solver.step`` with
  plain SGD);
- ``state``: :class:`PlaygroundState`, every setting, the epoch, the loss history and
  (optionally) the weights, round-tripping through JSON;
- ``raster``: drawing in NumPy (heat-map, markers) and PNG encoding;
- ``network``: the network picture as one SVG (neurons as heat-maps, links coloured by the
  sign of their weight and sized by its magnitude, hover to enlarge, click to select);
- ``app``: :class:`Playground`, data + model + training + rendering, no widgets;
- ``ui``: :func:`show_playground`, the ipywidgets controls wired to a ``Playground``.

This file only hands the public names on (import from the modules inside the package).
"""

from helpers.widgets.playground.app import Playground, run_headless
from helpers.widgets.playground.data import (
    DATASETS,
    DOMAIN,
    FEATURE_LABELS,
    FEATURES,
    PROBLEMS,
    REGRESSION_DATASETS,
    feature_matrix,
    make_playground_data,
    regression_target,
    split_train_test,
)
from helpers.widgets.playground.model import (
    ACTIVATIONS,
    LEARNING_RATES,
    MAX_LAYERS,
    MAX_NEURONS,
    REG_STRENGTHS,
    REGULARIZATIONS,
    PenalisedMLP,
    accuracy,
    architecture,
    build_model,
    data_loss,
    make_solver,
    penalty,
    train_step,
)
from helpers.widgets.playground.state import PlaygroundState
from helpers.widgets.playground.ui import show_playground

__all__ = [
    "ACTIVATIONS", "DATASETS", "DOMAIN", "FEATURES", "FEATURE_LABELS", "LEARNING_RATES",
    "MAX_LAYERS", "MAX_NEURONS", "PROBLEMS", "REGRESSION_DATASETS", "REGULARIZATIONS",
    "REG_STRENGTHS", "PenalisedMLP",
    "Playground", "PlaygroundState", "accuracy", "architecture", "build_model", "data_loss",
    "feature_matrix", "make_playground_data", "make_solver", "penalty", "regression_target",
    "run_headless",
    "show_playground", "split_train_test", "train_step",
]
