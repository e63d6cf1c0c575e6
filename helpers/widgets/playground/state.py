"""The Playground's whole state as one dataclass that round-trips through JSON."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field

import numpy as np

from helpers.widgets.playground.data import DATASETS_FOR, PROBLEMS, feature_matrix
from helpers.widgets.playground.model import REGULARIZATIONS, architecture

#: names of earlier versions of the configuration, still read by ``from_json``
LEGACY_KEYS = {"learning_rate": "lr", "reg_rate": "reg_strength"}

@dataclass
class PlaygroundState:
    """Everything the Playground shows, as plain JSON-friendly values.

    ``params`` (weights as nested lists) is ``None`` for a fresh network drawn from
    ``init_seed``: a configuration an instructor hands out usually leaves it out.
    """

    problem: str = "classification"  # or "regression"
    dataset: str = "circle"
    noise: float = 0.0  # 0 to 0.5
    train_ratio: float = 0.5
    n_points: int = 500
    data_seed: int = 0
    features: list[str] = field(default_factory=lambda: ["x1", "x2"])
    hidden: list[int] = field(default_factory=lambda: [4, 2])
    activation: str = "tanh"
    lr: float = 0.03
    regularization: str = "none"
    reg_strength: float = 0.0
    batch_size: int = 10
    init_seed: int = 0
    show_test: bool = False
    discretize: bool = False  # output heat-map in two colours (the sign of the decision)
    epoch: int = 0
    train_loss: list[float] = field(default_factory=list)
    test_loss: list[float] = field(default_factory=list)
    params: dict[str, list] | None = None

    def validate(self) -> PlaygroundState:
        """Raise ``ValueError`` naming the first setting that is out of range."""
        if self.problem not in PROBLEMS:
            raise ValueError(f"problem must be one of {PROBLEMS}, got {self.problem!r}")
        if self.dataset not in DATASETS_FOR[self.problem]:
            raise ValueError(f"dataset must be one of {DATASETS_FOR[self.problem]} for "
                             f"{self.problem}, got {self.dataset!r}")
        if not 0.0 <= self.noise <= 0.5:
            raise ValueError(f"noise must be in [0, 0.5], got {self.noise!r}")
        if not 0.0 < self.train_ratio < 1.0:
            raise ValueError(f"train_ratio must be in (0, 1), got {self.train_ratio!r}")
        if self.n_points < 4:
            raise ValueError(f"n_points must be >= 4, got {self.n_points!r}")
        if not isinstance(self.features, (list, tuple)) or not all(
                isinstance(f, str) for f in self.features):
            raise ValueError(f"features must be a list of feature names such as "
                             f'["x1", "x2"], got {self.features!r}')
        if not isinstance(self.hidden, (list, tuple)) or not all(
                isinstance(h, int) and not isinstance(h, bool) for h in self.hidden):
            raise ValueError(f"hidden must be a list of layer sizes such as [4, 2] "
                             f"([] for no hidden layer), got {self.hidden!r}")
        feature_matrix(np.zeros((1, 2)), self.features)
        architecture(len(self.features), self.hidden, self.activation, self.problem)
        if self.regularization not in REGULARIZATIONS:
            raise ValueError(f"regularization must be one of {REGULARIZATIONS}, "
                             f"got {self.regularization!r}")
        if not self.lr > 0:
            raise ValueError(f"lr must be > 0, got {self.lr!r}")
        if not self.reg_strength >= 0:
            raise ValueError(f"reg_strength must be >= 0, got {self.reg_strength!r}")
        if self.batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {self.batch_size!r}")
        return self

    def to_json(self, indent: int | None = None) -> str:
        return json.dumps(dataclasses.asdict(self), indent=indent)

    @classmethod
    def from_json(cls, text: str) -> PlaygroundState:
        """Build a state from JSON; unknown keys are an error, missing keys take defaults."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as err:
            raise ValueError(f"not valid JSON ({err}): JSON writes names and strings in double "
                             'quotes ("lr"), true/false/null in lower case, and allows no '
                             "comma after the last entry") from None
        if not isinstance(data, dict):
            raise ValueError(f"a Playground configuration is a JSON object, got {type(data).__name__}")
        for old, new in LEGACY_KEYS.items():  # configurations saved before the rename
            if old in data and new not in data:
                data[new] = data.pop(old)
        if data.get("problem") == "regression" and "dataset" not in data:
            data["dataset"] = DATASETS_FOR["regression"][0]
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - names)
        if unknown:
            raise ValueError(f"unknown Playground settings {unknown}; known: {sorted(names)}")
        return cls(**data).validate()
