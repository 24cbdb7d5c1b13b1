"""Redact personal data (e-mail, phone, payment card, US SSN) from free text before it leaves the warehouse.

Free text (feedback comments, verbatims, theme examples, incident titles) goes into report HTML, JSON
summaries, exports and alert payloads; every such output passes it through `redact` first, so a
customer's address or card number typed into a comment is never published. Each finding is replaced
by a labelled placeholder (`[email]`, `[phone]`, `[card]`, `[ssn]`) so a reader still sees that
something was there. Redaction runs on the raw text, before any HTML escaping.

Detectors run in a fixed order, each on the text with earlier findings masked out:

1. e-mail: an address can hold digits that look like a phone (SMS gateways: 4155552671@txt.att.net);
   taken whole, it is one `[email]`, not `[phone]@txt.att.net`.
2. card: 13-19 digits (spaces or dashes between groups), first digit 2-6, Luhn-valid. Before the
   phone matcher, which with some regions (DE, AU) reads a group of a card as a phone number and
   would leave the rest of the card in clear.
3. ssn: AAA-GG-SSSS (dashes or spaces) valid by python-stdnum's us.ssn rules; nine bare digits only
   right after an SSN label ("SSN 123456789", "social security number: ...").
4. phone: phonenumbers' PhoneNumberMatcher at Leniency.VALID, default region US (see `DEFAULT_REGIONS`).

Masking keeps offsets: a finding's characters are replaced by `_MASK` (a block character that is no
digit, letter, punctuation or currency sign to either matcher), so a later detector can neither match
inside an earlier finding nor join text across it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

import phonenumbers
from phonenumbers import Leniency, PhoneMetadata, PhoneNumberMatcher
from stdnum import luhn
from stdnum.us import ssn as us_ssn

Kind = Literal["email", "card", "ssn", "phone"]

#: Detector order; also the order of `PLACEHOLDERS`.
ORDER: tuple[Kind, ...] = ("email", "card", "ssn", "phone")

PLACEHOLDERS: dict[str, str] = {"email": "[email]", "card": "[card]", "ssn": "[ssn]", "phone": "[phone]"}

#: Regions whose national formats are recognised (numbers written with + or an international prefix
#: are found whatever the region). US: the pilot's users write North American numbers without +1.
DEFAULT_REGIONS: tuple[str, ...] = ("US",)

_MASK = "\u2588"  # FULL BLOCK: not a digit, letter, punctuation or currency symbol
_NO_TRY_LIMIT = 2**62  # phonenumbers' max_tries, see _phones


@dataclass(frozen=True, slots=True)
class Finding:
    """One piece of personal data: its kind and its span text[start:end]."""

    kind: Kind
    start: int
    end: int


class UnknownRegionError(ValueError):
    """A phone region code that phonenumbers does not know (a typo would silently disable redaction)."""

    def __init__(self, region: str) -> None:
        self.region = region
        super().__init__(f"unknown phone region {region!r} (expected an ISO 3166 code such as 'US', 'GB')")


# --- e-mail -----------------------------------------------------------------------------------------
# Scripts written without spaces between words (Thai, Lao, Myanmar, Khmer, CJK, kana, Hangul,
# full-width forms): their letters are not taken into an address, so "連絡先はtaro@example.jpです"
# loses only the address, not the words around it.
_NO_SPACE = (
    "\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u2e80-\u2fdf\u3000-\u30ff\u3100-\u9fff"
    "\ua000-\ua4cf\uac00-\ud7af\uf900-\ufaff\uff00-\uffef"
)
_MARK = "\u0300-\u036f"  # combining diacritics: "jose\u0301" is one word
_LC = rf"(?:[^\W{_NO_SPACE}]|[%+\-{_MARK}])"  # local-part character (letters, digits, _ % + -)
_DC = rf"(?:[^\W_{_NO_SPACE}]|[{_MARK}])"  # domain-label character (letters, digits)
_TLD = rf"(?:[^\W\d_{_NO_SPACE}]|[{_MARK}]){{2,63}}"  # letters only, so "a@b.com." keeps its period
_EMAIL = re.compile(
    # start where a word starts (not inside "x.y" or "it's"), local part possessive: it never
    # backtracks, so a long token without "@" costs one pass
    rf"(?<!{_LC})(?<!{_LC}[.']){_LC}(?:{_LC}|[.'])*+"
    rf"@(?:{_DC}(?:{_DC}|-){{0,62}}\.)+{_TLD}"
)

# --- payment card -----------------------------------------------------------------------------------
_DIGIT_GROUPS = re.compile(r"(?<![0-9])[0-9]+(?:[ -][0-9]+)*")
_GROUP = re.compile(r"[0-9]+")


def _well_formed(lengths: Sequence[int]) -> bool:
    """Grouped as cards are printed: one run, 4-4-4-4(-x), or Amex/Diners 4-6-5 / 4-6-4."""
    if len(lengths) == 1:
        return True
    if all(n == 4 for n in lengths[:-1]) and 1 <= lengths[-1] <= 4:
        return True
    return tuple(lengths) in {(4, 6, 5), (4, 6, 4)}


def _cards(text: str) -> list[Finding]:
    """Luhn-valid 13-19 digit numbers starting 2-6, aligned on the groups of a digit run.

    The first digit 2-6 covers every major network (Mastercard 2/5, Amex/Diners/JCB 3, Visa 4,
    Discover/UnionPay/Maestro 6) and keeps 13-digit epoch milliseconds (1…) out. Within a run of
    groups ("order 42 4111 1111 1111 1111") the card may start at any group: card-shaped windows
    win over odd ones, then longer over shorter, then leftmost.
    """
    found: list[Finding] = []
    for run in _DIGIT_GROUPS.finditer(text):
        if run.end() - run.start() < 13:
            continue
        groups = [(m.start(), m.end()) for m in _GROUP.finditer(text, run.start(), run.end())]
        candidates = []
        for i in range(len(groups)):
            digits = ""
            for j in range(i, len(groups)):
                digits += text[groups[j][0] : groups[j][1]]
                if len(digits) > 19:
                    break
                if len(digits) >= 13 and digits[0] in "23456" and luhn.is_valid(digits):
                    lengths = [e - s for s, e in groups[i : j + 1]]
                    candidates.append((not _well_formed(lengths), -len(digits), i, j))
        taken: set[int] = set()
        for _, _, i, j in sorted(candidates):
            if taken.isdisjoint(range(i, j + 1)):
                taken.update(range(i, j + 1))
                found.append(Finding("card", groups[i][0], groups[j][1]))
    return found


# --- US social-security number --------------------------------------------------------------------
_SSN = re.compile(r"(?<![0-9])([0-9]{3})([- ])([0-9]{2})\2([0-9]{4})(?![0-9])")
# Nine bare digits are an SSN only when labelled: unlabelled they are far more often order ids,
# ZIP+4 codes or amounts than SSNs.
_SSN_LABELLED = re.compile(
    r"\b(?:ssn|ss\#|social[ -]security|soc\.?[ -]?sec\.?)(?:[ -]?(?:number|num\.?|no\.?|\#))?"
    r"\s*(?:[:=]|is|was)?\s*([0-9]{9})(?![0-9])",
    re.IGNORECASE,
)


def _ssns(text: str) -> list[Finding]:
    """AAA-GG-SSSS / AAA GG SSSS, and labelled 9-digit numbers, that pass stdnum's us.ssn rules."""
    found = []
    for m in _SSN.finditer(text):
        sep = m.group(2)
        s, e = m.start(), m.end()
        # part of a longer grouped number ("1 536 90 4399", "536-90-4399-12") is not an SSN
        if s >= 2 and text[s - 1] == sep and text[s - 2].isdigit():
            continue
        if e + 1 < len(text) and text[e] == sep and text[e + 1].isdigit():
            continue
        if us_ssn.is_valid(m.group(1) + m.group(3) + m.group(4)):
            found.append(Finding("ssn", s, e))
    for m in _SSN_LABELLED.finditer(text):
        if us_ssn.is_valid(m.group(1)):
            found.append(Finding("ssn", m.start(1), m.end(1)))
    return found


# --- phone ----------------------------------------------------------------------------------------
@lru_cache(maxsize=32)
def _min_phone_digits(regions: tuple[str, ...]) -> int:
    """Fewest digits a VALID number can have in these regions' national formats or any international one.

    A text with fewer digits skips the (slow) matcher. Read from phonenumbers' metadata, so it follows
    the library's updates.
    """
    least = 99
    for region in phonenumbers.SUPPORTED_REGIONS:
        md = PhoneMetadata.metadata_for_region(region)
        if md is None or md.general_desc is None:
            continue
        lengths = [n for n in (md.general_desc.possible_length or ()) if n > 0]
        if not lengths:
            continue
        least = min(least, min(lengths) + len(str(md.country_code)))  # +CC NSN
        if region in regions:
            least = min(least, min(lengths))
    return least


@lru_cache(maxsize=32)
def _phone_run(digits: int) -> re.Pattern[str]:
    """`digits` digits each at most 4 non-digits from the next: the matcher's candidates allow at most 4
    punctuation characters between digits, so a text without such a run holds no phone number."""
    return re.compile(rf"\d(?:\D{{0,4}}\d){{{digits - 1}}}")


def _phones(text: str, region: str) -> list[Finding]:
    """Numbers phonenumbers finds at Leniency.VALID.

    VALID, not POSSIBLE: POSSIBLE accepts any digit run of a possible length, so "3.1415926535",
    "at 1709647500" (epoch seconds) and "1234567890" become phones. VALID requires a number the
    metadata says is assigned, and rejects digits touching Latin letters, "%" or a currency sign
    ("$1,234.56", "4155552671ms"). STRICT_GROUPING finds nothing more here and misses numbers whose
    grouping is unusual, which would leak.

    No try limit: the matcher's default (65,535 rejected candidates) makes it stop silently, so a
    phone number after many other numbers in a long text would be left in clear. Time stays linear.
    """
    matcher = PhoneNumberMatcher(text, region, leniency=Leniency.VALID, max_tries=_NO_TRY_LIMIT)
    return [Finding("phone", m.start, m.end) for m in matcher]


# --- the pipeline ---------------------------------------------------------------------------------
_ANY_DIGIT = re.compile(r"\d")


def _mask(text: str, findings: Iterable[Finding]) -> str:
    chars = list(text)
    for f in findings:
        chars[f.start : f.end] = _MASK * (f.end - f.start)
    return "".join(chars)


def _check_regions(regions: Sequence[str]) -> tuple[str, ...]:
    regions = tuple(regions)
    for r in regions:
        if r not in phonenumbers.SUPPORTED_REGIONS:
            raise UnknownRegionError(r)
    return regions


def scan(text: str | None, *, regions: Sequence[str] = DEFAULT_REGIONS) -> list[Finding]:
    """The personal data in `text`, as non-overlapping findings sorted by start (see the module doc for the order)."""
    regions = _check_regions(regions)
    if text is None:
        return []
    if not isinstance(text, str):
        raise TypeError(f"redact expects str or None, not {type(text).__name__}")
    digits = len(_ANY_DIGIT.findall(text))  # every detector but e-mail needs some digits
    found: list[Finding] = []
    masked = text

    def add(new: list[Finding]) -> None:
        nonlocal masked
        if new:
            found.extend(new)
            masked = _mask(masked, new)

    if "@" in text:
        add([Finding("email", m.start(), m.end()) for m in _EMAIL.finditer(text)])
    if digits >= 13:
        add(_cards(masked))
    if digits >= 9:
        add(_ssns(masked))
    if digits >= _min_phone_digits(regions) and _phone_run(_min_phone_digits(regions)).search(masked):
        for region in regions:
            add(_phones(masked, region))
    return sorted(found, key=lambda f: f.start)


def redact(text: str | None, *, regions: Sequence[str] = DEFAULT_REGIONS) -> str | None:
    """`text` with each e-mail, phone, card and SSN replaced by its placeholder; None stays None."""
    findings = scan(text, regions=regions)
    if not findings:
        return text
    assert text is not None
    out, pos = [], 0
    for f in findings:
        out.append(text[pos : f.start])
        out.append(PLACEHOLDERS[f.kind])
        pos = f.end
    out.append(text[pos:])
    return "".join(out)


def _redact_value(value: Any, regions: Sequence[str]) -> Any:
    """Strings are redacted; anything else (None, NaN, numbers) is returned as is."""
    return redact(value, regions=regions) if isinstance(value, str) else value


def redact_many(values: Iterable[Any], *, regions: Sequence[str] = DEFAULT_REGIONS) -> list[Any]:
    """Each string of `values` redacted, in order; non-strings (None, NaN) kept."""
    regions = _check_regions(regions)
    return [_redact_value(v, regions) for v in values]


def redact_series(series: Any, *, regions: Sequence[str] = DEFAULT_REGIONS) -> Any:
    """A pandas Series with every string redacted; index, name, dtype and missing values kept.

    Duck-typed (needs `.map(f, na_action=...)`), so this module does not import pandas.
    """
    regions = _check_regions(regions)
    out = series.map(lambda v: _redact_value(v, regions), na_action="ignore")
    if out.dtype != series.dtype:  # pandas 2 may turn a string column into object through map
        out = out.astype(series.dtype)
    return out


def redact_fields(obj: Any, keys: Collection[str], *, regions: Sequence[str] = DEFAULT_REGIONS) -> Any:
    """A copy of a JSON-like structure in which every string under one of `keys` is redacted.

    A key names free text, so everything beneath it is redacted: a string, a list of strings
    ("examples": [...]) or nested objects. Other keys are searched for nested matches and their
    own strings kept. Dicts, lists and tuples are rebuilt; the input is not changed.
    """
    regions = _check_regions(regions)
    keys = frozenset(keys)

    def walk(node: Any, inside: bool) -> Any:
        if isinstance(node, str):
            return redact(node, regions=regions) if inside else node
        if isinstance(node, Mapping):
            return {k: walk(v, inside or k in keys) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v, inside) for v in node]
        if isinstance(node, tuple):
            return tuple(walk(v, inside) for v in node)
        return node

    return walk(obj, False)


def count_findings(values: Iterable[Any], *, regions: Sequence[str] = DEFAULT_REGIONS) -> dict[str, int]:
    """How many of each kind were found across `values` (strings only), every kind present, for a report's note."""
    regions = _check_regions(regions)
    counts: Counter[str] = Counter({k: 0 for k in ORDER})
    for v in values:
        if isinstance(v, str):
            counts.update(f.kind for f in scan(v, regions=regions))
    return {k: counts[k] for k in ORDER}
