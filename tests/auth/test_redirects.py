import pytest

from graph.auth.redirects import MAX_NEXT_LENGTH, UnsafeRedirect, origin_of, safe_next


@pytest.mark.parametrize(
    "value",
    ["/", "/orders", "/invoices?status=open&page=2", "/a/b#section", "/%2F%2Fevil.com", "/path:with:colons"],
)
def test_same_origin_paths_are_accepted(value: str) -> None:
    assert safe_next(value) == value


@pytest.mark.parametrize("value", [None, ""])
def test_missing_next_gives_the_default(value: str | None) -> None:
    assert safe_next(value) == "/"
    assert safe_next(value, default="/home") == "/home"


@pytest.mark.parametrize(
    "value",
    [
        "//evil.com",
        "//evil.com/path",
        "https://evil.com",
        "http://evil.com/",
        "/\\evil.com",
        "\\\\evil.com",
        "/\t/evil.com",
        "/\n/evil.com",
        "/ /evil.com",
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "data:text/html,hi",
        "evil.com",
        "orders",
        "/x\x00y",
        "/" + "a" * MAX_NEXT_LENGTH,
    ],
)
def test_foreign_or_ambiguous_targets_are_refused(value: str) -> None:
    with pytest.raises(UnsafeRedirect):
        safe_next(value)


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("https://Portal.Example.com/", "https://portal.example.com"),
        ("http://127.0.0.1:8000/base/path?x=1", "http://127.0.0.1:8000"),
    ],
)
def test_the_origin_of_a_url_is_what_a_browser_sends_in_origin(url: str, origin: str) -> None:
    assert origin_of(url) == origin
