"""The baseline: a bare FastAPI endpoint on uvicorn, nothing else."""

from fastapi import FastAPI

app = FastAPI()


@app.post("/bare")
async def bare() -> dict[str, str]:
    return {"ok": "yes"}


@app.get("/bare")
async def bare_get() -> dict[str, str]:
    return {"ok": "yes"}
