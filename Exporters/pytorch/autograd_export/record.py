"""Recording a function of tensors, with PyTorch's gradients, as a document."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping, Sequence

import torch

from .graph import Graph, UnsupportedOperation, hex_values
from .trace import Tracer

Inputs = Mapping[str, object] | Sequence[object]

_DTYPES = {torch.float64: "float64", torch.float32: "float32"}


def _leaf(name: str, value: object, requires_grad: bool) -> torch.Tensor:
    """A fresh leaf holding ``value`` (a tensor, or numbers: float64)."""
    if isinstance(value, torch.Tensor):
        tensor = value.detach().clone()
    else:
        tensor = torch.tensor(value, dtype=torch.float64)
    if tensor.dtype not in _DTYPES:
        raise UnsupportedOperation(f"the input {name!r}", f"has dtype {tensor.dtype}; only float64 and float32 are supported")
    return tensor.requires_grad_(requires_grad)


def _common_dtype(leaves: dict[str, torch.Tensor]) -> torch.dtype:
    dtypes = {t.dtype for t in leaves.values()}
    if len(dtypes) != 1:
        found = ", ".join(f"{name}: {t.dtype}" for name, t in leaves.items())
        raise UnsupportedOperation("the inputs", f"mix dtypes ({found}); give them all float64 or all float32")
    return dtypes.pop()


def record(
    fn: Callable[..., torch.Tensor],
    inputs: Inputs,
    *,
    constants: Mapping[str, object] | None = None,
    producer: str | None = None,
    node_gradients: bool = True,
) -> dict:
    """Run ``fn`` on ``inputs``, record its ops and PyTorch's gradients, and
    return the graph interchange document (a dict ready for ``json.dump``).

    ``inputs`` maps names to tensors (or is a list, named ``x0``, ``x1``...);
    ``fn`` is called with fresh float64 or float32 leaves that require grad, by
    keyword (positionally for a list), and with ``constants`` by keyword: those
    become inputs with ``"requires_grad": false``, as do tensors ``fn`` creates
    or captures. ``fn`` must return a tensor with exactly one element.
    ``producer`` defaults to ``"torch <version>"``. With ``node_gradients``,
    each node gets PyTorch's gradient of the output with respect to it
    (``retain_grad()``), where PyTorch computed one (see ``Graph.add_gradients``).

    Raises ``UnsupportedOperation`` (a ``ValueError``) for an op the format
    cannot express, and ``ValueError`` for an output that is not one element.
    """
    named = dict(inputs) if isinstance(inputs, Mapping) else {f"x{i}": v for i, v in enumerate(inputs)}
    if not named:
        raise ValueError("record needs at least one input")
    leaves = {name: _leaf(name, value, True) for name, value in named.items()}
    fixed = {name: _leaf(name, value, False) for name, value in (constants or {}).items()}
    graph = Graph(_common_dtype(leaves | fixed))
    for name, tensor in [*leaves.items(), *fixed.items()]:
        if not isinstance(name, str) or not name:
            raise ValueError(f"input names must be non-empty strings, not {name!r}")
        graph.add_input(name, tensor, requires_grad=name in leaves)

    with torch.enable_grad(), Tracer(graph):
        if isinstance(inputs, Mapping):
            output = fn(**leaves, **fixed)
        else:
            output = fn(*leaves.values(), **fixed)
    graph.check_unchanged()

    if not isinstance(output, torch.Tensor) or output.numel() != 1:
        got = f"shape {list(output.shape)}" if isinstance(output, torch.Tensor) else type(output).__name__
        raise ValueError(f"the function must return a tensor with exactly one element (a loss), not {got}")
    output_name = graph.name_of(output)
    if output_name is None or not output.requires_grad:
        raise ValueError("the function's output does not depend on its inputs through recorded ops")
    if node_gradients:
        graph.retain_grads()
    output.backward()

    kept_inputs, nodes = graph.pruned(output_name)
    if node_gradients:
        graph.add_gradients(nodes)
    for entry in kept_inputs:
        leaf = graph.leaves[entry["name"]]
        if entry["requires_grad"]:
            entry["gradient"] = hex_values(leaf.grad if leaf.grad is not None else torch.zeros_like(leaf))
    return {
        "format": "autograd-graph",
        "version": 1,
        "dtype": _DTYPES[graph.dtype],
        "producer": producer or f"torch {torch.__version__.split('+')[0]}",
        "inputs": kept_inputs,
        "nodes": nodes,
        "output": output_name,
    }


def export(fn: Callable[..., torch.Tensor], inputs: Inputs, path: str | os.PathLike, **kwargs: object) -> dict:
    """``record(fn, inputs, **kwargs)`` written as JSON to ``path``; returns the document."""
    document = record(fn, inputs, **kwargs)
    with open(path, "w", encoding="utf-8") as file:
        json.dump(document, file, indent=1)
        file.write("\n")
    return document
