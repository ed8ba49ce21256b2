"""Quoting a post into a reply."""

from __future__ import annotations

from forum.models import Post


def quote_text(post: Post) -> str:
    """Markdown that quotes ``post``, with attribution and a link back to it."""
    quoted = "\n".join(f"> {line}" if line else ">" for line in post.body_source.splitlines())
    header = f"> **@{post.author.handle}** [#{post.number}](/p/{post.id}):\n>\n"
    return f"{header}{quoted}\n\n"
