"""A small LALR(1) parser driven by the tables Lark computes from `grammars/*.lark`.

It reads a slice of a file's text with Lark's contextual lexer (one regular expression per
parser state, the same terminals in the same order, keywords told apart from names as Lark
does) and calls a builder's method at each reduction, so the AST is built while parsing: no
parse tree, no transformation. Errors are raised as `SyntaxProblem`s, with what Lark would
have expected at that point. The builder calls of a text's first parse are recorded, and
the same text met again (at another place, in another file) makes them again.
"""

from __future__ import annotations

import re
from typing import Any, Callable

END = "$END"  # the terminal of the end of the text
MAX_REMEMBERED = 1 << 14  # the texts of one start rule whose builder calls a process keeps


class Token(str):
    """A terminal's text, with its kind (`type`, the terminal's name) and its offset."""

    type: str
    offset: int


class SyntaxProblem(Exception):
    """The text does not parse at `offset`: an unexpected `token` (of kind END at the end of
    the text), or a character no terminal matches (`token` is None); `expected` names the
    terminals that could have come there."""

    def __init__(self, offset: int, token: Token | None, expected: frozenset[str]):
        super().__init__(offset, token, expected)
        self.offset = offset
        self.token = token
        self.expected = expected


class Scanner:
    """The lexer of some parser states: their terminals and the ignored ones, in one regular
    expression; `keywords` re-reads a match of a terminal (NAME) as a keyword it spells."""

    def __init__(self, pattern: str, flags: int, keywords: dict[str, tuple[str, int]],
                 allowed: list[str], ignore: frozenset[str]):
        self.regex = re.compile(pattern, flags)
        self.keywords = {kind: re.compile(keyword, keyword_flags)
                         for kind, (keyword, keyword_flags) in keywords.items()}
        self.allowed = frozenset(allowed)  # what an unexpected character is told was expected
        self.ignore = ignore

    def next_token(self, code: str, offset: int, end: int) -> Token:
        """The first token from `offset` on that is not ignored, one of kind END at `end`;
        a SyntaxProblem (with no token) where none of these terminals matches."""
        regex, ignore = self.regex, self.ignore
        while offset < end:
            match = regex.match(code, offset, end)
            if match is None:
                raise SyntaxProblem(offset, None, self.allowed)
            kind = match.lastgroup
            if kind not in ignore:
                token = Token(match.group())
                keyword = self.keywords.get(kind)  # type: ignore[arg-type]
                if keyword is not None and (spelt := keyword.fullmatch(token)) is not None:
                    kind = spelt.lastgroup
                token.type, token.offset = kind, offset  # type: ignore[assignment]
                return token
            offset = match.end()
        token = Token("")
        token.type, token.offset = END, end
        return token


class Tables:
    """The parse tables of one start rule of a grammar, as `grammar.py` extracts them from
    Lark (plain data: lists, dicts, strings and numbers), and the parser that runs them."""

    def __init__(self, data: dict[str, Any]):
        self.start_state: int = data["start_state"]
        self.end_state: int = data["end_state"]
        # per state: terminal -> the next state (shift, >= 0) or -1 - the rule (reduce)
        self.actions: list[dict[str, int]] = data["actions"]
        self.gotos: list[dict[str, int]] = data["gotos"]  # per state: rule name -> next state
        # per rule: its name, the builder method it calls, its length, the indexes of the
        # children it keeps when none is spliced (else None), the kept children as (index,
        # splice?), is it inlined, does a single child stand for it (`?rule`), is it made
        # of that child alone (then a reduction only changes the state)
        self.rules: list[tuple[str, str, int, list[int] | None, list[tuple[int, bool]],
                               bool, bool, bool]] = []
        for origin, name, size, kept, expand1, inline in data["rules"]:
            simple = None if any(splice for _, splice in kept) else [i for i, _ in kept]
            passing = size == 1 and expand1 and simple == [0]
            self.rules.append((origin, name, size, simple, kept, inline, expand1, passing))
        self.state_lexers: list[int] = data["state_lexers"]
        self.lexers: list[tuple[str, int, dict[str, tuple[str, int]], list[str]]] = data["lexers"]
        self.root_lexer: int = data["root_lexer"]
        self.ignore = frozenset(data["ignore"])
        self.descriptions: dict[str, str] = data["descriptions"]
        self._compiled: dict[int, Scanner] = {}
        self._scanners: list[Scanner | None] = [None] * len(self.actions)  # per state
        self._methods: dict[type, list[Callable | None]] = {}  # per builder class
        # a text parsed -> its builder calls and result's recipe (`_parse`)
        self._calls: dict[str, tuple[list[tuple[int, list, int]], object]] = {}

    def describe(self, terminal: str) -> str:
        """A terminal as a person names it: `','`, `a number`, ..."""
        return self.descriptions.get(terminal, terminal)

    def parse(self, code: str, start: int, end: int, builder: object, remember: bool = True):
        """What `builder` makes of `code[start:end]`: at each reduction, the builder's method
        named by the rule is called with the kept children and the offset of the rule's
        first token. The tokens and reductions depend on the text alone (no terminal looks
        outside it), so a text met again makes the builder calls of its first parse, with
        its tokens moved to where it is now, without lexing or parsing it again; unless
        not to `remember` (a caller that keeps what it makes of a text itself)."""
        if not remember:
            return self._parse(code, start, end, builder, None)[0]
        text = code[start:end]
        known = self._calls.get(text)
        if known is not None:
            return self._replay(*known, code, start, builder)
        calls: list[tuple[int, list, int]] = []
        value, result = self._parse(code, start, end, builder, calls)
        if len(self._calls) >= MAX_REMEMBERED:
            self._calls.clear()
        self._calls[text] = (calls, result)
        return value

    def _parse(self, code: str, start: int, end: int, builder: object,
               calls: list[tuple[int, list, int]] | None) -> tuple[object, object]:
        """What `builder` makes of `code[start:end]`, and how to make it again: each
        builder call is recorded onto `calls` (unless None) as (rule, children, offset of
        the rule's first token from `start`), and returned with the value is its recipe,
        where a child (or the value) is made by the call it indexes, is a token (kind,
        offset from `start`, length), or is a list of such (an inlined rule's children)."""
        record = calls is not None
        methods = self._methods.get(type(builder)) or self._bind(type(builder))
        actions, gotos, rules, scanners = self.actions, self.gotos, self.rules, self._scanners
        end_state = self.end_state
        state = self.start_state
        states = [state]
        values: list = []
        recipes: list = []  # how to make each of `values` again
        offsets: list[int] = []
        offset = start
        while True:
            scanner = scanners[state] or self._scanner(state)
            try:
                token = scanner.next_token(code, offset, end)
            except SyntaxProblem as problem:
                raise self._unexpected_text(code, problem, end) from None
            kind = token.type
            offset = token.offset + len(token)
            while True:
                action = actions[state].get(kind)
                if action is None:
                    expected = frozenset(name for name in actions[state] if name.isupper())
                    raise SyntaxProblem(token.offset, token, expected)
                if action >= 0:
                    state = action
                    states.append(state)
                    values.append(token)
                    if record:
                        recipes.append((kind, token.offset - start, len(token)))
                    offsets.append(token.offset)
                    break
                rule = -1 - action
                origin, _, size, _, _, inline, expand1, passing = rules[rule]
                if passing:
                    state = states[-1] = gotos[states[-2]][origin]
                    if kind == END and state == end_state:
                        return values[-1], recipes[-1] if record else None
                    continue
                made: Any = None
                if size:
                    children = self._kept(rule, values[-size:])
                    first = offsets[-size]
                    del values[-size:], offsets[-size:], states[-size:]
                    if record:
                        made = self._kept(rule, recipes[-size:])
                        del recipes[-size:]
                else:
                    children, made, first = [], [], token.offset
                if inline:
                    value = children  # its parent takes its children in its place
                elif expand1 and len(children) == 1:
                    value = children[0]
                    if record:
                        made = made[0]
                else:
                    value = methods[rule](builder, children, first)  # type: ignore[misc]
                    if calls is not None:
                        calls.append((rule, made, first - start))
                        made = len(calls) - 1
                state = gotos[states[-1]][origin]
                states.append(state)
                values.append(value)
                if record:
                    recipes.append(made)
                offsets.append(first)
                if kind == END and state == end_state:
                    return value, made

    def _replay(self, calls: list[tuple[int, list, int]], result, code: str, start: int,
                builder: object):
        """What `builder` makes of a text at `start` of `code` whose first parse recorded
        `calls` and `result` (`_parse`)."""
        methods = self._methods.get(type(builder)) or self._bind(type(builder))
        made: list = []
        for rule, children, at in calls:
            method = methods[rule]
            assert method is not None  # a recorded call is a rule's with a method
            made.append(method(builder, [_remade(child, made, code, start)
                                         for child in children], start + at))
        return _remade(result, made, code, start)

    def _kept(self, rule: int, children: list) -> list:
        """The children a rule keeps, those of an inlined rule in its place."""
        _, _, size, simple, kept, _, _, _ = self.rules[rule]
        if simple is None:
            return _spliced(children, kept)
        if len(simple) != size:
            return [children[i] for i in simple]
        return children

    def _unexpected_text(self, code: str, problem: SyntaxProblem, end: int) -> SyntaxProblem:
        """No terminal of the parser state matches: if one of another part of the grammar
        does, the problem is that token (still with what the state takes as expected)."""
        try:
            problem.token = self._scanner(-1).next_token(code, problem.offset, end)
        except SyntaxProblem:
            pass  # no terminal matches: an unexpected character
        return problem

    def _bind(self, builder: type) -> list[Callable | None]:
        """The methods of a builder class that the rules call, in the rules' order."""
        methods = []
        for _, name, _, _, kept, inline, expand1, _ in self.rules:
            method = None if inline else getattr(builder, name, None)
            if method is None and not inline and not (expand1 and len(kept) == 1
                                                      and not kept[0][1]):
                raise TypeError(f"{builder.__name__} has no method {name}")
            methods.append(method)
        self._methods[builder] = methods
        return methods

    def _scanner(self, state: int) -> Scanner:
        """The lexer of a parser state (of the whole grammar for -1), compiled when first used."""
        index = self.root_lexer if state < 0 else self.state_lexers[state]
        scanner = self._compiled.get(index)
        if scanner is None:
            scanner = self._compiled[index] = Scanner(*self.lexers[index], self.ignore)
        if state >= 0:
            self._scanners[state] = scanner
        return scanner


def _remade(recipe, made: list, code: str, start: int):
    """A value again, from its recipe (`Tables._parse`), with tokens `start` on in `code`."""
    if type(recipe) is int:
        return made[recipe]
    if type(recipe) is tuple:
        kind, at, length = recipe
        token = Token(code[start + at:start + at + length])
        token.type, token.offset = kind, start + at
        return token
    return [_remade(part, made, code, start) for part in recipe]


def _spliced(children: list, kept: list[tuple[int, bool]]) -> list:
    """The kept children, those of an inlined rule in its place."""
    spliced: list = []
    for index, splice in kept:
        if splice:
            spliced.extend(children[index])
        else:
            spliced.append(children[index])
    return spliced
