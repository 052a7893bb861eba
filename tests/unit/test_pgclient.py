"""What a psql command line holds: the connection string without its password, which reaches the
child through its environment only (a command line is readable by every local user)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sps_harness.pgclient import Client, ClientError, split_password


@pytest.mark.parametrize(
    ("conn", "without", "password"),
    [
        ("postgres://tf:s3cret@127.0.0.1:5432/terraform?sslmode=disable",
         "postgres://tf@127.0.0.1:5432/terraform?sslmode=disable", "s3cret"),
        ("postgresql://tf:p%40ss%3Aw%2Fd@db.example:5432/x", "postgresql://tf@db.example:5432/x", "p@ss:w/d"),
        ("postgres://tf@127.0.0.1/terraform", "postgres://tf@127.0.0.1/terraform", None),
        ("postgres://127.0.0.1/terraform", "postgres://127.0.0.1/terraform", None),
        ("host=127.0.0.1 password=s3cret dbname=terraform", "host=127.0.0.1 dbname=terraform", "s3cret"),
        (r"host=db password='a \'quoted\' pass word' user=tf", "host=db user=tf", "a 'quoted' pass word"),
        (r"password=back\\slash host=db", "host=db", "back\\slash"),
        ("host=db user=tf", "host=db user=tf", None),
        ("host = db  password = 'a b'", "host=db", "a b"),
    ],
)  # fmt: skip
def test_the_password_is_taken_out_of_either_form(conn: str, without: str, password: str | None) -> None:
    assert split_password(conn) == (without, password)


def test_an_unreadable_string_is_refused_without_echoing_it() -> None:
    with pytest.raises(ClientError) as refused:
        split_password("host = db  password = 's3cret' stray")
    assert "s3cret" not in str(refused.value) and "after 2 key=value pair(s)" in str(refused.value)


def test_the_command_line_holds_no_password_and_only_the_child_env_has_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PGPASSWORD", "inherited")
    argv, env = Client(Path("/usr/bin/psql"), "postgres://tf:s3cret@127.0.0.1:1/terraform").command("-c", "SELECT 1")
    assert not any("s3cret" in arg for arg in argv) and "postgres://tf@127.0.0.1:1/terraform" in argv
    assert env["PGPASSWORD"] == "s3cret"
    argv, env = Client(Path("/usr/bin/psql"), "").command(stop_on_error=False)
    assert argv == ["/usr/bin/psql", "-X", "-q", "-A", "-t"], "no target: libpq's variables name it"
    assert env["PGPASSWORD"] == "inherited", "as Terraform's pg backend reads them"
    assert "s3cret" not in repr(Client(Path("psql"), "postgres://tf:s3cret@h/d"))
