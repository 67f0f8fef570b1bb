"""The PyTorch side of ``ml_models.training.liveness``; runs only inside the throwaway torch venv, never in the project.

``python liveness_torch.py SOURCE_DIR CROPS_NPZ OUT_DIR``: for each network named in the crops file (a
``<pth stem>`` → N×3×80×80 float32 BGR array), loads the original architecture from ``SOURCE_DIR/MiniFASNet.py`` and
the ``.pth`` state dict, exports ``OUT_DIR/<pth stem>.onnx`` and writes the original's softmax on the crops to
``OUT_DIR/softmax.npz``. Imports nothing of the project (its venv has only torch, onnx and numpy).
"""

import sys
from pathlib import Path

import numpy as np
import torch

CONV6_KERNEL = (5, 5)  # the repo's get_kernel(80, 80): ((80 + 15) // 16, (80 + 15) // 16)
ONNX_OPSET = 17


def load_original(source: Path, stem: str) -> torch.nn.Module:
    sys.path.insert(0, str(source))
    import MiniFASNet

    # The original flattens with view(size(0), -1), which the ONNX exporter freezes to the traced batch size;
    # flatten(1) is the same operation and keeps the batch dimension free for cv2.dnn.
    MiniFASNet.Flatten.forward = lambda self, x: torch.flatten(x, 1)
    architecture = getattr(MiniFASNet, stem.rsplit("_", 1)[-1])
    model = architecture(conv6_kernel=CONV6_KERNEL)
    state = torch.load(source / f"{stem}.pth", map_location="cpu", weights_only=True)
    model.load_state_dict({key.removeprefix("module."): value for key, value in state.items()})
    return model.eval()


def export_onnx(model: torch.nn.Module, path: Path) -> None:
    example = torch.zeros(1, 3, 80, 80)
    torch.onnx.export(
        model, (example,), str(path), dynamo=False, opset_version=ONNX_OPSET,
        input_names=["input"], output_names=["logits"], dynamic_axes={"input": {0: "n"}, "logits": {0: "n"}},
    )  # fmt: skip


def main(source: Path, crops_path: Path, out_dir: Path) -> None:
    crops = np.load(crops_path)
    softmax = {}
    for stem in crops.files:
        model = load_original(source, stem)
        export_onnx(model, out_dir / f"{stem}.onnx")
        with torch.no_grad():
            softmax[stem] = torch.softmax(model(torch.from_numpy(crops[stem])), dim=1).numpy()
    np.savez(out_dir / "softmax.npz", **softmax)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]))
