"""How a realistic Gemini answer reads in Slack: posted as a ``markdown`` block (what the workers
post) against the same answer in a mrkdwn section (what they posted before), rendered by the
sandbox's reader (``sandbox.rendering``: CommonMark with GFM tables for markdown blocks, Slack's
few mrkdwn markers for sections).

Figures: the pieces of Markdown a reader would still see as symbols (headings' ``#``, ``**``,
``[label](url)``, table rows) in each, and how many of the answer's formatted elements (headings,
bold, list items, table cells, links, code blocks) render as such. The baseline is the mrkdwn
section, measured in the same run.

A converter library (``markdown-to-mrkdwn``, ``slackify-markdown``) was not installed to measure:
mrkdwn has no heading, table or list element, so a converter can at best turn headings into bold
lines and tables into a code block; its figure for "rendered elements" is bounded by what mrkdwn
can show, which this bench counts for the section as the baseline.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.verdict import Target, at_least, at_most, run_bench
from sandbox.rendering import literal_markdown, markdown_html, mrkdwn_text
from sandbox.samples import GEMINI_STYLE_ANSWER
from workers.result_markdown import slack_safe_markdown
from workers.views import escape_mrkdwn

# Formatted elements of the sample answer, by how a renderer marks them in HTML.
_ELEMENTS = re.compile(r"<(h[1-6]|strong|em|li|td|th|a |pre|blockquote)")


def formatted_elements(html: str) -> int:
    return len(_ELEMENTS.findall(html))


def mrkdwn_elements(text: str) -> int:
    """mrkdwn renders bold, italic, code, links; nothing else of Markdown."""
    return len(re.findall(r"(?<![\w*])\*[^*\n]+\*(?![\w*])|(?<![\w_])_[^_\n]+_(?![\w_])|`[^`\n]+`|<[^<>\n]+>", text))


def measure() -> list[Target]:
    block_html = markdown_html(slack_safe_markdown(GEMINI_STYLE_ANSWER))
    block_text = re.sub(r"<[^>]+>", "", block_html)
    section_source = escape_mrkdwn(GEMINI_STYLE_ANSWER)
    section_text = mrkdwn_text(section_source)
    expected = formatted_elements(markdown_html(GEMINI_STYLE_ANSWER))
    block_literal, section_literal = literal_markdown(block_text), literal_markdown(section_text)
    block_rendered, section_rendered = formatted_elements(block_html), mrkdwn_elements(section_source)
    print(f"answer: {len(GEMINI_STYLE_ANSWER):,} characters, {expected} formatted elements")
    print(
        f"markdown block : {block_literal:3d} pieces of Markdown shown as symbols, {block_rendered:3d} elements rendered"
    )
    print(
        f"mrkdwn section : {section_literal:3d} pieces of Markdown shown as symbols, {section_rendered:3d} elements rendered"
    )
    return [
        at_most("markdown block: Markdown shown as symbols", block_literal, 0),
        at_least("markdown block: elements rendered / expected", block_rendered / expected, 1.0),
        at_least("section baseline: Markdown shown as symbols", section_literal, 1),
    ]


def main() -> int:
    return run_bench("markdown_rendering", measure)


if __name__ == "__main__":
    sys.exit(main())
