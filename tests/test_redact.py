"""redact: known inputs, exact outputs. Each expected string is written by hand; card numbers carry
their Luhn sum worked out in a comment (double every second digit from the right, 2-digit products
minus 9, total divisible by 10 = valid)."""

from __future__ import annotations

import copy
import html

import pandas as pd
import pytest
from phonenumbers import Leniency, PhoneNumberMatcher

from launchkit.redact import (
    Finding,
    UnknownRegionError,
    count_findings,
    redact,
    redact_fields,
    redact_many,
    redact_series,
    scan,
)

# --- must be redacted ---------------------------------------------------------------------------
REDACTED = [
    # e-mail: plus-addressing, subdomains, the sentence's full stop kept
    ("Mail me at john.doe+pilot@mail.example.co.uk.", "Mail me at [email]."),
    ("'bob@example.com'", "'[email]'"),
    ("(alice@example.org)", "([email])"),
    ("O'Brien@example.ie wrote", "[email] wrote"),
    ("ops@example.com,dev@example.com", "[email],[email]"),
    ("john.@example.com", "[email]"),  # malformed but personal: taken whole
    ("jürgen.müller@beispiel.de", "[email]"),
    ("jose\u0301@example.com", "[email]"),  # decomposed é: the combining accent is part of the name
    ("x@münchen.de ok", "[email] ok"),
    ("連絡先はtaro@example.jpです", "連絡先は[email]です"),  # no spaces in Japanese: neighbours kept
    ("4155552671@txt.att.net", "[email]"),  # an SMS gateway: the e-mail wins over the phone inside it
    # phone: international formats
    ("+44 20 7946 0958", "[phone]"),
    ("+49 30 901820", "[phone]"),
    ("+1 (415) 555-2671", "[phone]"),
    ("tel:+14155552671", "tel:[phone]"),
    # phone: North American national formats (region US)
    ("(415) 555-2671", "[phone]"),
    ("415-555-2671", "[phone]"),
    ("415.555.2671", "[phone]"),
    ("1-800-555-0199", "[phone]"),
    ("Call me at 415-555-2671.", "Call me at [phone]."),
    ("415 555 2671 ext. 123", "[phone]"),
    ("電話：４１５-５５５-２６７１", "電話：[phone]"),  # full-width digits
    ("📞 +1 415 555 2671 👍", "📞 [phone] 👍"),  # astral characters before: offsets stay right
    # card: 4111111111111111, from the right: undoubled eight 1s = 8; doubled seven 1s and the 4 ->
    # 14 + 8 = 22; 30: valid
    ("card 4111 1111 1111 1111 exp 12/26", "card [card] exp 12/26"),
    ("4111-1111-1111-1111", "[card]"),
    ("4111111111111111", "[card]"),
    # Amex 378282246310005: worked out in test_amex_luhn_by_hand
    ("3782 822463 10005", "[card]"),
    ("378282246310005", "[card]"),
    # SSN
    ("SSN 536-90-4399", "SSN [ssn]"),
    ("ssn 536 90 4399", "ssn [ssn]"),
    ("SSN: 536904399", "SSN: [ssn]"),
    ("SS# 536904399", "SS# [ssn]"),
    ("my social security number is 536904399", "my social security number is [ssn]"),
    # everything at once
    (
        "Contact jane@example.com or +1 (415) 555-2671; card 4111 1111 1111 1111, SSN 536-90-4399.",
        "Contact [email] or [phone]; card [card], SSN [ssn].",
    ),
    (
        "Schreiben Sie an jürgen.müller@beispiel.de oder rufen Sie +49 30 901820 an.",
        "Schreiben Sie an [email] oder rufen Sie [phone] an.",
    ),
]


@pytest.mark.parametrize(("text", "expected"), REDACTED)
def test_redacts(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_amex_luhn_by_hand() -> None:
    """378282246310005 (Amex, 15 digits) is Luhn-valid; its neighbour with check digit 6 is not.

    Digits 3 7 8 2 8 2 2 4 6 3 1 0 0 0 5; from the right, undoubled 5,0,1,6,2,8,8,3 = 33;
    doubled 0,0,3,4,2,2,7 -> 0,0,6,8,4,4,14-9=5 = 27; 33 + 27 = 60: valid. Check digit 6: 61.
    """
    assert redact("378282246310005") == "[card]"
    assert redact("378282246310006") == "378282246310006"  # last digit +1: sum 61, invalid


# --- must NOT be redacted -----------------------------------------------------------------------
KEPT = [
    "took 3500 ms",
    "2026-03-05",
    "2026-03-05T14:05:00Z",
    "v2.3.1",
    "order 12345",
    "$1,234.56",
    "tool success 98.6 % (was 45%)",
    "at 14:05",
    "3.1415926535",
    "at 1709647500",  # epoch seconds: area code 170 does not exist
    "1234567890",  # area code 123 does not exist
    "555-2671",  # seven digits: a local number, not dialable without an area code
    "user@localhost",
    "@handle on twitter",
    "a@b.c",
    "price@ 5",
    "id 4111111111111112",  # 4111111111111111 is Luhn-valid, so +1 on the check digit is not
    # 13-digit epoch ms, Luhn-valid (from the right: undoubled 3,0,0,7,6,0,1 = 17; doubled 0,0,5,4,9,7
    # -> 0,0,10-9=1,8,18-9=9,14-9=5 = 23; 40) but cards start with 2-6
    "ts 1709647500003",
    "order 536904399",  # nine bare digits without an SSN label
    "SSN 000-12-3456",  # area 000
    "666-12-3456",  # area 666
    "900-12-3456",  # area 9xx (ITIN / never issued)
    "536-00-4399",  # group 00
    "536-90-0000",  # serial 0000
    "078-05-1120",  # the Woolworth wallet number, blacklisted
    "536-90-4399-12",  # part of a longer number
    "1 536 90 4399",  # part of a longer spaced number
    "SSN 5369043991",  # ten digits
    "no personal data here",
    "",
]


@pytest.mark.parametrize("text", KEPT)
def test_keeps(text: str) -> None:
    assert redact(text) == text


def test_none_stays_none() -> None:
    assert redact(None) is None
    assert scan(None) == []


def test_non_string_is_an_error_naming_the_type() -> None:
    with pytest.raises(TypeError, match="bytes"):
        redact(b"jane@example.com")  # type: ignore[arg-type]


# --- order and overlaps ---------------------------------------------------------------------------
def test_card_is_taken_before_the_phone_matcher_can_split_it() -> None:
    # 59083630838981, from the right: undoubled 1,9,3,0,6,8,9 = 36; doubled 8,8,8,3,3,0,5 ->
    # 16-9=7,7,7,6,6,0,10-9=1 = 34; 70: valid, first digit 5 (Mastercard-like), grouped 4-6-4.
    text = "card 5908 363083 8981 thanks"
    # precondition: with German national formats, phonenumbers alone reads the middle group as a phone
    assert [m.raw_string for m in PhoneNumberMatcher(text, "DE", leniency=Leniency.VALID)] == ["363083"]
    assert redact(text, regions=("US", "DE")) == "card [card] thanks"
    assert scan(text, regions=("US", "DE")) == [Finding("card", 5, 21)]


def test_card_shaped_grouping_wins_over_a_longer_odd_one() -> None:
    # 424111111111111111 (18 digits, "42" + the card) is Luhn-valid too: from the right, undoubled
    # eight 1s + 2 = 10, doubled seven 1s and 4,4 -> 14 + 16 = 30; 40. The 4-4-4-4 card wins.
    assert redact("Order 42 4111 1111 1111 1111") == "Order 42 [card]"


def test_phone_after_email_and_card_uses_original_offsets() -> None:
    text = "a@b.co 4111111111111111 (415) 555-2671"
    assert scan(text) == [Finding("email", 0, 6), Finding("card", 7, 23), Finding("phone", 24, 38)]


def test_national_formats_of_other_regions_need_the_region() -> None:
    assert redact("call 020 7946 0958") == "call 020 7946 0958"  # UK national format, region US
    assert redact("call 020 7946 0958", regions=("US", "GB")) == "call [phone]"


def test_unknown_region_is_refused_not_ignored() -> None:
    with pytest.raises(UnknownRegionError) as err:
        redact("415-555-2671", regions=("UK",))  # the ISO code is GB
    assert err.value.region == "UK"


def test_redaction_is_idempotent() -> None:
    once = redact("Contact jane@example.com or +1 (415) 555-2671; card 4111 1111 1111 1111, SSN 536-90-4399.")
    assert redact(once) == once


# --- HTML: redaction happens on the raw text, before escaping -----------------------------------
def test_html_ish_text() -> None:
    text = '<p>Email <a href="mailto:jane@example.com">jane@example.com</a> &amp; call <b>(415) 555-2671</b></p>'
    assert redact(text) == '<p>Email <a href="mailto:[email]">[email]</a> &amp; call <b>[phone]</b></p>'


def test_redact_then_escape() -> None:
    comment = "<script>alert('x')</script> mail <jane@example.com> & call 415-555-2671"
    assert html.escape(redact(comment) or "") == (
        "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; mail &lt;[email]&gt; &amp; call [phone]"
    )


# --- long text ----------------------------------------------------------------------------------
def test_long_text() -> None:
    sentence = "Contact jane@example.com or +1 (415) 555-2671; card 4111 1111 1111 1111, took 3500 ms on 2026-03-05. "
    expected = "Contact [email] or [phone]; card [card], took 3500 ms on 2026-03-05. "
    assert redact(sentence * 2000) == expected * 2000


def test_phone_after_many_number_like_candidates_is_still_found() -> None:
    # phonenumbers stops after 65,535 rejected candidates by default: this phone would be left in clear
    text = "1 " * 70_000 + "call 415-555-2671"
    assert redact(text) == "1 " * 70_000 + "call [phone]"


# --- many values, Series, JSON-like structures, counts --------------------------------------------
def test_redact_many_keeps_non_strings() -> None:
    assert redact_many(["mail a@b.co", None, 5, "ok"]) == ["mail [email]", None, 5, "ok"]


@pytest.mark.parametrize("dtype", ["str", "string", object])
def test_redact_series_keeps_index_name_dtype_and_missing(dtype: object) -> None:
    s = pd.Series(["mail a@b.co", None, "call 415-555-2671"], index=[10, 11, 12], name="comment", dtype=dtype)  # type: ignore[call-overload]
    out = redact_series(s)
    assert out.index.tolist() == [10, 11, 12]
    assert out.name == "comment"
    assert out.dtype == s.dtype
    assert out[10] == "mail [email]"
    assert pd.isna(out[11])
    assert out[12] == "call [phone]"
    assert s[10] == "mail a@b.co"  # input untouched


def test_redact_fields_redacts_everything_under_the_named_keys_only() -> None:
    obj = {
        "summary": "2 themes",
        "themes": [
            {"name": "latency", "examples": ["slow, call 415-555-2671", "too slow"], "count": 5551234567},
            {"name": "billing", "examples": [{"comment": "card 4111 1111 1111 1111", "session": "s-1"}]},
        ],
        "owner": "jane@example.com",  # not a named key: kept
        "incident": ("title", "mail ops@example.com"),
    }
    before = copy.deepcopy(obj)
    out = redact_fields(obj, {"examples", "incident"})
    assert out == {
        "summary": "2 themes",
        "themes": [
            {"name": "latency", "examples": ["slow, call [phone]", "too slow"], "count": 5551234567},
            {"name": "billing", "examples": [{"comment": "card [card]", "session": "s-1"}]},
        ],
        "owner": "jane@example.com",
        "incident": ("title", "mail [email]"),
    }
    assert obj == before


def test_count_findings() -> None:
    texts = ["a@b.co and c@d.co", "card 4111111111111111", None, "call 415-555-2671", "nothing", 42]
    assert count_findings(texts) == {"email": 2, "card": 1, "ssn": 0, "phone": 1}


def test_an_address_match_starts_only_where_a_word_starts() -> None:
    """The guard that keeps e-mail search linear: a match never starts inside a run like "a.a.a…"
    (without it, "a." * 10_000 + "@x" takes seconds, quadratic in the run's length)."""
    from launchkit.redact import _EMAIL

    text = "ab.cd@example.com"
    assert _EMAIL.match(text, 0).group() == text  # type: ignore[union-attr]
    assert _EMAIL.match(text, 1) is None  # inside "ab"
    assert _EMAIL.match(text, 3) is None  # just after "ab."
    assert redact("a." * 100_000 + "@x") == "a." * 100_000 + "@x"
