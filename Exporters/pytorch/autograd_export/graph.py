"""The graph being recorded: named inputs and nodes, and the tensors they name."""

from __future__ import annotations

import math
from collections.abc import Sequence, Set

import torch

#: The PyTorch ops the exporter records, as its error messages list them.
SUPPORTED = (
    "+ - * / (add, sub, mul, div, rsub, true_divide; alpha=1, no rounding_mode), "
    "neg, abs, relu, exp, log, sqrt, sin, cos, tanh, sigmoid, log1p, expm1, "
    "softplus (beta=1), pow / ** / square (number exponent), "
    "clamp / clamp_min / clamp_max / clip (number bounds), "
    "sum, mean, amax, max (all elements or dims; keepdim), "
    "matmul / @ / mm / bmm / mv / dot, transpose / t / T / mT / permute / swapaxes, "
    "reshape / view / flatten / unflatten / squeeze / unsqueeze / ravel, "
    "narrow / select / unbind / split / chunk / basic indexing (integers, step-1 slices), "
    "cat / stack, gt / lt / ge / le / ne, where, clone / contiguous / to (same dtype)"
)


class UnsupportedOperation(ValueError):
    """A PyTorch op (or a use of one) that the interchange format cannot express.

    ``op`` is PyTorch's name for it, e.g. ``"torch.Tensor.cumsum"``.
    """

    def __init__(self, op: str, reason: str = "is not supported") -> None:
        self.op = op
        super().__init__(f"{op} {reason}. The exporter records: {SUPPORTED}.")


def hex_float(value: float) -> str:
    """The exact hexadecimal string of ``value`` (``"inf"``, ``"-inf"`` and ``"nan"`` as such)."""
    if math.isnan(value):
        return "nan"
    return float(value).hex()


def hex_values(tensor: torch.Tensor) -> list[str]:
    """The tensor's elements, row-major, as exact hexadecimal strings."""
    return [hex_float(v) for v in tensor.detach().reshape(-1).double().tolist()]


def is_number(value: object) -> bool:
    """Whether ``value`` is a real Python number (a scalar operand, not a tensor)."""
    return isinstance(value, (int, float)) and not isinstance(value, torch.Tensor)


class Graph:
    """Inputs and nodes in the order they were recorded, named uniquely.

    Tensors are looked up by identity; the graph keeps each named tensor alive
    so that its ``id`` is never reused by another tensor.
    """

    def __init__(self, dtype: torch.dtype) -> None:
        self.dtype = dtype
        self.dtypes = (dtype, torch.bool)  # what recorded results may be
        self.inputs: list[dict] = []
        self.nodes: list[dict] = []
        self.leaves: dict[str, torch.Tensor] = {}  # input name -> leaf tensor
        self.conditions: set[str] = set()  # names of Boolean (comparison) nodes
        self.discovered: set[str] = set()  # constants found while tracing (const0...)
        self.tensors: dict[str, torch.Tensor] = {}  # node name -> the PyTorch result it stands for (reshaped)
        self.bypassed: set[str] = set()  # reshape nodes that a later reshape skipped (see `reshape`)
        self._names: dict[int, str] = {}
        self._alive: list[tuple[torch.Tensor, int]] = []  # named tensors and their versions
        self._used: set[str] = set()
        self._counts: dict[str, int] = {}
        self._nodes: dict[str, dict] = {}

    # Names

    def fresh(self, prefix: str) -> str:
        """A name not used yet: ``prefix`` followed by a counter (``tanh0``, ``const1``)."""
        while True:
            count = self._counts.get(prefix, 0)
            self._counts[prefix] = count + 1
            name = f"{prefix}{count}"
            if name not in self._used:
                return name

    def name_of(self, tensor: torch.Tensor) -> str | None:
        """The name of a recorded tensor, or ``None``."""
        return self._names.get(id(tensor))

    def bind(self, tensor: torch.Tensor, name: str, op: str = "an op", new: Set[str] = frozenset()) -> None:
        """Remember that ``tensor``, a result of ``op``, is the value of ``name``.

        ``new`` holds the nodes ``op`` wrote. If ``name`` is one of them, it
        stands for ``tensor``; so does the node it reshapes, if ``op`` wrote that
        one too (the reduction before ``keepdim``'s reshape, say).
        """
        if tensor.dtype not in self.dtypes:
            raise UnsupportedOperation(op, f"gives a {tensor.dtype} result in a {self.dtype} graph (mixed dtypes)")
        self._remember(tensor, name)
        if name in new:
            self.tensors[name] = tensor
            node = self._nodes[name]
            if node["op"] == "reshape" and node["args"][0] in new:
                self.tensors[node["args"][0]] = tensor

    def _remember(self, tensor: torch.Tensor, name: str) -> None:
        self._names[id(tensor)] = name
        self._alive.append((tensor, tensor._version))

    def check_unchanged(self) -> None:
        """Refuse if a recorded tensor was changed in place behind the tracer's
        back (through ``detach()`` or ``.data``, which share its storage)."""
        for tensor, version in self._alive:
            if tensor._version != version:
                raise UnsupportedOperation(
                    f"an in-place op on {self._names[id(tensor)]}",
                    "changed a recorded tensor (through detach() or .data?), which is not supported",
                )

    # Inputs

    def add_input(self, name: str, tensor: torch.Tensor, requires_grad: bool) -> str:
        """Record a leaf; its values are read now, so later changes do not show."""
        if name in self._used:
            raise ValueError(f"the name {name!r} is used twice")
        self._used.add(name)
        self.inputs.append(
            {"name": name, "shape": list(tensor.shape), "requires_grad": requires_grad, "values": hex_values(tensor)}
        )
        self.leaves[name] = tensor
        self._remember(tensor, name)
        return name

    def operand(self, tensor: torch.Tensor, op: str) -> str:
        """The name of a tensor operand of ``op``, recording an unseen tensor as a constant.

        A tensor the graph has not seen was created or captured by the function:
        it becomes an input ``constN`` with ``requires_grad: false``.
        """
        name = self.name_of(tensor)
        if name is not None:
            if name in self.conditions:
                raise UnsupportedOperation(op, "reads a comparison's result; only torch.where's condition can")
            return name
        if tensor.requires_grad:
            raise UnsupportedOperation(
                op,
                "reads a tensor that requires grad but was not produced by a recorded op "
                "(a captured parameter, or a result of an op the exporter did not see): pass it in `inputs`",
            )
        if tensor.is_complex() or not (
            tensor.dtype == self.dtype or (tensor.dtype == torch.float32 and self.dtype == torch.float64)
        ):
            raise UnsupportedOperation(op, f"mixes a {tensor.dtype} constant into a {self.dtype} graph")
        name = self.add_input(self.fresh("const"), tensor, requires_grad=False)
        self.discovered.add(name)
        return name

    def condition(self, tensor: torch.Tensor, op: str) -> str:
        """The name of a Boolean condition: a recorded comparison, or a constant mask
        (written as a 0/1 constant compared ``ne`` to 0)."""
        name = self.name_of(tensor)
        if name is not None:
            if name not in self.conditions:
                raise UnsupportedOperation(op, "needs a condition made by gt, lt, ge, le or ne")
            return name
        if tensor.dtype != torch.bool:
            raise UnsupportedOperation(op, f"needs a Boolean condition, not a {tensor.dtype} tensor")
        mask = self.operand(tensor.to(self.dtype), op)
        name = self.node("ne", [mask], tensor.shape, scalar=hex_float(0.0))
        self.conditions.add(name)
        self.bind(tensor, name)
        return name

    def constant(self, value: float, op: str) -> str:
        """A 0-d constant input holding the number ``value``."""
        return self.operand(torch.tensor(value, dtype=self.dtype), op)

    # Nodes

    def node(self, op: str, args: list[str], shape: Sequence[int], **params: object) -> str:
        """Record a node with its parameters and output ``shape``; return its name."""
        name = self.fresh(op)
        self._used.add(name)
        self.nodes.append({"name": name, "op": op, "args": list(args), "shape": list(shape), **params})
        self._nodes[name] = self.nodes[-1]
        return name

    def reshape(self, name: str, old: Sequence[int], new: Sequence[int]) -> str:
        """``name`` (of shape ``old``) reshaped to ``new``: no node if the shapes
        are equal, and a reshape of a reshape reads the first one's argument
        (the first one is then ``bypassed``: its PyTorch tensor's gradient counts
        readers that the document does not give it)."""
        if list(old) == list(new):
            return name
        source = self._nodes.get(name)
        if source is not None and source["op"] == "reshape":
            self.bypassed.add(name)
            return self.reshape(source["args"][0], self._shape(source["args"][0]), new)
        return self.node("reshape", [name], new, to=list(new))

    def _shape(self, name: str) -> list[int]:
        node = self._nodes.get(name)
        return node["shape"] if node is not None else next(i["shape"] for i in self.inputs if i["name"] == name)

    def real(self, value: float) -> str:
        """A real parameter as PyTorch uses it: in a float32 graph, rounded to float32."""
        if self.dtype == torch.float32:
            value = torch.tensor(float(value), dtype=torch.float32).item()
        return hex_float(float(value))

    def pruned(self, output: str) -> tuple[list[dict], list[dict]]:
        """The inputs and nodes the output depends on; the function's own inputs
        and named constants are always kept."""
        needed = {output}
        nodes = []
        for node in reversed(self.nodes):
            if node["name"] in needed:
                needed.update(node["args"])
                nodes.append(node)
        nodes.reverse()
        inputs = [i for i in self.inputs if i["name"] in needed or i["name"] not in self.discovered]
        return inputs, nodes

    # Node gradients

    def retain_grads(self) -> None:
        """Ask PyTorch to keep the gradient of every recorded tensor (call before ``backward``)."""
        for tensor, _ in self._alive:
            if tensor.requires_grad:
                tensor.retain_grad()

    def add_gradients(self, nodes: list[dict]) -> None:
        """Give each of ``nodes`` (a pruned graph, after ``backward``) PyTorch's
        gradient of the output with respect to it, where PyTorch computed it:

        1. the ``.grad`` of the PyTorch tensor the node stands for, reshaped to
           the node's shape (not for a bypassed reshape);
        2. else, for a node whose only reader is a reshape or transpose, that
           reader's gradient reshaped or transposed back;
        3. else, for a reshape or transpose that is its argument's only reader,
           the argument's gradient reshaped or transposed.

        Other nodes get none: a node PyTorch gave no gradient (a comparison, one
        that does not reach the output), or one whose gradient PyTorch never
        computed (a reduction over several dims before the last, a narrow
        before another narrow, a reshape that is one of several readers...).
        """
        readers: dict[str, list[dict]] = {}
        for node in nodes:
            for arg in node["args"]:
                readers.setdefault(arg, []).append(node)
        grads = {name: leaf.grad for name, leaf in self.leaves.items()}
        for node in reversed(nodes):
            name = node["name"]
            tensor = self.tensors.get(name) if name not in self.bypassed else None
            grad = tensor.grad if tensor is not None else None
            grads[name] = grad.reshape(node["shape"]) if grad is not None else None
            reader = _only(readers.get(name, []))
            if grads[name] is None and reader is not None and grads[reader["name"]] is not None:
                grads[name] = _rearranged(grads[reader["name"]], reader, node["shape"])
        for node in nodes:
            arg = node["args"][0]
            if grads[node["name"]] is None and _only(readers[arg]) is node and grads.get(arg) is not None:
                grads[node["name"]] = _rearranged(grads[arg], node, node["shape"])
        for node in nodes:
            if grads[node["name"]] is not None:
                node["gradient"] = hex_values(grads[node["name"]])


def _only(readers: list[dict]) -> dict | None:
    """The single reader, if it is a reshape or a transpose (which moves values, exactly)."""
    return readers[0] if len(readers) == 1 and readers[0]["op"] in ("reshape", "transpose") else None


def _rearranged(grad: torch.Tensor, node: dict, shape: list[int]) -> torch.Tensor:
    """``grad`` moved as the reshape or transpose ``node`` moves values (or back: a
    transpose is its own inverse), to ``shape``."""
    return grad.transpose(*node["dims"]) if node["op"] == "transpose" else grad.reshape(shape)
