from __future__ import annotations

import pytest

from connectors.wechat.safexml import MAX_XML_BYTES, MalformedPush, read_xml
from tests.connectors.wechat.pushes import fixture

BOMB = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<xml><Content>&lol3;</Content></xml>"""
EXTERNAL = """<?xml version="1.0"?>
<!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<xml><Content>&xxe;</Content></xml>"""


def test_reads_the_documented_fields() -> None:
    fields = read_xml(fixture("text").encode())
    assert fields["MsgType"] == "text"
    assert fields["Content"] == "退货政策是什么?"
    assert fields["MsgId"] == "1234567890123456"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (BOMB, "refused XML"),
        (EXTERNAL, "refused XML"),
        ("<xml><a></xml>", "malformed XML"),
        ("", "empty body"),
        ("<root/>", "expected <xml>"),
        ("<xml>" + "x" * MAX_XML_BYTES + "</xml>", "KiB"),
    ],
)
def test_unsafe_or_broken_xml_is_refused_without_expanding_it(body: str, reason: str) -> None:
    with pytest.raises(MalformedPush, match=reason):
        read_xml(body)
