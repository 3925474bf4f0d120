"""Files outside the code that users and CI rely on."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import service_unavailable

ROOT = Path(__file__).resolve().parents[2]


def compose_command() -> list[str]:
    docker = shutil.which("docker")
    if (
        docker
        and subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0
    ):
        return [docker, "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    service_unavailable(
        "docker compose", "neither `docker compose` nor docker-compose is installed"
    )


def test_docker_compose_file_is_valid():
    out = subprocess.run(
        [*compose_command(), "-f", "docker-compose.yml", "config"],
        cwd=ROOT,
        env={**os.environ, "SECRET_KEY": "compose-check"},
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    for service in ["web:", "worker:", "beat:", "postgres:", "redis:", "minio:"]:
        assert service in out.stdout


@pytest.mark.parametrize("command", ["make run", "make test"])
def test_readme_starts_with_the_two_setup_commands(command):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert command in readme.split("## Configuration")[0]


def test_ci_script_runs_make_test():
    assert "make test" in (ROOT / ".ci" / "run").read_text()
