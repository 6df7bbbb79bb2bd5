"""Reading WeChat's XML without trusting it: no DTD, no entities, bounded size.

wechatpy parses with xmltodict (expat), which would expand internal entities; so every body
is first read here with defusedxml, which refuses any DOCTYPE, and only then handed on.
"""

from __future__ import annotations

from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from bot.errors import RefusedInput

MAX_XML_BYTES = 64 * 1024


class MalformedPush(RefusedInput):
    """Not a WeChat push we can read: a 400 with this reason."""


def read_xml(body: bytes | str) -> dict[str, str]:
    """The top-level fields of ``<xml>...</xml>`` as a flat dict of text."""
    raw = body.encode("utf-8") if isinstance(body, str) else body
    if len(raw) > MAX_XML_BYTES:
        raise MalformedPush(f"body over {MAX_XML_BYTES // 1024} KiB")
    if not raw.strip():
        raise MalformedPush("empty body")
    try:
        root = fromstring(raw, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise MalformedPush(f"refused XML: {type(exc).__name__}") from exc
    except ParseError as exc:
        raise MalformedPush(f"malformed XML: {exc}") from exc
    if root.tag != "xml":
        raise MalformedPush(f"root element is <{root.tag}>, expected <xml>")
    return {child.tag: (child.text or "").strip() for child in root}
