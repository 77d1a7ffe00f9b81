"""Background jobs: plain `async def job(ctx, …)` functions run by arq workers."""
