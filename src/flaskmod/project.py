"""An immutable snapshot of the target project, with its parsed trees cached.

Codemods never touch the disk: each gets a `Project` and returns a new one. Trees are handed along
(a codemod that edits a module stores the new tree, the next one reads it without re-parsing), and
metadata is resolved at most once per tree.
"""

from __future__ import annotations

import codecs
import os
import re
import stat
import tokenize
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import NamedTuple

import libcst as cst
import pathspec
from libcst.metadata import MetadataWrapper

from flaskmod import gitfiles, python2
from flaskmod.errors import FlaskmodError, Location
from flaskmod.names import FactCache, ModuleIndex, StatementFacts

# Never read, never touched: version control, environments, caches, generated migrations.
ALWAYS_IGNORED = (
    ".git/",
    ".hg/",
    ".svn/",
    ".venv/",
    "venv/",
    ".tox/",
    ".nox/",
    "node_modules/",
    "__pycache__/",
    ".mypy_cache/",
    ".pytest_cache/",
    ".ruff_cache/",
    "*.egg-info/",
    "migrations/versions/",
    "*.pyc",
    # flaskmod's own journal, lock and temporary files outside git (see `flaskmod.journal`)
    ".flaskmod-journal/",
    ".flaskmod.lock",
    "*.flaskmod-tmp",
)

# Files a migration may read or rewrite. Anything else (images, databases, fonts) is left alone.
TEXT_SUFFIXES = frozenset(
    {
        ".py",
        ".html",
        ".htm",
        ".jinja",
        ".jinja2",
        ".j2",
        ".txt",
        ".xml",
        ".cfg",
        ".ini",
        ".toml",
        ".md",
        ".rst",
        ".example",
        ".sql",
        ".css",
        ".js",
        ".json",
        ".yml",
        ".yaml",
        ".sh",
        ".conf",
    }
)
TEXT_NAMES = frozenset(
    {
        ".gitignore",
        ".flaskenv",
        ".env",
        "Pipfile",
        "Pipfile.lock",
        "poetry.lock",
        "Procfile",
        "Dockerfile",
        "Containerfile",
        "Makefile",
        "makefile",
        "GNUmakefile",
    }
)

MAX_FILE_BYTES = 2_000_000


@dataclass(frozen=True)
class FileText:
    """A text file's content plus what is needed to write it back byte-for-byte in kind."""

    text: str
    encoding: str = "utf-8"
    bom: bool = False
    executable: bool = False

    def to_bytes(self) -> bytes:
        data = self.text.encode(self.encoding)
        return codecs.BOM_UTF8 + data if self.bom else data


def decode(path: str, data: bytes, executable: bool = False) -> FileText:
    """Decode like Python does: a BOM or a PEP 263 coding line for `.py`, UTF-8 otherwise."""
    bom = data.startswith(codecs.BOM_UTF8)
    body = data[len(codecs.BOM_UTF8) :] if bom else data
    encoding = "utf-8"
    if path.endswith(".py") and not bom:
        try:
            encoding, _ = tokenize.detect_encoding(iter(data.splitlines(keepends=True)).__next__)
        except SyntaxError as exc:
            raise FlaskmodError(f"cannot read: {exc}", Location(path)) from exc
        if encoding == "utf-8-sig":
            encoding = "utf-8"
    try:
        text = body.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        line = body[: getattr(exc, "start", 0)].count(b"\n") + 1
        raise FlaskmodError(
            f"not decodable as {encoding}; flaskmod leaves the project untouched",
            Location(path, line),
        ) from exc
    return FileText(text=text, encoding=encoding, bom=bom, executable=executable)


@dataclass
class _Caches:
    trees: dict[str, cst.Module] = field(default_factory=dict)
    wrappers: dict[int, MetadataWrapper] = field(default_factory=dict)
    #: per-statement name facts, shared by every snapshot of one run (see `flaskmod.names`)
    facts: FactCache = field(default_factory=FactCache)
    indexes: dict[tuple[str, int], ModuleIndex] = field(default_factory=dict)
    #: the project's line ending, decided once from the original snapshot (see `Project.newline`)
    newline: str | None = None


@dataclass(frozen=True)
class Project:
    """Relative POSIX path → file text; `origin` remembers where moved files came from."""

    root: Path
    files: Mapping[str, FileText]
    origin: Mapping[str, str] = field(default_factory=dict)
    _caches: _Caches = field(default_factory=_Caches, compare=False, repr=False)
    #: Paths that exist on disk but are not in `files` (ignored, not text, skipped): a folder not
    #: looked into ends with "/". Nothing may be created over them (see `occupied`).
    hidden: frozenset[str] = field(default=frozenset(), compare=False)
    #: Files flaskmod would read but did not, each with the reason; the CLI reports them.
    skipped: tuple[Skipped, ...] = field(default=(), compare=False)
    #: `import_root` per path, for this snapshot's files (asked for every module at every step)
    _roots: dict[str, str] = field(default_factory=dict, init=False, compare=False, repr=False)

    # ----------------------------------------------------------------- reading
    def __contains__(self, path: object) -> bool:
        return path in self.files

    def text(self, path: str) -> str:
        return self.files[path].text

    def paths(self, suffix: str = "") -> list[str]:
        return sorted(p for p in self.files if p.endswith(suffix))

    def python_paths(self) -> list[str]:
        return self.paths(".py")

    def module(self, path: str) -> cst.Module:
        """The parsed tree of a Python file, parsed at most once per run."""
        tree = self._caches.trees.get(path)
        if tree is None:
            text = self.files[path].text
            try:
                tree = cst.parse_module(text)
            except cst.ParserSyntaxError as exc:
                _refuse_python2(path, python2.find(text), exc)
                raise FlaskmodError(
                    f"syntax error: {exc.message}", Location(path, exc.raw_line)
                ) from exc
            _refuse_python2(path, python2.find_in_parsed(text))
            self._caches.trees[path] = tree
        return tree

    def metadata(self, path: str) -> MetadataWrapper:
        """A metadata wrapper for the current tree of `path`, shared by every reader of it."""
        tree = self.module(path)
        wrapper = self._caches.wrappers.get(id(tree))
        if wrapper is None:
            # The trees are never mutated, so the defensive deep copy would only cost time.
            wrapper = MetadataWrapper(tree, unsafe_skip_copy=True)
            self._caches.wrappers[id(tree)] = wrapper
        return wrapper

    def index(self, path: str) -> ModuleIndex:
        """Name facts of `path`'s current tree; statements unchanged since an earlier tree
        reuse the facts computed for it."""
        tree = self.module(path)
        key = (path, id(tree))
        index = self._caches.indexes.get(key)
        if index is None or index.tree is not tree:
            index = ModuleIndex(tree, path, self.module_name(path), self._caches.facts)
            self._caches.indexes[key] = index
        return index

    def facts_of(self, statement: cst.BaseStatement) -> StatementFacts:
        """The module-level names a top-level statement reads and binds, cached per node (a
        codemod deciding which statements of a tree it is building to visit asks this)."""
        return self._caches.facts.of(statement)

    def render(self, tree: cst.Module) -> str:
        """`tree.code`, each statement rendered once per run (see `FactCache.render`)."""
        return self._caches.facts.render(tree)

    @property
    def newline(self) -> str:
        """The line ending of files the codemods create: CRLF if most Python files use it.

        Decided on the first snapshot and inherited by every derived one, so files created by
        later codemods do not flip the convention.
        """
        if self._caches.newline is None:
            self._caches.newline = _dominant_newline(self.files)
        return self._caches.newline

    def module_name(self, path: str) -> str:
        """Dotted name under which Python imports `path`, from its import root.

        The import root is the nearest folder above the module that is not a package (has no
        `__init__.py`): `src/app/__init__.py` is `app` when `src/` is not a package, and
        `project/app.py` is `project.app` when `project/__init__.py` exists.
        """
        return module_name(path, self.import_root(path))

    def import_root(self, path: str) -> str:
        """The folder from which `path` is imported ("" for the project root)."""
        root = self._roots.get(path)
        if root is None:
            root = self._roots[path] = self._import_root(path)
        return root

    def _import_root(self, path: str) -> str:
        folder = PurePosixPath(path).parent
        if PurePosixPath(path).name == "__init__.py":
            folder = folder.parent
        while str(folder) != "." and f"{folder.as_posix()}/__init__.py" in self.files:
            folder = folder.parent
        return "" if str(folder) == "." else folder.as_posix()

    def occupied(self, path: str) -> bool:
        """Whether `path` exists on disk as the snapshot was taken, read or not.

        A codemod about to create a file checks this: an ignored `config.py` holding the
        production secret is not in `files`, but it is there.
        """
        if path in self.files or path in self.hidden:
            return True
        parts = PurePosixPath(path).parts
        return any("/".join(parts[:end]) + "/" in self.hidden for end in range(1, len(parts)))

    def source_of(self, path: str) -> str:
        """The path this file had in the original snapshot (itself unless moved)."""
        return self.origin.get(path, path)

    # ----------------------------------------------------------------- editing
    def with_changes(
        self,
        *,
        modules: Mapping[str, cst.Module] | None = None,
        texts: Mapping[str, str] | None = None,
        moves: Mapping[str, str] | None = None,
        deletions: Iterable[str] = (),
    ) -> Project:
        """A new snapshot. `moves` maps old → new path and is applied before the edits."""
        files = dict(self.files)
        origin = dict(self.origin)
        trees = dict(self._caches.trees)
        for old, new in (moves or {}).items():
            if new in files:
                raise FlaskmodError(f"cannot move {old} to {new}: it exists", Location(new))
            files[new] = files.pop(old)
            origin[new] = origin.pop(old, old)
            if old in trees:
                trees[new] = trees.pop(old)
        for path in deletions:
            files.pop(path, None)
            origin.pop(path, None)
            trees.pop(path, None)
        newline = self.newline
        for path, tree in (modules or {}).items():
            previous = files.get(path)
            code = self._caches.facts.render(tree)
            if previous is None or previous.text != code:
                files[path] = _retext(previous, code, newline)
            # A tree whose text had its line endings unified is re-parsed from that text.
            if files[path].text == code:
                trees[path] = tree
            else:
                trees.pop(path, None)
        for path, text in (texts or {}).items():
            previous = files.get(path)
            if previous is None or previous.text != text:
                files[path] = _retext(previous, text, newline)
                trees.pop(path, None)
        caches = _Caches(
            trees=trees,
            wrappers=self._caches.wrappers,
            newline=newline,
            facts=self._caches.facts,
            indexes=self._caches.indexes,
        )
        return Project(
            root=self.root,
            files=files,
            origin=origin,
            _caches=caches,
            hidden=self.hidden,
            skipped=self.skipped,
        )

    def with_module(self, path: str, tree: cst.Module) -> Project:
        return self.with_changes(modules={path: tree})


def _refuse_python2(
    path: str, found: tuple[int, str] | None, cause: Exception | None = None
) -> None:
    if found is not None:
        line, construct = found
        raise FlaskmodError(
            f"looks like Python 2 ({construct}); {python2.ADVICE}", Location(path, line)
        ) from cause


def _retext(previous: FileText | None, text: str, newline: str = "\n") -> FileText:
    """New content in the old file's kind: encoding, BOM, mode, and one line-ending style.

    Codemods write LF; a file that used CRLF throughout keeps CRLF on the lines they add, and a
    new file gets the project's style. A file that already mixed both is left as written.
    """
    if previous is None:
        return FileText(text=_with_newlines(text, newline))
    style = newline_style(previous.text)
    return FileText(
        text=_with_newlines(text, style) if style else text,
        encoding=previous.encoding,
        bom=previous.bom,
        executable=previous.executable,
    )


_LONE_LF = re.compile(r"(?<!\r)\n")


def newline_style(text: str) -> str | None:
    """CRLF or LF if that is the only line ending in `text`, else None (mixed, or no line)."""
    crlf = text.count("\r\n")
    if crlf and crlf == text.count("\n"):
        return "\r\n"
    return "\n" if "\n" in text and not crlf else None


def _with_newlines(text: str, newline: str) -> str:
    # Python reads CRLF in source (string literals included) as LF, so this never changes meaning.
    if newline == "\r\n":
        return _LONE_LF.sub("\r\n", text)
    return text.replace("\r\n", "\n")


def _dominant_newline(files: Mapping[str, FileText]) -> str:
    styles = [newline_style(f.text) for path, f in files.items() if path.endswith(".py")]
    return "\r\n" if styles.count("\r\n") > styles.count("\n") else "\n"


# --------------------------------------------------------------------- scanning
class Skipped(NamedTuple):
    """A file (or linked folder, ending with "/") flaskmod would read but did not, and why."""

    path: str
    reason: str


def ignore_spec(root: Path) -> pathspec.GitIgnoreSpec:
    """Outside git: `ALWAYS_IGNORED` and the project's own `.gitignore` (inside git, git decides)."""
    lines: list[str] = list(ALWAYS_IGNORED)
    gitignore = root / ".gitignore"
    if gitignore.is_file():
        lines += gitignore.read_text(encoding="utf-8", errors="replace").splitlines()
    return pathspec.GitIgnoreSpec.from_lines(lines)


@dataclass(frozen=True)
class _Rules:
    """Which paths the snapshot leaves out; a folder's path ends with "/"."""

    always: pathspec.GitIgnoreSpec
    spec: pathspec.GitIgnoreSpec
    git: gitfiles.Listing | None

    @classmethod
    def of(cls, root: Path) -> _Rules:
        always = pathspec.GitIgnoreSpec.from_lines(ALWAYS_IGNORED)
        listing = gitfiles.listing(root) if gitfiles.find(root) is not None else None
        return cls(always, always if listing is not None else ignore_spec(root), listing)

    def ignored(self, relative: str) -> bool:
        if self.always.match_file(relative):
            return True
        if relative == ".gitignore":
            # Even one that ignores itself (`.*`): it is the file codemods append to, and
            # writing it anew would cut it to their lines.
            return False
        if self.git is not None:
            return self.git.is_ignored(relative)
        return self.spec.match_file(relative)


@dataclass
class _Found:
    files: dict[str, FileText] = field(default_factory=dict)
    hidden: set[str] = field(default_factory=set)
    skipped: list[Skipped] = field(default_factory=list)

    def skip(self, relative: str, reason: str) -> None:
        self.hidden.add(relative)
        self.skipped.append(Skipped(relative, reason))


def _walk(root: Path, rules: _Rules, found: _Found) -> Iterator[tuple[str, Path]]:
    """Text files to read, as (relative path, path); records what it leaves out in `found`."""
    real_root = root.resolve()
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        rel_dir = here.relative_to(root).as_posix()
        prefix = "" if rel_dir == "." else f"{rel_dir}/"
        keep = []
        for name in sorted(dirnames):
            rel, full = f"{prefix}{name}/", here / name
            if rules.ignored(rel) or (full / "pyvenv.cfg").exists():
                found.hidden.add(rel)
            elif full.is_symlink():  # never descended into (os.walk does not follow links)
                found.skip(rel, _link_reason(full, real_root))
            else:
                keep.append(name)
        dirnames[:] = keep
        for name in sorted(filenames):
            rel, full = f"{prefix}{name}", here / name
            if rules.ignored(rel) or not is_text_candidate(rel):
                found.hidden.add(rel)
            elif full.is_symlink():
                found.skip(rel, _link_reason(full, real_root))
            else:
                yield rel, full


def _link_reason(link: Path, real_root: Path) -> str:
    """Why a symbolic link is left as it is: rewriting through it would turn it into a file."""
    try:
        target = link.resolve(strict=True)
    except FileNotFoundError:
        return "broken symbolic link: left as it is"
    except (OSError, RuntimeError):  # RuntimeError: a loop, before Python 3.13
        return "symbolic link loop: left as it is"
    try:
        inside = target.relative_to(real_root).as_posix()
    except ValueError:
        return f"symbolic link to {os.readlink(link)}, outside the project: not read, not changed"
    return f"symbolic link to {inside}: kept as a link, its target is read at its own path"


def _inside(path: Path, real_root: Path) -> bool:
    try:
        path.resolve().relative_to(real_root)
    except (ValueError, OSError, RuntimeError):
        return False
    return True


def is_text_candidate(rel: str) -> bool:
    pure = PurePosixPath(rel)
    if pure.name in TEXT_NAMES or pure.name.startswith(("requirements", "Dockerfile.")):
        return True
    if "templates" in pure.parts:
        return True
    return pure.suffix.lower() in TEXT_SUFFIXES


def _read(rel: str, full: Path, found: _Found) -> None:
    """Read one text file into `found`; a Python file that cannot be read stops the run."""
    try:
        info = full.stat()
        if not stat.S_ISREG(info.st_mode):
            found.skip(rel, "not a regular file: left as it is")
            return
        if info.st_size > MAX_FILE_BYTES:
            found.skip(rel, f"larger than {MAX_FILE_BYTES:,} bytes: not read, not changed")
            return
        data = full.read_bytes()
    except OSError as exc:
        if rel.endswith(".py"):
            raise FlaskmodError(f"cannot read: {exc.strerror or exc}", Location(rel)) from exc
        found.skip(rel, f"cannot read ({exc.strerror or exc}): left as it is")
        return
    try:
        found.files[rel] = decode(rel, data, bool(info.st_mode & stat.S_IXUSR))
    except FlaskmodError:
        if rel.endswith(".py"):
            raise
        # A template or data file in another encoding is left alone rather than guessed at.
        found.skip(rel, "not UTF-8: not read, not changed")


def scan(root: Path) -> Project:
    """Read every text file of the project that git would show; Python files must decode.

    Inside a git work tree git decides (tracked files always count, untracked ones unless
    ignored); outside, the project's `.gitignore`. Whatever is left out is still recorded in
    `Project.hidden`, and files flaskmod would read but cannot in `Project.skipped`.
    """
    if not root.exists():
        raise FlaskmodError("no such file or directory", Location(str(root)))
    if not root.is_dir():
        raise FlaskmodError(
            "not a directory: flaskmod works on a project folder", Location(str(root))
        )
    found = _Found()
    for rel, full in _walk(root, _Rules.of(root), found):
        _read(rel, full, found)
    return Project(
        root=root,
        files=found.files,
        hidden=frozenset(found.hidden),
        skipped=tuple(found.skipped),
    )


def unread_url_for(project: Project) -> list[str]:
    """Skipped files that call `url_for(`: endpoints they name may change under them.

    A generic stand-in for "references an endpoint that changes": which endpoints change is
    codemod knowledge, so any call counts. Links to files inside the project are left out (their
    target is read); links out of the project are read through, folders walked.
    """
    real_root = project.root.resolve()
    found = []
    for path, _ in project.skipped:
        full = project.root / path.rstrip("/")
        if full.is_symlink() and _inside(full, real_root):
            continue
        candidates = _walk_outside(full) if full.is_dir() else iter([full])
        if any(_calls_url_for(candidate) for candidate in candidates):
            found.append(path)
    return found


_MAX_LOOKED_AT = 5000


def _walk_outside(folder: Path) -> Iterator[Path]:
    """Text files under a folder a link leads to, at most `_MAX_LOOKED_AT` of them."""
    count = 0
    for dirpath, _, filenames in os.walk(folder, followlinks=False):
        for name in filenames:
            if is_text_candidate(name) or "templates" in Path(dirpath).parts:
                count += 1
                if count > _MAX_LOOKED_AT:
                    return
                yield Path(dirpath) / name


def _calls_url_for(path: Path) -> bool:
    try:
        if not path.is_file():
            return False
        with path.open("rb") as handle:
            return b"url_for(" in handle.read()
    except OSError:
        return False


def dangling_links(project: Project, removed: Iterable[str]) -> list[tuple[str, str]]:
    """(link, target) for each skipped in-project link whose target the change removes."""
    gone = set(removed)
    real_root = project.root.resolve()
    broken = []
    for path, _ in project.skipped:
        full = project.root / path.rstrip("/")
        if not full.is_symlink() or not _inside(full, real_root):
            continue
        target = full.resolve().relative_to(real_root).as_posix()
        if target in gone or any(target.startswith(f"{g}/") for g in gone):
            broken.append((path, target))
    return broken


@lru_cache(maxsize=4096)
def module_name(path: str, root: str = "") -> str:
    """Dotted import name of a project-relative Python path (`app/__init__.py` → `app`), seen
    from the import root `root` (see `Project.import_root`)."""
    pure = PurePosixPath(path)
    if root:
        pure = pure.relative_to(root)
    parts = list(pure.with_suffix("").parts)
    if parts and parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)
