"""The self-signed certificate the TLS mock serves (``mlmock.tls``)."""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
import stat

import httpx
import pytest

x509 = pytest.importorskip("cryptography.x509")

from mlmock import tls  # noqa: E402
from mlmock.mockserver.devtools.live import LiveServer  # noqa: E402


def _load(certfile):
    return x509.load_pem_x509_certificate(certfile.read_bytes())


def test_generates_a_loadable_pair_with_a_private_key(tmp_path):
    certfile, keyfile = tls.ensure_certificate(tmp_path / "tls")

    assert certfile.parent == keyfile.parent == tmp_path / "tls"
    assert certfile.read_bytes().startswith(b"-----BEGIN CERTIFICATE-----")
    assert stat.S_IMODE(keyfile.stat().st_mode) == 0o600
    ssl.create_default_context().load_cert_chain(certfile, keyfile)
    assert not list((tmp_path / "tls").glob(".*")), "no temporary file is left behind"


def test_certificate_content(tmp_path):
    certfile, _ = tls.ensure_certificate(tmp_path)
    cert = _load(certfile)

    cn = cert.subject.get_attributes_for_oid(x509.oid.NameOID.COMMON_NAME)
    assert [a.value for a in cn] == ["mlmock"]
    assert cert.issuer == cert.subject
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert ipaddress.ip_address("127.0.0.1") in san.get_values_for_type(x509.IPAddress)
    assert "localhost" in san.get_values_for_type(x509.DNSName)
    lifetime = cert.not_valid_after_utc - cert.not_valid_before_utc
    assert dt.timedelta(days=364) < lifetime < dt.timedelta(days=367)
    assert cert.not_valid_before_utc <= dt.datetime.now(dt.UTC) < cert.not_valid_after_utc


def test_second_call_reuses_the_files(tmp_path):
    certfile, keyfile = tls.ensure_certificate(tmp_path)
    cert_bytes, key_bytes = certfile.read_bytes(), keyfile.read_bytes()

    again = tls.ensure_certificate(tmp_path)

    assert again == (certfile, keyfile)
    assert certfile.read_bytes() == cert_bytes
    assert keyfile.read_bytes() == key_bytes


def test_regenerates_after_deletion(tmp_path):
    certfile, keyfile = tls.ensure_certificate(tmp_path)
    old_serial = _load(certfile).serial_number
    certfile.unlink()

    tls.ensure_certificate(tmp_path)

    assert _load(certfile).serial_number != old_serial
    ssl.create_default_context().load_cert_chain(certfile, keyfile)


def test_regenerates_an_unreadable_or_mismatched_pair(tmp_path):
    certfile, keyfile = tls.ensure_certificate(tmp_path)
    old = certfile.read_bytes()
    keyfile.write_bytes(b"not a key")
    tls.ensure_certificate(tmp_path)
    assert certfile.read_bytes() != old
    ssl.create_default_context().load_cert_chain(certfile, keyfile)

    # A key from another pair: the certificate no longer matches it.
    other_cert, other_key = tls.ensure_certificate(tmp_path / "other")
    keyfile.write_bytes(other_key.read_bytes())
    tls.ensure_certificate(tmp_path)
    ssl.create_default_context().load_cert_chain(certfile, keyfile)
    assert certfile.read_bytes() != other_cert.read_bytes()


def test_regenerates_an_expired_certificate(tmp_path, monkeypatch):
    real_now = dt.datetime.now(dt.UTC)
    monkeypatch.setattr(tls, "_now", lambda: real_now - dt.timedelta(days=400))
    certfile, _ = tls.ensure_certificate(tmp_path)
    monkeypatch.undo()
    assert _load(certfile).not_valid_after_utc < real_now

    tls.ensure_certificate(tmp_path)

    assert _load(certfile).not_valid_after_utc > real_now


def test_regenerates_when_a_host_is_not_covered(tmp_path):
    certfile, _ = tls.ensure_certificate(tmp_path)
    tls.ensure_certificate(tmp_path, hosts=("127.0.0.1", "localhost", "::1", "mlmock.test"))
    san = _load(certfile).extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert ipaddress.ip_address("::1") in san.get_values_for_type(x509.IPAddress)
    assert set(san.get_values_for_type(x509.DNSName)) == {"localhost", "mlmock.test"}


def test_default_directory_honours_xdg_cache_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert tls.default_directory() == tmp_path / "cache" / "mlmock" / "tls"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert tls.default_directory() == tmp_path / "home" / ".cache" / "mlmock" / "tls"


async def _hello(scope, receive, send):
    assert scope["type"] == "http"
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": scope["scheme"].encode()})


def test_https_through_live_server(tmp_path, monkeypatch):
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    certfile, keyfile = tls.ensure_certificate(tmp_path)

    with LiveServer(_hello, ssl_certfile=str(certfile), ssl_keyfile=str(keyfile)) as server:
        assert server.url.startswith("https://127.0.0.1:")
        trust = ssl.create_default_context(cafile=str(certfile))
        response = httpx.get(server.url + "/", verify=trust)
        assert response.status_code == 200
        assert response.text == "https"
        localhost = server.url.replace("127.0.0.1", "localhost")
        assert httpx.get(localhost + "/", verify=trust).text == "https"
        with pytest.raises(httpx.ConnectError):
            httpx.get(server.url + "/", verify=True)  # not trusted by the system store
