"""What the routes are given: typed FastAPI dependencies over the app's services.

``create_app`` puts one :class:`Services` on the application; routes declare
what they need (``backend: BackendDep``, ``settings: SettingsDep``...) and code
outside a route (the pages' helpers) reads ``services(app)``. Nothing else is
looked up on ``app.state``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, FastAPI, Request, Response

from coedp.server.backends.base import DatasetInfo, QueryBackend
from coedp.server.resultcache import ResultCache
from coedp.server.settings import Settings

QueryPage = Callable[[Request], Response]
# (request, query, SPARQL JSON results) -> an HTML page of the results.
ResultsPage = Callable[[Request, str, bytes], Response]


@dataclass(frozen=True)
class Services:
    """The application's parts, chosen once when it is built."""

    settings: Settings
    backend: QueryBackend  # with the result cache in front
    cache: ResultCache
    query_page: QueryPage
    results_page: ResultsPage | None = None


def install(app: FastAPI, parts: Services) -> None:
    """Attach ``parts`` to ``app`` (done once, by ``create_app``)."""
    app.state.services = parts


def services(app: FastAPI) -> Services:
    """The parts of ``app``, for code that has the app but is not a route."""
    parts: Services = app.state.services
    return parts


def get_services(request: Request) -> Services:
    """Dependency: the application's parts."""
    return services(request.app)


def get_settings(request: Request) -> Settings:
    """Dependency: the settings."""
    return services(request.app).settings


def get_backend(request: Request) -> QueryBackend:
    """Dependency: the backend, with the result cache in front."""
    return services(request.app).backend


def get_dataset(request: Request) -> DatasetInfo:
    """Dependency: the dataset served."""
    return services(request.app).backend.info


ServicesDep = Annotated[Services, Depends(get_services)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
BackendDep = Annotated[QueryBackend, Depends(get_backend)]
DatasetDep = Annotated[DatasetInfo, Depends(get_dataset)]
