"""A throwaway certificate authority and HTTPS servers signed by it (or not), for TLS tests.

Made with `cryptography` (asyncssh already needs it), in a temporary directory: a CA, a
server certificate for 127.0.0.1 and localhost signed by it, and a client certificate.
"""

from __future__ import annotations

import datetime
import http.server
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from ipaddress import IPv4Address
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


@dataclass(frozen=True)
class Certs:
    """Paths of PEM files: the CA, the server's and the client's certificate and key."""

    ca: Path
    server_cert: Path
    server_key: Path
    client_cert: Path
    client_key: Path


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _write_key(key: ec.EllipticCurvePrivateKey, path: Path, password: bytes | None) -> None:
    encryption = (
        serialization.BestAvailableEncryption(password)
        if password
        else serialization.NoEncryption()
    )
    path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)
    )


def make_certs(directory: Path) -> Certs:
    """A CA and two leaf certificates under `directory`."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(_name("pulse-tui test CA"))
        .issuer_name(_name("pulse-tui test CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .sign(ca_key, hashes.SHA256())
    )
    (directory / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))

    def leaf(common: str, usage: x509.ObjectIdentifier, stem: str) -> None:
        key = ec.generate_private_key(ec.SECP256R1())
        builder = (
            x509.CertificateBuilder()
            .subject_name(_name(common))
            .issuer_name(ca.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
        )
        if usage == ExtendedKeyUsageOID.SERVER_AUTH:
            builder = builder.add_extension(
                x509.SubjectAlternativeName(
                    [x509.DNSName("localhost"), x509.IPAddress(IPv4Address("127.0.0.1"))]
                ),
                critical=False,
            )
        cert = builder.sign(ca_key, hashes.SHA256())
        (directory / f"{stem}.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        _write_key(key, directory / f"{stem}-key.pem", None)

    leaf("127.0.0.1", ExtendedKeyUsageOID.SERVER_AUTH, "server")
    leaf("pulse-tui", ExtendedKeyUsageOID.CLIENT_AUTH, "client")
    return Certs(
        ca=directory / "ca.pem",
        server_cert=directory / "server.pem",
        server_key=directory / "server-key.pem",
        client_cert=directory / "client.pem",
        client_key=directory / "client-key.pem",
    )


def encrypted_key(certs: Certs, path: Path) -> Path:
    """The client key again, encrypted with a passphrase nobody will type."""
    key = serialization.load_pem_private_key(certs.client_key.read_bytes(), None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    _write_key(key, path, b"not typed")
    return path


#: Enough of the Prometheus API for `probe()` and the alerts fetch, by path prefix.
_ANSWERS = {
    "/api/v1/query?": b'{"status":"success","data":{"resultType":"vector",'
    b'"result":[{"metric":{},"value":[1,"1"]}]}}',
    "/api/v1/status/buildinfo": b'{"status":"success","data":{"version":"2.99.0-tls"}}',
    "/api/v1/label/": b'{"status":"success","data":["checkout"]}',
    "/api/v1/alerts": b'{"status":"success","data":{"alerts":[]}}',
}


class _Answer(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = next((b for p, b in _ANSWERS.items() if self.path.startswith(p)), b"{}")
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:  # keep test output quiet
        pass


@contextmanager
def https_server(certs: Certs, *, require_client_cert: bool = False) -> Iterator[str]:
    """An HTTPS server on 127.0.0.1 speaking a little of the Prometheus API; its URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Answer)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certs.server_cert, certs.server_key)
    if require_client_cert:
        context.verify_mode = ssl.CERT_REQUIRED
        context.load_verify_locations(certs.ca)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
