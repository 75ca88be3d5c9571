def test_main_runs_the_program():
    from app import cli

    before = len(cli.RUNS)
    import app.__main__  # runs main() only if no earlier test imported it

    assert len(cli.RUNS) == before + 1
