"""Self-signed certificates for the TLS servers tests start (SMTP, webhook receivers)."""

import subprocess
from pathlib import Path


def self_signed(folder: Path, *, common_name: str, alt_name: str) -> tuple[Path, Path]:
    """A certificate and key for `alt_name` (e.g. `IP:127.0.0.1`, `DNS:hooks.lotse.test`)."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", f"/CN={common_name}", "-addext", f"subjectAltName={alt_name}",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key
