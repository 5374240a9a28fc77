"""Text analysis: tokens, sensitive values, the document's date, snippets."""

from __future__ import annotations

from datetime import date

from search_api.text import analyze, bigrams, document_date, make_snippet, sensitive_spans, tokens


def test_tokens_split_identifiers_into_characters_and_keep_words_whole() -> None:
    assert [t.text for t in tokens("车架号lsvau2180 the buyer")] == ["车", "架", "号", *"lsvau2180", "the", "buyer"]
    assert bigrams(["张", "伟", "the"]) == ["张伟", "伟_the"]


def test_sensitive_values_by_shape_and_label() -> None:
    text = ("身份证 11010119900307123x 护照 e12345678 账号 6222 0212 3456 7890 123 "
            "卡 4111111111111111 电话 13812345678 发票号码 12345678901234567890")
    found = {(text[s.start:s.end], s.kind) for s in sensitive_spans(text)}
    assert found == {
        ("11010119900307123x", "id_number"), ("e12345678", "passport"),
        ("6222 0212 3456 7890 123", "bank_account"), ("4111111111111111", "bank_account"),
    }


def test_analysis_moves_sensitive_tokens_apart() -> None:
    a = analyze("张伟 身份证号 110101199003071234 车")
    assert "#" in a.words and "1" not in a.words
    assert a.secret_words == list("110101199003071234")
    assert a.masked_text == "张伟 身份证号 ****************** 车"


def test_document_date_prefers_the_specific_label() -> None:
    assert document_date("日期：2024-01-02 开票日期：2024年05月03日") == date(2024, 5, 3)
    assert document_date("签订日期 2023.11.15") == date(2023, 11, 15)
    assert document_date("日期：2024年13月40日") is None
    assert document_date("no date here") is None


def test_snippet_masks_and_offsets_are_characters() -> None:
    text = "前言" * 100 + "张伟 <b>身份证 110101199003071234 发票"
    spans = sensitive_spans(text)
    snip = make_snippet(text, [("发", "票")], spans, reveal=False, width=40)
    assert snip.text.startswith("…")
    assert [snip.text[s:e] for s, e in snip.highlights] == ["发票"]
    assert "110101" not in snip.text and "&lt;b&gt;" in snip.html()
    (start, end, kind), = snip.sensitive
    assert snip.text[start:end] == "*" * 18 and kind == "id_number"
    shown = make_snippet(text, [tuple("071234")], spans, reveal=True, width=40)
    assert [shown.text[s:e] for s, e in shown.highlights] == ["071234"]
