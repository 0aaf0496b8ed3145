from cashbook.cli.main import run

run()
