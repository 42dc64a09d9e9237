"""Record a PyTorch function of tensors, with PyTorch's own gradients, in
swift-autograd's graph interchange format, for ``autograd judge`` to score.

>>> import torch, autograd_export
>>> doc = autograd_export.record(lambda x: torch.tanh(x).sum(), {"x": torch.tensor([0.5, 5.0], dtype=torch.float64)})
>>> [node["op"] for node in doc["nodes"]]
['tanh', 'sum']
"""

from .graph import SUPPORTED, UnsupportedOperation
from .record import export, record

__all__ = ["record", "export", "UnsupportedOperation", "SUPPORTED"]
__version__ = "0.1.0"
