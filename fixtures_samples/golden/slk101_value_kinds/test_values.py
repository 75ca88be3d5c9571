def test_app_config(app):
    app.config["DEBUG"] = True  # expect: SLK201


def test_frame(frame):
    frame.drop(columns=["a"], inplace=True)  # expect: SLK201


def test_env(env_vars):
    env_vars.pop("HOME")  # expect: SLK201


def test_read_param(read_only_param):
    assert read_only_param["a"] in (1, 2)


def test_written_param(written_param):
    written_param.append(3)  # expect: SLK201


def test_reads(settings, limits, readonly_mapping, data_dir, config_data):
    assert not settings.debug
    assert limits[0] == 1
    assert readonly_mapping["a"] == 1
    assert data_dir.exists()
    assert config_data["debug"] is False
