"""A Gemini answer as Gemini writes one (headings, bold, bullets, a numbered list, a table, a link,
a code block), for the rendering test and ``bench/markdown_rendering.py``."""

GEMINI_STYLE_ANSWER = """\
## Launch plan for the Tea Timer API

Here is a **short plan** for announcing the release, with the _key dates_ and owners.

### What ships
- **Webhooks** for brew events
- Rate limits of `100 req/s` per key
- A new [developer guide](https://docs.example.com/tea-timer) with examples

### Timeline
1. Freeze the docs on Monday
2. Publish the changelog on Wednesday
3. Post in #general on Thursday

| Channel | Owner | When |
|---|---|---|
| Blog | Dana | Wed |
| Newsletter | Omar | Thu |

```python
client = TeaTimer(api_key=KEY)
client.brew(minutes=3)  # returns when it is ready
```

> Keep the tone friendly; mention that pricing is unchanged & free tiers stay.
"""
