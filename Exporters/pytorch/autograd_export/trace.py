"""Seeing every torch op a function applies, with a ``TorchFunctionMode``."""

from __future__ import annotations

import torch
from torch.overrides import TorchFunctionMode, resolve_name

from .graph import Graph, UnsupportedOperation
from .ops import HANDLERS, Call, handle


def op_name(func: object) -> str:
    """PyTorch's public name for ``func``: ``torch.Tensor.add``, ``torch.Tensor.T``."""
    name = resolve_name(func) or getattr(func, "__qualname__", None) or repr(func)
    return name.removesuffix(".__get__")


def tensors(value: object) -> list[torch.Tensor]:
    """The tensors in ``value``, looking into tuples, lists and dicts."""
    if isinstance(value, torch.Tensor):
        return [value]
    if isinstance(value, (tuple, list)):
        return [t for item in value for t in tensors(item)]
    if isinstance(value, dict):
        return [t for item in value.values() for t in tensors(item)]
    return []


class Tracer(TorchFunctionMode):
    """Records the ops applied to the graph's tensors while it is active.

    Each call runs as PyTorch runs it; then, if it read a recorded tensor and
    returned tensors, its handler writes it as the format's ops. A result that
    does not require grad and that no handler records (``detach``,
    ``zeros_like``, ``argmax``, ``eq``, anything under ``torch.no_grad``) is
    left unrecorded, so that it becomes a constant where it is used, as it is
    for PyTorch's autograd. Calls that return no tensor (``size``, ``dim``,
    ``__bool__``...) pass through.
    """

    def __init__(self, graph: Graph) -> None:
        super().__init__()
        self.graph = graph

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        name = op_name(func)
        operands = tensors((args, kwargs))
        seen = [t for t in operands if self.graph.name_of(t) is not None]
        versions = [t._version for t in operands]
        result = func(*args, **kwargs)
        if seen and versions != [t._version for t in operands]:
            raise UnsupportedOperation(name, "works in place (it changed a tensor's values), which is not supported")
        out = tensors(result)
        if not seen or not out or not torch.is_grad_enabled():
            return result
        if isinstance(result, torch.Tensor) and self.graph.name_of(result) is not None:
            return result  # the same tensor again: requires_grad_(), to() of its own dtype
        handler = HANDLERS.get(name)
        differentiable = any(t.requires_grad for t in out)
        if not differentiable and (handler is None or any(t.dtype not in self.graph.dtypes for t in out)):
            return result  # a constant, as for autograd: torch.where(c, 1.0, -1.0), argmax, eq...
        if handler is None:
            raise UnsupportedOperation(name)
        before = len(self.graph.nodes)
        names = handle(Call(self.graph, name, result), handler, args, kwargs)
        new = {node["name"] for node in self.graph.nodes[before:]}  # the nodes this call wrote
        if isinstance(result, torch.Tensor):
            self.graph.bind(result, names, name, new)
        else:
            for tensor, tensor_name in zip(result, names):
                if tensor_name is not None:
                    self.graph.bind(tensor, tensor_name, name, new)
        return result
