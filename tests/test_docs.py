"""Every CLI command is documented in the README (simonw/sqlite-utils style)."""

from pathlib import Path

import click

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def _commands(app):
    for name, command in sorted(app.cli.commands.items()):
        if isinstance(command, click.Group):
            for sub in command.commands:
                yield f"{name} {sub}"
        else:
            yield name


def test_every_cli_command_is_in_the_readme(app):
    missing = [name for name in _commands(app) if f"`{name}" not in README]
    assert missing == [], f"document these commands in README.md: {missing}"


def test_readme_names_the_two_newcomer_commands_and_ci_calls_the_test_one():
    assert "./dev.sh run" in README and "./dev.sh test" in README
    ci = (Path(__file__).resolve().parents[1] / ".ci" / "run").read_text()
    assert "./dev.sh test" in ci
