"""Parsing herd-format AArch64 litmus files into `ast.Test`.

A file is split by hand into its header lines, the init block `{...}`, the thread table and
the final part; the init block and the final part are parsed with `litmus.lark`, each table
cell with `aarch64.lark`. Comments are blanked out first, keeping every offset in place, and
each piece is parsed at its real line and column, so all errors point into the file.
"""

from __future__ import annotations

import re
from dataclasses import replace
from os import PathLike

from pylitmus.errors import LitmusError
from pylitmus.frontend import ast
from pylitmus.frontend.ast import Pos
from pylitmus.frontend.grammar import tables
from pylitmus.frontend.lalr import END, SyntaxProblem, Tables
from pylitmus.frontend.source import Source
from pylitmus.frontend.trees import CellBuilder, LitmusBuilder, ocaml_int
from pylitmus.variants import (
    FINAL_SYNTAX,
    HANDLER_THREAD,
    VariantError,
    cache_type,
    hardware_updates,
    instruction_feature,
    not_supported,
    parse_variants,
    words,
)

SUPPORTED_ARCH = "AArch64"
PAGE_ALIGN = ".pagealign"  # a directive of the code: the next instruction starts a page
META_KEYS = {key.lower(): key for key in (
    "Variant", "CacheType", "Hash", "Cycle", "Relax", "Safe", "Orig", "Com", "Prefetch",
    "Generator", "Stable", "Scopes", "Levels", "MemoryMap", "Unroll", "EL0", "TTHM")}
META_KEYS["user"] = "EL0"  # herd7's other name for it (lib/miscParser.ml)
# The threads an EL0= line lists, `P0,P2` (or with blanks).
EL0_THREAD = re.compile(r"P([0-9]+)")
# A KEY=value line of the header, as herd7's splitter reads it (its value keeps the blanks
# after it)
META_LINE = re.compile(r"(?P<key>[A-Za-z][A-Za-z0-9_/.-]*)[ \t]*=[ \t]*(?P<value>[^\n]*)\n")
IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
# herd7's first line (lib/splitter.mll): ARCH NAME, then an optional `(texname)`, an optional
# `"doc"` and an optional `;`; a test name is made of these characters.
TEST_NAME = re.compile(r"[A-Za-z0-9_/.\-+\[\]:]+")
TITLE_TAIL = re.compile(r'[ \t]*(?:\([A-Za-z][A-Za-z0-9_/.-]*\)[ \t]*)?'
                        r'(?:\n?[ \t]*"(?P<doc>[^"]*)"[ \t]*)?;?')
DESCRIPTION_START = re.compile(r'[^\n]*\n[ \t]*"')
THREAD_HEADER = re.compile(r"P([0-9]+)")
FINAL_PART_START = re.compile(r"(?:locations|filter|exists|forall)\b|~")
IGNORED_BLANKS = " \t\f\r\n"  # what grammars/aarch64.lark ignores between tokens
BRACE = re.compile(r"[{}]")
BLANK = re.compile(r"\s+")  # str.isspace's characters
ROW_END = re.compile(r"[;\n]")  # where a row of the thread table ends (';', or an error)
MISSPELT_QUANTIFIER = re.compile(r"([A-Za-z~]+)\s*[(\[]")
CELL_INSTRUCTION = re.compile(r"\s*(?:[A-Za-z_.][A-Za-z0-9_.]*\s*:\s*)*([A-Za-z][A-Za-z0-9.]*)(.*)",
                              re.DOTALL)
# The syntax refused in the final part, with one pattern telling whether any of it occurs:
# one search where most tests have none.
ANY_FINAL_SYNTAX = re.compile("|".join(f"(?:{pattern.pattern})" for pattern, _ in FINAL_SYNTAX))
MAX_EXPECTED_SHOWN = 8
MAX_FILE_BYTES = 1 << 20  # litmus tests are a few hundred bytes
MAX_CELLS = 1 << 14  # the cell texts a process remembers the parse of
# The parts of a test a grammar parses: (grammar, start rule)
INIT, CELL, FINAL = ("litmus", "init"), ("aarch64", "cell"), ("litmus", "final")


def parse_file(path: str | PathLike) -> ast.Test:
    """Parse the litmus file at `path`."""
    file = str(path)
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as error:
        raise LitmusError(f"cannot read the file: {error.strerror or error}", file) from None
    if len(data) > MAX_FILE_BYTES:
        raise LitmusError(f"not a litmus test: {len(data)} bytes, over the "
                          f"{MAX_FILE_BYTES >> 20} MiB pylitmus reads", file)
    if b"\0" in data:
        raise LitmusError("not a litmus test: the file holds binary data", file)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        col = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        raise LitmusError(f"not UTF-8 text (byte 0x{data[error.start]:02x})", file, line,
                          col) from None
    return parse_text(text, file)


def parse_text(text: str, file: str = "<stdin>") -> ast.Test:
    """Parse the text of a litmus test; `file` names it in errors and positions."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    try:
        source = Source(text, file)
    except LitmusError:
        _reject_other_arch(text, file)  # C code has `(*` that is no comment
        raise
    return _TestParser(source).parse()


def _reject_other_arch(text: str, file: str) -> None:
    """Refuse a test whose first word names an architecture other than AArch64."""
    words = text.split(maxsplit=1)
    if words and IDENTIFIER.fullmatch(words[0]) and words[0].lower() != SUPPORTED_ARCH.lower():
        offset = text.index(words[0])
        line = text.count("\n", 0, offset) + 1
        col = offset - (text.rfind("\n", 0, offset) + 1) + 1
        raise LitmusError(_not_supported(words[0]), file, line, col,
                          text.split("\n")[line - 1])


def _not_supported(arch: str) -> str:
    return f"architecture {arch} is not supported yet (pylitmus checks AArch64 tests)"


class _TestParser:
    """One pass over one file; `offset` walks through `source.code`."""

    def __init__(self, source: Source):
        self.source = source
        self.code = source.code
        self.offset = 0
        self._builders = {"litmus": LitmusBuilder(source), "aarch64": CellBuilder(source)}

    def parse(self) -> ast.Test:
        name, description = self._parse_title()
        meta = self._parse_header_lines()
        init = self._parse_init()
        threads = self._parse_threads()
        return self._parse_final(name, description, meta, init, threads)

    # ---- header ------------------------------------------------------------------------

    def _next_line(self) -> tuple[int, str] | None:
        """The next line with something on it (offset of its first character, stripped text)."""
        while self.offset < len(self.code):
            end = self.code.find("\n", self.offset)
            end = len(self.code) if end < 0 else end
            line = self.code[self.offset:end]
            if line.strip():
                start = self.offset + len(line) - len(line.lstrip())
                return start, line.strip()
            self.offset = end + 1
        return None

    def _parse_title(self) -> tuple[str, str | None]:
        """The test's name and description. herd7's splitter (lib/splitter.mll, `main`)
        reads ARCH NAME, an optional `(texname)`, an optional `"doc"` (on this line or
        the next, up to the next `"`) and an optional `;`; its header reader goes on
        right after them."""
        first = self._next_line()
        if first is None:
            raise LitmusError("empty file: expected a first line 'AArch64 NAME'",
                              self.source.file)
        start, line = first
        if start != 0:
            # herd7's splitter reads the architecture from the file's very first character
            raise self.source.error(start, "the first line 'AArch64 NAME' must begin the "
                                           "file (herd7 reads no blank or comment before it)")
        words = line.split()
        arch = words[0]
        if arch.lower() != SUPPORTED_ARCH.lower():
            if IDENTIFIER.fullmatch(arch):
                raise self.source.error(start, _not_supported(arch))
            raise self.source.error(start, f"expected a first line 'AArch64 NAME', "
                                           f"found '{line}'")
        if len(words) == 1:
            raise self.source.error(start + len(arch), "missing test name after 'AArch64'")
        name_start = start + len(line) - len(line[len(arch):].lstrip())
        name = TEST_NAME.match(self.code, name_start)
        if name is None:
            raise self.source.error(name_start, f"expected a test name after 'AArch64' "
                                                f"(letters, digits, _/.-+[]:), found '{words[1]}'")
        tail = TITLE_TAIL.match(self.source.text, name.end())
        assert tail is not None  # the pattern matches the empty string
        line_end = start + len(line)
        rest = self.code[tail.end():line_end].split() if tail.end() < line_end else []
        if rest:
            raise self.source.error(self.code.index(rest[0], tail.end()),
                                    f"unexpected '{rest[0]}' after the test name")
        start_of_doc = DESCRIPTION_START.match(self.source.text, tail.end())
        if start_of_doc and '"' not in self.source.text[start_of_doc.end():]:
            raise self.source.error(start_of_doc.end() - 1,
                                    "the description line has no closing '\"'")
        self.offset = tail.end()
        # herd names such tests without the suffix
        return name.group().removesuffix(".litmus"), tail.group("doc")

    def _parse_header_lines(self) -> dict[str, str]:
        """The KEY=value lines between the title and the init block, read as herd7's
        splitter reads them (lib/splitter.mll, `find_init`), in the text with its comments:
        the first `{` begins the init block, unless it is in a KEY=value line (a key at the
        start of a line, its value up to the end of the line, blanks after it kept) or in a
        comment that begins a line's text with `(*` followed by `{` or the end of the line
        (the lexer's longest match takes any other `(*` for plain text, up to a `{`)."""
        text = self.source.text
        meta: dict[str, str] = {}
        duplicates: list[re.Match] = []
        index = self.offset
        while index < len(text):
            if text[index] == "\n":
                index += 1
            elif text.startswith("(*", index) and text[index + 2:index + 3] in ("", "\n", "{"):
                index = self._comment_end(index)
            elif text[index] == "{":
                if self.code[index] != "{":
                    raise self.source.error(index, "herd7 takes this '{' in a comment for the "
                                                   "start of the init block")
                # herd7 checks that no key is given twice when it computes the test's
                # hash, which it does not when the test has a Hash= line (lib/testHash.ml).
                if duplicates and "Hash" not in meta:
                    raise self.source.error(duplicates[0].start(), f"duplicated meta-data on "
                                            f"key {duplicates[0].group('key')} (herd7 takes "
                                            f"each key once)")
                self.offset = index
                return meta
            elif (match := META_LINE.match(text, index)) is not None:
                key = META_KEYS.get(match.group("key").lower(), match.group("key"))
                if any(known.lower() == key.lower() for known in meta):
                    duplicates.append(match)  # herd7 reads a key's first line
                else:
                    self._add_meta(meta, match)
                index = match.end()
            else:
                ends = [end for end in (text.find("\n", index), text.find("{", index)) if end >= 0]
                index = min(ends, default=len(text))
        raise LitmusError("missing the init block '{ ... }'", self.source.file)

    def _comment_end(self, start: int) -> int:
        """The offset after the comment that opens at `start` (comments nest)."""
        text = self.source.text
        depth, index = 0, start
        while index < len(text):
            if text.startswith("(*", index):
                depth, index = depth + 1, index + 2
            elif text.startswith("*)", index):
                depth, index = depth - 1, index + 2
                if depth == 0:
                    return index
            else:
                index += 1
        raise self.source.error(start, "comment '(*' is never closed with '*)'")

    def _add_meta(self, meta: dict[str, str], match: re.Match) -> None:
        """Record one KEY=value line; refuse what herd7 refuses and what pylitmus lacks."""
        key = META_KEYS.get(match.group("key").lower(), match.group("key"))
        value = match.group("value")
        value_start = match.start("value")
        if key == "Unroll":
            bound = ocaml_int(value)
            if bound is None:
                raise self.source.error(value_start, f"Unroll= expects an integer, found "
                                                     f"'{value}' (herd7 reads it with OCaml's "
                                                     f"int_of_string, blanks after it included)")
            value = str(bound)
        else:
            value = value.strip()
        if key == "EL0":
            for word in words(value):
                if EL0_THREAD.fullmatch(word) is None:
                    raise self.source.error(value_start + match.group("value").index(word),
                                            f"EL0= lists threads (P0,P2), found '{word}'")
        if key == "TTHM":
            try:
                hardware_updates(value)
            except VariantError as error:
                raise self.source.error(value_start + match.group("value").index(error.word),
                                        error.message) from None
        meta[key] = value
        self._check_variants(key, value, value_start)

    def _check_variants(self, key: str, value: str, start: int) -> None:
        """Refuse, at its place, a variant or cache type pylitmus does not run."""
        try:
            if key == "Variant":
                parse_variants(value)
            elif key == "CacheType":
                cache_type(value)
        except VariantError as error:
            raise self.source.error(start + value.index(error.word), error.message) from None

    # ---- init block ----------------------------------------------------------------------

    def _parse_init(self) -> list[ast.InitItem]:
        """The init block. herd7's splitter (`inside_init`) ends it at the `}` that closes
        its `{`, counting the braces of comments too."""
        start = self.offset
        depth = 0
        for brace in BRACE.finditer(self.source.text, start):
            index = brace.start()
            if brace.group() == "{":
                depth += 1
            else:
                depth -= 1
                if depth == 0:
                    if self.code[index] != "}":
                        raise self.source.error(index, "herd7 takes this '}' in a comment for "
                                                       "the end of the init block")
                    self.offset = index + 1
                    return self._run(*INIT, start, index + 1, "the init block")
        raise self.source.error(start, "the init block '{' is never closed with '}' (herd7 "
                                       "counts the braces of comments too)")

    # ---- thread table --------------------------------------------------------------------

    def _next_row(self) -> tuple[int, int] | None:
        """The next `;`-terminated row (start offset, offset of the ';'), or None where the
        final part or the end of the file begins."""
        blank = BLANK.match(self.code, self.offset)
        start = self.offset if blank is None else blank.end()
        if start == len(self.code) or FINAL_PART_START.match(self.code, start):
            self.offset = start
            return None
        row_end = ROW_END.search(self.code, start)
        end = len(self.code) if row_end is None else row_end.start()
        if end == len(self.code) or self.code[end] == "\n":
            if (word := MISSPELT_QUANTIFIER.match(self.code, start)) is not None:
                raise self.source.error(start, f"expected exists, ~exists, forall, locations "
                                               f"or filter, found '{word.group(1)}'")
            raise self.source.error(end, "expected ';' at the end of this row of the "
                                         "thread table")
        self.offset = end + 1
        return start, end

    def _cells(self, start: int, end: int) -> list[tuple[int, int]]:
        """The (start, end) offsets of the `|`-separated cells of a row."""
        cells = []
        while (bar := self.code.find("|", start, end)) >= 0:
            cells.append((start, bar))
            start = bar + 1
        cells.append((start, end))
        return cells

    def _parse_threads(self) -> list[ast.Thread]:
        header = self._next_row()
        if header is None:
            raise self.source.error(self.offset,
                                    "expected the thread table header 'P0 | P1 ...;'")
        threads: list[ast.Thread] = []
        columns: list[ast.Thread] = []  # the threads and handlers, in table order
        defined: dict[str, int] = {}  # label -> the thread defining it
        for start, end in self._cells(*header):
            text = self.code[start:end]
            first = start + len(text) - len(text.lstrip())
            columns.append(self._column(text.strip(), first, threads))
        while (row := self._next_row()) is not None:
            cells = self._cells(*row)
            if len(cells) > len(columns):
                extra = cells[len(columns)][0] - 1
                raise self.source.error(extra, f"this row has more cells than the "
                                               f"{len(columns)} column(s) of the table")
            if len(cells) < len(columns):
                # herd7 transposes the rows into columns and refuses a short row
                # (lib/genParser.ml: "mismatch in instruction lines").
                raise self.source.error(row[1], f"mismatch in instruction lines: this row has "
                                                f"{len(cells)} cell(s), the table has "
                                                f"{len(columns)} column(s)")
            for column, (start, end) in zip(columns, cells):
                self._add_cell(column, start, end, defined)
        return threads

    def _column(self, name: str, first: int, threads: list[ast.Thread]) -> ast.Thread:
        """The thread (`P1`, the next number) or fault handler (`P1.F`, of a thread named
        before) a column header names; a thread is appended to `threads`."""
        pos = self.source.pos(first)
        handler = HANDLER_THREAD.fullmatch(name)
        if handler is not None:
            number = int(handler.group(1))
            if handler.group(2) != "F" or number >= len(threads):
                raise self.source.error(first, f"expected a fault handler column P<n>.F of "
                                               f"a thread named before, found '{name}'")
            owner = threads[number]
            if owner.handler is not None:
                raise self.source.error(first, f"P{number} has two fault handlers")
            owner.handler = ast.Thread(number, pos=pos, is_handler=True)
            return owner.handler
        match = THREAD_HEADER.fullmatch(name)
        if match is None or int(match.group(1)) != len(threads):
            raise self.source.error(first, f"expected the thread name P{len(threads)}, "
                                           f"found '{name}'")
        threads.append(ast.Thread(len(threads), pos=pos))
        return threads[-1]

    def _add_cell(self, thread: ast.Thread, start: int, end: int,
                  defined: dict[str, int]) -> None:
        text = self.code[start:end]
        if not text.strip():
            return
        if text.rstrip().endswith(PAGE_ALIGN):
            directive = start + text.rindex(PAGE_ALIGN)
            self._add_cell(thread, start, directive, defined)  # its labels, if any
            self._align_to_page(thread, directive)
            return
        # The cell without the blanks its grammar ignores around it (the columns' padding),
        # so that `_cell` meets the same instruction under one text
        start += len(text) - len(text.lstrip(IGNORED_BLANKS))
        end = start + len(text.strip(IGNORED_BLANKS))
        labels, mnemonic, operands = self._cell(start, end)
        for label, offset in labels:
            pos = self.source.pos(start + offset)
            # herd7 puts the labels of all threads in one map and refuses a label met twice
            # (herd/loader.ml, preload_labels: "Label ... occurs more that once")
            if label in defined:
                where = "twice in" if defined[label] == thread.index else \
                    f"on P{defined[label]} and on"
                raise self.source.error_at(pos.line, pos.col, f"label {label} is defined "
                                                              f"{where} P{thread.index}")
            defined[label] = thread.index
            thread.labels[label] = len(thread.code)
            thread.label_positions[label] = pos
        if mnemonic is not None:
            word, offset, text = mnemonic
            thread.code.append(ast.Instruction(word, operands, text,
                                               self.source.pos(start + offset)))

    def _align_to_page(self, thread: ast.Thread, at: int) -> None:
        """`.pagealign`: the next instruction starts a page. Off a page's start, herd7 pads
        the code with a branch to the next page, then leaves out the rest of this one
        (herd/loader.ml, make_padding)."""
        if thread.is_handler or thread.handler is not None:
            raise self.source.error(at, not_supported(
                "page alignment in a thread with a fault handler", PAGE_ALIGN))
        pad = -thread.address(len(thread.code)) % ast.PAGE_BYTES
        if pad:
            branch = parse_instruction(f"B .+{pad}", self.source.file)
            thread.code.append(replace(branch, pos=self.source.pos(at)))
            if pad > 4:
                thread.gaps[len(thread.code)] = pad - 4

    def _cell(self, start: int, end: int) -> tuple:
        """A table cell, checked for features pylitmus lacks and parsed: its labels, each
        with its offset from the cell's start, its instruction's mnemonic (upper case), with
        its offset and the instruction's text, and its operands (which hold no place). A cell
        lies on one line, so a text met again is the same but for that start: its check
        and parse are remembered by text."""
        text = self.code[start:end]
        cell = _CELLS.get(text)
        if cell is not None:
            return cell
        self._refuse_feature_instruction(start, end)
        parsed = self._run(*CELL, start, end, "this instruction")
        labels = tuple((label, offset - start) for label, offset in parsed.labels)
        mnemonic = None if parsed.mnemonic is None else \
            (parsed.mnemonic.upper(), parsed.mnemonic.offset - start,
             self.code[parsed.mnemonic.offset:end].strip())
        cell = (labels, mnemonic, parsed.operands)
        if len(_CELLS) >= MAX_CELLS:
            _CELLS.clear()
        _CELLS[text] = cell
        return cell

    # ---- final part ----------------------------------------------------------------------

    def _parse_final(self, name, description, meta, init, threads) -> ast.Test:
        start = self.offset
        self._refuse_feature_syntax(start, len(self.code))
        parts = self._run(*FINAL, start, len(self.code), "the final condition")
        locations: list[ast.RegRef | ast.MemRef | ast.FaultAtom] = []
        filter_expr = None
        condition = ast.Condition("forall", ast.Const(True), self.source.pos(start))
        for part in parts:
            if isinstance(part, ast.Condition):
                condition = part
            elif part[0] == "locations":
                locations = part[1]
            else:
                filter_expr = part[1]
        return ast.Test(SUPPORTED_ARCH, name, description, meta, init, threads, locations,
                        filter_expr, condition, self.source.file)

    # ---- features pylitmus lacks -----------------------------------------------------------

    def _refuse_feature_syntax(self, start: int, end: int) -> None:
        """Refuse, at its place, syntax of the final part naming a feature pylitmus lacks
        (`TTD(P0:L0)`)."""
        if ANY_FINAL_SYNTAX.search(self.code, start, end) is None:
            return
        found = [(match.start() + len(match.group()) - len(match.group().lstrip()),
                  match.group().strip(), what) for pattern, what in FINAL_SYNTAX
                 if (match := pattern.search(self.code, start, end)) is not None]
        if found:
            offset, syntax, what = min(found)
            raise self.source.error(offset, not_supported(what, syntax))

    def _refuse_feature_instruction(self, start: int, end: int) -> None:
        """Refuse, at its place, an instruction of a feature pylitmus lacks (`MSR`, SVE)."""
        match = CELL_INSTRUCTION.match(self.code, start, end)
        if match is None:
            return
        feature = instruction_feature(match.group(1), match.group(2))
        if feature is not None:
            what, syntax = feature
            offset = self.code.index(syntax, match.start(1), end)
            raise self.source.error(offset, not_supported(what, syntax))

    # ---- running the grammars ------------------------------------------------------------

    def _run(self, grammar: str, start_symbol: str, start: int, end: int, what: str):
        """Parse `code[start:end]` from `start_symbol` of `grammar` ("litmus" or "aarch64")
        into its AST pieces."""
        parser = tables(grammar, start_symbol)
        try:
            # a cell's parse is kept by its text (`_cell`), with what is checked of it
            return parser.parse(self.code, start, end, self._builders[grammar],
                                remember=grammar != "aarch64")
        except SyntaxProblem as problem:
            raise self._syntax_error(parser, problem, end, what) from None

    def _syntax_error(self, grammar: Tables, problem: SyntaxProblem, end: int,
                      what: str) -> LitmusError:
        token = problem.token
        if token is None:
            message = f"unexpected character '{self.code[problem.offset]}' in {what}"
            offset = problem.offset
        elif token.type == END:
            offset = end
            while offset > 0 and self.code[offset - 1].isspace():
                offset -= 1
            message = f"unexpected end of {what}"
        else:
            message = f"unexpected '{token}' in {what}"
            offset = token.offset
        described = sorted({grammar.describe(name) for name in problem.expected})
        if described:
            shown = ", ".join(described[:MAX_EXPECTED_SHOWN])
            more = ", ..." if len(described) > MAX_EXPECTED_SHOWN else ""
            message += f" (expected {shown}{more})"
        return self.source.error(offset, message)


_CELLS: dict[str, tuple] = {}  # a cell's text -> `_TestParser._cell`'s answer


def load_parsers() -> None:
    """Load the parse tables of every part of a test (their lexers are compiled when a
    parser state first needs one)."""
    for grammar, start in (INIT, CELL, FINAL):
        tables(grammar, start)


def parse_expression(text: str, file: str = "<expression>") -> ast.Expr:
    """Parse a proposition written as in a final condition (`0:X0=1 /\\ x=2`)."""
    return _TestParser(Source(text, file))._run("litmus", "expr", 0, len(text), "the expression")


def parse_instruction(text: str, file: str = "<instruction>") -> ast.Instruction:
    """Parse one instruction written as data (`instr:"B .+8"`, `NOP`)."""
    parser = _TestParser(Source(text, file))
    cell = parser._run(*CELL, 0, len(text), "this instruction")
    if cell.mnemonic is None or cell.labels:
        raise LitmusError(f"not an instruction: {text}", file)
    return ast.Instruction(cell.mnemonic.upper(), cell.operands, text.strip(), Pos(file, 1, 1))
