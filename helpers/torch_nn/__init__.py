"""PyTorch helpers of Parts III-IV: the training loop (``train``) and, later, models.

Import from the module that holds a name (``from helpers.torch_nn.train import fit``).
"""
