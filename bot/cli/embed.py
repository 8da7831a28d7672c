"""`paperbot embed`: compute the sentence embeddings of papers that have none (semantic extra)."""

from __future__ import annotations

import time

import typer
from rich.markup import escape

from bot.cli._app import app
from bot.cli._common import err, fail, load_settings, open_service, print_json


@app.command("embed")
def embed(
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """Embed every paper that has no embedding yet (all-MiniLM-L6-v2, about 0.1 s per paper on 2 cores).

    New papers are embedded at ingestion when PAPERBOT_SEMANTIC=1; this backfills the
    rest. It can run before the setting is switched on. Needs `pip install 'paperbot[semantic]'`.
    """
    from bot.cli._common import progress_bar
    from recommender.ranking.semantic import SemanticUnavailable, require_semantic

    try:
        require_semantic("`paperbot embed` needs the semantic extra")
    except SemanticUnavailable as exc:
        fail(escape(str(exc)))
    # The setting only decides what ingestion does; here the backfill (with its progress bar)
    # embeds everything, the demo corpus seeded into a new database included.
    settings = load_settings()
    service = open_service(settings.model_copy(update={"semantic": False}))
    began = time.perf_counter()
    try:
        papers, embedded = service.embedding_counts()
        todo = papers - embedded  # plus any whose text changed since
        with progress_bar(f"embedding {todo:,} papers", todo, as_json) as advance:
            done = service.embed_papers(advance)
        papers, embedded = service.embedding_counts()
    finally:
        service.close()
    summary = {"embedded": done, "papers": papers, "with_embedding": embedded,
               "model": settings.semantic_model, "seconds": round(time.perf_counter() - began, 1)}
    if as_json:
        print_json(summary)
    else:
        err.print(f"embedded {done:,} papers in {summary['seconds']}s; {embedded:,} of {papers:,} papers "
                  f"have an embedding ({settings.semantic_model}).")
