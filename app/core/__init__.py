"""Cross-cutting helpers: Markdown rendering, dates, access policy."""
