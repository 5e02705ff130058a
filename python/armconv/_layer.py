"""What Conv2d and QConv2d share: the convolution attributes, immutability."""
from __future__ import annotations

from typing import Any, Tuple, Union

from . import _args


class ConvLayer:
    """Base of the layer classes: a packed C++ layer and its normalised parameters.

    Attributes: ``in_channels``, ``out_channels``, ``kernel_size``,
    ``stride``, ``padding`` (top, bottom, left, right), ``dilation``,
    ``groups``, ``activation`` and ``algo``. Immutable once built.
    """

    __slots__ = ("_impl", "in_channels", "out_channels", "kernel_size", "stride", "padding",
                 "dilation", "groups", "activation", "algo")

    _impl: Any
    in_channels: int
    out_channels: int
    kernel_size: Tuple[int, int]
    stride: Tuple[int, int]
    padding: Tuple[int, int, int, int]
    dilation: Tuple[int, int]
    groups: int
    activation: Union[None, str, Tuple[float, float]]
    algo: str

    def _init_layer(self, args: _args.ConvArgs, impl: Any) -> None:
        """Set the shared attributes (the only writes an instance gets)."""
        s = object.__setattr__
        s(self, "_impl", impl)
        for name in ("in_channels", "out_channels", "kernel_size", "stride", "padding",
                     "dilation", "groups", "activation"):
            s(self, name, getattr(args, name))
        s(self, "algo", impl.algo)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} layers are immutable")

    def output_shape(self, n: int, h: int, w: int) -> Tuple[int, int, int, int]:
        """The (N, out_channels, Ho, Wo) shape of the output for an (n, C, h, w) input."""
        s = self._impl.output_shape(_args.integer("n", n, 0), _args.integer("h", h, 1),
                                    _args.integer("w", w, 1))
        return (s[0], s[1], s[2], s[3])

    def _repr_fields(self) -> str:
        return (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}, padding={self.padding}, dilation={self.dilation}, "
                f"groups={self.groups}, activation={self.activation!r}")
