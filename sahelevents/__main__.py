"""``python -m sahelevents`` runs the command-line interface."""

from sahelevents.cli import main

if __name__ == "__main__":
    main()
