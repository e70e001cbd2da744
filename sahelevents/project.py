"""Where a dataset repository keeps its files.

A dataset repository (this one, or any team's) has ``codebook/``, ``schema/``, ``seeds/``,
``annotations/`` and ``releases/`` side by side. Commands find the root by walking up from the
working directory to the first folder holding ``codebook/codebook.yaml``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from sahelevents.issues import UserError

#: Caches of derived data, per project (ignored by git; always safe to delete).
CACHE_DIR = ".sahelevents-cache"


@dataclass(frozen=True)
class Project:
    root: Path

    @classmethod
    def find(cls, start: Path | None = None) -> Project:
        here = (start or Path.cwd()).resolve()
        for folder in (here, *here.parents):
            if (folder / "codebook" / "codebook.yaml").is_file():
                return cls(folder)
        raise UserError(f"no sahelevents project here: no codebook/codebook.yaml in {here} or "
                        "above (use --root)")

    @property
    def codebook_dir(self) -> Path:
        return self.root / "codebook"

    @property
    def codebook_file(self) -> Path:
        return self.codebook_dir / "codebook.yaml"

    @property
    def actors_file(self) -> Path:
        return self.codebook_dir / "actors.yaml"

    @property
    def places_file(self) -> Path:
        return self.codebook_dir / "places.yaml"

    @property
    def rules_dir(self) -> Path:
        return self.codebook_dir / "rules"

    @property
    def schema_dir(self) -> Path:
        return self.root / "schema"

    @property
    def seeds_dir(self) -> Path:
        return self.root / "seeds"

    @property
    def registry_file(self) -> Path:
        return self.seeds_dir / "sources.yaml"

    @property
    def annotations_dir(self) -> Path:
        return self.root / "annotations"

    @property
    def releases_dir(self) -> Path:
        return self.root / "releases"

    @property
    def build_dir(self) -> Path:
        return self.root / "build"

    @property
    def cache_dir(self) -> Path:
        return self.root / CACHE_DIR

    def relative(self, path: Path) -> str:
        """A path as shown to users: relative to the root when inside it."""
        absolute, root = os.path.abspath(path), os.path.abspath(self.root)
        if absolute.startswith(root + os.sep):  # inside, as written: no file system calls
            return Path(absolute[len(root) + 1:]).as_posix()
        try:
            return path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return str(path)
