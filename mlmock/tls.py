"""A self-signed TLS certificate for serving the mock over ``https://`` on loopback.

The official IBM client (ibm-watsonx-ai) refuses ``http://`` URLs, so the WML mock must speak TLS.
``ensure_certificate`` creates an EC P-256 certificate (CN "mlmock", SAN = the given hosts, valid one
year) with the ``cryptography`` package the first time, and reuses it afterwards as long as it is
readable, matches its key, covers the hosts and is not about to expire.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import ipaddress
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

CERT_NAME = "mlmock-cert.pem"
KEY_NAME = "mlmock-key.pem"
COMMON_NAME = "mlmock"
VALIDITY = dt.timedelta(days=365)
# A certificate closer than this to its expiry is replaced, so a run never starts with one that
# expires halfway through.
RENEW_BEFORE = dt.timedelta(days=1)
DEFAULT_HOSTS = ("127.0.0.1", "localhost")


def default_directory() -> Path:
    """Where the certificate lives by default: ``$XDG_CACHE_HOME/mlmock/tls`` (``~/.cache/mlmock/tls``)."""
    base = os.environ.get("XDG_CACHE_HOME") or ""
    root = Path(base) if base and Path(base).is_absolute() else Path.home() / ".cache"
    return root / "mlmock" / "tls"


def ensure_certificate(directory: Path | str | None = None,
                       hosts: Iterable[str] = DEFAULT_HOSTS) -> tuple[Path, Path]:
    """Return ``(certfile, keyfile)`` in ``directory``, generating them if missing, unusable or expiring.

    ``hosts`` become the subjectAltName entries: IP addresses as iPAddress, anything else as dNSName.
    """
    directory = Path(directory) if directory is not None else default_directory()
    hosts = tuple(dict.fromkeys(hosts))
    if not hosts:
        raise ValueError("at least one host is needed for the certificate")
    certfile, keyfile = directory / CERT_NAME, directory / KEY_NAME
    if not _usable(certfile, keyfile, hosts):
        directory.mkdir(parents=True, exist_ok=True)
        cert_pem, key_pem = _generate(hosts)
        # Key first: a reader that finds a new certificate then also finds its key.
        _write_atomic(keyfile, key_pem, 0o600)
        _write_atomic(certfile, cert_pem, 0o644)
    return certfile, keyfile


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _generate(hosts: tuple[str, ...]) -> tuple[bytes, bytes]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, COMMON_NAME)])
    now = _now()
    alt_names: list[x509.GeneralName] = []
    for host in hosts:
        try:
            alt_names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            alt_names.append(x509.DNSName(host))
    public_key = key.public_key()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + VALIDITY)
        .add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
        # CA:TRUE lets clients use the certificate itself as the trust anchor (verify=certfile);
        # OpenSSL 3 rejects a self-signed leaf used that way without it in some configurations.
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                     crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(public_key), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_pem = cert.public_bytes(serialization.Encoding.PEM)
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return cert_pem, key_pem


def _usable(certfile: Path, keyfile: Path, hosts: tuple[str, ...]) -> bool:
    """True if both files load, belong together, cover ``hosts`` and stay valid for a while."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    try:
        cert = x509.load_pem_x509_certificate(certfile.read_bytes())
        key = serialization.load_pem_private_key(keyfile.read_bytes(), password=None)
    except (OSError, ValueError, TypeError):
        return False
    now = _now()
    if not cert.not_valid_before_utc <= now < cert.not_valid_after_utc - RENEW_BEFORE:
        return False
    pem = serialization.PublicFormat.SubjectPublicKeyInfo
    if (cert.public_key().public_bytes(serialization.Encoding.PEM, pem)
            != key.public_key().public_bytes(serialization.Encoding.PEM, pem)):
        return False
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return False
    covered = {str(ip) for ip in san.get_values_for_type(x509.IPAddress)}
    covered.update(san.get_values_for_type(x509.DNSName))
    return all(_normalise(host) in covered for host in hosts)


def _normalise(host: str) -> str:
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return host


def _write_atomic(path: Path, data: bytes, mode: int) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same directory, created with ``mode``."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
