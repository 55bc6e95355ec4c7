"""A bare app for the server's own tests, served as `python -m shared.kit.server` serves."""

from fastapi import FastAPI


def create_app() -> FastAPI:
    app = FastAPI()

    @app.get("/hello")
    async def hello() -> dict[str, str]:
        return {"hello": "Landkreis"}

    return app
