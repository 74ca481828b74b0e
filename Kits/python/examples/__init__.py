"""Runnable examples of the kit (``uvicorn examples.fastapi_app:app`` from ``Kits/python``)."""
