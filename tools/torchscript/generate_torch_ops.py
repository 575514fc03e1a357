#!/usr/bin/env python3
"""Generates src/main/resources/org/diffusej/engine/runtime/torch_ops.pt, the TorchScript helper module that gives
DiffuseJ libtorch's native ops DJL does not expose (scaled_dot_product_attention, group_norm, bf16 casts).

Run with Debian's torch 1.13 (apt-get install python3-torch):
    /usr/bin/python3 tools/torchscript/generate_torch_ops.py

Why a rewrite step: the module is executed by libtorch 2.5.1 (DJL's PyTorch engine), but torch 1.13 has no
scaled_dot_product_attention, so it cannot compile a call to it. A TorchScript archive stores its methods as
plain-text TorchScript code (code/__torch__.py) that libtorch compiles again when it loads the archive. The
module is therefore scripted with a stand-in op of the same arity (torch.lerp), and the stand-in is rewritten
to torch.scaled_dot_product_attention in the archive's code text. The debug source-range pickles
(*.debug_pkl) refer to the original text and are dropped: they only serve error messages.
"""
import io
import os
import re
import sys
import zipfile

import torch

STAND_IN = "torch.lerp("
NATIVE_SDPA = "torch.scaled_dot_product_attention("
# The causal variant: a second stand-in of the same arity, rewritten to the native op with is_causal=True.
CAUSAL_STAND_IN = "torch.addcmul("
CAUSAL_ARGUMENTS = ", None, 0., True)"


class TorchOps(torch.nn.Module):
    """Static helper ops; no parameters. Every method is exported so that DJL can call it by name."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x

    @torch.jit.export
    def sdpa(self, q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
        # softmax(q k^T / sqrt(d)) v on [B, heads, L, d]; rewritten to the native fused kernel.
        return torch.lerp(q, k, v)

    @torch.jit.export
    def sdpa_bf16(self, q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
        # bf16 compute, float32 in and out: DJL must never see a bf16 tensor (it aborts the JVM).
        return torch.lerp(q.to(torch.bfloat16), k.to(torch.bfloat16), v.to(torch.bfloat16)).to(torch.float32)

    @torch.jit.export
    def sdpa_causal(self, q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
        # Causal attention (query i sees keys 0..i), the text encoder's; rewritten like sdpa with is_causal=True.
        return torch.addcmul(q, k, v)

    @torch.jit.export
    def group_norm(self, x: torch.Tensor, groups: int, weight: torch.Tensor, bias: torch.Tensor,
                   eps: float) -> torch.Tensor:
        return torch.group_norm(x, groups, weight, bias, eps, True)

    @torch.jit.export
    def group_norm_silu(self, x: torch.Tensor, groups: int, weight: torch.Tensor, bias: torch.Tensor,
                        eps: float) -> torch.Tensor:
        # ResNet blocks always follow the norm with SiLU: one native call instead of two.
        return torch.nn.functional.silu(torch.group_norm(x, groups, weight, bias, eps, True))

    @torch.jit.export
    def geglu(self, x: torch.Tensor) -> torch.Tensor:
        # GEGLU gate of the transformer feed-forward: value * gelu(gate) for x = [value, gate] on the last axis.
        value, gate = x.chunk(2, -1)
        return value * torch.nn.functional.gelu(gate)

    @torch.jit.export
    def conv2d_bf16(self, x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor, stride: int,
                    padding: int) -> torch.Tensor:
        # bf16 convolution with float32 in and out, for CPUs with native bf16 (AMX / avx512_bf16).
        y = torch.conv2d(x.to(torch.bfloat16), weight.to(torch.bfloat16), bias.to(torch.bfloat16),
                         [stride, stride], [padding, padding])
        return y.to(torch.float32)

    @torch.jit.export
    def linear_bf16(self, x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
        # x @ weight^T + bias in bfloat16, float32 in and out (weight and bias may already be bfloat16).
        return torch.nn.functional.linear(x.to(torch.bfloat16), weight.to(torch.bfloat16),
                                          bias.to(torch.bfloat16)).to(torch.float32)

    @torch.jit.export
    def linear_bf16_no_bias(self, x: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
        return torch.nn.functional.linear(x.to(torch.bfloat16), weight.to(torch.bfloat16)).to(torch.float32)

    @torch.jit.export
    def to_bf16(self, x: torch.Tensor) -> torch.Tensor:
        # Weights held in bfloat16 by libtorch for the *_bf16 ops: DJL only passes them through, never computes.
        return x.to(torch.bfloat16)


def rewrite(archive: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(archive))
    out = io.BytesIO()
    rewritten = 0
    causal = 0
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as target:
        for info in source.infolist():
            if info.filename.endswith(".debug_pkl"):
                continue
            data = source.read(info.filename)
            if info.filename.endswith(".py"):
                text = data.decode("utf-8")
                rewritten += text.count(STAND_IN)
                text = text.replace(STAND_IN, NATIVE_SDPA)
                causal += text.count(CAUSAL_STAND_IN)
                text = re.sub(re.escape(CAUSAL_STAND_IN) + r"(\w+), (\w+), (\w+)\)",
                              lambda m: NATIVE_SDPA + ", ".join(m.groups()) + CAUSAL_ARGUMENTS, text)
                data = text.encode("utf-8")
            # torch's loader expects the same member names; ZIP_STORED keeps tensors mmap-able like torch.save.
            target.writestr(zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0)), data)
    if rewritten != 2 or causal != 1:
        sys.exit(f"expected 2 + 1 stand-in calls in the scripted code, found {rewritten} + {causal}")
    return out.getvalue()


def main() -> None:
    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    target = os.path.join(repo, "src", "main", "resources", "org", "diffusej", "engine", "runtime", "torch_ops.pt")
    buffer = io.BytesIO()
    torch.jit.save(torch.jit.script(TorchOps()), buffer)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    with open(target, "wb") as f:
        f.write(rewrite(buffer.getvalue()))
    print(f"wrote {target} (torch {torch.__version__})")


if __name__ == "__main__":
    main()
