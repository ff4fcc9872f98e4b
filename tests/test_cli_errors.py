"""Every failure of the command line is one `error:` line with a documented exit code: no
traceback, no person-level value (ARBEIDSTRENING_DEBUG=1 shows the traceback)."""

from __future__ import annotations

import pytest

from pipelines import cli


def _run(capsys, *args: str) -> tuple[int, str]:
    try:
        code = cli.main(list(args))
    except SystemExit as exc:
        code = exc.code
    captured = capsys.readouterr()
    return code, captured.err


def test_a_file_system_error_is_one_line_naming_the_path(tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    code, err = _run(capsys, "generate", "--out", str(blocker / "register"), "--scale", "0.001")
    assert code == cli.EXIT_FAILED == 1
    assert err.count("\n") == 1 and err.startswith("error: ") and str(blocker) in err
    assert "Traceback" not in err


def test_an_unexpected_error_is_one_masked_line(monkeypatch, capsys):
    def broken(args):
        raise RuntimeError("no row for person 'P000123' (id 4567890)")

    monkeypatch.setitem(cli.COMMANDS, "info", (cli.COMMANDS["info"][0], broken))
    monkeypatch.delenv("ARBEIDSTRENING_DEBUG", raising=False)
    code, err = _run(capsys, "info")
    assert code == 1 and err.count("\n") == 1 and err.startswith("error: RuntimeError: ")
    assert "P000123" not in err and "4567890" not in err and "ARBEIDSTRENING_DEBUG=1" in err
    monkeypatch.setenv("ARBEIDSTRENING_DEBUG", "1")
    with pytest.raises(RuntimeError):
        cli.main(["info"])


def test_exit_codes_are_documented(capsys):
    code, _ = _run(capsys, "run", "--threads", "x")
    assert code == cli.EXIT_USAGE == 2
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    assert "exit codes: 0 success; 1" in capsys.readouterr().out.replace("\n", " ")
