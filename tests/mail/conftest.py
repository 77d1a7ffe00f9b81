"""The certificate of the TLS mail servers, made once for the session."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.mail_server import self_signed_certificate


@pytest.fixture(scope="session")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return self_signed_certificate(tmp_path_factory.mktemp("tls"))
