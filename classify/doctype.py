"""Document-type classification of one page by weighted rules loaded from data (rules.toml)."""

from __future__ import annotations

import re
import statistics
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from math import exp
from pathlib import Path
from typing import Any

from classify._text import compact, meaningful_chars, nfkc, rule_text
from dangan.errors import ConfigError
from dangan.records import OcrLine

__all__ = [
    "BLANK",
    "OTHER",
    "Classification",
    "Rule",
    "Rules",
    "RulesError",
    "TypeRules",
    "classify_page",
    "load_rules",
]

#: The type of pages with (almost) no text; not defined in the rules file.
BLANK = "blank"
#: The type of pages nothing convinces, and of pages positively recognised as something else.
OTHER = "other"

_FORMAT = 1


class RulesError(ConfigError):
    """The rules file cannot be used: dangan refuses to start rather than classify with half the rules."""

    code = "rules_error"

    def __init__(self, where: str, problem: str) -> None:
        super().__init__(
            "文档类型规则文件有误", "the document-type rules file is wrong", f"{where}: {problem}"
        )


@dataclass(frozen=True, slots=True)
class Rule:
    """One weighted rule of one type; `label` names it in reasons and in `Classification.fired`."""

    doc_type: str
    label: str
    weight: float
    phrase: str | None  # compact form of a text rule containing Chinese
    pattern: re.Pattern[str] | None  # Latin text rules (word-bounded) and regex rules
    latin_compact: str | None  # compact form of a Latin phrase, for fuzzy matching only
    title: bool
    only_title: bool
    fuzzy: bool

    @property
    def needle(self) -> str | None:
        """The phrase in compact form (None for a regex): what fuzzy matching and nesting look at."""
        return self.phrase if self.phrase is not None else self.latin_compact


@dataclass(frozen=True, slots=True)
class TypeRules:
    """The rules of one document type."""

    name: str
    description: str
    rules: tuple[Rule, ...]
    require_any: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Rules:
    """A loaded rules file: per-type rules plus the scoring and blank-page settings."""

    types: tuple[TypeRules, ...]
    title_factor: float
    large_factor: float
    fuzzy_factor: float
    fuzzy_min_length: int
    fuzzy_min_length_latin: int
    min_score: float
    confidence_scale: float
    max_text_chars: int
    blank_max_chars: int
    blank_max_chars_with_hint: int
    source: str


@dataclass(frozen=True, slots=True)
class Classification:
    """The type of one page and why.

    Attributes:
        doc_type: a type from the rules file, `other`, or `blank`.
        confidence: 0..1; how far the winner stands above the threshold and the runner-up.
        reason: a short explanation for people (scores and the rules that fired; never page text).
        fired: every rule that fired, as "type:label", with "@title" / "@large" for where and "~" for an
            OCR-tolerant (fuzzy) match, strongest first.
        titled: a phrase naming a document fired in a title-like line: the page starts a document.
        scores: each type's score, highest first.
        chars: letters, digits and Chinese characters on the page (how much text there is).
    """

    doc_type: str
    confidence: float
    reason: str
    fired: tuple[str, ...] = ()
    titled: bool = False
    scores: tuple[tuple[str, float], ...] = ()
    chars: int = 0


# --- loading --------------------------------------------------------------------------------------

_LATIN_WORD_SPLIT = re.compile(r"[\s\-]+")
_SHORT_LATIN = 4  # Latin phrases this short must end at a word boundary too ("vat" is not "vatican")


def _unsafe_regex(pattern: str) -> bool:
    """True if a quantified group holds a quantifier or an alternation: catastrophic backtracking's shape.

    The stdlib `re` has no timeout, so patterns are refused up front and run on bounded text instead.
    """
    stack: list[bool] = []  # per open group: does it contain a quantifier or alternation?
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "[":  # skip a character class; ']' right after '[' or '[^' is literal
            i += 1
            if i < len(pattern) and pattern[i] == "^":
                i += 1
            if i < len(pattern) and pattern[i] == "]":
                i += 1
            while i < len(pattern) and pattern[i] != "]":
                i += 2 if pattern[i] == "\\" else 1
            i += 1
            continue
        if ch == "(":
            stack.append(False)
        elif ch == ")":
            inner = stack.pop() if stack else False
            nxt = pattern[i + 1 : i + 2]
            if inner and nxt in ("*", "+", "{"):
                return True
            if stack and (inner or nxt in ("*", "+", "{")):
                stack[-1] = True
        elif ch in "*+{|" and stack:
            stack[-1] = True
        i += 1
    return False


def _latin_pattern(phrase: str) -> re.Pattern[str]:
    words = [re.escape(w) for w in _LATIN_WORD_SPLIT.split(phrase.strip()) if w]
    body = r"[\s\-]*".join(words)
    tail = r"(?![a-z])" if len(phrase) <= _SHORT_LATIN else ""
    return re.compile(rf"(?<![a-z]){body}{tail}")


def _build_rule(doc_type: str, index: int, raw: Mapping[str, Any], where: str) -> Rule:
    allowed = {"text", "regex", "id", "weight", "title", "only_title", "fuzzy"}
    unknown = set(raw) - allowed
    if unknown:
        raise RulesError(where, f"rule {index + 1} has unknown keys {sorted(unknown)}")
    weight = raw.get("weight")
    if not isinstance(weight, int | float) or isinstance(weight, bool):
        raise RulesError(where, f"rule {index + 1} needs a numeric weight")
    flags = {
        k: raw.get(k, default) for k, default in (("title", False), ("only_title", False), ("fuzzy", True))
    }
    for key, value in flags.items():
        if not isinstance(value, bool):
            raise RulesError(where, f"rule {index + 1}: {key} must be true or false")
    text, regex = raw.get("text"), raw.get("regex")
    if (text is None) == (regex is None):
        raise RulesError(where, f"rule {index + 1} needs exactly one of text or regex")
    if regex is not None:
        if not isinstance(regex, str) or not regex or len(regex) > 300:
            raise RulesError(
                where, f"rule {index + 1}: regex must be a non-empty string of at most 300 characters"
            )
        if _unsafe_regex(regex):
            raise RulesError(
                where, f"rule {index + 1}: regex {regex!r} nests quantifiers and could run forever"
            )
        try:
            pattern = re.compile(regex)
        except re.error as exc:
            raise RulesError(where, f"rule {index + 1}: regex {regex!r} does not compile: {exc}") from exc
        label = str(raw.get("id") or regex)
        return Rule(
            doc_type, label, float(weight), None, pattern, None, flags["title"], flags["only_title"], False
        )
    if not isinstance(text, str) or not compact(text):
        raise RulesError(where, f"rule {index + 1}: text must be a non-empty string")
    normal = rule_text(text).strip()
    label = str(raw.get("id") or normal)
    if normal.isascii():
        return Rule(
            doc_type,
            label,
            float(weight),
            None,
            _latin_pattern(normal),
            compact(normal),
            flags["title"],
            flags["only_title"],
            flags["fuzzy"],
        )
    return Rule(
        doc_type,
        label,
        float(weight),
        compact(normal),
        None,
        None,
        flags["title"],
        flags["only_title"],
        flags["fuzzy"],
    )


def _number(table: Mapping[str, Any], key: str, default: float, where: str) -> float:
    value = table.get(key, default)
    if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
        raise RulesError(where, f"{key} must be a non-negative number")
    return float(value)


def load_rules(path: Path | None = None) -> Rules:
    """Load and check a rules file.

    Args:
        path: a TOML rules file; None loads the rules packaged with dangan (classify/rules.toml).

    Returns:
        The rules, ready for `classify_page`.

    Raises:
        RulesError: the file is not valid TOML or breaks the format described at its top.
    """
    if path is None:
        source = "classify/rules.toml"
        data_bytes = resources.files("classify").joinpath("rules.toml").read_bytes()
    else:
        source = str(path)
        data_bytes = Path(path).read_bytes()
    try:
        data = tomllib.loads(data_bytes.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise RulesError(source, f"not a valid TOML file: {exc}") from exc
    if data.get("format") != _FORMAT:
        raise RulesError(source, f"format must be {_FORMAT}")
    scoring = data.get("scoring", {})
    blank = data.get("blank", {})
    raw_types = data.get("types")
    if not isinstance(raw_types, dict) or not raw_types:
        raise RulesError(source, "no [types.*] tables")
    types: list[TypeRules] = []
    for name, body in raw_types.items():
        where = f"{source} [types.{name}]"
        if name == BLANK or not re.fullmatch(r"[a-z][a-z0-9_]*", name):
            raise RulesError(where, "type names are lower-case words (a-z, 0-9, _), and 'blank' is reserved")
        raw_rules = body.get("rules", [])
        if not isinstance(raw_rules, list):
            raise RulesError(where, "rules must be a list")
        rules = tuple(_build_rule(name, i, r, where) for i, r in enumerate(raw_rules))
        seen: dict[str, str] = {}
        for rule in rules:
            # "check list" and "checklist" read the same once spaces may be missing: one rule, counted once.
            key = rule.needle or f"regex:{rule.label}"
            if key in seen:
                raise RulesError(where, f"rules {seen[key]!r} and {rule.label!r} match the same text")
            seen[key] = rule.label
        require = tuple(rule_text(str(r)).strip() for r in body.get("require_any", []))
        labels = {r.label for r in rules}
        missing = [r for r in require if r not in labels]
        if missing:
            raise RulesError(where, f"require_any names phrases that are not rules of the type: {missing}")
        types.append(TypeRules(name, str(body.get("description", "")), rules, require))
    if OTHER not in raw_types:
        types.append(TypeRules(OTHER, "everything else", (), ()))
    return Rules(
        types=tuple(types),
        title_factor=_number(scoring, "title_factor", 3.0, source),
        large_factor=_number(scoring, "large_factor", 1.5, source),
        fuzzy_factor=_number(scoring, "fuzzy_factor", 0.7, source),
        fuzzy_min_length=int(_number(scoring, "fuzzy_min_length", 5, source)),
        fuzzy_min_length_latin=int(_number(scoring, "fuzzy_min_length_latin", 9, source)),
        min_score=_number(scoring, "min_score", 6.0, source),
        confidence_scale=max(_number(scoring, "confidence_scale", 6.0, source), 1e-6),
        max_text_chars=int(_number(scoring, "max_text_chars", 20000, source)),
        blank_max_chars=int(_number(blank, "max_chars", 2, source)),
        blank_max_chars_with_hint=int(_number(blank, "max_chars_with_hint", 12, source)),
        source=source,
    )


# --- page views -----------------------------------------------------------------------------------

_TITLE, _LARGE, _BODY = "title", "large", "body"
_MAX_REGEX_LINE = 500
_LARGE_RATIO = 1.3  # a line this much taller than the page's median line is large
_TITLE_ZONE = 0.35  # titles sit in the top 35% of the page
_TITLE_MAX_CHARS = 30
_MAX_TITLES = 3
_TITLE_MAX_CHARS_NO_GEOMETRY = 16  # without boxes, only short head lines pass for titles ...
_MAX_TITLES_NO_GEOMETRY = 2  # ... and only the first two of them


class _View:
    """Normalised forms of one piece of text, with the spans of long phrases it holds exactly.

    Spaced text serves Latin words and regexes, compact text Chinese phrases. A fuzzy match is refused where
    its window is already an exact match of another long phrase: otherwise 车辆销售合同 would fuzzily fire on
    汽车销售合同, and 机动车驾驶证 on 机动车行驶证, counting one phrase twice or for the wrong document.
    """

    __slots__ = ("spaced", "lines", "compact", "_exact_spans", "_occurrences")

    def __init__(self, text: str) -> None:
        self.spaced = rule_text(text)
        # Regex rules run line by line on bounded lines: even a pattern with adjacent quantifiers (\d+\d+)
        # then costs at most quadratic time in one line's length, never in the page's.
        self.lines = [line[:_MAX_REGEX_LINE] for line in self.spaced.split("\n")]
        self.compact = compact(text)
        self._exact_spans: list[tuple[int, int]] | None = None
        self._occurrences: dict[str, list[tuple[int, int]]] = {}

    def occurrences(self, needle: str) -> list[tuple[int, int]]:
        """Spans of every exact occurrence of `needle` in the compact text."""
        found = self._occurrences.get(needle)
        if found is None:
            found = []
            pos = self.compact.find(needle)
            while pos != -1:
                found.append((pos, pos + len(needle)))
                pos = self.compact.find(needle, pos + 1)
            self._occurrences[needle] = found
        return found

    def exact_spans(self, rules: Rules) -> list[tuple[int, int]]:
        if self._exact_spans is None:
            shortest = min(rules.fuzzy_min_length, rules.fuzzy_min_length_latin)
            self._exact_spans = [
                span
                for type_rules in rules.types
                for rule in type_rules.rules
                if rule.needle is not None and len(rule.needle) >= shortest
                for span in self.occurrences(rule.needle)
            ]
        return self._exact_spans


def _roles_from_geometry(lines: Sequence[OcrLine], page_height: int) -> dict[str, list[str]] | None:
    usable = [ln for ln in lines if ln.box[3] > ln.box[1] and meaningful_chars(ln.text) > 0]
    if len(usable) < 2:
        return None  # one line has nothing to be larger than
    median_h = statistics.median(ln.box[3] - ln.box[1] for ln in usable)
    top = 0 if page_height else min(ln.box[1] for ln in usable)
    height = page_height or (max(ln.box[3] for ln in usable) - top) or 1
    left = min(ln.box[0] for ln in usable)
    right = max(ln.box[2] for ln in usable)
    width = max(right - left, 1)
    centre = (left + right) / 2
    titles: list[tuple[float, str]] = []
    large: list[str] = []
    for ln in usable:
        h = ln.box[3] - ln.box[1]
        is_large = h >= _LARGE_RATIO * median_h
        near_top = (ln.box[1] - top) / height <= _TITLE_ZONE
        centred = (
            abs((ln.box[0] + ln.box[2]) / 2 - centre) <= 0.1 * width and ln.box[2] - ln.box[0] <= 0.8 * width
        )
        if _title_like(ln.text, _TITLE_MAX_CHARS) and near_top and (is_large or centred):
            titles.append((-h, ln.text))
        elif is_large:
            large.append(ln.text)
    titles.sort(key=lambda t: t[0])
    large.extend(text for _, text in titles[_MAX_TITLES:])
    return {_TITLE: [text for _, text in titles[:_MAX_TITLES]], _LARGE: large}


def _title_like(text: str, max_chars: int) -> bool:
    # A title is short and is not a form field: "合同编号：XS2023" or "身份证号码: ..." at the top is not one.
    return meaningful_chars(text) <= max_chars and ":" not in nfkc(text)


def _roles_from_text(text: str) -> dict[str, list[str]]:
    # No usable geometry (a text layer without boxes): the first short lines are the likeliest titles.
    head = [ln for ln in text.splitlines() if meaningful_chars(ln) > 0][:4]
    titles = [ln for ln in head if _title_like(ln, _TITLE_MAX_CHARS_NO_GEOMETRY)][:_MAX_TITLES_NO_GEOMETRY]
    return {_TITLE: titles, _LARGE: []}


# --- matching -------------------------------------------------------------------------------------


def _within_one_edit(a: str, b: str) -> bool:
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i:] == b[i + 1 :]


def _fuzzy_windows(hay: str, needle: str) -> list[tuple[int, int]]:
    """Windows of `hay` that equal `needle` up to one substituted, missing or extra character.

    One edit leaves one half of the needle intact (pigeonhole), so exact occurrences of either half are the
    only places worth an edit-distance check: linear in practice, no per-character Python loop over the page.
    """
    m = len(needle)
    half = m // 2
    found: set[tuple[int, int]] = set()
    for piece, offset in ((needle[:half], 0), (needle[half:], half)):
        pos = hay.find(piece)
        while pos != -1:
            base = pos - offset
            for start in (base - 1, base, base + 1):
                for length in (m - 1, m, m + 1):
                    end = start + length
                    if start >= 0 and end <= len(hay) and _within_one_edit(hay[start:end], needle):
                        found.add((start, end))
            pos = hay.find(piece, pos + 1)
    return sorted(found)


def _fuzzy_in(view: _View, needle: str, rules: Rules) -> bool:
    taken = view.exact_spans(rules)
    for start, end in _fuzzy_windows(view.compact, needle):
        # Refuse a window mostly covered by an exact hit of another long phrase (see _View).
        if not any(min(end, e) - max(start, s) > (end - start) // 2 for s, e in taken):
            return True
    return False


def _exact(rule: Rule, view: _View) -> bool:
    if rule.phrase is not None:
        return rule.phrase in view.compact
    assert rule.pattern is not None
    if rule.latin_compact is not None:  # a Latin phrase: literal words, safe on the whole page
        return rule.pattern.search(view.spaced) is not None
    return any(rule.pattern.search(line) for line in view.lines)


def _fuzzy(rule: Rule, view: _View, rules: Rules) -> bool:
    needle = rule.needle
    if not rule.fuzzy or needle is None:
        return False
    minimum = rules.fuzzy_min_length if rule.phrase is not None else rules.fuzzy_min_length_latin
    return len(needle) >= minimum and _fuzzy_in(view, needle, rules)


def _subsumed(rule: Rule, longer: Sequence[Rule], view: _View) -> bool:
    """True if every occurrence of the rule's phrase lies inside a longer phrase of its type that matched.

    A phrase nested in a longer one is the same words counted twice: one body mention of
    机动车销售统一发票 must not also count as 统一发票 and 发票 (a delivery checklist lists the invoice among
    the papers handed over), nor 汽车销售合同 as 销售合同 and 合同.
    """
    needle = rule.needle
    if needle is None:
        return False
    occurrences = view.occurrences(needle)
    if not occurrences:
        return False  # matched through word-bounded spacing only: nothing to nest in
    covers = [span for other in longer for span in view.occurrences(other.needle or "")]
    return all(any(cs <= s and e <= ce for cs, ce in covers) for s, e in occurrences)


def _readings(type_rules: TypeRules, view: _View, rules: Rules) -> tuple[list[int], set[str]]:
    """How each rule of a type reads in one view: 2 exact, 1 with one OCR error, 0 not at all or nested
    in a longer matching phrase. Also the labels that matched exactly, nested ones included (for
    `require_any`: 发票 inside 发票代码 still says the page is an invoice)."""
    exact = [_exact(rule, view) for rule in type_rules.rules]
    nesting = [r for r, hit in zip(type_rules.rules, exact, strict=True) if hit and r.weight > 0 and r.needle]
    present: set[str] = set()
    out: list[int] = []
    for rule, hit in zip(type_rules.rules, exact, strict=True):
        if hit:
            longer = [r for r in nesting if len(r.needle or "") > len(rule.needle or "")]
            out.append(0 if rule.weight > 0 and longer and _subsumed(rule, longer, view) else 2)
        else:
            out.append(1 if _fuzzy(rule, view, rules) else 0)
        if hit or out[-1]:
            present.add(rule.label)
    return out, present


@dataclass(frozen=True, slots=True)
class _Hit:
    rule: Rule
    score: float
    where: str
    fuzzy: bool

    def describe(self) -> str:
        at = "" if self.where == _BODY else f"@{self.where}"
        return f"{self.rule.label}{at}{'~' if self.fuzzy else ''}"


def _score_type(
    type_rules: TypeRules, views: Sequence[tuple[str, _View]], rules: Rules
) -> tuple[list[_Hit], set[str]]:
    """The type's hits, each rule at its strongest reading on the page, and the labels present."""
    readings = [(where, *_readings(type_rules, view, rules)) for where, view in views]
    present: set[str] = set().union(*(p for _, _, p in readings))
    hits: list[_Hit] = []
    for i, rule in enumerate(type_rules.rules):
        candidates: list[_Hit] = []
        for where, kinds, _ in readings:
            kind = kinds[i]
            if not kind or (rule.only_title and where != _TITLE):
                continue
            if rule.weight < 0:
                factor = 1.0  # evidence against a type is not amplified by where it stands
            elif where == _TITLE:
                factor = rules.title_factor if rule.title else rules.large_factor
            else:
                factor = rules.large_factor if where == _LARGE else 1.0
            score = rule.weight * factor * (rules.fuzzy_factor if kind == 1 else 1.0)
            candidates.append(_Hit(rule, score, where, kind == 1))
        if candidates:
            # Evidence for a type counts at its strongest reading; evidence against it in full.
            pick = max if rule.weight > 0 else min
            hits.append(pick(candidates, key=lambda h: h.score))
    return sorted(hits, key=lambda h: -h.score), present


def _requirement_met(required: Sequence[str], present: set[str]) -> bool:
    # A phrase that contains a required one says it too: 机动车销售统一发栗 (OCR error) still says 发票.
    return any(req in label for req in required for label in present)


def _confidence(best: float, second: float, rules: Rules) -> float:
    strength = 1.0 - exp(-best / rules.confidence_scale)
    margin = (best - second) / best if best > 0 else 0.0
    return round(strength * (0.25 + 0.75 * margin), 3)


def _summary(hits: Sequence[_Hit], limit: int = 5) -> str:
    shown = ", ".join(h.describe() for h in hits[:limit])
    return shown + (f", +{len(hits) - limit} more" if len(hits) > limit else "")


def classify_page(
    text: str,
    lines: Sequence[OcrLine],
    rules: Rules,
    *,
    page_height: int = 0,
    blank_hint: bool | None = None,
) -> Classification:
    """Classify one page by the weighted rules.

    Titles weigh more: a line counts as a title when it is short, in the top part of the page, and either
    large (taller than the page's median line) or centred. Without usable boxes the first short lines of the
    text stand in for titles. Each rule counts once per page, at its strongest reading.

    Args:
        text: the page text (OCR or text layer); when empty, the lines' text is used.
        lines: OCR lines with boxes in page pixels, in reading order; may be empty.
        rules: from `load_rules`.
        page_height: the page height in pixels, when known; otherwise taken from the lines.
        blank_hint: the scan stage's own verdict on the image: True found blank, False found ink (a photo or
            handwriting), None not judged. A text-less page is blank unless the image stage saw ink.

    Returns:
        The classification with its reason; `other` with low confidence when nothing convinces.
    """
    if not text.strip() and lines:
        text = "\n".join(ln.text for ln in lines)
    text = nfkc(text)[: rules.max_text_chars]
    chars = meaningful_chars(text)
    if blank_hint and chars <= rules.blank_max_chars_with_hint:
        return Classification(
            BLANK, 0.95, f"blank: image found blank, {chars} characters of text", chars=chars
        )
    if chars <= rules.blank_max_chars:
        if blank_hint is False:
            reason = f"no text ({chars} characters) but the image is not blank"
            return Classification(OTHER, 0.2, reason, chars=chars)
        return Classification(
            BLANK, 0.9 if chars == 0 else 0.75, f"blank: {chars} characters of text", chars=chars
        )

    roles = _roles_from_geometry(lines, page_height) or _roles_from_text(text)
    body = _View(text)
    titles = [_View(t) for t in roles[_TITLE]]
    large = [_View(t[: rules.max_text_chars]) for t in roles[_LARGE]]

    views = [(_TITLE, v) for v in titles] + [(_LARGE, v) for v in large] + [(_BODY, body)]
    per_type: dict[str, list[_Hit]] = {}
    present: dict[str, set[str]] = {}
    for type_rules in rules.types:
        per_type[type_rules.name], present[type_rules.name] = _score_type(type_rules, views, rules)
    scores = {name: max(0.0, round(sum(h.score for h in hits), 2)) for name, hits in per_type.items()}
    ranking = tuple(sorted(scores.items(), key=lambda kv: (-kv[1], kv[0])))
    fired = tuple(
        f"{h.rule.doc_type}:{h.describe()}"
        for h in sorted((h for hits in per_type.values() for h in hits), key=lambda h: -h.score)
    )
    titled = any(
        h.rule.title and h.where == _TITLE and h.score > 0 for hits in per_type.values() for h in hits
    )

    eligible: list[tuple[str, float]] = []
    excluded: list[str] = []
    for type_rules in rules.types:
        if type_rules.require_any and not _requirement_met(type_rules.require_any, present[type_rules.name]):
            if scores[type_rules.name] > 0:
                excluded.append(f"{type_rules.name} lacks {'/'.join(type_rules.require_any)}")
            continue
        eligible.append((type_rules.name, scores[type_rules.name]))
    eligible.sort(key=lambda kv: (-kv[1], kv[0]))
    best_type, best = eligible[0] if eligible else (OTHER, 0.0)
    second = eligible[1][1] if len(eligible) > 1 else 0.0
    note = f"; {', '.join(excluded)}" if excluded else ""

    if best < rules.min_score:
        detail = f" (best {best_type} {best:g}: {_summary(per_type.get(best_type, []))})" if best > 0 else ""
        confidence = round(0.25 * (1.0 - best / rules.min_score) + 0.05, 3)
        return Classification(
            OTHER,
            confidence,
            f"not convincing: no type reached {rules.min_score:g}{detail}{note}",
            fired,
            titled,
            ranking,
            chars,
        )
    runner = f"; runner-up {eligible[1][0]} {second:g}" if len(eligible) > 1 and second > 0 else ""
    reason = f"{best_type} {best:g} ({_summary(per_type[best_type])}){runner}{note}"
    return Classification(best_type, _confidence(best, second, rules), reason, fired, titled, ranking, chars)
