"""Every endpoint method through the same checks, one row each (``endpoint_cases``).

The reference's example request goes on the wire exactly, its example response decodes into
exactly the expected model, ``extra_*`` arguments are merged and may not repeat a named one,
and a caller's identifier stays one path segment. What only one resource does (pagination,
form encoding, partial updates, product returns) is tested in ``test_endpoints_<resource>.py``.
"""

from __future__ import annotations

import inspect
import itertools

import pytest

from shopsocially_async.resources._base import Resource
from tests.unit.endpoint_cases import ENDPOINTS, IDENTIFIERS, IN_PATH, InPath
from tests.unit.helpers import (
    BASE_PATH,
    Endpoint,
    assert_clash_refused,
    assert_extras_merged,
    assert_request_on_the_wire,
    invoke,
    only_request,
    outcome,
    recording_client,
)

pytestmark = pytest.mark.anyio

every_endpoint = pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)


@every_endpoint
async def test_request_on_the_wire(endpoint: Endpoint) -> None:
    """Each call sends the reference example's method, path, query (dates in the endpoint's
    format) and type-exact JSON body, with the credentials."""
    await assert_request_on_the_wire(endpoint)


@every_endpoint
async def test_decodes_reference_example(endpoint: Endpoint) -> None:
    """The reference's example response decodes into exactly the expected model (a list, or
    a listing's first page)."""
    client, _ = recording_client(endpoint.response)
    async with client:
        assert await invoke(endpoint, client) == endpoint.expected


@every_endpoint
async def test_extras_are_merged(endpoint: Endpoint) -> None:
    """extra_query, extra_headers (and extra_body on writes) reach the wire beside the named
    arguments."""
    await assert_extras_merged(endpoint)


@pytest.mark.parametrize(
    ("endpoint", "named_field"),
    [
        pytest.param(endpoint, name, id=f"{endpoint}:{name}")
        for endpoint in ENDPOINTS
        for name in endpoint.named_fields
    ],
)
async def test_extras_may_not_repeat_a_named_argument(endpoint: Endpoint, named_field: str) -> None:
    """extra_body (writes) or extra_query (reads) repeating a named argument is refused,
    naming it, before anything is sent."""
    await assert_clash_refused(endpoint, named_field)


@pytest.mark.parametrize(
    ("method", "identifier", "segment"),
    [
        pytest.param(method, identifier, segment, id=f"{method}:{identifier}")
        for method, (identifier, segment) in itertools.product(IN_PATH, IDENTIFIERS)
    ],
)
async def test_identifier_is_one_path_segment(
    method: InPath, identifier: str, segment: bytes
) -> None:
    """The identifier is percent-encoded into exactly one segment of the raw path (``/``,
    ``?``, ``#``, ``%``, spaces and non-ASCII escaped; ``@``, ``+``, ``$``, ``=`` kept), so
    it can never reach another route, nor add a query or a fragment."""
    client, recorder = recording_client(method.response)
    async with client:
        await outcome(method.call(client, identifier))
    assert only_request(recorder).url.raw_path == BASE_PATH + method.target % segment


def test_every_endpoint_method_has_a_row() -> None:
    """Each public method of every resource is in ENDPOINTS, and each that takes an
    identifier before its keyword arguments is in IN_PATH: a new method cannot go untested."""
    client, _ = recording_client()
    methods, identified = set(), set()
    for attribute, resource in vars(client).items():
        if not isinstance(resource, Resource):
            continue
        for name, function in inspect.getmembers(type(resource), inspect.isfunction):
            if name.startswith("_"):
                continue
            methods.add(f"{attribute}.{name}")
            kinds = [p.kind for p in inspect.signature(function).parameters.values()]
            if inspect.Parameter.POSITIONAL_OR_KEYWORD in kinds[1:]:
                identified.add(f"{attribute}.{name}")
    assert methods == {endpoint.name.partition(":")[0] for endpoint in ENDPOINTS}
    assert identified == {method.name for method in IN_PATH}
