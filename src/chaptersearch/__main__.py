"""``python -m chaptersearch``: the same as the ``chaptersearch`` command."""

from .cli import main

main()
