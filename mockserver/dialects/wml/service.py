"""Tokens, the catalogue seeded at start and forced lifecycle states."""

from __future__ import annotations

from mlmock.spec.declarations import ApiDeclaration, Kind

from ...core import jsonsafety
from ...core.catalogue import documents
from ...core.engine import Engine, Reply, Request
from ...core.errors import BadRequest
from .common import UNSCOPED, WML, not_found
from .documents import on_enter, save


@WML.action("authorize")
def authorize(engine: Engine, request: Request) -> Reply:
    body = request.body if isinstance(request.body, dict) else {}
    if not body.get("username") or not (body.get("api_key") or body.get("password")):
        raise BadRequest("username and api_key (or password) are required", code="invalid_credentials")
    import jwt  # PyJWT: imported on the first token, not at start-up (~0.06 s of it)

    now = engine.clock.now_ms() // 1000
    token = jwt.encode({"sub": body["username"], "username": body["username"], "iat": now, "exp": now + 3600,
                        "iss": "mlmock"}, engine.settings.jwt_secret, algorithm="HS256")
    return Reply(200, {"token": token, "_messageCode_": "200", "message": "Success"})


def principal_of(engine: Engine, token: str) -> str | None:
    """The user a bearer JWT issued by :func:`authorize` names, or None when it is not one of ours."""
    import jwt

    try:
        # Times are checked below on the engine's clock (which may be fixed), not by PyJWT on the
        # wall clock: a token issued at a fixed time must not be expired by the real date.
        claims = jwt.decode(token, engine.settings.jwt_secret, algorithms=["HS256"], issuer="mlmock",
                            options={"require": ["exp", "sub"], "verify_exp": False, "verify_iat": False,
                                     "verify_nbf": False})
    except jwt.PyJWTError:
        return None
    now = engine.clock.now_ms() // 1000
    exp = claims["exp"]
    return claims["sub"] if isinstance(exp, int | float) and exp > now else None


@WML.seeds
def seed(engine: Engine, api: ApiDeclaration) -> None:
    with engine.transaction():
        for kind_name, docs in documents().items():
            if kind_name not in api.kinds:
                continue
            kind = api.kinds[kind_name]
            for doc in docs:
                save(engine, api, kind, jsonsafety.copy(doc), UNSCOPED)
            engine.seeded[(api.name, kind_name)] = len(docs)


@WML.verifies
def verify(engine: Engine, token: str) -> str | None:
    return principal_of(engine, token)


@WML.forces
def force(engine: Engine, api: ApiDeclaration, kind: Kind, id_: str, state: str, message: str | None) -> dict:
    coll = engine.collection(api, kind)
    with coll.transaction():
        record = coll.get(id_)
        if record is None:
            raise not_found(kind.name, id_)
        doc = jsonsafety.copy(record.doc)
        engine.lifecycles.force(api, kind, doc, state, engine.clock.now_ms(), message=message, on_enter=on_enter)
        return save(engine, api, kind, doc, record.scope).doc
